//! The client and poller against servers that misbehave, on loopback only.
//!
//! Two kinds of server: wiremock where a well-formed HTTP answer is enough,
//! and a raw `std::net` server on its own thread where the answer must break
//! HTTP itself (a body that never ends, a drip, garbage). Every server loop
//! is bounded in bytes and in time, so each test ends by itself even when
//! the client misbehaves.
//!
//! Already covered elsewhere and not repeated: a `Retry-After` of a year in
//! seconds form, and an operation that flips from done back to pending
//! (`tests/lro_poller.rs`); a response over a small cap with a length, and
//! a 302 that is not followed (`tests/integration/client.rs`).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use discogen_runtime::http::{Method, StatusCode};
use discogen_runtime::lro::{DeadlineExceeded, Jitter, LongRunningOperation, PollPolicy, Poller};
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::retry::RetryPolicy;
use discogen_runtime::{Client, ClientBuilder, ErrorKind};
use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common;
use common::{get, Api, Operation};

const SCOPES: &[&str] = &["https://www.googleapis.com/auth/cloud-platform"];
const TOKEN: &str = "ya29.hostile-server-token";
const API_KEY: &str = "AIza-hostile-server-key";

/// A client that sends each request once: these tests look at how one
/// exchange with a hostile server ends, and their servers answer only once.
fn client_for(root: &str, configure: impl FnOnce(ClientBuilder<Api>) -> ClientBuilder<Api>) -> Client {
    let builder = ClientBuilder::<Api>::new().root_url(root).retry_policy(RetryPolicy::never());
    let Api(client) = configure(builder).build().expect("client");
    client
}

// ---- a raw server -------------------------------------------------------------------

/// Longest any raw server lives, whatever the client does.
const SERVER_LIFETIME: Duration = Duration::from_secs(20);

/// A server on 127.0.0.1 that reads each request's head and hands the
/// connection to `answer`, which returns how many bytes it wrote. It stops
/// after `connections` connections or [`SERVER_LIFETIME`].
struct RawServer {
    addr: SocketAddr,
    thread: JoinHandle<Vec<u64>>,
}

impl RawServer {
    fn start(connections: usize, answer: impl Fn(&mut TcpStream) -> u64 + Send + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        listener.set_nonblocking(true).expect("nonblocking");
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut written = Vec::new();
            while written.len() < connections && started.elapsed() < SERVER_LIFETIME {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                        // A client that stops reading makes a write wait at most this long.
                        let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                        read_head(&mut stream);
                        written.push(answer(&mut stream));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
            written
        });
        RawServer { addr, thread }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Waits for the server to finish and returns the bytes written per
    /// connection. It waits without blocking the runtime, so that the
    /// client's connection tasks can still run (and hang up).
    async fn finish(self) -> Vec<u64> {
        while !self.thread.is_finished() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.thread.join().expect("the server thread does not panic")
    }
}

/// Reads up to the blank line that ends a request head (bounded).
fn read_head(stream: &mut TcpStream) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while head.len() < 64 * 1024 && !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

/// Writes `bytes`; `None` once the client has gone.
fn send(stream: &mut TcpStream, bytes: &[u8]) -> Option<u64> {
    stream.write_all(bytes).ok().map(|()| bytes.len() as u64)
}

// ---- bodies that never end ---------------------------------------------------------------

