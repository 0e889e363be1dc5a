//! `HttpTransport` and the proxies named in the environment.
//!
//! The transport reads the environment in `new()`; changing the process
//! environment here would race with every other test running in parallel,
//! so each test hands its variables to `from_env_vars` instead.
//!
//! Fake proxies and servers are raw Tokio listeners on 127.0.0.1 that
//! record each request head they receive. Hosts that must not resolve use
//! the reserved `.invalid` domain: a request that goes direct to one fails
//! in DNS, and what the tests check is that the proxy never saw it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use discogen_runtime::bytes::Bytes;
use discogen_runtime::http;
use discogen_runtime::transport::{HttpTransport, Transport};
use discogen_runtime::{Error, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const TIMEOUT: Duration = Duration::from_secs(10);

const OK_TWO: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// A listener that answers every request head with `reply`, keeping the
/// connection open, except after a `CONNECT`, where it closes: a TLS
/// handshake through the "tunnel" then fails at once instead of hanging.
struct Fake {
    port: u16,
    /// Per connection, the request heads received on it.
    seen: Arc<Mutex<Vec<Vec<String>>>>,
}

impl Fake {
    async fn start(reply: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let index = {
                    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                    log.push(Vec::new());
                    log.len() - 1
                };
                tokio::spawn(serve(stream, reply, index, log.clone()));
            }
        });
        Self { port, seen }
    }

    fn heads(&self) -> Vec<Vec<String>> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The request lines received, over all connections.
    fn request_lines(&self) -> Vec<String> {
        let heads = self.heads();
        let lines = heads.iter().flatten().map(|head| head.lines().next().unwrap_or_default().to_owned());
        let mut lines: Vec<String> = lines.collect();
        lines.sort();
        lines
    }
}

async fn serve(mut stream: TcpStream, reply: &'static str, index: usize, log: Arc<Mutex<Vec<Vec<String>>>>) {
    let mut pending = Vec::new();
    loop {
        // Requests in these tests have no body: a head ends the request.
        let end = loop {
            if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&chunk[..n]),
            }
        };
        let head = normalize(&String::from_utf8_lossy(&pending[..end]));
        pending.drain(..end);
        let connect = head.starts_with("CONNECT ");
        log.lock().unwrap_or_else(PoisonError::into_inner)[index].push(head);
        if stream.write_all(reply.as_bytes()).await.is_err() || connect {
            return;
        }
    }
}

/// The request line, then the header lines with lower-case names in sorted
/// order: what the proxy must see, not how hyper happens to spell it.
fn normalize(head: &str) -> String {
    let mut lines = head.split("\r\n").filter(|line| !line.is_empty());
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut headers: Vec<String> = lines
        .map(|line| match line.split_once(':') {
            Some((name, value)) => format!("{}:{value}", name.to_ascii_lowercase()),
            None => line.to_owned(),
        })
        .collect();
    headers.sort();
    let mut out = request_line + "\r\n";
    for header in headers {
        out.push_str(&header);
        out.push_str("\r\n");
    }
    out + "\r\n"
}

fn transport(vars: &[(&str, String)]) -> HttpTransport {
    match from_vars(vars) {
        Ok(transport) => transport,
        Err(error) => panic!("transport: {error:?}"),
    }
}

fn from_vars(vars: &[(&str, String)]) -> Result<HttpTransport, Error> {
    let vars: Vec<(String, String)> = vars.iter().map(|(name, value)| (name.to_string(), value.clone())).collect();
    HttpTransport::from_env_vars(move |name| vars.iter().find(|(n, _)| n == name).map(|(_, value)| value.clone()))
}

fn get(url: &str) -> http::Request<Bytes> {
    http::Request::get(url).body(Bytes::new()).expect("a valid request")
}

async fn send(transport: &HttpTransport, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
    let response = transport.send(request.map(discogen_runtime::Body::from), Some(TIMEOUT)).await?;
    let (parts, body) = response.into_parts();
    Ok(http::Response::from_parts(parts, body.collect().await?))
}

