//! The generated clients, end to end, against a real HTTP server on loopback
//! (wiremock).
//!
//! Every test goes through the generated surface only (resource accessors,
//! call builders, `WithStandardParams`, `get_operation`) and then checks what
//! actually arrived at the server: method, path, query, headers and body. A
//! call that must be refused is checked both for its error and for the
//! absence of any request.

use std::collections::BTreeMap;
use std::time::Duration;

use discogen_apis::{vision_v1, workspaceevents_v1beta};
use discogen_runtime::prelude::*;
use discogen_runtime::retry::RetryPolicy;
use discogen_runtime::rpc::{Code, Detail};
use discogen_runtime::ErrorKind;
use serde_json::{json, Value};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "tok-e2e-123";

/// A finished operation with a typed response and metadata, as a server
/// would send it.
fn done_operation(name: &str) -> Value {
    json!({
        "name": name,
        "done": true,
        "metadata": {
            "@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata",
            "state": "DONE",
            "createTime": "2024-05-01T10:00:00Z",
        },
        "response": {
            "@type": "type.googleapis.com/google.cloud.vision.v1.AsyncBatchAnnotateFilesResponse",
            "responses": [{"outputConfig": {"gcsDestination": {"uri": "gs://bucket/out/"}}}],
        },
    })
}

/// A server that answers every request with `body` (status 200).
async fn server_answering(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(body)).mount(&server).await;
    server
}

/// A server that answers every request with `template`.
async fn server_with(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(template).mount(&server).await;
    server
}

fn vision(server: &MockServer) -> Result<vision_v1::Client, discogen_runtime::Error> {
    vision_v1::Client::builder().root_url(server.uri()).bearer_token(TOKEN).build()
}

fn events(server: &MockServer) -> Result<workspaceevents_v1beta::Client, discogen_runtime::Error> {
    workspaceevents_v1beta::Client::builder().root_url(server.uri()).bearer_token(TOKEN).build()
}

/// Every request the server received, in order.
async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on by default")
}

/// The only request the server received; fails if there was not exactly one.
async fn only_request(server: &MockServer) -> Request {
    let mut requests = received(server).await;
    assert_eq!(requests.len(), 1, "expected exactly one request, got {requests:#?}");
    requests.remove(0)
}

fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The query of `request` as decoded pairs, sorted.
fn query_pairs(request: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> =
        request.url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    pairs.sort();
    pairs
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    pairs.sort();
    pairs
}

/// Asserts that `request` is a bodiless `GET` of exactly `expected_path`,
/// without a query.
fn assert_plain_get(request: &Request, expected_path: &str) {
    assert_eq!(request.method.as_str(), "GET");
    assert_eq!(request.url.path(), expected_path);
    assert_eq!(request.url.query(), None, "unexpected query on {}", request.url);
    assert!(request.body.is_empty(), "a GET must not carry a body");
}

// ---- the happy path --------------------------------------------------------

#[tokio::test]
async fn workspace_events_get_sends_one_authorised_get_and_decodes_the_operation() -> TestResult {
    let served = done_operation("operations/abc");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1beta/operations/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(served.clone()))
        .mount(&server)
        .await;
    let client = events(&server)?;

    let op = client.operations().get("operations/abc").send().await?;

    let expected: workspaceevents_v1beta::model::Operation = serde_json::from_value(served)?;
    assert_eq!(op, expected);
    assert_eq!(op.name.as_deref(), Some("operations/abc"));
    assert_eq!(op.done, Some(true));
    assert!(op.error.is_none());
    assert_eq!(op.metadata.as_ref().and_then(|m| m.get("state")), Some(&json!("DONE")));
    assert!(op.extra().is_empty(), "every member is a known field: {:?}", op.extra());

    let request = only_request(&server).await;
    assert_plain_get(&request, "/v1beta/operations/abc");
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let agent = header(&request, "user-agent").unwrap_or_default();
    assert!(agent.starts_with("discogen-runtime/"), "user agent {agent:?}");
    Ok(())
}

