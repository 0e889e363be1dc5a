//! Whether a request goes through a proxy, and which one, as the
//! environment says.
//!
//! Only plain-HTTP proxies are spoken to: `https` requests go through a
//! `CONNECT` tunnel (so the proxy relays TLS it cannot read) and `http`
//! requests are handed to the proxy whole. The variables are read once,
//! when the transport is built, so a request never sees half of a change.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, Ordering};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use http::HeaderValue;

use crate::error::Error;

/// A forward proxy that speaks plain HTTP.
///
/// Deliberately without `Debug`: the credentials must not be printable,
/// and even the address is kept out of errors and logs, since it is the
/// part of the variable most likely to sit next to a password.
pub(super) struct Proxy {
    /// Lowercased, IPv6 brackets removed, ready for DNS.
    pub(super) host: String,
    pub(super) port: u16,
    /// `Basic …`, marked sensitive; `None` when the URL had no user.
    pub(super) authorization: Option<HeaderValue>,
    /// Tells the pool which proxy a connection went through, without
    /// keeping the address (or the credentials) in the pool's key.
    id: u64,
}

/// The proxies of one transport and the hosts that bypass them.
#[derive(Default)]
pub(super) struct Proxies {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: NoProxy,
}

/// How one request reaches its server.
pub(super) enum Route<'a> {
    /// A connection of our own to the server.
    Direct,
    /// An `http` request, sent to the proxy with the full URL as its target.
    Forward(&'a Proxy),
    /// An `https` request, through a `CONNECT` tunnel opened by the proxy.
    Tunnel(&'a Proxy),
}

impl Route<'_> {
    /// What the pool must add to the origin so that connections made for
    /// different routes are never handed to one another.
    pub(super) fn pool_key(&self) -> Option<u64> {
        match self {
            Route::Direct => None,
            Route::Forward(proxy) | Route::Tunnel(proxy) => Some(proxy.id),
        }
    }
}

impl Proxies {
    /// Reads the proxy variables through `var`, which returns a variable's
    /// value or `None` if it is not set.
    ///
    /// `HTTP_PROXY` in upper case is never read: CGI servers put a request's
    /// `Proxy` header into the environment under that name, so a client
    /// could otherwise pick the proxy for the server's own requests.
    pub(super) fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &'static str| {
            var(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty()).map(|value| (name, value))
        };
        let fallback = || get("ALL_PROXY").or_else(|| get("all_proxy"));
        let https = get("HTTPS_PROXY").or_else(|| get("https_proxy")).or_else(fallback);
        let http = get("http_proxy").or_else(fallback);
        if https.is_none() && http.is_none() {
            return Ok(Self::default());
        }
        let parse = |found: Option<(&'static str, String)>| {
            found.map(|(name, value)| Proxy::parse(&value).map_err(|why| unusable(name, why))).transpose()
        };
        let no_proxy = get("NO_PROXY").or_else(|| get("no_proxy")).map(|(_, value)| NoProxy::parse(&value));
        Ok(Self { https: parse(https)?, http: parse(http)?, no_proxy: no_proxy.unwrap_or_default() })
    }

    /// The route for a request to `host` (lowercased, without brackets).
    pub(super) fn route(&self, https: bool, host: &str) -> Route<'_> {
        let proxy = if https { &self.https } else { &self.http };
        match proxy {
            Some(proxy) if !is_loopback(host) && !self.no_proxy.matches(host) => {
                if https {
                    Route::Tunnel(proxy)
                } else {
                    Route::Forward(proxy)
                }
            }
            _ => Route::Direct,
        }
    }

    /// For `Debug`: whether `http` and `https` requests may use a proxy.
    pub(super) fn configured(&self) -> (bool, bool) {
        (self.http.is_some(), self.https.is_some())
    }
}

/// The error for a variable we cannot use. It names the variable but never
/// quotes its value, which may hold a password.
fn unusable(name: &str, why: &str) -> Error {
    Error::invalid_argument(format!("the proxy in {name} cannot be used: {why}"))
}

/// Loopback traffic never leaves the machine, and a proxy elsewhere could
/// not reach the caller's loopback anyway (think of a local emulator).
fn is_loopback(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.to_canonical().is_loopback())
}