async fn send_ok(transport: &HttpTransport, url: &str) -> http::Response<Bytes> {
    match send(transport, get(url)).await {
        Ok(response) => response,
        Err(error) => panic!("{url}: {error:?}"),
    }
}

async fn send_err(transport: &HttpTransport, url: &str) -> Error {
    match send(transport, get(url)).await {
        Ok(response) => panic!("{url}: expected an error, got {}", response.status()),
        Err(error) => error,
    }
}

#[tokio::test]
async fn http_requests_go_to_the_proxy_in_absolute_form_with_its_credentials() {
    let proxy = Fake::start(OK_TWO).await;
    let transport = transport(&[("http_proxy", format!("http://us%40er:p%3Ass@127.0.0.1:{}/", proxy.port))]);
    let request = http::Request::get("http://API.example.invalid:8080/v1/x?key=k")
        .header("user-agent", "tester")
        // The caller's value must not reach the proxy in place of ours.
        .header("proxy-authorization", "Basic c3Bvb2Y=")
        .body(Bytes::new())
        .expect("a valid request");
    let response = send(&transport, request).await.expect("a response through the proxy");
    assert_eq!(response.body().as_ref(), b"ok");
    assert_eq!(send_ok(&transport, "http://other.invalid/").await.body().as_ref(), b"ok");

    // base64("us@er:p:ss"); the default port stays out of the URL, as in `host`.
    let auth = "proxy-authorization: Basic dXNAZXI6cDpzcw==\r\n";
    assert_eq!(
        proxy.heads(),
        vec![
            vec![format!(
                "GET http://API.example.invalid:8080/v1/x?key=k HTTP/1.1\r\nhost: API.example.invalid:8080\r\n{auth}\
                 user-agent: tester\r\n\r\n"
            )],
            vec![format!("GET http://other.invalid/ HTTP/1.1\r\nhost: other.invalid\r\n{auth}\r\n")],
        ]
    );
}

#[tokio::test]
async fn https_requests_ask_for_a_tunnel_and_a_refusal_shows_no_secret() {
    let proxy = Fake::start(
        "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n\
         Content-Length: 0\r\n\r\n",
    )
    .await;
    let transport = transport(&[("HTTPS_PROXY", format!("http://user:s3cret@127.0.0.1:{}", proxy.port))]);
    let error = send_err(&transport, "https://vision.example.invalid/v1/images:annotate?key=APIKEY").await;

    assert_eq!(
        proxy.heads(),
        vec![vec!["CONNECT vision.example.invalid:443 HTTP/1.1\r\nhost: vision.example.invalid:443\r\n\
             proxy-authorization: Basic dXNlcjpzM2NyZXQ=\r\n\r\n"
            .to_owned()]]
    );
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.message().contains("proxy authorization required"), "{error}");
    assert!(error.is_never_sent());
    let shown = format!("{error} {error:?} {transport:?}");
    for secret in ["s3cret", "dXNlcjpzM2NyZXQ=", "user:", &format!("127.0.0.1:{}", proxy.port), "APIKEY"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    // Debug tells whether a proxy is set, and nothing more.
    assert!(shown.contains("proxy_for_http: false") && shown.contains("proxy_for_https: true"), "{shown}");
}

/// A client config that trusts nothing: the handshake through the fake
/// tunnel fails whatever root certificates this machine has (or lacks).
fn trust_nothing() -> rustls::ClientConfig {
    // Whichever provider the runtime was built with.
    #[cfg(feature = "tls-aws-lc")]
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    #[cfg(all(feature = "tls-ring", not(feature = "tls-aws-lc")))]
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}

#[tokio::test]
async fn after_the_proxy_opens_the_tunnel_tls_goes_to_the_target() {
    let proxy = Fake::start("HTTP/1.1 200 Connection established\r\n\r\n").await;
    // No scheme and no credentials; a custom TLS config keeps the proxy.
    let transport = transport(&[("https_proxy", format!("127.0.0.1:{}", proxy.port))]).with_tls_config(trust_nothing());
    let error = send_err(&transport, "https://[2001:DB8::1]:8443/v1/x").await;
    assert_eq!(
        proxy.heads(),
        vec![vec!["CONNECT [2001:DB8::1]:8443 HTTP/1.1\r\nhost: [2001:DB8::1]:8443\r\n\r\n".to_owned()]]
    );
    // The fake closed after its 200, in the middle of the TLS handshake.
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.message().starts_with("could not connect to the server"), "{error}");
    assert!(error.is_never_sent());
}

