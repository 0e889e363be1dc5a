//! The default transport: hyper-util's pooled client over [`Connector`],
//! with rustls for `https`.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::header::PROXY_AUTHORIZATION;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::connect::Connector;
use super::proxy::{Proxies, Route};
use super::{ResponseFuture, Transport};
use crate::body::Body;
use crate::error::Error;

/// Idle connections older than this are closed: servers commonly drop
/// them after a minute or two, and a dead pooled connection costs a failed
/// attempt.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// A generated client talks to one or two hosts; this bounds the sockets
/// a burst of parallel calls leaves open afterwards.
const POOL_MAX_IDLE_PER_HOST: usize = 32;

/// How long opening a TCP connection may take by default, before TLS: a
/// black-holed address fails after this rather than after the whole
/// request timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// HTTP/1.1 (and HTTP/2 through ALPN with the `http2` feature) over TCP,
/// or over TLS (rustls with the ring provider) for `https` URLs, trusting
/// the operating system's root certificates. Built on hyper and
/// hyper-util's pooled client.
///
/// - Idle connections are kept per origin (up to 32, for 90 s) and reused.
///   A request is sent again on another connection only when hyper knows
///   that no byte of it was written, so a `POST` the server may have acted
///   on is never repeated.
/// - Redirects are never followed: a 3xx response comes back as it is and
///   the client reports it as an HTTP error. Following one could send the
///   API key or token to another host.
/// - New connections try IPv6 and IPv4 in parallel after 250 ms (Happy
///   Eyeballs), so a broken route of one family does not stall them.
/// - Opening a TCP connection may take 10 s
///   ([`DEFAULT_CONNECT_TIMEOUT`]; [`with_connect_timeout`](Self::with_connect_timeout)).
/// - Errors and `Debug` output never contain the URL (it may hold an API
///   key), header values, or a proxy's address or credentials.
///
/// Clones share the connection pool.
///
/// # Proxies
///
/// [`new`](Self::new) reads these variables once; later changes to the
/// environment do not affect the transport. Empty values count as unset.
///
/// - `https` requests use `HTTPS_PROXY`, or else `https_proxy`.
/// - `http` requests use `http_proxy`. The upper-case `HTTP_PROXY` is
///   ignored on purpose: a CGI server puts a request's `Proxy` header into
///   the environment under that name, so a caller could choose it.
/// - `ALL_PROXY`, or else `all_proxy`, serves either scheme when its own
///   variable is unset.
/// - `NO_PROXY`, or else `no_proxy`, lists hosts that go direct, separated
///   by commas: `*` for every host, an IP address, an address range such as
///   `10.0.0.0/8`, or a domain, which covers itself and every name under it
///   (`example.com` and `.example.com` both cover `api.example.com`).
/// - Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) always go direct.
///
/// A proxy is `http://host:port` (or `host:port`), `socks5://`,
/// `socks5h://` (the proxy resolves names), `socks4://` or `socks4a://`,
/// optionally with percent-encoded `user:password@` before the host. An
/// `https` request goes through an HTTP proxy in a `CONNECT` tunnel, so the
/// proxy relays TLS it cannot read and the server's certificate is checked
/// as usual; an `http` request is sent to the proxy with the whole URL.
/// A variable in use that names an `https://` proxy or cannot be parsed
/// makes `new` fail rather than connect directly; the error names the
/// variable but never shows its value. [`direct`](Self::direct) ignores the
/// environment.
#[derive(Clone)]
pub struct HttpTransport {
    client: Client<HttpsConnector<Connector>, Body>,
    proxies: Arc<Proxies>,
    /// Kept so that `without_proxy` can build a connector with the same TLS.
    tls: Arc<rustls::ClientConfig>,
    custom_tls: bool,
    connect_timeout: Duration,
}

