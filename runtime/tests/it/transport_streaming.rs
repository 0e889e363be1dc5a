//! `HttpTransport` against scripted loopback servers: how request bodies
//! are framed, that a response comes back at its head, and that a request
//! the server received is never written again.

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use discogen_runtime::http;
use discogen_runtime::transport::{HttpTransport, Transport};
use discogen_runtime::{Body, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(10));

async fn listen() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/upload", listener.local_addr().expect("address"));
    (listener, url)
}

/// Reads one request, head and body, as the raw bytes on the wire. The
/// body is framed by `Content-Length` or, failing that, read to the end of
/// a chunked body. `None` if the client hung up first.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let text = String::from_utf8_lossy(&raw).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let head = text[..end].to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok());
            let complete = match length {
                Some(length) => raw.len() >= end + 4 + length,
                None if head.contains("transfer-encoding: chunked") => text.ends_with("\r\n0\r\n\r\n"),
                None => true,
            };
            if complete {
                return Some(text);
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => raw.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Answers each request with an empty 200 and passes what it read on.
async fn recorder(listener: TcpListener, seen: mpsc::UnboundedSender<String>) {
    while let Ok((mut stream, _)) = listener.accept().await {
        let seen = seen.clone();
        tokio::spawn(async move {
            while let Some(request) = read_request(&mut stream).await {
                let _ = seen.send(request);
                if stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await.is_err() {
                    return;
                }
            }
        });
    }
}

fn post(url: &str, body: Body) -> http::Request<Body> {
    http::Request::post(url).body(body).expect("a valid request")
}

#[tokio::test]
async fn a_body_of_unknown_length_goes_chunked_and_a_known_one_with_its_length() {
    let (listener, url) = listen().await;
    let (tx, mut seen) = mpsc::unbounded_channel();
    tokio::spawn(recorder(listener, tx));
    let transport = HttpTransport::direct();
    let payload = b"streamed payload".to_vec();

    let unknown = Body::from_reader(Cursor::new(payload.clone()));
    assert_eq!(unknown.length(), None);
    let response = transport.send(post(&url, unknown), TIMEOUT).await.expect("unknown length");
    assert_eq!(response.status(), 200);
    let wire = seen.recv().await.expect("the server read the request");
    let lower = wire.to_ascii_lowercase();
    assert!(lower.contains("transfer-encoding: chunked"), "{wire}");
    assert!(!lower.contains("content-length"), "{wire}");
    assert!(wire.contains("streamed payload"), "{wire}");

    let known = Body::from_reader(Cursor::new(payload.clone())).with_length(payload.len() as u64);
    let response = transport.send(post(&url, known), TIMEOUT).await.expect("known length");
    assert_eq!(response.status(), 200);
    let wire = seen.recv().await.expect("the server read the request");
    let lower = wire.to_ascii_lowercase();
    assert!(lower.contains(&format!("content-length: {}", payload.len())), "{wire}");
    assert!(!lower.contains("transfer-encoding"), "{wire}");
    assert!(wire.ends_with("\r\n\r\nstreamed payload"), "{wire}");
}

#[tokio::test]
async fn the_response_comes_back_at_its_head_and_the_body_follows() {
    let (listener, url) = listen().await;
    let (release, released) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let Ok((mut stream, _)) = listener.accept().await else { return };
        read_request(&mut stream).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").await;
        // The body only goes out once the test holds the response head.
        let _ = released.await;
        let _ = stream.write_all(b"hello").await;
    });
    let transport = HttpTransport::direct();
    let request = http::Request::get(&url).body(Body::empty()).expect("a valid request");
    let response = transport.send(request, TIMEOUT).await.expect("the head");
    assert_eq!(response.status(), 200);
    assert_eq!(response.body().length(), Some(5));
    release.send(()).expect("the server waits");
    let body = response.into_body().collect().await.expect("the body");
    assert_eq!(body.as_ref(), b"hello");
}

#[tokio::test]
async fn a_post_the_server_received_is_never_sent_again() {
    let (listener, url) = listen().await;
    let posts = Arc::new(AtomicUsize::new(0));
    let counted = posts.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                while let Some(request) = read_request(&mut stream).await {
                    if request.starts_with("POST") {
                        // Received whole, then the connection dies unanswered:
                        // the client cannot know whether it was acted on.
                        counted.fetch_add(1, Ordering::SeqCst);
                        return;
                    }
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").await;
                }
            });
        }
    });
    let transport = HttpTransport::direct();
    // A first GET leaves a pooled connection, where the POST then goes:
    // the case in which a client may be tempted to try again.
    let get = http::Request::get(&url).body(Body::empty()).expect("a valid request");
    transport.send(get, TIMEOUT).await.expect("the GET");
    let error = transport.send(post(&url, Body::from("charge the card")), TIMEOUT).await.expect_err("no answer");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert!(!error.is_never_sent(), "{error:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(posts.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_connection_refused_is_marked_never_sent_and_hides_the_url() {
    let (listener, url) = listen().await;
    drop(listener);
    let transport = HttpTransport::direct();
    let request = post(&format!("{url}?key=SECRETKEY"), Body::from("x"));
    let error = transport.send(request, TIMEOUT).await.expect_err("nothing listens");
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.is_never_sent(), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("SECRETKEY") && !shown.contains("/upload"), "{shown}");
}