#[tokio::test]
async fn bytes_after_the_tunnel_is_accepted_are_refused() {
    let proxy = Fake::start("HTTP/1.1 200 OK\r\n\r\nnot TLS").await;
    let transport = transport(&[("HTTPS_PROXY", format!("127.0.0.1:{}", proxy.port))]);
    let error = send_err(&transport, "https://api.example.invalid/").await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.is_never_sent(), "{error:?}");
}

#[tokio::test]
async fn no_proxy_entries_send_matching_hosts_direct() {
    let direct_and_proxied: [(&str, &[&str], &[&str]); 5] = [
        // Address ranges (CIDR) cover every address inside them.
        ("10.0.0.0/8, 2001:db8::/32", &["http://10.1.2.3:9/", "http://[2001:db8::7]:9/"], &["http://11.0.0.1:9/"]),
        (
            "example.invalid",
            &["http://example.invalid/", "http://api.example.invalid:8080/"],
            &["http://notexample.invalid/", "http://example.invalid.other.invalid/"],
        ),
        (
            " other.invalid , .example.invalid ",
            &["http://example.invalid/", "http://a.b.example.invalid/", "http://other.invalid/"],
            &["http://another.invalid/", "http://10.0.0.1:9/"],
        ),
        ("10.0.0.1, 2001:db8::1", &["http://10.0.0.1:9/", "http://[2001:db8::1]:9/"], &["http://10.0.0.10:9/"]),
        ("*", &["http://example.invalid/", "http://10.0.0.1:9/"], &[]),
    ];
    for (no_proxy, direct, proxied) in direct_and_proxied {
        let proxy = Fake::start(OK_TWO).await;
        let transport =
            transport(&[("http_proxy", format!("127.0.0.1:{}", proxy.port)), ("no_proxy", no_proxy.to_owned())]);
        for url in direct {
            // Going direct, these fail in DNS or time out; only the proxy's
            // silence matters, so the outcome is not checked.
            let _ = transport.send(get(url).map(discogen_runtime::Body::from), Some(Duration::from_millis(300))).await;
        }
        for url in proxied {
            assert_eq!(send_ok(&transport, url).await.body().as_ref(), b"ok", "{no_proxy}: {url}");
        }
        let mut expected: Vec<String> = proxied.iter().map(|url| format!("GET {url} HTTP/1.1")).collect();
        expected.sort();
        assert_eq!(proxy.request_lines(), expected, "NO_PROXY={no_proxy:?}");
    }
}

#[tokio::test]
async fn loopback_hosts_never_go_through_the_proxy() {
    let proxy = Fake::start(OK_TWO).await;
    let server = Fake::start(OK_TWO).await;
    let address = format!("127.0.0.1:{}", proxy.port);
    let transport = transport(&[("http_proxy", address.clone()), ("HTTPS_PROXY", address)]);
    send_ok(&transport, &format!("http://127.0.0.1:{}/a", server.port)).await;
    send_ok(&transport, &format!("http://localhost:{}/b", server.port)).await;
    assert!(proxy.heads().is_empty(), "{:?}", proxy.heads());
    assert_eq!(server.request_lines(), vec!["GET /a HTTP/1.1", "GET /b HTTP/1.1"]);
}

#[tokio::test]
async fn upper_case_http_proxy_is_ignored_and_all_proxy_is_the_fallback() {
    let url = "http://api.example.invalid/";
    for (name, used) in [("HTTP_PROXY", false), ("http_proxy", true), ("ALL_PROXY", true), ("all_proxy", true)] {
        let proxy = Fake::start(OK_TWO).await;
        let transport = transport(&[(name, format!("127.0.0.1:{}", proxy.port))]);
        let result =
            transport.send(get(url).map(discogen_runtime::Body::from), Some(Duration::from_millis(2000))).await;
        assert_eq!(result.is_ok(), used, "{name}");
        assert_eq!(proxy.request_lines().len(), usize::from(used), "{name}");
    }
}