impl Proxy {
    /// Parses `[http://][user[:password]@]host[:port][/]`. The reasons
    /// given for a refusal describe the problem without quoting the value.
    fn parse(value: &str) -> Result<Self, &'static str> {
        let rest = match value.split_once("://") {
            None => value,
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            // TLS to the proxy (`https://`) and SOCKS would each need a
            // protocol of their own; connecting directly instead would
            // quietly bypass a proxy the user asked for.
            Some(_) => return Err("only http:// proxies are supported, not https:// or socks"),
        };
        // The authority ends where a path, query or fragment begins; a
        // trailing `/` is common and means nothing for a proxy.
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let (host, port) = split_host_port(host_port)?;
        let authorization = userinfo.map(basic_authorization).transpose()?;
        Ok(Self { host, port, authorization, id: next_id() })
    }
}

fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; the port defaults to 80.
fn split_host_port(text: &str) -> Result<(String, u16), &'static str> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let (inside, after) = bracketed.split_once(']').ok_or("an IPv6 address is missing its closing `]`")?;
        inside.parse::<Ipv6Addr>().map_err(|_| "the text in brackets is not an IPv6 address")?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("unexpected text after the IPv6 address")?),
        };
        (inside, port)
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    if !text.starts_with('[') && !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
        return Err("its host has characters not allowed in a host name");
    }
    let port = match port {
        None => 80,
        Some(port) => {
            port.parse::<u16>().ok().filter(|&port| port != 0).ok_or("its port is not a number from 1 to 65535")?
        }
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// `Basic base64(user:password)` from percent-encoded URL user info.
fn basic_authorization(userinfo: &str) -> Result<HeaderValue, &'static str> {
    const MALFORMED: &str = "its user name or password has a malformed percent escape";
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let mut credentials = percent_decode(user).ok_or(MALFORMED)?;
    credentials.push(b':');
    credentials.extend(percent_decode(password).ok_or(MALFORMED)?);
    let mut value = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(&credentials)))
        .map_err(|_| "its credentials could not be encoded")?;
    // Keeps it out of `Debug` output of the header map (and so of traces).
    value.set_sensitive(true);
    Ok(value)
}

/// Decodes `%XX` escapes; `None` for an escape that is cut short or not hex.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The hosts named in `NO_PROXY`.
///
/// Entries are separated by commas and trimmed. `*` alone matches every
/// host. An IP address (IPv6 with or without brackets) matches that address
/// only. Any other entry is a domain that matches itself and every name
/// under it, with or without a leading `.` (or `*.`): `example.com` and
/// `.example.com` both match `example.com` and `api.example.com`. A `:port`
/// after an entry is ignored, so the entry covers every port of that host.
/// Address ranges (`10.0.0.0/8`) are not understood and match nothing.
#[derive(Default)]
struct NoProxy {
    all: bool,
    ips: Vec<IpAddr>,
    domains: Vec<String>,
}