/// A chunked body that keeps coming, 64 KiB at a time, until the client
/// hangs up or `limit` bytes have gone out.
fn endless_chunked(stream: &mut TcpStream, limit: u64) -> u64 {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let mut total = send(stream, head.as_bytes()).unwrap_or(0);
    let chunk = [b' '; 64 * 1024];
    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
    framed.extend_from_slice(&chunk);
    framed.extend_from_slice(b"\r\n");
    while total < limit {
        match send(stream, &framed) {
            Some(n) => total += n,
            None => break,
        }
    }
    total
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    const CAP: usize = 1024 * 1024;
    const SERVER_LIMIT: u64 = 512 * 1024 * 1024;
    let server = RawServer::start(1, |s| endless_chunked(s, SERVER_LIMIT));
    let client = client_for(&server.url(), |b| b.max_response_bytes(CAP).timeout(Duration::from_secs(10)));
    let started = Instant::now();
    let err = client.execute_json::<Value>(get(&client, "stream"), SCOPES).await.expect_err("over the cap");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert!(err.to_string().contains(&format!("limit of {CAP} bytes")), "{err}");
    assert_eq!(err.http_status(), Some(StatusCode::OK));
    assert!(!err.is_transient());
    drop(client);
    let written = server.finish().await;
    // The client hung up soon after the cap, long before the server's own limit.
    assert!(written[0] < SERVER_LIMIT, "the client read all {} bytes", written[0]);
    assert!(started.elapsed() < Duration::from_secs(15), "{:?}", started.elapsed());
}

#[tokio::test]
async fn the_default_cap_holds_too() {
    const SERVER_LIMIT: u64 = 256 * 1024 * 1024;
    let server = RawServer::start(1, |s| endless_chunked(s, SERVER_LIMIT));
    let client = client_for(&server.url(), |b| b.timeout(Duration::from_secs(30)));
    let err = client.execute_json::<Value>(get(&client, "stream"), SCOPES).await.expect_err("over the default cap");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert!(err.to_string().contains("limit of 67108864 bytes"), "{err}");
    drop(client);
    let written = server.finish().await;
    assert!(written[0] < SERVER_LIMIT, "the client read all {} bytes", written[0]);
}

#[tokio::test]
async fn a_huge_declared_length_is_refused_before_reading() {
    let server = RawServer::start(1, |s| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n";
        let mut total = send(s, head.as_bytes()).unwrap_or(0);
        // A little of the promised terabyte, then nothing.
        total += send(s, &[b' '; 1024]).unwrap_or(0);
        std::thread::sleep(Duration::from_millis(200));
        total
    });
    let client = client_for(&server.url(), |b| b.max_response_bytes(1024 * 1024).timeout(Duration::from_secs(10)));
    let started = Instant::now();
    let err = client.execute_json::<Value>(get(&client, "x"), SCOPES).await.expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "it waited for the body: {:?}", started.elapsed());
    drop(client);
    server.finish().await;
}

// ---- slow and broken servers -----------------------------------------------------------------

#[tokio::test]
async fn a_slow_drip_hits_the_request_timeout() {
    // Headers at once, then one byte of the body every 100 ms (10 s in all).
    let server = RawServer::start(1, |s| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
        let mut total = send(s, head.as_bytes()).unwrap_or(0);
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(100));
            match send(s, b" ") {
                Some(n) => total += n,
                None => break,
            }
        }
        total
    });
    let client = client_for(&server.url(), |b| b.timeout(Duration::from_millis(500)));
    let started = Instant::now();
    let err = client.execute_json::<Value>(get(&client, "drip"), SCOPES).await.expect_err("too slow");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    drop(client);
    server.finish().await;
}

#[tokio::test]
async fn a_slow_drip_of_headers_hits_the_timeout_too() {
    let server = RawServer::start(1, |s| {
        let mut total = 0;
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: ".iter().chain([b'x'; 100].iter()) {
            std::thread::sleep(Duration::from_millis(100));
            match send(s, &[*byte]) {
                Some(n) => total += n,
                None => break,
            }
        }
        total
    });
    let client = client_for(&server.url(), |b| b.timeout(Duration::from_millis(500)));
    let started = Instant::now();
    let err = client.execute(get(&client, "drip"), SCOPES).await.expect_err("too slow");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    drop(client);
    server.finish().await;
}

