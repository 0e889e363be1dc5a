//! Retries of ordinary calls, against a scripted server on loopback, under
//! Tokio's paused clock: the sleeps between attempts take no real time and
//! their lengths can be read off the clock exactly.
//!
//! The server runs as a task of the test's own runtime, so the clock only
//! moves while every task waits on a timer, never while a request is on
//! its way.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use discogen_runtime::http::Method;
use discogen_runtime::request::{CallOptions, RequestBuilder};
use discogen_runtime::retry::{Jitter, RetryPolicy};
use discogen_runtime::{Body, Client, ClientBuilder, ErrorKind};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::time::Instant;

use super::client::{TestApi, SCOPES};

/// What the server does with one request.
#[derive(Clone, Copy)]
enum Reply {
    /// Answers with this status, an optional `Retry-After` in seconds, and a small JSON body.
    Status(u16, Option<u64>),
    /// Reads the whole request, then closes the connection without a word.
    Hangup,
    /// Answers with this status and JSON body.
    Json(u16, &'static str),
}

/// One request as the server saw it.
#[derive(Debug)]
struct Seen {
    at: Instant,
    method: String,
}

/// Serves `replies` in order, one connection per request (the last reply
/// repeats), and records every request it reads.
async fn scripted(replies: Vec<Reply>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let root = format!("http://{}/", listener.local_addr().expect("address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    serve(listener, replies, Arc::clone(&seen));
    (root, seen)
}

/// The server of `scripted`, on a listener the caller bound.
fn serve(listener: TcpListener, replies: Vec<Reply>, log: Arc<Mutex<Vec<Seen>>>) {
    tokio::spawn(async move {
        let mut served = 0usize;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let Some(method) = read_request(&mut socket).await else { continue };
            log.lock().expect("log").push(Seen { at: Instant::now(), method });
            let reply = replies[served.min(replies.len() - 1)];
            served += 1;
            match reply {
                Reply::Hangup => drop(socket),
                Reply::Status(..) | Reply::Json(..) => {
                    let (code, retry_after, body) = match reply {
                        Reply::Json(code, body) => (code, None, body.to_string()),
                        Reply::Status(code, retry_after) => {
                            (code, retry_after, format!("{{\"name\":\"attempt-{served}\"}}"))
                        }
                        Reply::Hangup => unreachable!("matched above"),
                    };
                    let wait = retry_after.map(|s| format!("retry-after: {s}\r\n")).unwrap_or_default();
                    let head = format!(
                        "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\n{wait}content-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(format!("{head}{body}").as_bytes()).await;
                    let _ = socket.shutdown().await;
                }
            }
        }
    });
}

/// Reads one request (head and `Content-Length` body or chunked body up to
/// its end) and returns its method; `None` if the peer went away first.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut buf).await.ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let method = head.split(' ').next()?.to_ascii_uppercase();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body = &data[head_end..];
        let complete = if chunked { body.ends_with(b"0\r\n\r\n") } else { body.len() >= length };
        if complete {
            return Some(method);
        }
        let n = socket.read(&mut buf).await.ok().filter(|n| *n > 0)?;
        data.extend_from_slice(&buf[..n]);
    }
}

fn client(root: &str, policy: RetryPolicy) -> Client {
    ClientBuilder::<TestApi>::new().root_url(root).retry_policy(policy).build().expect("client").client
}

/// 100 ms, then 200 ms, 400 ms...: no jitter, so the gaps are exact.
fn exact_policy() -> RetryPolicy {
    RetryPolicy::new().initial_delay(Duration::from_millis(100)).multiplier(2.0).jitter(Jitter::None)
}

fn request(client: &Client, method: Method, body: Body) -> discogen_runtime::http::Request<Body> {
    let mut builder = RequestBuilder::new(client, method, "things");
    builder.header(
        discogen_runtime::http::header::CONTENT_TYPE,
        discogen_runtime::http::HeaderValue::from_static("application/octet-stream"),
    );
    builder.build().expect("request").map(|_| body)
}

fn gaps(seen: &[Seen]) -> Vec<Duration> {
    seen.windows(2).map(|w| w[1].at - w[0].at).collect()
}

const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

#[tokio::test(start_paused = true)]
async fn a_get_is_retried_through_transient_failures_on_the_schedule() {
    let (root, seen) =
        scripted(vec![Reply::Status(503, None), Reply::Status(502, None), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    let response = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect("third try");

    assert_eq!(response.body().as_ref(), br#"{"name":"attempt-3"}"#);
    let seen = seen.lock().expect("log");
    assert_eq!(seen.len(), 3);
    assert_eq!(gaps(&seen), vec![ms(100), ms(200)]);
}

#[tokio::test(start_paused = true)]
async fn attempts_stop_at_the_limit_with_the_last_error() {
    let (root, seen) = scripted(vec![Reply::Status(500, None)]).await;
    let client = client(&root, exact_policy().max_attempts(4));

    let error = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("500 each time");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(500));
    let seen = seen.lock().expect("log");
    assert_eq!(gaps(&seen), vec![ms(100), ms(200), ms(400)], "four attempts in all");
}

#[tokio::test(start_paused = true)]
async fn the_default_policy_makes_five_attempts_within_a_minute_with_full_jitter() {
    let (root, seen) = scripted(vec![Reply::Status(429, None)]).await;
    let client = client(&root, RetryPolicy::default());
    let started = Instant::now();

    let error = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("429 each time");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(429));
    let seen = seen.lock().expect("log");
    assert_eq!(seen.len(), 5);
    // Full jitter: each wait lies anywhere up to 1 s, 2 s, 4 s, 8 s.
    for (gap, cap) in gaps(&seen).into_iter().zip([1u64, 2, 4, 8]) {
        assert!(gap <= Duration::from_secs(cap), "{gap:?} > {cap} s");
    }
    assert!(started.elapsed() <= Duration::from_secs(60));
}

#[tokio::test(start_paused = true)]
async fn retry_after_lengthens_the_wait() {
    let (root, seen) = scripted(vec![Reply::Status(503, Some(7)), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect("second try");

    assert_eq!(gaps(&seen.lock().expect("log")), vec![Duration::from_secs(7)]);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_beyond_the_time_limit_ends_the_retries_at_once() {
    let (root, seen) = scripted(vec![Reply::Status(503, Some(120)), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());
    let started = Instant::now();

    let error = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("gives up");

    assert_eq!(error.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(seen.lock().expect("log").len(), 1);
    assert!(started.elapsed() < Duration::from_secs(1), "no sleep was taken");
}

#[tokio::test(start_paused = true)]
async fn the_time_limit_cuts_the_last_sleep_short() {
    let (root, seen) = scripted(vec![Reply::Status(503, None)]).await;
    // Sleeps of 100 and 200 ms would reach 300 ms; the limit ends the
    // schedule at 250 ms, where one last attempt is made.
    let client = client(&root, exact_policy().max_attempts(10).time_limit(ms(250)));

    client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("503 each time");

    assert_eq!(gaps(&seen.lock().expect("log")), vec![ms(100), ms(150)]);
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_resent_after_a_transient_failure() {
    let (root, seen) = scripted(vec![Reply::Status(503, None), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    let error =
        client.execute(request(&client, Method::POST, Body::from("{}")), SCOPES).await.expect_err("not retried");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen.lock().expect("log").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_post_whose_connection_was_refused_is_retried() {
    // A port with nothing behind it until the server starts 250 ms in: the
    // first attempts are refused before a byte is sent, so even a POST may
    // be tried again, and the server sees it exactly once.
    let start = Instant::now();
    let address = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        tokio::time::sleep(ms(250)).await;
        let listener = TcpListener::bind(address).await.expect("bind the same port again");
        serve(listener, vec![Reply::Status(200, None)], log);
    });
    let client = client(&format!("http://{address}/"), exact_policy());

    client.execute(request(&client, Method::POST, Body::from("{}")), SCOPES).await.expect("sent once the server is up");

    let seen = seen.lock().expect("log");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    // Refused at 0 and 100 ms, sent at 300 ms (100 + 200).
    assert_eq!(seen[0].at.duration_since(start), ms(300));
}

#[tokio::test(start_paused = true)]
async fn a_post_the_server_received_is_never_resent_when_the_connection_drops() {
    let (root, seen) = scripted(vec![Reply::Hangup, Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    let error =
        client.execute(request(&client, Method::POST, Body::from("{}")), SCOPES).await.expect_err("not retried");

    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    assert!(!error.is_never_sent(), "the server read the whole request");
    let seen = seen.lock().expect("log");
    assert_eq!(seen.iter().map(|s| s.method.as_str()).collect::<Vec<_>>(), ["POST"]);
}

#[tokio::test(start_paused = true)]
async fn a_post_marked_idempotent_is_retried() {
    let (root, seen) = scripted(vec![Reply::Hangup, Reply::Status(503, None), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());
    let mut options = CallOptions::default();
    options.set_idempotent(true);
    let mut post = request(&client, Method::POST, Body::from("{}"));
    post.extensions_mut().insert(options);

    client.execute(post, SCOPES).await.expect("third try");

    assert_eq!(gaps(&seen.lock().expect("log")), vec![ms(100), ms(200)]);
}

#[tokio::test(start_paused = true)]
async fn a_call_can_carry_its_own_policy() {
    let (root, seen) = scripted(vec![Reply::Status(503, None)]).await;
    let client = client(&root, exact_policy());
    let mut options = CallOptions::default();
    options.set_retry_policy(RetryPolicy::never());
    let mut builder = RequestBuilder::new(&client, Method::GET, "things");
    builder.options(&options);
    let get = builder.build().expect("request");

    client.execute(get, SCOPES).await.expect_err("sent once");

    assert_eq!(seen.lock().expect("log").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_are_not_retried() {
    let (root, seen) = scripted(vec![Reply::Status(404, None), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    let error = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("404");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(seen.lock().expect("log").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_streamed_body_cannot_be_replayed_so_it_is_sent_once() {
    let (root, seen) = scripted(vec![Reply::Status(503, None), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());
    let chunks = Body::from_reader(std::io::Cursor::new(b"read from a reader, so not replayable".to_vec()));

    let error = client.execute(request(&client, Method::PUT, chunks), SCOPES).await.expect_err("not replayable");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen.lock().expect("log").len(), 1);
}

/// A 403 as Drive, Gmail, YouTube and Sheets send it for a quota per user.
const USER_RATE_LIMIT: &str = r#"{"error":{"code":403,"message":"User rate limit exceeded.","errors":[{"message":"User rate limit exceeded.","domain":"usageLimits","reason":"userRateLimitExceeded"}]}}"#;

#[tokio::test(start_paused = true)]
async fn a_403_for_a_rate_limit_is_retried_like_a_429() {
    let (root, seen) = scripted(vec![Reply::Json(403, USER_RATE_LIMIT), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    let response = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect("second try");

    assert_eq!(response.body().as_ref(), br#"{"name":"attempt-2"}"#);
    assert_eq!(gaps(&seen.lock().expect("log")), vec![ms(100)]);
}

#[tokio::test(start_paused = true)]
async fn a_403_whose_error_info_names_a_rate_limit_is_retried() {
    const BODY: &str = r#"{"error":{"code":403,"message":"Quota exceeded.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com"}]}}"#;
    let (root, seen) = scripted(vec![Reply::Json(403, BODY), Reply::Json(403, BODY), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect("third try");

    assert_eq!(gaps(&seen.lock().expect("log")), vec![ms(100), ms(200)]);
}

#[tokio::test(start_paused = true)]
async fn other_403s_stay_final() {
    for body in [
        r#"{"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"domain":"usageLimits","reason":"dailyLimitExceeded"}]}}"#,
        r#"{"error":{"code":403,"message":"The caller does not have permission","status":"PERMISSION_DENIED"}}"#,
        "forbidden",
    ] {
        let (root, seen) = scripted(vec![Reply::Json(403, body), Reply::Status(200, None)]).await;
        let client = client(&root, exact_policy());

        let error = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("final");

        assert!(!error.is_rate_limited() && !error.is_transient(), "{body}: {error}");
        assert_eq!(seen.lock().expect("log").len(), 1, "{body}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_rate_limited_post_is_not_sent_twice_unless_declared_idempotent() {
    let (root, seen) = scripted(vec![Reply::Json(403, USER_RATE_LIMIT), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy());

    let error = client
        .execute(request(&client, Method::POST, Body::from("x")), SCOPES)
        .await
        .expect_err("a POST is not retried");

    assert!(error.is_rate_limited() && error.is_transient(), "{error}");
    assert_eq!(seen.lock().expect("log").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_custom_classifier_retries_what_it_names() {
    // 409 is permanent by the built-in test; this classifier retries it.
    let (root, seen) =
        scripted(vec![Reply::Status(409, None), Reply::Status(409, None), Reply::Status(200, None)]).await;
    let policy = exact_policy().retry_if(|error| error.http_status().is_some_and(|s| s.as_u16() == 409));
    let client = client(&root, policy);

    let response = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect("third try");

    assert_eq!(response.body().as_ref(), br#"{"name":"attempt-3"}"#);
    assert_eq!(gaps(&seen.lock().expect("log")), vec![ms(100), ms(200)], "on the policy's schedule");
}

#[tokio::test(start_paused = true)]
async fn a_custom_classifier_stops_what_the_built_in_test_would_retry() {
    let (root, seen) = scripted(vec![Reply::Status(503, None), Reply::Status(200, None)]).await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&asked);
    let policy = exact_policy().retry_if(move |error| {
        log.lock().expect("log").push(error.http_status().map(|s| s.as_u16()));
        false
    });
    let client = client(&root, policy);

    let error = client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("not retried");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen.lock().expect("log").len(), 1);
    assert_eq!(*asked.lock().expect("log"), [Some(503)], "the classifier was asked once, about the 503");
}

#[tokio::test(start_paused = true)]
async fn a_custom_classifier_does_not_make_a_post_safe_to_resend() {
    let (root, seen) = scripted(vec![Reply::Status(409, None), Reply::Status(200, None)]).await;
    let client = client(&root, exact_policy().retry_if(|_| true));

    let error =
        client.execute(request(&client, Method::POST, Body::from("{}")), SCOPES).await.expect_err("not retried");

    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(409));
    assert_eq!(seen.lock().expect("log").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_custom_classifier_sees_no_credentials() {
    const KEY: &str = "AIzaClassifierSeesThis0123456789";
    let body = r#"{"error":{"code":409,"message":"key AIzaClassifierSeesThis0123456789 is busy"}}"#;
    let (root, _seen) = scripted(vec![Reply::Json(409, body)]).await;
    let texts = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&texts);
    let policy = exact_policy().max_attempts(3).retry_if(move |error| {
        log.lock().expect("log").push(format!("{error} {error:?} {}", error.message()));
        true
    });
    let client = ClientBuilder::<TestApi>::new()
        .root_url(&root)
        .api_key(KEY)
        .retry_policy(policy)
        .build()
        .expect("client")
        .client;

    client.execute(request(&client, Method::GET, Body::empty()), SCOPES).await.expect_err("409 each time");

    let texts = texts.lock().expect("log");
    assert_eq!(texts.len(), 2, "asked after each attempt but the last");
    for text in texts.iter() {
        assert!(text.contains("is busy"), "the server's message is there: {text}");
        assert!(!text.contains(KEY), "the key is scrubbed: {text}");
    }
}