#[test]
fn unsupported_or_malformed_proxies_are_refused_without_showing_the_value() {
    for (name, value) in [
        ("HTTPS_PROXY", "https://user:s3cret@proxy.corp.invalid:443"),
        ("https_proxy", "ftp://user:s3cret@proxy.corp.invalid:1080"),
        ("http_proxy", "http://user:s3cret@proxy.corp.invalid:99999"),
    ] {
        let error = match from_vars(&[(name, value.to_owned())]) {
            Ok(_) => panic!("{name}={value} was accepted"),
            Err(error) => error,
        };
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{value}");
        assert!(error.message().contains(name), "{error}");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("proxy.corp"), "{shown}");
    }
}

#[tokio::test]
async fn without_proxy_ignores_the_environment() {
    let proxy = Fake::start(OK_TWO).await;
    let server = Fake::start(OK_TWO).await;
    let transport = transport(&[("ALL_PROXY", format!("127.0.0.1:{}", proxy.port))]).without_proxy();
    assert!(format!("{transport:?}").contains("proxy_for_http: false"), "{transport:?}");
    // 0.0.0.0 is not loopback to the proxy rules, yet Linux connects it to
    // this machine, so only the absence of a proxy sends it to `server`.
    if cfg!(target_os = "linux") {
        send_ok(&transport, &format!("http://0.0.0.0:{}/", server.port)).await;
        assert_eq!(server.request_lines(), vec!["GET / HTTP/1.1"]);
    } else {
        let _ = transport
            .send(
                get("http://api.example.invalid/").map(discogen_runtime::Body::from),
                Some(Duration::from_millis(300)),
            )
            .await;
    }
    assert!(proxy.heads().is_empty());
}

/// The same origin, once through the proxy and once direct: each route
/// keeps to its own pooled connection.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_pool_never_mixes_direct_and_proxied_connections() {
    let proxy = Fake::start(OK_TWO).await;
    let server = Fake::start(OK_TWO).await;
    let proxied = transport(&[("http_proxy", format!("127.0.0.1:{}", proxy.port))]);
    let direct = proxied.clone().without_proxy();
    // See `without_proxy_ignores_the_environment` for why 0.0.0.0.
    let url = format!("http://0.0.0.0:{}/", server.port);
    for transport in [&proxied, &direct, &proxied, &direct] {
        send_ok(transport, &url).await;
    }
    let absolute = format!("GET {url} HTTP/1.1");
    let heads = |fake: &Fake| -> Vec<Vec<String>> {
        fake.heads()
            .iter()
            .map(|conn| conn.iter().map(|h| h.lines().next().unwrap_or("").to_owned()).collect())
            .collect()
    };
    // One connection each, each used twice: both stayed in the pool, and
    // neither was handed to the other route.
    assert_eq!(heads(&proxy), vec![vec![absolute.clone(), absolute]]);
    assert_eq!(heads(&server), vec![vec!["GET / HTTP/1.1".to_owned(), "GET / HTTP/1.1".to_owned()]]);
}

#[test]
fn direct_needs_no_environment_even_when_new_would_refuse_it() {
    // The variable names a kind of proxy this transport cannot use, so the
    // environment-reading constructor must refuse; `direct()` is the way
    // to a working transport all the same.
    let refused = HttpTransport::from_env_vars(|name| (name == "HTTPS_PROXY").then(|| "https://u:secret@h:1".into()));
    let error = match refused {
        Ok(_) => panic!("an https:// proxy should be refused"),
        Err(error) => error,
    };
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(!format!("{error} {error:?}").contains("secret"), "{error:?}");
    let direct = format!("{:?}", HttpTransport::direct());
    assert!(direct.contains("proxy_for_https: false") && direct.contains("proxy_for_http: false"), "{direct}");
}