#[tokio::test]
async fn without_credentials_nothing_is_sent_and_a_custom_user_agent_is_used() -> TestResult {
    let server = server_answering(done_operation("operations/abc")).await;
    let client = workspaceevents_v1beta::Client::builder().root_url(server.uri()).user_agent("my-app/7.1").build()?;

    client.operations().get("operations/abc").send().await?;

    let request = only_request(&server).await;
    assert_plain_get(&request, "/v1beta/operations/abc");
    assert_eq!(header(&request, "authorization"), None);
    assert_eq!(header(&request, "user-agent"), Some("my-app/7.1 (gzip)"));
    Ok(())
}

#[tokio::test]
async fn unknown_members_of_the_operation_are_kept() -> TestResult {
    let mut served = done_operation("operations/abc");
    served["futureField"] = json!({"nested": [1, 2]});
    let server = server_answering(served.clone()).await;

    let op = events(&server)?.operations().get("operations/abc").send().await?;

    assert_eq!(op.extra().get("futureField"), Some(&json!({"nested": [1, 2]})));
    assert_eq!(serde_json::to_value(&op)?, served, "a round trip loses nothing");
    Ok(())
}

#[tokio::test]
async fn vision_projects_operations_get_hits_its_path() -> TestResult {
    let served = done_operation("projects/p1/operations/o1");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/projects/p1/operations/o1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(served.clone()))
        .mount(&server)
        .await;

    let op = vision(&server)?.projects().operations().get("projects/p1/operations/o1").send().await?;

    assert_eq!(op, serde_json::from_value::<vision_v1::model::Operation>(served)?);
    let request = only_request(&server).await;
    assert_plain_get(&request, "/v1/projects/p1/operations/o1");
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    Ok(())
}