impl HttpTransport {
    /// A transport with its own connection pool, using the proxies named in
    /// the environment (see [Proxies](#proxies)).
    ///
    /// Nothing is connected yet. The system's root certificates are loaded
    /// once per process, by the first transport built without
    /// [`with_tls_config`](Self::with_tls_config).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`](crate::error::ErrorKind::InvalidArgument) if
    /// a proxy variable that would be used names an unsupported kind of
    /// proxy or cannot be parsed.
    pub fn new() -> Result<Self, Error> {
        // A value that is not valid Unicode is kept, damaged, rather than
        // treated as unset: as a proxy it then fails to parse, which is
        // better than quietly going around the proxy the user asked for.
        Self::from_env_vars(|name| std::env::var_os(name).map(|value| value.to_string_lossy().into_owned()))
    }

    /// A transport that connects directly to every host and never looks at
    /// the environment.
    pub fn direct() -> Self {
        Self::build(system_tls(), false, Arc::new(Proxies::default()), DEFAULT_CONNECT_TIMEOUT)
    }

    /// The process-wide transport that clients use when they are given
    /// none: built by [`new`](Self::new) the first time it is asked for
    /// (so the proxy variables are read then, once per process), and
    /// shared after that, so clients of different APIs share one
    /// connection pool.
    ///
    /// Connections are driven by tasks on the Tokio runtime that opened
    /// them. A program that runs several runtimes one after another can
    /// give each its own transport, so that none picks up a connection
    /// whose runtime has gone.
    ///
    /// # Errors
    ///
    /// Those of [`new`](Self::new). A failure is not kept: the next call
    /// tries again.
    pub fn shared() -> Result<Self, Error> {
        static SHARED: OnceLock<HttpTransport> = OnceLock::new();
        if let Some(shared) = SHARED.get() {
            return Ok(shared.clone());
        }
        // Two first callers may both build one; the first to store it wins
        // and both use that one.
        let fresh = Self::new()?;
        Ok(SHARED.get_or_init(|| fresh).clone())
    }

    /// [`new`](Self::new), with the proxy variables read through `vars`
    /// (which returns `None` for an unset variable) instead of from the
    /// process environment. For tests, which must not change the
    /// environment of a process whose threads may be reading it.
    #[doc(hidden)]
    pub fn from_env_vars(vars: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self::build(system_tls(), false, Arc::new(Proxies::from_env(vars)?), DEFAULT_CONNECT_TIMEOUT))
    }

    /// Connects directly to every host, whatever the environment says about
    /// proxies. The transport gets a new, empty connection pool.
    pub fn without_proxy(self) -> Self {
        Self::build(self.tls, self.custom_tls, Arc::new(Proxies::default()), self.connect_timeout)
    }

    /// Uses `config` for `https` connections instead of the system's root
    /// certificates: for a private CA, client certificates (mTLS) or a
    /// pinned crypto provider. Its ALPN list is replaced by the protocols
    /// this transport speaks.
    ///
    /// The transport gets a new, empty connection pool.
    pub fn with_tls_config(self, config: rustls::ClientConfig) -> Self {
        Self::build(Arc::new(config), true, self.proxies, self.connect_timeout)
    }

    /// How long opening a TCP connection (to the server, or to the proxy)
    /// may take, instead of [`DEFAULT_CONNECT_TIMEOUT`]. A connection that
    /// is not open by then fails as a transport error that never reached
    /// the server, which the client may retry. Raised to 1 ms if smaller.
    ///
    /// The transport gets a new, empty connection pool.
    pub fn with_connect_timeout(self, timeout: Duration) -> Self {
        let timeout = timeout.max(Duration::from_millis(1));
        Self::build(self.tls, self.custom_tls, self.proxies, timeout)
    }

    fn build(
        tls: Arc<rustls::ClientConfig>,
        custom_tls: bool,
        proxies: Arc<Proxies>,
        connect_timeout: Duration,
    ) -> Self {
        let https = HttpsConnectorBuilder::new().with_tls_config((*tls).clone()).https_or_http().enable_http1();
        #[cfg(feature = "http2")]
        let https = https.enable_http2();
        let connector = https.wrap_connector(Connector::new(proxies.clone(), connect_timeout));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Self { client, proxies, tls, custom_tls, connect_timeout }
    }

    async fn exchange(&self, mut request: http::Request<Body>) -> Result<http::Response<Body>, Error> {
        if let Route::Forward { auth: Some(auth), .. } = self.proxies.route(request.uri()) {
            request.headers_mut().insert(PROXY_AUTHORIZATION, auth);
        }
        let response = self.client.request(request).await.map_err(classify)?;
        Ok(response.map(Body::from_http_body))
    }
}

