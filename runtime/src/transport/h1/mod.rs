//! The default transport: a small HTTP/1.1 client over rustls.
//!
//! A generated client sends one request at a time per call, to one or two
//! hosts, and reads whole bodies; it needs neither HTTP/2 nor streaming nor
//! a general URL type. Doing that much ourselves keeps hyper, h2, tower and
//! the url/idna chain out of every program that uses a generated crate,
//! which was about a quarter of a clean build.

mod body;
mod conn;
mod head;
mod pool;
mod proxy;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::uri::Scheme;
use tokio::io::AsyncWriteExt;

use super::{ResponseFuture, Transport, DEFAULT_MAX_RESPONSE_BYTES};
use crate::error::Error;
use conn::{Conn, Tls};
use head::Head;
use pool::{Origin, Pool};
use proxy::{Proxies, Route};

/// Bodies up to this size are written together with the head, so that a
/// small request leaves in one TLS record and one TCP segment.
const COALESCE_LIMIT: usize = 64 * 1024;

/// HTTP/1.1 over TCP, or over TLS (rustls with the ring provider) for
/// `https` URLs, trusting the operating system's root certificates.
///
/// - Idle connections are kept per origin and reused. A request that fails
///   on a reused connection before any byte of a response came back is sent
///   once more on a new connection: that is how a connection the server has
///   just closed looks. A `POST` or `PATCH` is sent again only if it could
///   not even be written, since a server may have acted on one it received
///   whole (RFC 9110, section 9.2.2). No other failure is retried.
/// - Redirects are never followed: a 3xx response comes back as it is and
///   the client reports it as an HTTP error. Following one could send the
///   API key or token to another host, and Google APIs do not redirect API
///   calls.
/// - The body is read as it arrives and the read stops as soon as it passes
///   the cap, so a huge or endless response cannot exhaust memory.
/// - Errors never contain the URL (it may hold an API key) or header values.
/// - Proxies named in the environment are used; see below.
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
///   by commas: `*` for every host; an IP address (IPv6 with or without
///   brackets), which matches only that address; or a domain, which matches
///   itself and every name under it, with or without a leading dot
///   (`example.com` and `.example.com` both cover `api.example.com`). A
///   `:port` after an entry is ignored: the entry covers the host on every
///   port. Address ranges such as `10.0.0.0/8` are not understood.
/// - Loopback hosts (`localhost`, `127.0.0.0/8`, `::1`) always go direct.
///
/// A proxy is written `http://host:port` or `host:port`, optionally with
/// `user:password@` before the host (percent-encoded) for Basic
/// authentication; the port defaults to 80. An `https` request goes
/// through a `CONNECT` tunnel, so the proxy relays TLS it cannot read and
/// the server's certificate is checked as usual; an `http` request is sent
/// to the proxy with the whole URL in its request line.
///
/// Only plain-HTTP proxies are supported. A variable in use that names an
/// `https://` or `socks` proxy, or that cannot be parsed, makes `new` fail
/// rather than connect directly; the error names the variable but never
/// shows its value, and neither errors nor `Debug` output ever show the
/// proxy's address or credentials. [`without_proxy`](Self::without_proxy)
/// ignores the environment.
#[derive(Clone)]
pub struct HttpTransport {
    shared: Arc<Shared>,
    /// Outside `Shared` so that `without_proxy` keeps the pool: the route
    /// is part of the pool's key, so connections cannot be mixed up.
    proxies: Arc<Proxies>,
    max_response_bytes: usize,
}

struct Shared {
    pool: Pool,
    tls: Tls,
}

impl HttpTransport {
    /// A transport with its own connection pool and the default body cap,
    /// using the proxies named in the environment (see [Proxies](#proxies)).
    ///
    /// Nothing is connected yet, and the root certificates are loaded on
    /// the first `https` request.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) if
    /// a proxy variable that would be used names an unsupported kind of
    /// proxy or cannot be parsed.
    pub fn new() -> Result<Self, Error> {
        // A value that is not valid Unicode is kept, damaged, rather than
        // treated as unset: as a proxy it then fails to parse, which is
        // better than quietly going around the proxy the user asked for.
        Self::from_env_vars(|name| std::env::var_os(name).map(|value| value.to_string_lossy().into_owned()))
    }

    /// A transport that connects directly to every host and never looks at
    /// the environment: the way out when a proxy variable is set to
    /// something [`new`](Self::new) refuses (an `https://` or SOCKS proxy)
    /// and the program does not need it.
    pub fn direct() -> Self {
        Self::build(Tls::default(), Arc::new(Proxies::default()))
    }

    /// [`new`](Self::new), with the proxy variables read through `vars`
    /// (which returns `None` for an unset variable) instead of from the
    /// process environment. For tests, which must not change the
    /// environment of a process whose threads may be reading it.
    #[doc(hidden)]
    pub fn from_env_vars(vars: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        Ok(Self::build(Tls::default(), Arc::new(Proxies::from_env(vars)?)))
    }