#[tokio::test]
async fn a_poll_request_timeout_fires_on_a_drip() {
    let server = RawServer::start(2, |s| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n";
        let mut total = send(s, head.as_bytes()).unwrap_or(0);
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(100));
            match send(s, b" ") {
                Some(n) => total += n,
                None => break,
            }
        }
        total
    });
    let client = client_for(&server.url(), |b| b.timeout(Duration::from_secs(30)));
    let request_client = client.clone();
    let poller = Poller::<Operation>::new(client, SCOPES, move || {
        RequestBuilder::new(&request_client, Method::GET, "operations/x").build()
    })
    .policy(
        PollPolicy::default()
            .request_timeout(Duration::from_millis(300))
            .transient_retries(1)
            .initial_delay(Duration::from_millis(10))
            .jitter(Jitter::None),
    );
    let started = Instant::now();
    let err = poller.wait().await.expect_err("every poll times out");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    server.finish().await;
}

#[tokio::test]
async fn garbage_cut_bodies_and_huge_headers_are_transport_errors() {
    type Answer = fn(&mut TcpStream) -> u64;
    let cases: [(&str, Answer); 4] = [
        ("not HTTP at all", |s| send(s, b"SSH-2.0-OpenSSH_9.0\r\n\x00\xff garbage\r\n\r\n").unwrap_or(0)),
        ("a body cut short", |s| send(s, b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"name\":").unwrap_or(0)),
        ("a broken chunk", |s| {
            send(s, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n").unwrap_or(0)
        }),
        ("a header of 2 MiB", |s| {
            let mut head = b"HTTP/1.1 200 OK\r\nX-Big: ".to_vec();
            head.extend(std::iter::repeat_n(b'a', 2 * 1024 * 1024));
            head.extend_from_slice(b"\r\n\r\n{}");
            send(s, &head).unwrap_or(0)
        }),
    ];
    for (label, answer) in cases {
        let server = RawServer::start(1, answer);
        let client = client_for(&server.url(), |b| b.timeout(Duration::from_secs(5)));
        let err = client.execute_json::<Value>(get(&client, "x"), SCOPES).await.expect_err(label);
        assert!(matches!(err.kind(), ErrorKind::Transport | ErrorKind::Timeout), "{label}: {err:?}");
        drop(client);
        server.finish().await;
    }
}

// ---- redirects -------------------------------------------------------------------------------------

/// A server that counts requests and what credentials they carried.
async fn witness() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_string("{}")).mount(&server).await;
    server
}

/// A server that redirects everything to `target` with `status`.
async fn redirector(status: u16, target: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).insert_header("location", target))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn redirects_to_another_host_never_carry_credentials() {
    let elsewhere = witness().await;
    // Another host name for the same loopback server: `localhost` instead of `127.0.0.1`.
    let port = elsewhere.address().port();
    let target = format!("http://localhost:{port}/steal?x=1");
    for status in [301, 302, 303, 307, 308] {
        let origin = redirector(status, &target).await;
        // The default transport does not follow redirects at all.
        let client = client_for(&origin.uri(), |b| b.bearer_token(TOKEN).api_key(API_KEY));
        let err = client.execute(get(&client, "thing"), SCOPES).await.expect_err("a redirect is an error");
        assert_eq!(err.kind(), ErrorKind::Http);
        assert_eq!(err.http_status().map(|s| s.as_u16()), Some(status));
        assert!(
            elsewhere.received_requests().await.unwrap_or_default().is_empty(),
            "{status}: the redirect was followed"
        );
    }
}

// ---- bodies that do not decode -----------------------------------------------------------------------

#[tokio::test]
async fn invalid_utf8_gives_a_decode_error() {
    let server = MockServer::start().await;
    let bodies: [(&str, u16, &[u8]); 4] = [
        ("in-string", 200, b"{\"name\": \"bad \xff\xfe bytes\", \"done\": true}"),
        ("leading", 200, b"\xff\xfe{\x00\"\x00n\x00"),
        ("surrogate", 200, br#"{"name": "\ud800", "done": true}"#),
        ("error-body", 500, b"<h1>\xc3\x28 broken</h1>"),
    ];
    for (route, status, body) in bodies {
        Mock::given(wiremock::matchers::path(format!("/v1/{route}")))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body.to_vec(), "application/json"))
            .mount(&server)
            .await;
    }
    let client = client_for(&server.uri(), |b| b);
    for route in ["in-string", "leading", "surrogate"] {
        let err = client.execute_json::<Operation>(get(&client, route), SCOPES).await.expect_err(route);
        assert_eq!(err.kind(), ErrorKind::Decode, "{route}: {err:?}");
        assert!(err.body_excerpt().is_some(), "{route}");
        let _ = (err.to_string(), format!("{err:?}"));
    }
    let err = client.execute_json::<Operation>(get(&client, "error-body"), SCOPES).await.expect_err("500");
    assert_eq!(err.kind(), ErrorKind::Http);
    assert!(err.body_excerpt().is_some_and(|e| e.contains('\u{fffd}')), "{err:?}");
    assert!(err.is_transient());
}