#[tokio::test]
async fn the_other_three_vision_gets_hit_their_paths() -> TestResult {
    let server = server_answering(done_operation("x")).await;
    let client = vision(&server)?;

    client.operations().get("operations/o2").send().await?;
    client.locations().operations().get("locations/eu/operations/o3").send().await?;
    client.projects().locations().operations().get("projects/p1/locations/us/operations/o4").send().await?;

    let requests = received(&server).await;
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(
        paths,
        ["/v1/operations/o2", "/v1/locations/eu/operations/o3", "/v1/projects/p1/locations/us/operations/o4"]
    );
    for request in &requests {
        assert_plain_get(request, request.url.path());
        assert_eq!(header(request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    }
    Ok(())
}

#[tokio::test]
async fn get_operation_dispatches_by_the_shape_of_the_name() -> TestResult {
    let cases = [
        ("operations/o1", "/v1/operations/o1"),
        ("locations/eu/operations/o2", "/v1/locations/eu/operations/o2"),
        ("projects/p1/operations/o3", "/v1/projects/p1/operations/o3"),
        ("projects/p1/locations/us/operations/o4", "/v1/projects/p1/locations/us/operations/o4"),
    ];
    for (name, expected_path) in cases {
        let server = server_answering(done_operation(name)).await;
        let op = vision(&server)?.get_operation(name).await?;
        assert_eq!(op.name.as_deref(), Some(name));
        let request = only_request(&server).await;
        assert_plain_get(&request, expected_path);
    }

    let server = server_answering(done_operation("operations/abc")).await;
    events(&server)?.get_operation("operations/abc").await?;
    assert_plain_get(&only_request(&server).await, "/v1beta/operations/abc");
    Ok(())
}

#[tokio::test]
async fn get_operation_refuses_a_name_of_no_known_shape_without_a_request() -> TestResult {
    let server = server_answering(done_operation("x")).await;
    let client = vision(&server)?;
    for name in [
        "nonsense",
        "",
        "other/x",
        "projects/p1",
        "projects/p1/operations/o1/extra",
        "projects//operations/o1",
        "/operations/o1",
        "operations/",
    ] {
        let error = client.get_operation(name).await.expect_err(name);
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{name:?}: {error}");
        assert!(error.to_string().contains("matches no operations.get path"), "{error}");
        assert!(error.to_string().contains("^projects/[^/]+/operations/[^/]+$"), "{error}");
        // The poller factory refuses the same names.
        let refused = client.operation_poller(name).err().map(|e| e.kind());
        assert_eq!(refused, Some(ErrorKind::InvalidArgument), "{name:?}");
    }

    let events_client = events(&server)?;
    let error = events_client.get_operation("projects/p1/operations/o1").await.expect_err("not an events name");
    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert!(error.to_string().contains("^operations/.*$"), "{error}");

    assert_eq!(received(&server).await.len(), 0, "nothing may reach the server");
    Ok(())
}

// ---- standard parameters and credentials ------------------------------------

#[tokio::test]
async fn standard_params_become_exactly_those_query_parameters() -> TestResult {
    use discogen_runtime::prelude::*;

    let server = server_answering(done_operation("projects/p1/operations/o1")).await;
    let client = vision(&server)?;

    client
        .projects()
        .operations()
        .get("projects/p1/operations/o1")
        .fields("name,done")
        .quota_user("u")
        .pretty_print(false)
        .xgafv(discogen_runtime::params::Xgafv::V2)
        .send()
        .await?;

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1/projects/p1/operations/o1");
    assert_eq!(
        query_pairs(&request),
        pairs(&[("$.xgafv", "2"), ("fields", "name,done"), ("prettyPrint", "false"), ("quotaUser", "u")])
    );
    assert_eq!(header(&request, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    Ok(())
}

#[tokio::test]
async fn standard_param_values_cannot_inject_other_parameters() -> TestResult {
    use discogen_runtime::prelude::*;

    let server = server_answering(done_operation("operations/abc")).await;
    let client = events(&server)?;

    client
        .operations()
        .get("operations/abc")
        .quota_user("a&fields=x#frag")
        .fields("items(id, name)+more")
        .alt(discogen_runtime::params::Alt::Json)
        .xgafv(discogen_runtime::params::Xgafv::from("3"))
        .send()
        .await?;

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1beta/operations/abc");
    assert_eq!(request.url.fragment(), None);
    assert_eq!(
        query_pairs(&request),
        pairs(&[
            ("$.xgafv", "3"),
            ("alt", "json"),
            ("fields", "items(id, name)+more"),
            ("quotaUser", "a&fields=x#frag"),
        ])
    );
    Ok(())
}

#[tokio::test]
async fn an_api_key_client_sends_key_and_no_authorization() -> TestResult {
    use discogen_runtime::prelude::*;

    let server = server_answering(done_operation("operations/o1")).await;
    let client = vision_v1::Client::builder().root_url(server.uri()).api_key("AIza-test key").build()?;

    client.operations().get("operations/o1").fields("name").send().await?;

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1/operations/o1");
    assert_eq!(header(&request, "authorization"), None);
    assert_eq!(query_pairs(&request), pairs(&[("fields", "name"), ("key", "AIza-test key")]));
    Ok(())
}

// ---- build_request: no I/O ---------------------------------------------------

/// Not a tokio test on purpose: building needs no runtime and no network.
#[test]
fn build_request_does_no_io_and_gives_method_and_url() -> TestResult {
    use discogen_runtime::prelude::*;

    // Nothing listens there, and nothing has to.
    let client =
        vision_v1::Client::builder().root_url("https://vision.example.invalid/base").bearer_token(TOKEN).build()?;

    let request = client.projects().operations().get("projects/p1/operations/o1").build_request()?;
    assert_eq!(request.method(), "GET");
    assert_eq!(request.uri().to_string(), "https://vision.example.invalid/base/v1/projects/p1/operations/o1");
    assert!(request.body().is_empty());
    // Credentials are added by `send`, not by building.
    assert!(request.headers().get("authorization").is_none());

    let with_params =
        client.locations().operations().get("locations/eu/operations/o2").fields("done").build_request()?;
    assert_eq!(
        with_params.uri().to_string(),
        "https://vision.example.invalid/base/v1/locations/eu/operations/o2?fields=done"
    );

    // The API's own root URL when none is given.
    let default_root = vision_v1::Client::builder().build()?;
    let request = default_root.operations().get("operations/o3").build_request()?;
    assert_eq!(request.uri().to_string(), format!("{}v1/operations/o3", vision_v1::ROOT_URL));

    let events_client = workspaceevents_v1beta::Client::builder().build()?;
    let request = events_client.operations().get("operations/abc").build_request()?;
    assert_eq!(request.uri().to_string(), "https://workspaceevents.googleapis.com/v1beta/operations/abc");

    // Refusal happens while building, too.
    let refused = client.projects().operations().get("other/x").build_request().err().map(|e| e.kind());
    assert_eq!(refused, Some(ErrorKind::InvalidArgument));
    Ok(())
}

// ---- errors --------------------------------------------------------------------

fn google_error(code: u16, status: &str, message: &str, reason: &str) -> Value {
    json!({
        "error": {
            "code": code,
            "message": message,
            "status": status,
            "details": [{
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "vision.googleapis.com"},
            }],
        },
    })
}

#[tokio::test]
async fn not_found_decodes_google_error_body() -> TestResult {
    let body = google_error(404, "NOT_FOUND", "Operation projects/p1/operations/o1 not found.", "OPERATION_MISSING");
    let server = server_with(ResponseTemplate::new(404).set_body_json(body)).await;

    let error =
        vision(&server)?.projects().operations().get("projects/p1/operations/o1").send().await.expect_err("404");

    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    assert!(!error.is_transient());
    let status = error.status().expect("the error body is decoded");
    assert_eq!(status.code, 404);
    assert_eq!(status.message, "Operation projects/p1/operations/o1 not found.");
    assert_eq!(status.status.as_deref(), Some("NOT_FOUND"));
    assert_eq!(status.code_enum(), Code::NotFound);
    let details = status.typed_details();
    assert_eq!(details.len(), 1);
    match &details[0] {
        Detail::ErrorInfo(info) => {
            assert_eq!(info.reason, "OPERATION_MISSING");
            assert_eq!(info.domain, "googleapis.com");
            assert_eq!(info.metadata.get("service").map(String::as_str), Some("vision.googleapis.com"));
        }
        other => panic!("expected an ErrorInfo detail, got {other:?}"),
    }

    // The API's `Status` is the runtime's: the same object, no conversion.
    let typed: vision_v1::model::Status = error.status_as().expect("fits the generated Status");
    assert_eq!(typed.code, 404);
    assert_eq!(typed.message, "Operation projects/p1/operations/o1 not found.");
    assert_eq!(typed.status.as_deref(), Some("NOT_FOUND"));
    assert_eq!(typed.details.len(), 1);
    assert!(matches!(typed.typed_details().as_slice(), [Detail::ErrorInfo(_)]));
    assert_eq!(Some(&typed), error.status());

    let shown = error.to_string();
    assert!(shown.contains("404"), "{shown}");
    assert!(shown.contains("NOT_FOUND"), "{shown}");
    assert!(shown.contains("Operation projects/p1/operations/o1 not found."), "{shown}");
    assert!(!shown.contains(TOKEN) && !format!("{error:?}").contains(TOKEN), "no credential in the error");
    assert_eq!(received(&server).await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn permission_denied_decodes_google_error_body() -> TestResult {
    let body =
        google_error(403, "PERMISSION_DENIED", "The caller may not read this operation.", "IAM_PERMISSION_DENIED");
    let server = server_with(ResponseTemplate::new(403).set_body_json(body)).await;

    let error = events(&server)?.operations().get("operations/abc").send().await.expect_err("403");

    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(403));
    let status = error.status().expect("the error body is decoded");
    assert_eq!(status.code_enum(), Code::PermissionDenied);
    assert_eq!(status.message, "The caller may not read this operation.");
    assert!(matches!(
        status.typed_details().as_slice(),
        [Detail::ErrorInfo(info)] if info.reason == "IAM_PERMISSION_DENIED"
    ));
    let typed: workspaceevents_v1beta::model::Status = error.status_as().expect("fits the generated Status");
    assert_eq!(typed.code, 403, "the REST body carries the HTTP code");
    assert_eq!(typed.code_enum(), Code::PermissionDenied, "`status` names the canonical code");
    assert_eq!(error.body_excerpt(), None, "a decoded error body needs no excerpt");
    Ok(())
}

#[tokio::test]
async fn server_error_with_html_body_keeps_an_excerpt() -> TestResult {
    let html = "<html><head><title>500 Internal Server Error</title></head><body>Backend exploded</body></html>";
    let server =
        server_with(ResponseTemplate::new(500).set_body_raw(html.as_bytes().to_vec(), "text/html; charset=utf-8"))
            .await;

    // Sent once: a 500 is retried by default, and this test looks at one answer.
    let client = vision_v1::Client::builder().root_url(server.uri()).retry_policy(RetryPolicy::never()).build()?;
    let error = client.operations().get("operations/o1").send().await.expect_err("500");

    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(500));
    assert!(error.status().is_none());
    assert!(error.status_as::<vision_v1::model::Status>().is_none());
    let excerpt = error.body_excerpt().expect("an excerpt of the HTML");
    assert!(excerpt.contains("Backend exploded"), "{excerpt}");
    assert!(error.is_transient());
    assert!(error.to_string().contains("500"), "{error}");
    Ok(())
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_an_excerpt() -> TestResult {
    let body = r#"{"name": "operations/abc", "done": tru"#;
    let server =
        server_with(ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json")).await;

    let error = events(&server)?.operations().get("operations/abc").send().await.expect_err("bad JSON");

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.body_excerpt(), Some(body));
    assert!(error.to_string().contains("line 1"), "serde's position is kept: {error}");
    Ok(())
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_decode_error() -> TestResult {
    let server = server_answering(json!({"name": "operations/abc", "done": "yes"})).await;

    let error = events(&server)?.operations().get("operations/abc").send().await.expect_err("wrong type");

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.body_excerpt().is_some_and(|e| e.contains("\"yes\"")), "{error:?}");
    Ok(())
}

#[tokio::test]
async fn an_empty_body_is_a_decode_error() -> TestResult {
    let server = server_with(ResponseTemplate::new(200)).await;

    let error = vision(&server)?.operations().get("operations/o1").send().await.expect_err("empty body");

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(200));
    assert!(error.to_string().contains("empty"), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_gives_a_timeout() -> TestResult {
    let server = server_with(
        ResponseTemplate::new(200).set_body_json(done_operation("operations/o1")).set_delay(Duration::from_secs(3)),
    )
    .await;
    let client = vision_v1::Client::builder()
        .root_url(server.uri())
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::never())
        .build()?;

    let started = std::time::Instant::now();
    let error = client.operations().get("operations/o1").send().await.expect_err("too slow");

    assert_eq!(error.kind(), ErrorKind::Timeout, "{error:?}");
    assert!(error.is_transient());
    // A timer never fires early, so this lower bound cannot flake.
    assert!(started.elapsed() >= Duration::from_millis(200));
    Ok(())
}

#[tokio::test]
async fn a_name_that_breaks_the_pattern_is_refused_before_sending() -> TestResult {
    let server = server_answering(done_operation("x")).await;
    let client = vision(&server)?;
    const PATTERN: &str = "^projects/[^/]+/operations/[^/]+$";

    for name in ["projects/p1/operations/o1/../x", "other/x", "projects/p1/operations/", "projects/p1/operations/o1/"] {
        let error = client.projects().operations().get(name).send().await.expect_err(name);
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{name:?}");
        let shown = error.to_string();
        assert!(shown.contains(&format!("{name:?}")), "the value is named: {shown}");
        assert!(shown.contains(PATTERN), "the pattern is named: {shown}");
        assert!(shown.contains("\"name\""), "the parameter is named: {shown}");
    }
    assert_eq!(received(&server).await.len(), 0, "nothing may reach the server");
    Ok(())
}

// ---- path encoding -----------------------------------------------------------------

/// Sends `name` through the Workspace Events get (its pattern admits
/// anything after `operations/`) and returns the path and query that
/// arrived.
async fn events_path_of(name: &str) -> Result<(String, Option<String>), Box<dyn std::error::Error>> {
    let server = server_answering(done_operation("operations/x")).await;
    let client = events(&server)?;

    // What is built and what arrives must agree.
    let built = client.operations().get(name).build_request()?;
    assert_eq!(built.uri().query(), None, "{name:?} built a query: {}", built.uri());
    assert!(!built.uri().to_string().contains('#'), "{name:?} built a fragment: {}", built.uri());

    client.operations().get(name).send().await?;
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), built.uri().path());
    assert_eq!(request.url.fragment(), None);
    Ok((request.url.path().to_owned(), request.url.query().map(str::to_owned)))
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_on_the_wire() -> TestResult {
    let cases = [
        ("operations/a b", "/v1beta/operations/a%20b"),
        ("operations/50%", "/v1beta/operations/50%25"),
        ("operations/%2e%2e", "/v1beta/operations/%252e%252e"),
        ("operations/a?b=c", "/v1beta/operations/a%3Fb%3Dc"),
        ("operations/a#frag", "/v1beta/operations/a%23frag"),
        ("operations/?", "/v1beta/operations/%3F"),
        ("operations/日本", "/v1beta/operations/%E6%97%A5%E6%9C%AC"),
        ("operations/é", "/v1beta/operations/%C3%A9"),
        ("operations/a\rb", "/v1beta/operations/a%0Db"),
        ("operations/a\tb", "/v1beta/operations/a%09b"),
        // fullyEncodeReservedExpansion: reserved characters other than `/` are encoded.
        ("operations/a:b@c,d+e", "/v1beta/operations/a%3Ab%40c%2Cd%2Be"),
        ("operations/x/y", "/v1beta/operations/x/y"),
        ("operations/a..b", "/v1beta/operations/a..b"),
    ];
    for (name, expected) in cases {
        let (path, query) = events_path_of(name).await?;
        assert_eq!(path, expected, "{name:?}");
        assert_eq!(query, None, "{name:?} must not create a query");
    }
    Ok(())
}

#[tokio::test]
async fn query_and_fragment_characters_stay_in_a_vision_path() -> TestResult {
    use discogen_runtime::prelude::*;

    let server = server_answering(done_operation("x")).await;
    let client = vision(&server)?;

    // `[^/]+` admits `?`, `#` and `&`; they must stay inside the segment.
    client.projects().operations().get("projects/p?x=1/operations/o#f&key=stolen").fields("name").send().await?;

    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1/projects/p%3Fx%3D1/operations/o%23f%26key%3Dstolen");
    assert_eq!(query_pairs(&request), pairs(&[("fields", "name")]));
    assert_eq!(request.url.fragment(), None);
    Ok(())
}

#[tokio::test]
async fn unsafe_names_are_refused_without_a_request() -> TestResult {
    let server = server_answering(done_operation("x")).await;
    let events_client = events(&server)?;
    let vision_client = vision(&server)?;

    // `.` in the pattern does not match a line feed, and dot segments could
    // climb out of the template.
    let refused_by_events =
        ["operations/a\nb", "operations/a\r\nb", "operations/..", "operations/a/../../admin", "operations/./x"];
    for name in refused_by_events {
        let error = events_client.operations().get(name).send().await.expect_err(name);
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{name:?}: {error}");
        let built = events_client.operations().get(name).build_request().err().map(|e| e.kind());
        assert_eq!(built, Some(ErrorKind::InvalidArgument), "{name:?}");
    }

    for name in ["projects/../operations/o1", "projects/p1/operations/..", "projects/./operations/o1"] {
        let error = vision_client.projects().operations().get(name).send().await.expect_err(name);
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{name:?}: {error}");
        let error = vision_client.get_operation(name).await.expect_err(name);
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{name:?}: {error}");
    }

    assert_eq!(received(&server).await.len(), 0, "nothing may reach the server");
    Ok(())
}

#[tokio::test]
async fn an_encoded_name_round_trips_through_the_operation() -> TestResult {
    // The server echoes the decoded name; the client must not alter it.
    let name = "operations/a b/é?#%";
    let server = server_answering(done_operation(name)).await;

    let op = events(&server)?.get_operation(name).await?;

    assert_eq!(op.name.as_deref(), Some(name));
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1beta/operations/a%20b/%C3%A9%3F%23%25");
    let metadata: BTreeMap<String, Value> = op.metadata.unwrap_or_default();
    assert_eq!(metadata.get("state"), Some(&json!("DONE")));
    Ok(())
}

// ---- transport edges -------------------------------------------------------------

#[tokio::test]
async fn a_redirect_is_not_followed() -> TestResult {
    let server = MockServer::start().await;
    let elsewhere = format!("{}/v1/operations/elsewhere", server.uri());
    Mock::given(path("/v1/operations/o1"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", elsewhere.as_str()))
        .mount(&server)
        .await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(done_operation("x"))).mount(&server).await;

    let error = vision(&server)?.operations().get("operations/o1").send().await.expect_err("302");

    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(302));
    let request = only_request(&server).await;
    assert_eq!(request.url.path(), "/v1/operations/o1", "the token is never carried to the redirect target");
    Ok(())
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_refused() -> TestResult {
    let mut big = done_operation("operations/o1");
    big["padding"] = json!("x".repeat(4096));
    let server = server_answering(big).await;
    let client =
        vision_v1::Client::builder().root_url(server.uri()).bearer_token(TOKEN).max_response_bytes(1024).build()?;

    let error = client.operations().get("operations/o1").send().await.expect_err("too big");

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("1024"), "{error}");
    Ok(())
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_refused_without_a_request() -> TestResult {
    let server = server_answering(done_operation("operations/o1")).await;
    let client = vision_v1::Client::builder().root_url(server.uri()).bearer_token("tok\r\nX-Injected: 1").build()?;

    let error = client.operations().get("operations/o1").send().await.expect_err("bad token");

    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(!format!("{error} {error:?}").contains("X-Injected"), "the token is not echoed: {error:?}");
    assert_eq!(received(&server).await.len(), 0, "nothing may reach the server");
    Ok(())
}

#[tokio::test]
async fn a_call_builder_can_set_its_own_retry_policy() -> TestResult {
    use discogen_runtime::prelude::*;
    let server = server_with(ResponseTemplate::new(503).set_body_json(google_error(
        503,
        "UNAVAILABLE",
        "try later",
        "backendError",
    )))
    .await;
    let client = vision(&server)?;

    let once = client.operations().get("operations/o1").retry_policy(RetryPolicy::never()).send().await;
    assert_eq!(once.expect_err("503").http_status().map(|s| s.as_u16()), Some(503));
    assert_eq!(received(&server).await.len(), 1, "sent once");

    let quick =
        RetryPolicy::new().max_attempts(3).initial_delay(Duration::from_millis(1)).max_delay(Duration::from_millis(5));
    client.operations().get("operations/o1").retry_policy(quick).send().await.expect_err("503 each time");
    assert_eq!(received(&server).await.len(), 4, "three more attempts");
    Ok(())
}