    fn build(tls: Tls, proxies: Arc<Proxies>) -> Self {
        Self {
            shared: Arc::new(Shared { pool: Pool::default(), tls }),
            proxies,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Connects directly to every host, whatever the environment says about
    /// proxies. The connection pool stays shared with the clones this one
    /// came from; connections made through a proxy are never used for
    /// direct requests.
    pub fn without_proxy(mut self) -> Self {
        self.proxies = Arc::new(Proxies::default());
        self
    }

    /// Sets the largest response body that will be read, in bytes.
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Uses `config` for `https` connections instead of the system's root
    /// certificates: for a private CA, client certificates (mTLS) or a
    /// pinned crypto provider. Its ALPN list is replaced by `http/1.1`.
    ///
    /// The transport gets a new, empty connection pool.
    pub fn with_tls_config(self, config: rustls::ClientConfig) -> Self {
        Self { max_response_bytes: self.max_response_bytes, ..Self::build(Tls::custom(config), self.proxies) }
    }

    async fn exchange(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
        let (parts, body) = request.into_parts();
        let target = Target::from_uri(&parts.uri)?;
        let route = self.proxies.route(target.https, &target.host);
        let head = head::encode_request(&parts.method, &target, &route, &parts.headers, body.len())?;
        let exchange = Exchange { method: &parts.method, head: &head, body: &body, limit: self.max_response_bytes };
        let origin = target.origin(&route);

        if let Some(mut conn) = self.shared.pool.take(&origin) {
            match exchange.run(&mut conn).await {
                Ok(done) => return Ok(self.finish(origin, conn, done)),
                // The server closed the idle connection while we were
                // sending on it; nothing says it saw the request. The
                // second attempt is on a fresh connection and is final.
                Err(failure) if failure.before_response && (failure.unsent || is_idempotent(&parts.method)) => {
                    tracing::debug!("a reused connection was closed before answering; trying a new connection");
                }
                Err(failure) => return Err(failure.error),
            }
        }
        let mut conn = conn::connect(&target, &route, &self.shared.tls).await?;
        let done = exchange.run(&mut conn).await.map_err(|failure| failure.error)?;
        Ok(self.finish(origin, conn, done))
    }

    /// Returns the connection to the pool if it can carry another request,
    /// and builds the response.
    fn finish(&self, origin: Origin, conn: Conn, done: Done) -> http::Response<Bytes> {
        // Leftover bytes would be taken for the start of the next response.
        if done.reusable && conn.buf.is_empty() {
            self.shared.pool.put(origin, conn);
        }
        let mut response = http::Response::new(done.body);
        *response.status_mut() = done.head.status;
        *response.version_mut() = done.head.version;
        *response.headers_mut() = done.head.headers;
        response
    }
}

impl Transport for HttpTransport {
    fn send(&self, request: http::Request<crate::body::Body>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        Box::pin(async move {
            // This transport writes and reads whole bodies.
            let (parts, body) = request.into_parts();
            let request = http::Request::from_parts(parts, body.collect().await?);
            let response = match timeout {
                // Dropping the exchange on expiry drops its connection too,
                // so a half-read response never goes back to the pool.
                Some(limit) => tokio::time::timeout(limit, self.exchange(request))
                    .await
                    .map_err(|_| Error::timeout("no complete response within the request timeout"))?,
                None => self.exchange(request).await,
            }?;
            Ok(response.map(crate::body::Body::from))
        })
    }
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("max_response_bytes", &self.max_response_bytes)
            .field("idle_connections", &self.shared.pool.idle_count())
            .field("custom_tls_config", &self.shared.tls.is_custom())
            // Whether, never which: the proxy's address sits next to its
            // credentials in the environment.
            .field("proxy_for_http", &self.proxies.configured().0)
            .field("proxy_for_https", &self.proxies.configured().1)
            .finish()
    }
}

/// Where a request goes, taken apart from its absolute URI.
pub(super) struct Target {
    https: bool,
    /// Lowercased, IPv6 brackets removed: what DNS, TLS and the pool need.
    host: String,
    port: u16,
    /// The `Host` header: the host as written, and the port unless it is
    /// the scheme's default.
    host_header: String,
    /// The request target: path and query.
    path: String,
}

impl Target {
    fn from_uri(uri: &http::Uri) -> Result<Self, Error> {
        // None of these messages quote the URI: its query may hold an API key.
        let https = match uri.scheme() {
            Some(scheme) if *scheme == Scheme::HTTPS => true,
            Some(scheme) if *scheme == Scheme::HTTP => false,
            _ => return Err(Error::invalid_argument("the request URL must be absolute, with http or https")),
        };
        let authority = uri.authority().ok_or_else(|| Error::invalid_argument("the request URL has no host"))?;
        if authority.as_str().contains('@') {
            return Err(Error::invalid_argument("the request URL must not contain a user name or password"));
        }
        let written = authority.host();
        let host = written.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        if host.is_empty() {
            return Err(Error::invalid_argument("the request URL has no host"));
        }
        let default_port = if https { 443 } else { 80 };
        let port = authority.port_u16().unwrap_or(default_port);
        let host_header = if port == default_port { written.to_owned() } else { format!("{written}:{port}") };
        let path = match uri.path_and_query().map(|pq| pq.as_str()) {
            Some(pq) if pq.starts_with('/') => pq.to_owned(),
            Some(pq) => format!("/{pq}"),
            None => "/".to_owned(),
        };
        // `Uri` already refuses spaces and control characters; checked again
        // because a request line is split on spaces and ends at CRLF.
        if path.bytes().any(|b| !b.is_ascii_graphic()) {
            return Err(Error::invalid_argument("the request path has characters not allowed in HTTP"));
        }
        Ok(Self { https, host, port, host_header, path })
    }