/// `open` repeated `depth` times, then `close` repeated.
fn nested(open: &str, close: &str, depth: usize) -> String {
    let mut text = String::with_capacity((open.len() + close.len()) * depth);
    for _ in 0..depth {
        text.push_str(open);
    }
    for _ in 0..depth {
        text.push_str(close);
    }
    text
}

#[tokio::test]
async fn json_nested_100000_deep_is_a_decode_error_not_a_crash() {
    const DEPTH: usize = 100_000;
    let server = MockServer::start().await;
    let arrays = nested("[", "]", DEPTH);
    let objects = format!("{}null{}", "{\"a\":".repeat(DEPTH), "}".repeat(DEPTH));
    let error_body = format!("{{\"error\": {{\"code\": 400, \"details\": {arrays}}}}}");
    for (route, status, body) in [
        ("arrays", 200, arrays.clone()),
        ("objects", 200, objects),
        ("error", 400, error_body),
        ("operation", 200, format!("{{\"name\": {arrays}}}")),
    ] {
        Mock::given(wiremock::matchers::path(format!("/v1/{route}")))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let client = client_for(&server.uri(), |b| b);
    for route in ["arrays", "objects"] {
        let err = client.execute_json::<Value>(get(&client, route), SCOPES).await.expect_err(route);
        assert_eq!(err.kind(), ErrorKind::Decode, "{route}: {err:?}");
        assert!(err.to_string().contains("recursion limit"), "{route}: {err}");
        // A typed target skips members it does not know without building
        // them, so `{"a":{"a":...}}` may even decode; either way, no crash.
        if let Err(err) = client.execute_json::<Operation>(get(&client, route), SCOPES).await {
            assert_eq!(err.kind(), ErrorKind::Decode, "{route}: {err:?}");
        }
    }
    // An error body that deep is not a Google error object: it is kept as an excerpt.
    let err = client.execute(get(&client, "error"), SCOPES).await.expect_err("400");
    assert_eq!(err.kind(), ErrorKind::Http);
    assert!(err.status().is_none());
    assert!(err.body_excerpt().is_some());
    // And the poller gives up at once: a body that does not decode is permanent.
    let request_client = client.clone();
    let poller = Poller::<Operation>::new(client, SCOPES, move || {
        RequestBuilder::new(&request_client, Method::GET, "operation").build()
    });
    let err = poller.wait().await.expect_err("does not decode");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
}

#[tokio::test]
async fn the_content_type_is_only_a_hint() {
    let server = RawServer::start(4, |s| {
        // Wiremock (hyper) will not send a header value that is not text, so this one is raw.
        let body = b"<html><body>Sign in</body></html>";
        let mut head = b"HTTP/1.1 200 OK\r\nContent-Type: text/\xff\xfehtml\r\nContent-Length: ".to_vec();
        head.extend_from_slice(format!("{}\r\n\r\n", body.len()).as_bytes());
        head.extend_from_slice(body);
        send(s, &head).unwrap_or(0)
    });
    let client = client_for(&server.url(), |b| b.timeout(Duration::from_secs(5)));
    let err = client.execute_json::<Value>(get(&client, "x"), SCOPES).await.expect_err("HTML is not JSON");
    assert_eq!(err.kind(), ErrorKind::Decode, "{err:?}");
    drop(client);

    let server = MockServer::start().await;
    let long_type = format!("text/{}", "x".repeat(10_000));
    let cases: [(&str, &str, &str); 4] = [
        ("json-as-html", r#"{"name": "ok", "done": true}"#, "text/html"),
        ("html-as-json", "<html>Sign in</html>", "application/json"),
        ("html-as-html", "<html>Sign in</html>", "text/html; charset=utf-8"),
        ("long-type", "<html>x</html>", &long_type),
    ];
    for (route, body, content_type) in cases {
        Mock::given(wiremock::matchers::path(format!("/v1/{route}")))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
            .mount(&server)
            .await;
    }
    let client = client_for(&server.uri(), |b| b);
    let op: Operation =
        client.execute_json(get(&client, "json-as-html"), SCOPES).await.expect("JSON is read whatever the label");
    assert_eq!(op.name.as_deref(), Some("ok"));
    let err = client.execute_json::<Operation>(get(&client, "html-as-json"), SCOPES).await.expect_err("not JSON");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.body_excerpt().is_some_and(|e| e.contains("Sign in")));
    let err = client.execute_json::<Operation>(get(&client, "html-as-html"), SCOPES).await.expect_err("not JSON");
    assert!(err.to_string().contains("content type \"text/html\""), "{err}");
    let err = client.execute_json::<Operation>(get(&client, "long-type"), SCOPES).await.expect_err("not JSON");
    assert!(err.to_string().chars().count() < 1000, "the message is not bounded: {err}");
}

// ---- Retry-After beyond the deadline ------------------------------------------------------------

/// Answers `pending` once, then `second` for every later request.
struct PendingThen(ResponseTemplate, AtomicUsize);

impl Respond for PendingThen {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.1.fetch_add(1, Ordering::SeqCst) == 0 {
            ResponseTemplate::new(200).set_body_json(json!({"name": "operations/x", "done": false}))
        } else {
            self.0.clone()
        }
    }
}

