//! Which proxy, if any, a request goes through, from the environment.
//!
//! hyper-util's matcher does the parsing and the `NO_PROXY` rules (domains,
//! addresses and CIDR ranges); this module decides which variables feed it
//! and refuses values it would otherwise drop without a word.

use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

use crate::error::Error;

/// How a connection to one destination is made.
pub(super) enum Route {
    Direct,
    /// An `http` request sent to the proxy with the whole URL in its
    /// request line and the proxy's credentials in `Proxy-Authorization`.
    Forward {
        proxy: Uri,
        auth: Option<HeaderValue>,
    },
    /// A `CONNECT` tunnel through an HTTP proxy, for `https` requests.
    Tunnel {
        proxy: Uri,
        auth: Option<HeaderValue>,
    },
    /// SOCKS5; `remote_dns` for `socks5h`, where the proxy resolves names.
    Socks5 {
        proxy: Uri,
        auth: Option<(String, String)>,
        remote_dns: bool,
    },
    /// SOCKS4; `remote_dns` for `socks4a`.
    Socks4 {
        proxy: Uri,
        remote_dns: bool,
    },
}

#[derive(Default)]
pub(super) struct Proxies {
    matcher: Option<Matcher>,
    http: bool,
    https: bool,
}

impl Proxies {
    /// Reads the proxy variables through `vars`. `HTTP_PROXY` in capitals
    /// is ignored on purpose: a CGI server puts a request's `Proxy` header
    /// into the environment under that name, so a caller could choose it.
    pub(super) fn from_env(vars: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let first = |names: &[&'static str]| -> Result<Option<String>, Error> {
            for &name in names {
                if let Some(value) = vars(name).filter(|value| !value.trim().is_empty()) {
                    check(name, &value)?;
                    return Ok(Some(value));
                }
            }
            Ok(None)
        };
        let all = first(&["ALL_PROXY", "all_proxy"])?;
        let http = first(&["http_proxy"])?;
        let https = first(&["HTTPS_PROXY", "https_proxy"])?;
        let no = vars("NO_PROXY").or_else(|| vars("no_proxy")).unwrap_or_default();
        let (uses_http, uses_https) = (http.is_some() || all.is_some(), https.is_some() || all.is_some());
        // hyper-util's matcher applies `*` to names but not to addresses.
        let everything_direct = no.split(',').any(|entry| entry.trim() == "*");
        if (!uses_http && !uses_https) || everything_direct {
            return Ok(Self::default());
        }
        let mut builder = Matcher::builder().no(no);
        if let Some(all) = all {
            builder = builder.all(all);
        }
        if let Some(http) = http {
            builder = builder.http(http);
        }
        if let Some(https) = https {
            builder = builder.https(https);
        }
        Ok(Self { matcher: Some(builder.build()), http: uses_http, https: uses_https })
    }

    /// Whether a proxy is set for `http` and for `https` requests.
    pub(super) fn configured(&self) -> (bool, bool) {
        (self.http, self.https)
    }

    pub(super) fn route(&self, destination: &Uri) -> Route {
        let Some(intercept) = self.matcher.as_ref().and_then(|matcher| matcher.intercept(destination)) else {
            return Route::Direct;
        };
        // Loopback always goes direct: a proxy cannot reach the caller's own
        // loopback interface, and local test servers must keep working.
        if crate::host::is_loopback(destination.host().unwrap_or_default()) {
            return Route::Direct;
        }
        let https = destination.scheme_str() == Some("https");
        route_through(&intercept, https)
    }
}

fn route_through(intercept: &Intercept, https: bool) -> Route {
    let proxy = intercept.uri().clone();
    match proxy.scheme_str() {
        Some("socks5" | "socks5h") => Route::Socks5 {
            remote_dns: proxy.scheme_str() == Some("socks5h"),
            auth: intercept.raw_auth().map(|(user, password)| (user.to_owned(), password.to_owned())),
            proxy,
        },
        Some("socks4" | "socks4a") => Route::Socks4 { remote_dns: proxy.scheme_str() == Some("socks4a"), proxy },
        _ if https => Route::Tunnel { auth: intercept.basic_auth().cloned(), proxy },
        _ => Route::Forward { auth: intercept.basic_auth().cloned(), proxy },
    }
}

/// The matcher drops values it cannot use; a proxy the user asked for
/// must not be bypassed in silence, so such a value is an error that names
/// the variable and never shows the value (it may hold credentials).
fn check(name: &str, value: &str) -> Result<(), Error> {
    let probe = Uri::from_static("http://example.invalid/");
    let intercept = Matcher::builder().all(value.to_owned()).build().intercept(&probe);
    match intercept {
        None => Err(Error::invalid_argument(format!("the proxy in {name} cannot be parsed"))),
        Some(intercept) if intercept.uri().scheme_str() == Some("https") => Err(Error::invalid_argument(format!(
            "the proxy in {name} is an https:// proxy, which is not supported; use http://, socks5:// or socks4://"
        ))),
        // The URI parser drops a port it cannot read, which would send the
        // request to the scheme's default port instead.
        Some(intercept) if !port_is_valid(intercept.uri()) => {
            Err(Error::invalid_argument(format!("the proxy in {name} has an invalid port")))
        }
        Some(_) => Ok(()),
    }
}

fn port_is_valid(uri: &Uri) -> bool {
    let authority = uri.authority().map_or("", |authority| authority.as_str());
    let port = authority.rsplit_once(':').map(|(_, port)| port).filter(|port| !port.contains(']'));
    port.is_none_or(|port| port.parse::<u16>().is_ok())
}