/// Hyper's errors say what failed without the URL; ours add whether the
/// request can have reached the server, which decides whether a retry of a
/// non-idempotent call is safe.
fn classify(error: hyper_util::client::legacy::Error) -> Error {
    if error.is_connect() {
        // The causes (DNS, refused, TLS, the proxy's answer) are what the
        // user needs; none of them holds the URL or a header value.
        let message = format!("could not connect to the server: {}", causes(&error));
        Error::transport(message).with_never_sent().with_source(error)
    } else {
        let message = format!("the connection failed before the response arrived: {}", causes(&error));
        Error::transport(message).with_source(error)
    }
}

fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut source = error.source();
    while let Some(cause) = source {
        parts.push(cause.to_string());
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(error.to_string());
    }
    parts.join(": ")
}

#[cfg(not(any(feature = "tls-aws-lc", feature = "tls-ring")))]
compile_error!(
    "discogen-runtime needs a TLS crypto provider: keep the default `tls-aws-lc` feature, or turn on `tls-ring`"
);

/// The crypto provider compiled in: aws-lc-rs, else ring.
fn compiled_provider() -> Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "tls-aws-lc")]
    return Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    // Chosen by the user for a leaner build; rustls deprecates it only for
    // its lack of post-quantum key exchange, which the guide's
    // "Cargo features" chapter states.
    #[cfg(all(feature = "tls-ring", not(feature = "tls-aws-lc")))]
    #[allow(deprecated)]
    return Arc::new(rustls::crypto::ring::default_provider());
}

/// The system's root certificates with the program's or the built-in TLS
/// provider, loaded once.
fn system_tls() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let found = rustls_native_certs::load_native_certs();
            for error in &found.errors {
                tracing::warn!("could not load some system root certificates: {error}");
            }
            let (added, ignored) = roots.add_parsable_certificates(found.certs);
            tracing::debug!("loaded {added} system root certificates ({ignored} unusable)");
            let versions =
                |provider| rustls::ClientConfig::builder_with_provider(provider).with_safe_default_protocol_versions();
            // A provider the program installed as rustls's process default
            // comes first, so an application that settled on one keeps it.
            let installed = rustls::crypto::CryptoProvider::get_default().and_then(|p| match versions(p.clone()) {
                Ok(builder) => Some(builder),
                Err(e) => {
                    tracing::warn!(
                        "the installed TLS provider cannot serve TLS 1.2 and 1.3 ({e}); using the built-in one"
                    );
                    None
                }
            });
            let config = installed
                .map_or_else(|| versions(compiled_provider()), Ok)
                // Both built-in providers implement suites for every default
                // version: this depends only on the crates compiled in.
                .expect("the built-in TLS provider supports TLS 1.2 and 1.3")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

impl Transport for HttpTransport {
    fn send(&self, request: http::Request<Body>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        Box::pin(async move {
            match timeout {
                // Dropping the exchange on expiry drops its connection too,
                // so a half-read response never goes back to the pool.
                Some(limit) => tokio::time::timeout(limit, self.exchange(request))
                    .await
                    .map_err(|_| Error::timeout("no response head within the request timeout"))?,
                None => self.exchange(request).await,
            }
        })
    }
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (http, https) = self.proxies.configured();
        f.debug_struct("HttpTransport")
            .field("custom_tls_config", &self.custom_tls)
            // Whether, never which: the proxy's address sits next to its
            // credentials in the environment.
            .field("proxy_for_http", &http)
            .field("proxy_for_https", &https)
            .finish()
    }
}