impl NoProxy {
    fn parse(value: &str) -> Self {
        let mut out = Self::default();
        for entry in value.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            if entry == "*" {
                out.all = true;
                continue;
            }
            let entry = entry.to_ascii_lowercase();
            let host = if let Some(bracketed) = entry.strip_prefix('[') {
                bracketed.split(']').next().unwrap_or_default()
            } else if entry.parse::<IpAddr>().is_ok() {
                // A bare IPv6 address: its colons are not a port separator.
                entry.as_str()
            } else {
                entry.split(':').next().unwrap_or_default()
            };
            if let Ok(ip) = host.parse::<IpAddr>() {
                out.ips.push(ip);
                continue;
            }
            let domain = host.strip_prefix("*.").or_else(|| host.strip_prefix('.')).unwrap_or(host);
            let domain = domain.strip_suffix('.').unwrap_or(domain);
            if !domain.is_empty() {
                out.domains.push(domain.to_owned());
            }
        }
        out
    }

    /// Whether `host` (lowercased, without brackets) should go direct.
    fn matches(&self, host: &str) -> bool {
        if self.all {
            return true;
        }
        // Addresses are compared as addresses, so `::1` and `0:0::1` agree,
        // and never as names: `0.1` must not match `10.0.0.1` as a suffix.
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.ips.contains(&ip);
        }
        let host = host.strip_suffix('.').unwrap_or(host);
        self.domains
            .iter()
            .any(|domain| host == domain || host.strip_suffix(domain.as_str()).is_some_and(|rest| rest.ends_with('.')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_proxy(value: &str) -> NoProxy {
        NoProxy::parse(value)
    }

    #[test]
    fn a_domain_matches_itself_and_its_subdomains_with_or_without_a_dot() {
        for entry in ["example.com", ".example.com", "*.example.com", "Example.COM", "example.com."] {
            let list = no_proxy(entry);
            for host in ["example.com", "api.example.com", "a.b.example.com", "example.com."] {
                assert!(list.matches(host), "{entry} should match {host}");
            }
            for host in ["notexample.com", "example.com.evil", "example.org", "com"] {
                assert!(!list.matches(host), "{entry} should not match {host}");
            }
        }
    }

    #[test]
    fn entries_are_split_on_commas_and_trimmed() {
        let list = no_proxy(" a.test ,, \tb.test\t,  ");
        assert!(list.matches("a.test") && list.matches("x.b.test"));
        assert!(!list.matches("c.test"));
    }

    #[test]
    fn a_star_matches_everything_and_an_empty_list_nothing() {
        assert!(no_proxy("*").matches("anything.example"));
        assert!(no_proxy("a.test, *").matches("10.1.2.3"));
        assert!(!no_proxy("").matches("a.test"));
        // `*` only counts alone: inside an entry it is not a wildcard.
        assert!(!no_proxy("*example.com").matches("api.example.com"));
    }

    #[test]
    fn addresses_match_exactly() {
        let list = no_proxy("10.0.0.1, ::2, [2001:db8::1], [fe80::1]:8080, 192.168.1.1:3128");
        for host in ["10.0.0.1", "::2", "2001:db8::1", "2001:db8:0::1", "fe80::1", "192.168.1.1"] {
            assert!(list.matches(host), "{host}");
        }
        for host in ["10.0.0.10", "110.0.0.1", "2001:db8::2", "192.168.1.2"] {
            assert!(!list.matches(host), "{host}");
        }
        // A domain-like entry never matches an address as a suffix.
        assert!(!no_proxy("0.0.1").matches("10.0.0.1"));
    }

    #[test]
    fn a_port_in_an_entry_is_ignored() {
        let list = no_proxy("example.com:8443");
        assert!(list.matches("example.com") && list.matches("api.example.com"));
    }

    #[test]
    fn address_ranges_match_nothing() {
        assert!(!no_proxy("10.0.0.0/8").matches("10.1.2.3"));
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for host in ["localhost", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["localhost.example", "128.0.0.1", "0.0.0.0", "::", "mylocalhost"] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    fn parsed(value: &str) -> Proxy {
        match Proxy::parse(value) {
            Ok(proxy) => proxy,
            Err(why) => panic!("{value} should parse: {why}"),
        }
    }

    #[test]
    fn proxy_urls_with_and_without_scheme_and_port() {
        for (value, host, port) in [
            ("http://proxy.corp:3128", "proxy.corp", 3128),
            ("HTTP://Proxy.Corp:3128/", "proxy.corp", 3128),
            ("proxy.corp:8080", "proxy.corp", 8080),
            ("proxy.corp", "proxy.corp", 80),
            ("http://10.0.0.1", "10.0.0.1", 80),
            ("http://[2001:db8::1]:3128", "2001:db8::1", 3128),
            ("[::1]", "::1", 80),
        ] {
            let proxy = parsed(value);
            assert_eq!((proxy.host.as_str(), proxy.port), (host, port), "{value}");
            assert!(proxy.authorization.is_none(), "{value}");
        }
    }

    #[test]
    fn credentials_are_percent_decoded_into_basic_authorization() {
        let proxy = parsed("http://us%40er:p%3As%2Fs@proxy.corp:3128");
        let header = proxy.authorization.expect("credentials");
        // base64("us@er:p:s/s")
        assert_eq!(header.as_bytes(), b"Basic dXNAZXI6cDpzL3M=");
        assert!(header.is_sensitive());
        // A user without a password, and an `@` left unescaped in the password.
        assert_eq!(parsed("user@h").authorization.expect("user").as_bytes(), b"Basic dXNlcjo=");
        assert_eq!(parsed("u:p@ss@h:1").authorization.expect("user").as_bytes(), b"Basic dTpwQHNz");
    }

    #[test]
    fn unusable_proxy_urls_are_refused() {
        for value in [
            "https://proxy.corp:443",
            "socks5://proxy.corp:1080",
            "socks5h://proxy.corp",
            "http://",
            "http://:3128",
            "http://proxy.corp:0",
            "http://proxy.corp:70000",
            "http://proxy.corp:port",
            "http://proxy corp",
            "http://[::1",
            "http://[not-v6]:80",
            "http://u:%zz@proxy.corp",
            "http://u:%4@proxy.corp",
        ] {
            assert!(Proxy::parse(value).is_err(), "{value}");
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn proxies(pairs: &[(&str, &str)]) -> Proxies {
        Proxies::from_env(vars(pairs)).unwrap_or_else(|e| panic!("{pairs:?}: {e}"))
    }

    fn via(proxies: &Proxies, https: bool, host: &str) -> Option<u16> {
        match proxies.route(https, host) {
            Route::Direct => None,
            Route::Forward(proxy) | Route::Tunnel(proxy) => Some(proxy.port),
        }
    }

    #[test]
    fn variables_are_chosen_per_scheme_in_order() {
        let all =
            proxies(&[("HTTPS_PROXY", "h:1"), ("https_proxy", "h:2"), ("http_proxy", "h:3"), ("ALL_PROXY", "h:4")]);
        assert_eq!((via(&all, true, "a.test"), via(&all, false, "a.test")), (Some(1), Some(3)));
        let lower = proxies(&[("https_proxy", "h:2"), ("all_proxy", "h:5")]);
        assert_eq!((via(&lower, true, "a.test"), via(&lower, false, "a.test")), (Some(2), Some(5)));
        // Upper-case HTTP_PROXY is never read; empty values count as unset.
        let upper = proxies(&[("HTTP_PROXY", "h:6"), ("HTTPS_PROXY", " "), ("https_proxy", "h:7")]);
        assert_eq!((via(&upper, true, "a.test"), via(&upper, false, "a.test")), (Some(7), None));
        assert_eq!(proxies(&[("ALL_PROXY", ""), ("all_proxy", "h:8")]).configured(), (true, true));
        assert_eq!(proxies(&[]).configured(), (false, false));
    }

    #[test]
    fn only_the_variable_in_use_must_be_usable() {
        // ALL_PROXY is a fallback that neither scheme needs here.
        let fine = proxies(&[("HTTPS_PROXY", "h:1"), ("http_proxy", "h:2"), ("ALL_PROXY", "socks5://h:3")]);
        assert_eq!(via(&fine, false, "a.test"), Some(2));
        let error = match Proxies::from_env(vars(&[("HTTPS_PROXY", "h:1"), ("ALL_PROXY", "socks5://u:pw@h:3")])) {
            Ok(_) => panic!("the socks proxy would be used for http"),
            Err(error) => error,
        };
        assert!(error.to_string().contains("ALL_PROXY"), "{error}");
        assert!(!format!("{error} {error:?}").contains("pw@h"), "{error:?}");
    }

    #[test]
    fn no_proxy_and_loopback_go_direct() {
        let list = proxies(&[("http_proxy", "h:1"), ("HTTPS_PROXY", "h:2"), ("no_proxy", "internal.test")]);
        assert_eq!(via(&list, false, "x.internal.test"), None);
        assert_eq!(via(&list, true, "internal.test"), None);
        assert_eq!(via(&list, true, "127.0.0.1"), None);
        assert_eq!(via(&list, false, "localhost"), None);
        assert_eq!(via(&list, true, "other.test"), Some(2));
        // NO_PROXY comes before no_proxy.
        let upper = proxies(&[("http_proxy", "h:1"), ("NO_PROXY", "a.test"), ("no_proxy", "b.test")]);
        assert_eq!((via(&upper, false, "a.test"), via(&upper, false, "b.test")), (None, Some(1)));
    }
}
