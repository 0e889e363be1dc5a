//! The client against a real HTTP server on loopback (wiremock).

use std::time::Duration;

use discogen_runtime::http::{self, Method};
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::retry::RetryPolicy;
use discogen_runtime::rpc::Code;
use discogen_runtime::serde::Deserialize;
use discogen_runtime::serde_json::{json, Value};
use discogen_runtime::{Client, ClientBuilder, ErrorKind, Service};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const SCOPES: &[&str] = &["https://www.googleapis.com/auth/cloud-platform"];

/// A stand-in for a generated API client.
pub(crate) struct TestApi {
    pub(crate) client: Client,
}

impl Service for TestApi {
    const ROOT_URL: &'static str = "https://test.googleapis.com/";
    const SERVICE_PATH: &'static str = "v1/";

    fn from_client(client: Client) -> Self {
        Self { client }
    }
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(crate = "::discogen_runtime::serde")]
struct Operation {
    name: String,
    #[serde(default)]
    done: bool,
}

/// A client that sends each request once: these tests look at single
/// exchanges (`retry.rs` covers retries).
pub(crate) fn builder(server: &MockServer) -> ClientBuilder<TestApi> {
    ClientBuilder::<TestApi>::new().root_url(server.uri()).retry_policy(RetryPolicy::never())
}

fn get(client: &Client, path: &str) -> http::Request<Vec<u8>> {
    RequestBuilder::new(client, Method::GET, path).build().expect("a valid request")
}

fn google_error(code: u16, status: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message, "status": status}})
}

#[tokio::test]
async fn sends_bearer_token_and_user_agent_and_decodes_json() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/operations/abc"))
        .and(header("authorization", "Bearer tok-123"))
        .and(header("user-agent", "discogen-runtime/0.1.0 (gzip)"))
        .and(header("accept-encoding", "gzip"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "operations/abc", "done": true})))
        .expect(1)
        .mount(&server)
        .await;

    let api = builder(&server).bearer_token("tok-123").build().expect("client");
    let op: Operation = api.client.execute_json(get(&api.client, "operations/abc"), SCOPES).await.expect("success");
    assert_eq!(op, Operation { name: "operations/abc".into(), done: true });
}

#[tokio::test]
async fn custom_user_agent_and_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/things"))
        .and(query_param("key", "my key+1"))
        .and(query_param("fields", "a,b"))
        .and(header("user-agent", "my-app/2 (gzip)"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"x": 1})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .expect(1)
        .mount(&server)
        .await;

    let api = builder(&server).api_key("my key+1").user_agent("my-app/2").build().expect("client");
    let mut request = RequestBuilder::new(&api.client, Method::POST, "things");
    request.query("fields", "a,b");
    request.json_body(&json!({"x": 1})).expect("serializes");
    let request = request.build().expect("valid");
    assert!(request.headers().get("authorization").is_none());
    api.client.execute_empty(request, SCOPES).await.expect("success");
}

#[tokio::test]
async fn google_error_body_becomes_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(google_error(404, "NOT_FOUND", "Operation not found")))
        .mount(&server)
        .await;

    let api = builder(&server).build().expect("client");
    let err = api.client.execute_json::<Operation>(get(&api.client, "operations/x"), SCOPES).await.expect_err("a 404");
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.http_status(), Some(http::StatusCode::NOT_FOUND));
    let status = err.status().expect("decoded status");
    assert_eq!(status.code_enum(), Code::NotFound);
    assert_eq!(status.message, "Operation not found");
    assert_eq!(err.to_string(), "HTTP 404 Not Found: NOT_FOUND: Operation not found");
    assert!(err.body_excerpt().is_none());
    assert!(!err.is_transient());

    #[derive(Deserialize)]
    #[serde(crate = "::discogen_runtime::serde")]
    struct MyStatus {
        code: i32,
        message: String,
    }
    let mine: MyStatus = err.status_as().expect("decodes into another type");
    assert_eq!((mine.code, mine.message.as_str()), (404, "Operation not found"));
}

#[tokio::test]
async fn html_error_gives_excerpt_and_is_transient() {
    let server = MockServer::start().await;
    let html =
        format!("<!DOCTYPE html>\n<html><body>\n<h1>Internal Server Error</h1>\n{}</body></html>", "x".repeat(2000));
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;

    let api = builder(&server).build().expect("client");
    let err = api.client.execute_json::<Operation>(get(&api.client, "operations/x"), SCOPES).await.expect_err("a 500");
    assert_eq!(err.kind(), ErrorKind::Http);
    assert!(err.status().is_none());
    let excerpt = err.body_excerpt().expect("an excerpt");
    assert!(excerpt.starts_with("<!DOCTYPE html>\n<html>"));
    assert_eq!(excerpt.chars().count(), 512);
    let shown = err.to_string();
    assert!(shown.starts_with("HTTP 500 Internal Server Error: <!DOCTYPE html> <html><body> <h1>"), "{shown}");
    assert!(!shown.contains('\n'));
    assert!(err.is_transient());
}