    fn origin(&self, route: &Route<'_>) -> Origin {
        Origin { https: self.https, host: self.host.clone(), port: self.port, via: route.pool_key() }
    }
}

/// A failed exchange, and whether it failed before any response byte came.
pub(super) struct Failure {
    error: Error,
    before_response: bool,
    /// The request could not be written whole, so the server cannot have
    /// acted on it.
    unsent: bool,
}

impl Failure {
    pub(super) fn before_response(error: Error) -> Self {
        Self { error, before_response: true, unsent: false }
    }

    pub(super) fn after_response(error: Error) -> Self {
        Self { error, before_response: false, unsent: false }
    }

    fn unsent(error: Error) -> Self {
        Self { error, before_response: true, unsent: true }
    }
}

/// Methods that may be sent twice with the effect of once (RFC 9110, 9.2.2).
fn is_idempotent(method: &http::Method) -> bool {
    use http::Method;
    [Method::GET, Method::HEAD, Method::OPTIONS, Method::TRACE, Method::PUT, Method::DELETE].contains(method)
}

/// One request, ready to be written on any connection.
struct Exchange<'a> {
    method: &'a http::Method,
    head: &'a [u8],
    body: &'a Bytes,
    limit: usize,
}

/// A whole response, and whether its connection may be reused.
struct Done {
    head: Head,
    body: Bytes,
    reusable: bool,
}

impl Exchange<'_> {
    async fn run(&self, conn: &mut Conn) -> Result<Done, Failure> {
        self.write(conn).await.map_err(|e| {
            Failure::unsent(Error::transport("the connection failed while sending the request").with_source(e))
        })?;
        let head = head::read_head(conn).await?;
        let (framing, must_close) = body::framing(self.method, &head).map_err(Failure::after_response)?;
        let body = body::read(conn, framing, self.limit, head.status).await.map_err(Failure::after_response)?;
        let reusable = !must_close && head::keeps_alive(&head);
        Ok(Done { head, body, reusable })
    }

    async fn write(&self, conn: &mut Conn) -> std::io::Result<()> {
        if self.body.len() <= COALESCE_LIMIT {
            let mut whole = Vec::with_capacity(self.head.len() + self.body.len());
            whole.extend_from_slice(self.head);
            whole.extend_from_slice(self.body);
            conn.io.write_all(&whole).await?;
        } else {
            conn.io.write_all(self.head).await?;
            conn.io.write_all(self.body).await?;
        }
        conn.io.flush().await
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    fn target(uri: &str) -> Target {
        match uri.parse::<http::Uri>().map_err(|_| ()).and_then(|uri| Target::from_uri(&uri).map_err(|_| ())) {
            Ok(target) => target,
            Err(()) => panic!("{uri} should be usable"),
        }
    }

    #[test]
    fn default_ports_stay_out_of_the_host_header() {
        for (uri, host_header, port) in [
            ("https://Vision.googleapis.com/v1/x", "Vision.googleapis.com", 443),
            ("https://vision.googleapis.com:443/v1/x", "vision.googleapis.com", 443),
            ("http://localhost:80/", "localhost", 80),
            ("http://localhost:443/", "localhost:443", 443),
            ("https://localhost:80/", "localhost:80", 80),
            ("http://[::1]:8080/", "[::1]:8080", 8080),
        ] {
            let target = target(uri);
            assert_eq!((target.host_header.as_str(), target.port), (host_header, port), "{uri}");
        }
    }

    #[test]
    fn hosts_are_lowercased_and_unbracketed_for_connecting() {
        assert_eq!(target("https://Vision.GoogleAPIs.com/").host, "vision.googleapis.com");
        assert_eq!(target("http://[::1]:8080/").host, "::1");
    }

    #[test]
    fn the_request_target_is_path_and_query() {
        assert_eq!(target("https://h").path, "/");
        assert_eq!(target("https://h/").path, "/");
        assert_eq!(target("https://h?a=1").path, "/?a=1");
        assert_eq!(target("https://h/v1/a%2Fb?key=k&x=%20").path, "/v1/a%2Fb?key=k&x=%20");
    }
}