fn in_a_year() -> String {
    // IMF-fixdate of roughly a year from now, computed without a date crate.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let then = now + 366 * 24 * 3600;
    let days = then / 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let secs = then % 86_400;
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[tokio::test]
async fn a_retry_after_of_a_year_in_every_spelling_ends_the_wait_at_once() {
    let unavailable = |body: Value| ResponseTemplate::new(503).set_body_json(body);
    let plain = json!({"error": {"code": 503, "message": "later", "status": "UNAVAILABLE"}});
    let retry_info = json!({"error": {"code": 503, "message": "later", "status": "UNAVAILABLE", "details": [
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "31622400s"}]}});
    let cases = [
        ("an HTTP date", unavailable(plain.clone()).insert_header("retry-after", in_a_year().as_str())),
        ("a RetryInfo detail", unavailable(retry_info)),
        ("u64::MAX seconds", unavailable(plain.clone()).insert_header("retry-after", u64::MAX.to_string().as_str())),
    ];
    for (label, answer) in cases {
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(PendingThen(answer, AtomicUsize::new(0))).mount(&server).await;
        let client = client_for(&server.uri(), |b| b);
        let request_client = client.clone();
        let poller = Poller::<Operation>::new(client, SCOPES, move || {
            RequestBuilder::new(&request_client, Method::GET, "operations/x").build()
        })
        .policy(PollPolicy::default().initial_delay(Duration::from_millis(5)).deadline(Duration::from_secs(600)));
        let started = Instant::now();
        let err =
            tokio::time::timeout(Duration::from_secs(30), poller.wait()).await.expect("no hang").expect_err(label);
        assert_eq!(err.kind(), ErrorKind::Deadline, "{label}: {err:?}");
        assert!(err.to_string().contains("asked to wait"), "{label}: {err}");
        assert!(started.elapsed() < Duration::from_secs(5), "{label}: {:?}", started.elapsed());
        assert!(DeadlineExceeded::<Operation>::from_error(&err).and_then(|d| d.last_operation()).is_some());
    }

    // A value too large to read is ignored, and the schedule goes on.
    let server = MockServer::start().await;
    let garbage = unavailable(plain).insert_header("retry-after", "99999999999999999999999999");
    Mock::given(any()).respond_with(PendingThen(garbage, AtomicUsize::new(0))).mount(&server).await;
    let client = client_for(&server.uri(), |b| b);
    let request_client = client.clone();
    let poller = Poller::<Operation>::new(client, SCOPES, move || {
        RequestBuilder::new(&request_client, Method::GET, "operations/x").build()
    })
    .policy(PollPolicy::default().initial_delay(Duration::from_millis(5)).jitter(Jitter::None).transient_retries(2));
    let err = poller.wait().await.expect_err("out of retries");
    assert_eq!(err.kind(), ErrorKind::Http, "{err:?}");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(4));
}