#[tokio::test]
async fn retry_after_header_and_retry_info() {
    let server = MockServer::start().await;
    let mut body = google_error(503, "UNAVAILABLE", "try later");
    body["error"]["details"] = json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "3s"}]);
    Mock::given(path("/v1/a"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "7").set_body_json(body.clone()))
        .mount(&server)
        .await;
    Mock::given(path("/v1/b")).respond_with(ResponseTemplate::new(429).set_body_json(body)).mount(&server).await;

    let api = builder(&server).build().expect("client");
    let err = api.client.execute(get(&api.client, "a"), SCOPES).await.expect_err("503");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(err.is_transient());
    let err = api.client.execute(get(&api.client, "b"), SCOPES).await.expect_err("429");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert!(err.is_transient());
}

#[tokio::test]
async fn timeout_gives_timeout_kind() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "x"})).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;

    let api = builder(&server).timeout(Duration::from_millis(200)).build().expect("client");
    let started = std::time::Instant::now();
    let err = api.client.execute_json::<Operation>(get(&api.client, "slow"), SCOPES).await.expect_err("times out");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_transient());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn response_over_the_cap_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("y".repeat(1000)))
        .mount(&server)
        .await;

    // The cap is for JSON bodies, which are read whole before decoding.
    let api = builder(&server).max_response_bytes(100).build().expect("client");
    let err = api.client.execute_json::<Value>(get(&api.client, "big"), SCOPES).await.expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("limit of 100 bytes"), "{err}");
    assert!(!err.is_transient());

    // Media is never held to it.
    let body = api.client.execute_bytes(get(&api.client, "big"), SCOPES).await.expect("media is not capped");
    assert_eq!(body.len(), 1000);
}

#[tokio::test]
async fn decode_errors_carry_position_and_excerpt() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/wrong"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": 5})))
        .mount(&server)
        .await;
    Mock::given(path("/v1/empty")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    Mock::given(path("/v1/text"))
        .respond_with(ResponseTemplate::new(200).set_body_raw("hello", "text/plain"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/plain-json"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"name":"ok"}"#, "text/plain; charset=utf-8"))
        .mount(&server)
        .await;

    let api = builder(&server).build().expect("client");
    let err = api.client.execute_json::<Operation>(get(&api.client, "wrong"), SCOPES).await.expect_err("wrong type");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.http_status(), Some(http::StatusCode::OK));
    assert!(err.to_string().contains("line 1 column"), "{err}");
    assert_eq!(err.body_excerpt(), Some(r#"{"name":5}"#));

    let err = api.client.execute_json::<Operation>(get(&api.client, "empty"), SCOPES).await.expect_err("empty");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.to_string().contains("empty"), "{err}");

    let err = api.client.execute_json::<Operation>(get(&api.client, "text"), SCOPES).await.expect_err("not JSON");
    assert!(err.to_string().contains("content type \"text/plain\""), "{err}");

    let op: Operation = api
        .client
        .execute_json(get(&api.client, "plain-json"), SCOPES)
        .await
        .expect("JSON under another content type is accepted");
    assert_eq!(op.name, "ok");
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/moved"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", "https://elsewhere.example/"))
        .mount(&server)
        .await;

    let api = builder(&server).bearer_token("t").build().expect("client");
    let err = api.client.execute(get(&api.client, "moved"), SCOPES).await.expect_err("3xx is an error");
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.http_status(), Some(http::StatusCode::FOUND));
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    // Bind and drop a listener to find a port that is closed.
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    let api = ClientBuilder::<TestApi>::new().root_url(format!("http://127.0.0.1:{port}")).build().expect("client");
    let err = api.client.execute(get(&api.client, "x"), SCOPES).await.expect_err("nothing listens");
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(err.is_transient());
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn absolute_paths_resolve_against_the_root() {
    let server = MockServer::start().await;
    Mock::given(path("/upload/v1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;

    let api = builder(&server).build().expect("client");
    assert_eq!(api.client.base_url(), format!("{}/v1/", server.uri()));
    let request = RequestBuilder::new(&api.client, Method::POST, "/upload/v1/files").build().expect("valid");
    let body = api.client.execute_bytes(request, SCOPES).await.expect("success");
    assert_eq!(&body[..], b"ok");
}

#[test]
fn builder_validates_root_url() {
    let err = ClientBuilder::<TestApi>::new()
        .root_url("http://example.com")
        .build()
        .err()
        .expect("insecure remote http is refused");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("allow_insecure_http"), "{err}");

    let api = ClientBuilder::<TestApi>::new()
        .root_url("http://example.com")
        .allow_insecure_http(true)
        .build()
        .expect("allowed");
    assert_eq!(api.client.base_url(), "http://example.com/v1/");

    let api = ClientBuilder::<TestApi>::new().build().expect("default root");
    assert_eq!(api.client.root_url(), "https://test.googleapis.com/");
    assert_eq!(api.client.base_url(), "https://test.googleapis.com/v1/");

    let err = ClientBuilder::<TestApi>::new().user_agent("bad\nagent").build().err().map(|e| e.kind());
    assert_eq!(err, Some(ErrorKind::InvalidArgument));
}

#[test]
fn clients_and_their_futures_can_cross_threads() {
    fn assert_send<T: Send>(_: &T) {}
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Client>();
    assert_send_sync::<discogen_runtime::auth::Credentials>();

    let api = ClientBuilder::<TestApi>::new().build().expect("client");
    let request = || get(&api.client, "x");
    assert_send(&api.client.execute(request(), SCOPES));
    assert_send(&api.client.execute_json::<Value>(request(), SCOPES));
    assert_send(&api.client.execute_empty(request(), SCOPES));
    assert_send(&api.client.execute_bytes(request(), SCOPES));
}
