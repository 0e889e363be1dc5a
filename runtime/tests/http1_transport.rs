//! `HttpTransport` against raw TCP servers on loopback.
//!
//! Each server here is a few lines of Tokio that answer with bytes the test
//! chooses, so framing, keep-alive and failure cases can be produced
//! exactly; wiremock (used by the other tests, through the client) only
//! ever sends well-formed HTTP. The servers record every request they
//! receive, byte for byte, and on which connection it came.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use discogen_runtime::bytes::Bytes;
use discogen_runtime::http::{self, HeaderValue, Method, StatusCode};
use discogen_runtime::transport::{HttpTransport, Transport};
use discogen_runtime::{Error, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Generous: a test that passes is over in milliseconds, and one that hangs
/// should fail rather than stall the suite.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What the server does after reading one request.
enum Step {
    /// Writes the bytes and waits for the next request on the connection.
    Send(Vec<u8>),
    /// Writes the bytes and closes.
    SendThenClose(Vec<u8>),
    /// Closes without answering.
    Close,
    /// Writes `head`, then `piece` every `every`, until the client goes
    /// away or 10 s have passed.
    Drip { head: Vec<u8>, piece: Vec<u8>, every: Duration },
}

type Script = dyn Fn(usize, usize) -> Step + Send + Sync;

/// A server on 127.0.0.1 run by a script of (connection, request on that
/// connection) → step, counting from 0.
struct Server {
    port: u16,
    /// Per connection, the raw requests received on it.
    seen: Arc<Mutex<Vec<Vec<Vec<u8>>>>>,
}

impl Server {
    async fn start(script: impl Fn(usize, usize) -> Step + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let log = seen.clone();
        tokio::spawn(async move {
            let count = AtomicUsize::new(0);
            while let Ok((stream, _)) = listener.accept().await {
                let index = count.fetch_add(1, Ordering::SeqCst);
                log.lock().unwrap_or_else(PoisonError::into_inner).push(Vec::new());
                tokio::spawn(serve_connection(stream, index, script.clone(), log.clone()));
            }
        });
        Self { port, seen }
    }

    fn url(&self, path_and_query: &str) -> String {
        format!("http://127.0.0.1:{}{path_and_query}", self.port)
    }

    /// How many requests arrived on each connection.
    fn requests_per_connection(&self) -> Vec<usize> {
        self.seen.lock().unwrap_or_else(PoisonError::into_inner).iter().map(Vec::len).collect()
    }

    /// The first request received, as text.
    fn first_request(&self) -> String {
        let seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&seen[0][0]).into_owned()
    }
}