// ---- plain http ----------------------------------------------------------------------------------

#[test]
fn plain_http_is_refused_unless_loopback_or_allowed() {
    for url in [
        "http://example.com",
        "HTTP://example.com",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://0.0.0.0",
        "http://10.0.0.1",
        "http://2130706433",
        "http://0x7f.1",
        "http://[::ffff:127.0.0.1]",
        "http://[::]",
        "http://127.0.0.1@example.com",
        "http://example.com:80@127.0.0.1",
    ] {
        let built = ClientBuilder::<Api>::new().root_url(url).build();
        let err = built.err().unwrap_or_else(|| panic!("{url} was accepted"));
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{url}");
    }
    for url in ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1", "http://127.9.9.9"] {
        assert!(ClientBuilder::<Api>::new().root_url(url).build().is_ok(), "{url} is loopback");
    }
    for url in ["http://example.com", "http://10.0.0.1:8080"] {
        let built = ClientBuilder::<Api>::new().root_url(url).allow_insecure_http(true).build();
        assert!(built.is_ok(), "{url} with allow_insecure_http");
    }
}

// ---- load ----------------------------------------------------------------------------------------

/// Answers each operation `pending` twice, then `done`.
#[derive(Default)]
struct ThirdTimeDone(Mutex<HashMap<String, u32>>);

impl Respond for ThirdTimeDone {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let name = request.url.path().trim_start_matches("/v1/").to_string();
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = seen.entry(name.clone()).or_default();
        *count += 1;
        ResponseTemplate::new(200).set_body_json(json!({"name": name, "done": *count >= 3}))
    }
}

/// The peak resident set of this process so far, from `/proc/self/status`.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "unknown".into())
}

async fn concurrent_polls(count: usize) {
    let server = MockServer::builder().disable_request_recording().start().await;
    Mock::given(any()).respond_with(ThirdTimeDone::default()).mount(&server).await;
    let client = client_for(&server.uri(), |b| b.bearer_token(TOKEN).timeout(Duration::from_secs(60)));
    let policy = PollPolicy::default()
        .initial_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(200))
        .deadline(Duration::from_secs(120));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let request_client = client.clone();
        let poller = Poller::<Operation>::new(client.clone(), SCOPES, move || {
            RequestBuilder::new(&request_client, Method::GET, &format!("operations/op-{i}")).build()
        })
        .policy(policy.clone());
        tasks.spawn(poller.wait());
    }
    let mut done = 0;
    while let Some(joined) = tasks.join_next().await {
        let operation = joined.expect("the task runs").unwrap_or_else(|e| panic!("a poll failed: {e:?}"));
        assert!(operation.is_done());
        done += 1;
    }
    assert_eq!(done, count);
    eprintln!(
        "{count} concurrent polls (3 requests each) finished in {:?}; peak RSS {}",
        started.elapsed(),
        peak_rss()
    );
}

#[tokio::test]
async fn load_100_concurrent_polls() {
    concurrent_polls(100).await;
}

/// Run with `cargo test -p discogen-runtime --test hostile_server long_load -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "load test: 1,000 concurrent pollers against one loopback server"]
async fn long_load_1000_concurrent_polls() {
    concurrent_polls(1000).await;
}

#[tokio::test]
async fn the_raw_server_stops_by_itself() {
    // Nobody connects: the accept loop still ends at its lifetime. Shortened
    // here by asking for zero connections.
    let server = RawServer::start(0, |_| 0);
    assert!(server.finish().await.is_empty());
}