async fn serve_connection(
    mut stream: TcpStream,
    index: usize,
    script: Arc<Script>,
    log: Arc<Mutex<Vec<Vec<Vec<u8>>>>>,
) {
    let mut pending = Vec::new();
    for request_index in 0.. {
        let Some(request) = read_request(&mut stream, &mut pending).await else { return };
        log.lock().unwrap_or_else(PoisonError::into_inner)[index].push(request);
        match script(index, request_index) {
            Step::Send(bytes) => {
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Step::SendThenClose(bytes) => {
                let _ = stream.write_all(&bytes).await;
                return;
            }
            Step::Close => return,
            Step::Drip { head, piece, every } => {
                let _ = stream.write_all(&head).await;
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(10) {
                    if stream.write_all(&piece).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(every).await;
                }
                return;
            }
        }
    }
}

/// Reads one request (head, then a `content-length` body), or `None` when
/// the client closed. Bounded at 1 MiB.
async fn read_request(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        if let Some(end) = find(pending, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            if pending.len() >= total {
                return Some(pending.drain(..total).collect());
            }
        }
        if pending.len() > 1024 * 1024 {
            return None;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// The same response for every request, connection kept open.
async fn always(response: &str) -> Server {
    let response = response.as_bytes().to_vec();
    Server::start(move |_, _| Step::Send(response.clone())).await
}

fn request(method: Method, url: &str) -> http::Request<Bytes> {
    http::Request::builder().method(method).uri(url).body(Bytes::new()).expect("a valid request")
}

fn get(url: &str) -> http::Request<Bytes> {
    request(Method::GET, url)
}

fn transport() -> HttpTransport {
    HttpTransport::new().expect("transport")
}

async fn send(transport: &HttpTransport, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, Error> {
    let response = transport.send(request.map(discogen_runtime::Body::from), Some(TIMEOUT)).await?;
    let (parts, body) = response.into_parts();
    Ok(http::Response::from_parts(parts, body.collect().await?))
}

async fn send_ok(transport: &HttpTransport, request: http::Request<Bytes>) -> http::Response<Bytes> {
    match send(transport, request).await {
        Ok(response) => response,
        Err(error) => panic!("request failed: {error:?}"),
    }
}

async fn send_err(transport: &HttpTransport, request: http::Request<Bytes>) -> Error {
    match send(transport, request).await {
        Ok(response) => panic!("expected an error, got {} {:?}", response.status(), response.body()),
        Err(error) => error,
    }
}

const OK_TWO: &str = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// ---- framing ---------------------------------------------------------------------------------------

#[tokio::test]
async fn chunked_body_is_decoded() {
    let server = always(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;name=value\r\n, world\r\n0\r\n\r\n",
    )
    .await;
    let response = send_ok(&transport(), get(&server.url("/"))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"hello, world");
}

#[tokio::test]
async fn chunked_trailers_are_skipped_and_the_connection_stays_usable() {
    let server = always(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 123\r\nX-More: yes\r\n\r\n",
    )
    .await;
    let transport = transport();
    for _ in 0..2 {
        let response = send_ok(&transport, get(&server.url("/"))).await;
        assert_eq!(response.body().as_ref(), b"abc");
        assert!(response.headers().get("x-checksum").is_none(), "trailers are not headers");
    }
    // Had any trailer byte been left unread, the second response would
    // have been misparsed; it came back whole on the same connection.
    assert_eq!(server.requests_per_connection(), vec![2]);
}

#[tokio::test]
async fn body_without_length_is_read_to_the_close_and_the_connection_dropped() {
    let server =
        Server::start(|_, _| Step::SendThenClose(b"HTTP/1.1 200 OK\r\n\r\nevery byte until the end".to_vec())).await;
    let transport = transport();
    for _ in 0..2 {
        let response = send_ok(&transport, get(&server.url("/"))).await;
        assert_eq!(response.body().as_ref(), b"every byte until the end");
    }
    assert_eq!(server.requests_per_connection(), vec![1, 1]);
}

#[tokio::test]
async fn head_and_bodiless_statuses_read_no_body() {
    // Each answer claims a length but sends no body; reading one would eat
    // the next response, which comes on the same connection.
    let server = Server::start(|_, request| {
        Step::Send(match request {
            0 => b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec(),
            1 => b"HTTP/1.1 204 No Content\r\nContent-Length: 100\r\n\r\n".to_vec(),
            2 => b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
            _ => OK_TWO.as_bytes().to_vec(),
        })
    })
    .await;
    let transport = transport();
    let head = send_ok(&transport, request(Method::HEAD, &server.url("/"))).await;
    assert_eq!((head.status(), head.body().len()), (StatusCode::OK, 0));
    assert_eq!(head.headers()["content-length"], "100", "the declared length is passed on");
    let no_content = send_ok(&transport, get(&server.url("/"))).await;
    assert_eq!((no_content.status(), no_content.body().len()), (StatusCode::NO_CONTENT, 0));
    let not_modified = send_ok(&transport, get(&server.url("/"))).await;
    assert_eq!((not_modified.status(), not_modified.body().len()), (StatusCode::NOT_MODIFIED, 0));
    let last = send_ok(&transport, get(&server.url("/"))).await;
    assert_eq!(last.body().as_ref(), b"ok");
    assert_eq!(server.requests_per_connection(), vec![4]);
}

#[tokio::test]
async fn interim_responses_are_skipped() {
    let server = always(
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n\
         HTTP/1.1 201 Created\r\nContent-Length: 4\r\nX-Final: yes\r\n\r\ndone",
    )
    .await;
    let response = send_ok(&transport(), request(Method::POST, &server.url("/"))).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-final"], "yes");
    assert!(response.headers().get("link").is_none(), "headers of an interim response are dropped");
    assert_eq!(response.body().as_ref(), b"done");
}

#[tokio::test]
async fn endless_interim_responses_are_an_error() {
    let server = Server::start(|_, _| Step::Drip {
        head: Vec::new(),
        piece: b"HTTP/1.1 100 Continue\r\n\r\n".to_vec(),
        every: Duration::from_millis(1),
    })
    .await;
    let error = send_err(&transport(), get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.message().contains("interim"), "{error}");
}

#[tokio::test]
async fn redirects_come_back_as_they_are() {
    let server =
        always("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: 0\r\n\r\n").await;
    let response = send_ok(&transport(), get(&server.url("/"))).await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(server.requests_per_connection(), vec![1]);
}

#[tokio::test]
async fn http10_response_without_keep_alive_is_not_reused() {
    let server = always("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
    let transport = transport();
    for _ in 0..2 {
        let response = send_ok(&transport, get(&server.url("/"))).await;
        assert_eq!(response.version(), http::Version::HTTP_10);
    }
    assert_eq!(server.requests_per_connection(), vec![1, 1]);
}

// ---- keep-alive --------------------------------------------------------------------------------------

#[tokio::test]
async fn keep_alive_reuses_one_connection() {
    let server = always(OK_TWO).await;
    let transport = transport();
    for _ in 0..3 {
        assert_eq!(send_ok(&transport, get(&server.url("/a"))).await.body().as_ref(), b"ok");
    }
    assert_eq!(server.requests_per_connection(), vec![3]);
    assert!(format!("{transport:?}").contains("idle_connections: 1"), "{transport:?}");
}

#[tokio::test]
async fn clones_share_the_pool() {
    let server = always(OK_TWO).await;
    let first = transport();
    let second = first.clone();
    send_ok(&first, get(&server.url("/"))).await;
    send_ok(&second, get(&server.url("/"))).await;
    assert_eq!(server.requests_per_connection(), vec![2]);
}

#[tokio::test]
async fn connection_close_is_not_reused() {
    // The server would gladly take another request on the connection; the
    // header alone must stop the client from sending one.
    let server = always("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok").await;
    let transport = transport();
    for _ in 0..2 {
        send_ok(&transport, get(&server.url("/"))).await;
    }
    assert_eq!(server.requests_per_connection(), vec![1, 1]);
}

/// A server whose first connection answers once, then reads the next
/// request and closes without a word; later connections answer "second".
async fn closes_after_first_answer() -> Server {
    Server::start(|connection, request| match (connection, request) {
        (0, 0) => Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst".to_vec()),
        (0, _) => Step::Close,
        _ => Step::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond".to_vec()),
    })
    .await
}

#[tokio::test]
async fn stale_pooled_connection_is_retried_once_on_a_new_one() {
    // The first connection answers once, then takes the next request and
    // closes without a word, as a server that timed out an idle connection
    // while the request was in flight would.
    let server = closes_after_first_answer().await;
    let transport = transport();
    assert_eq!(send_ok(&transport, get(&server.url("/"))).await.body().as_ref(), b"first");
    assert_eq!(send_ok(&transport, get(&server.url("/"))).await.body().as_ref(), b"second");
    assert_eq!(server.requests_per_connection(), vec![2, 1]);
}

#[tokio::test]
async fn a_post_the_server_received_whole_is_not_sent_again() {
    // Same server as above, but the second request is a POST: the server
    // read all of it before closing, so it may have acted on it, and
    // sending it again could do the work twice.
    let server = closes_after_first_answer().await;
    let transport = transport();
    assert_eq!(send_ok(&transport, get(&server.url("/"))).await.body().as_ref(), b"first");
    let error = send_err(&transport, request(Method::POST, &server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.is_transient(), "the caller may still choose to retry: {error}");
    assert_eq!(server.requests_per_connection(), vec![2], "the POST was sent again");
}

#[tokio::test]
async fn a_fresh_connection_that_closes_is_not_retried() {
    let server = Server::start(|_, _| Step::Close).await;
    let error = send_err(&transport(), get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(server.requests_per_connection(), vec![1]);
}

#[tokio::test]
async fn a_reused_connection_that_fails_mid_response_is_not_retried() {
    let server = Server::start(|connection, request| match (connection, request) {
        (0, 0) => Step::Send(OK_TWO.as_bytes().to_vec()),
        (0, _) => Step::SendThenClose(b"HTTP/1.1 200 OK\r\nContent-Le".to_vec()),
        _ => Step::Send(OK_TWO.as_bytes().to_vec()),
    })
    .await;
    let transport = transport();
    send_ok(&transport, get(&server.url("/"))).await;
    let error = send_err(&transport, request(Method::POST, &server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(server.requests_per_connection(), vec![2], "the request was sent again");
}

#[tokio::test]
async fn an_idle_connection_closed_by_the_server_is_not_used() {
    let server = Server::start(|connection, _| {
        Step::SendThenClose(format!("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n{connection}").into_bytes())
    })
    .await;
    let transport = transport();
    assert_eq!(send_ok(&transport, get(&server.url("/"))).await.body().as_ref(), b"0");
    // Give the FIN time to arrive, so the pool sees it before reusing.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(send_ok(&transport, get(&server.url("/"))).await.body().as_ref(), b"1");
    assert_eq!(server.requests_per_connection(), vec![1, 1]);
}

// ---- limits ------------------------------------------------------------------------------------------

#[tokio::test]
async fn oversize_content_length_is_refused_without_reading() {
    // Only the head is ever sent: if the client tried to read the promised
    // gigabyte it would hang until the timeout.
    let server = always("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n").await;
    let transport = transport().with_max_response_bytes(1024);
    let started = Instant::now();
    let error = send_err(&transport, get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.http_status(), Some(StatusCode::OK));
    assert_eq!(error.message(), "the response body is larger than the limit of 1024 bytes");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn body_exactly_at_the_cap_is_accepted() {
    let server = always("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfour").await;
    let response = send_ok(&transport().with_max_response_bytes(4), get(&server.url("/"))).await;
    assert_eq!(response.body().as_ref(), b"four");
}

#[tokio::test]
async fn endless_chunked_body_stops_at_the_cap() {
    let server = Server::start(|_, _| Step::Drip {
        head: b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
        piece: format!("400\r\n{}\r\n", "x".repeat(0x400)).into_bytes(),
        every: Duration::from_millis(1),
    })
    .await;
    let transport = transport().with_max_response_bytes(10_000);
    let error = send_err(&transport, get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.http_status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(error.message(), "the response body is larger than the limit of 10000 bytes");
}

#[tokio::test]
async fn a_huge_declared_chunk_is_refused_before_reading_it() {
    let server = always("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffff\r\nabc").await;
    let error = send_err(&transport().with_max_response_bytes(1 << 20), get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn endless_body_without_length_stops_at_the_cap() {
    let server = Server::start(|_, _| Step::Drip {
        head: b"HTTP/1.1 200 OK\r\n\r\n".to_vec(),
        piece: vec![b'y'; 4096],
        every: Duration::from_millis(1),
    })
    .await;
    let error = send_err(&transport().with_max_response_bytes(50_000), get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
}

#[tokio::test]
async fn endless_slow_body_times_out() {
    let server = Server::start(|_, _| Step::Drip {
        head: b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".to_vec(),
        piece: b"z".to_vec(),
        every: Duration::from_millis(20),
    })
    .await;
    let started = Instant::now();
    let error = transport()
        .send(get(&server.url("/")).map(discogen_runtime::Body::from), Some(Duration::from_millis(300)))
        .await
        .expect_err("a timeout");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn a_huge_head_is_refused() {
    let server = Server::start(|_, _| Step::Drip {
        head: b"HTTP/1.1 200 OK\r\n".to_vec(),
        piece: format!("X-Filler: {}\r\n", "f".repeat(1000)).into_bytes(),
        every: Duration::from_millis(1),
    })
    .await;
    let error = send_err(&transport(), get(&server.url("/"))).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.message().contains("head"), "{error}");
}

// ---- malformed responses -----------------------------------------------------------------------------

#[tokio::test]
async fn malformed_responses_are_transport_errors() {
    let cases = [
        ("garbage", "this is not http\r\n\r\n"),
        ("bad status", "HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n"),
        ("http/2 status line", "HTTP/2 200\r\n\r\n"),
        ("bad header name", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"),
        ("letters in length", "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n"),
        ("signed length", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok"),
        ("conflicting list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok"),
        ("conflicting fields", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"),
        ("overflowing length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
        ("unknown coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok"),
        ("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"),
        ("signed chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+2\r\nok\r\n0\r\n\r\n"),
        ("chunk longer than said", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokay\r\n0\r\n\r\n"),
        ("protocol switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
    ];
    for (name, response) in cases {
        let server = Server::start(move |_, _| Step::SendThenClose(response.as_bytes().to_vec())).await;
        let error = send_err(&transport(), get(&server.url("/"))).await;
        assert_eq!(error.kind(), ErrorKind::Transport, "{name}: {error}");
    }
}

#[tokio::test]
async fn too_many_headers_and_overlong_chunk_lines_are_refused() {
    let many_headers = format!("HTTP/1.1 200 OK\r\n{}Content-Length: 0\r\n\r\n", "X-Many: y\r\n".repeat(200));
    let long_extension =
        format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;{}\r\nok\r\n0\r\n\r\n", "e".repeat(10_000));
    let long_trailer =
        format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n{}\r\n\r\n", "X-T: v\r\n".repeat(20_000));
    for (name, response, expected) in [
        ("headers", many_headers, "more than 128 headers"),
        ("chunk line", long_extension, "too long"),
        ("trailers", long_trailer, "trailers are too large"),
    ] {
        let bytes = response.into_bytes();
        let server = Server::start(move |_, _| Step::SendThenClose(bytes.clone())).await;
        let error = send_err(&transport(), get(&server.url("/"))).await;
        assert_eq!(error.kind(), ErrorKind::Transport, "{name}: {error}");
        assert!(error.message().contains(expected), "{name}: {error}");
    }
}

#[tokio::test]
async fn matching_repeated_lengths_are_accepted() {
    let server = always("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok").await;
    assert_eq!(send_ok(&transport(), get(&server.url("/"))).await.body().as_ref(), b"ok");
}

#[tokio::test]
async fn truncated_bodies_are_transport_errors() {
    for response in [
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
    ] {
        let server = Server::start(move |_, _| Step::SendThenClose(response.as_bytes().to_vec())).await;
        let error = send_err(&transport(), get(&server.url("/"))).await;
        assert_eq!(error.kind(), ErrorKind::Transport, "{response:?}");
        assert!(error.message().contains("before the whole response body"), "{error}");
    }
}

#[tokio::test]
async fn length_and_chunked_together_use_chunked_and_drop_the_connection() {
    let server =
        always("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
            .await;
    let transport = transport();
    for _ in 0..2 {
        assert_eq!(send_ok(&transport, get(&server.url("/"))).await.body().as_ref(), b"ok");
    }
    assert_eq!(server.requests_per_connection(), vec![1, 1]);
}

// ---- what goes on the wire ---------------------------------------------------------------------------

#[tokio::test]
async fn request_bytes_are_exactly_what_was_asked() {
    let server = always(OK_TWO).await;
    let request = http::Request::builder()
        .method(Method::POST)
        .uri(server.url("/v1/things?key=k&q=a%0D%0Ab"))
        .header("user-agent", "tester")
        .header("x-tab", "a\tb: c")
        // Framing and connection headers are the transport's to write; the
        // caller's would contradict what it sends.
        .header("host", "evil.example")
        .header("content-length", "999")
        .header("transfer-encoding", "chunked")
        .header("connection", "upgrade")
        .body(Bytes::from_static(b"hello"))
        .expect("a valid request");
    send_ok(&transport(), request).await;
    let expected = format!(
        "POST /v1/things?key=k&q=a%0D%0Ab HTTP/1.1\r\nhost: 127.0.0.1:{}\r\nuser-agent: tester\r\nx-tab: a\tb: c\r\n\
         content-length: 5\r\n\r\nhello",
        server.port
    );
    assert_eq!(server.first_request(), expected);
}

#[test]
fn line_breaks_cannot_get_into_a_header_value() {
    // The http crate's refusal is what stands between a caller's value and
    // a second header line; the transport checks again before writing.
    for value in ["a\r\nx-injected: 1", "a\nb", "a\rb", "a\0b"] {
        assert!(HeaderValue::from_str(value).is_err(), "{value:?}");
        assert!(HeaderValue::from_bytes(value.as_bytes()).is_err(), "{value:?}");
    }
    assert!(http::Uri::try_from("http://h/a\r\nx-injected: 1").is_err());
    assert!(http::Uri::try_from("http://h/a b").is_err());
}

#[tokio::test]
async fn empty_bodies_get_a_zero_length_only_where_a_body_is_expected() {
    let server = always(OK_TWO).await;
    let transport = transport();
    for (method, has_length) in [
        (Method::POST, true),
        (Method::PUT, true),
        (Method::PATCH, true),
        (Method::GET, false),
        (Method::DELETE, false),
    ] {
        send_ok(&transport, request(method.clone(), &server.url("/"))).await;
        let seen = server.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let last = String::from_utf8_lossy(seen[0].last().expect("a request")).into_owned();
        assert!(last.starts_with(&format!("{method} / HTTP/1.1\r\n")), "{last}");
        assert_eq!(last.contains("content-length: 0\r\n"), has_length, "{last}");
        assert!(!last.contains("transfer-encoding"), "{last}");
    }
}

#[tokio::test]
async fn host_header_keeps_the_name_as_written_and_a_non_default_port() {
    // Default ports (left out of the header) are covered by the unit tests
    // of the URL handling: nothing listens on 80 or 443 here.
    let server = always(OK_TWO).await;
    send_ok(&transport(), get(&format!("http://LocalHost:{}/x", server.port))).await;
    assert!(server.first_request().starts_with(&format!("GET /x HTTP/1.1\r\nhost: LocalHost:{}\r\n", server.port)));
}

// ---- errors ------------------------------------------------------------------------------------------

const SECRET_KEY: &str = "AIzaSECRETKEY";
const SECRET_PATH: &str = "secret-resource-name";
const SECRET_TOKEN: &str = "ya29.SECRETTOKEN";

fn secret_request(port: u16) -> http::Request<Bytes> {
    http::Request::builder()
        .uri(format!("http://127.0.0.1:{port}/v1/{SECRET_PATH}?key={SECRET_KEY}"))
        .header("authorization", format!("Bearer {SECRET_TOKEN}"))
        .body(Bytes::new())
        .expect("a valid request")
}

fn assert_no_secret(case: &str, error: &Error) {
    for text in [format!("{error}"), format!("{error:?}")] {
        for secret in [SECRET_KEY, SECRET_PATH, SECRET_TOKEN, "127.0.0.1"] {
            assert!(!text.contains(secret), "{case}: {secret} in {text}");
        }
    }
}

#[tokio::test]
async fn errors_never_show_the_url_or_headers() {
    // A port that was just free: connecting to it is refused.
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let closed_port = closed.local_addr().expect("address").port();
    drop(closed);
    let error = send_err(&transport(), secret_request(closed_port)).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.message(), "could not connect to the server");
    assert_no_secret("refused", &error);

    let cases: [(&str, &str, usize); 4] = [
        ("malformed", "nonsense\r\n\r\n", 1 << 20),
        ("truncated", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab", 1 << 20),
        ("too large", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 10),
        ("bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 1 << 20),
    ];
    for (case, response, limit) in cases {
        let server = Server::start(move |_, _| Step::SendThenClose(response.as_bytes().to_vec())).await;
        let error = send_err(&transport().with_max_response_bytes(limit), secret_request(server.port)).await;
        assert_no_secret(case, &error);
    }

    let slow = Server::start(|_, _| Step::Drip {
        head: b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec(),
        piece: b"z".to_vec(),
        every: Duration::from_millis(50),
    })
    .await;
    let error = transport()
        .send(secret_request(slow.port).map(discogen_runtime::Body::from), Some(Duration::from_millis(200)))
        .await
        .expect_err("timeout");
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_no_secret("timeout", &error);

    // An https URL to a server that speaks plain HTTP and answers the
    // ClientHello with an HTTP error: the handshake fails, whatever root
    // certificates this machine has.
    let plain = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let plain_port = plain.local_addr().expect("address").port();
    tokio::spawn(async move {
        if let Ok((mut stream, _)) = plain.accept().await {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").await;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let mut request = secret_request(plain_port);
    *request.uri_mut() =
        format!("https://127.0.0.1:{plain_port}/v1/{SECRET_PATH}?key={SECRET_KEY}").parse().expect("a valid URI");
    let error = send_err(&transport(), request).await;
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert_eq!(error.message(), "could not connect to the server");
    assert_no_secret("tls", &error);
}

#[tokio::test]
async fn unusable_urls_are_invalid_arguments() {
    let transport = transport();
    for url in ["/relative/path", "ftp://127.0.0.1/file", "http://user:hunter2@127.0.0.1:9/"] {
        let error = send_err(&transport, get(url)).await;
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{url}");
        assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
    }
}
