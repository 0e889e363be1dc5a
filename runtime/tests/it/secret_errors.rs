//! No Display or Debug output may contain a token or an API key.

use discogen_runtime::auth::{AccessToken, Credentials, StaticToken};
use discogen_runtime::http::Method;
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::serde_json::{json, Value};
use discogen_runtime::{ClientBuilder, Error};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::client::{TestApi, SCOPES};

const TOKEN: &str = "ya29.SECRET-TOKEN-abc123";
const API_KEY: &str = "AIzaSECRET-KEY-xyz789";

fn assert_clean(label: &str, text: &str) {
    for secret in [TOKEN, API_KEY, "SECRET"] {
        assert!(!text.contains(secret), "{label} leaks {secret}: {text}");
    }
}

fn assert_error_clean(label: &str, error: &Error) {
    for text in crate::common::error_texts(error) {
        assert_clean(label, &text);
    }
}

#[test]
fn credential_types_hide_secrets() {
    assert_eq!(format!("{:?}", AccessToken::new(TOKEN)), "AccessToken(****)");
    assert_clean("StaticToken", &format!("{:?}", StaticToken::new(TOKEN)));
    let both = Credentials::bearer(TOKEN).with_api_key(API_KEY);
    assert_clean("Credentials", &format!("{both:?}"));
    assert_clean("Credentials", &format!("{both:#?}"));
}

#[test]
fn builder_client_and_request_hide_secrets() {
    let builder = ClientBuilder::<TestApi>::new().bearer_token(TOKEN).api_key(API_KEY);
    assert_clean("ClientBuilder", &format!("{builder:?}"));
    let api = builder.build().expect("client");
    assert_clean("Client", &format!("{:?}", api.client));
    assert_clean("Client", &format!("{:#?}", api.client));

    // Even a caller who puts credentials in by hand does not see them printed.
    let mut request = RequestBuilder::new(&api.client, Method::GET, "x");
    request.query("key", API_KEY);
    request.query("access_token", TOKEN);
    request.header(
        discogen_runtime::http::header::AUTHORIZATION,
        discogen_runtime::http::HeaderValue::from_static("Bearer ya29.SECRET-TOKEN-abc123"),
    );
    assert_clean("RequestBuilder", &format!("{request:?}"));
}

/// A server that echoes every credential it receives back in its error.
#[tokio::test]
async fn errors_from_an_echoing_server_hide_secrets() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            let echo = format!("url={} auth={:?}", request.url, request.headers.get("authorization"));
            let body = json!({"error": {
                "code": 400,
                "message": echo,
                "status": "INVALID_ARGUMENT",
                "details": [{"@type": "x", "echo": echo}],
                "debug": {"echo": echo}
            }});
            if request.url.path().ends_with("/html") {
                ResponseTemplate::new(500).set_body_string(echo)
            } else if request.url.path().ends_with("/ok") {
                ResponseTemplate::new(200).set_body_string(format!("not json {echo}"))
            } else {
                ResponseTemplate::new(400).set_body_json(body)
            }
        })
        .mount(&server)
        .await;

    let api = ClientBuilder::<TestApi>::new()
        .root_url(server.uri())
        .bearer_token(TOKEN)
        .api_key(API_KEY)
        .build()
        .expect("client");
    let get = |path: &str| RequestBuilder::new(&api.client, Method::GET, path).build().expect("valid");

    let err = api.client.execute(get("json"), SCOPES).await.expect_err("400");
    assert!(err.status().is_some_and(|s| s.message.contains("[REDACTED]")));
    assert_error_clean("JSON error", &err);

    let err = api.client.execute(get("html"), SCOPES).await.expect_err("500");
    assert!(err.body_excerpt().is_some_and(|b| b.contains("[REDACTED]")));
    assert_error_clean("HTML error", &err);

    let err = api.client.execute_json::<Value>(get("ok"), SCOPES).await.expect_err("decode error");
    assert_error_clean("decode error", &err);
}

#[tokio::test]
async fn transport_errors_hide_the_key_in_the_url() {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    let api = ClientBuilder::<TestApi>::new()
        .root_url(format!("http://127.0.0.1:{port}"))
        .bearer_token(TOKEN)
        .api_key(API_KEY)
        .build()
        .expect("client");
    let request = RequestBuilder::new(&api.client, Method::GET, "x").build().expect("valid");
    let err = api.client.execute(request, SCOPES).await.expect_err("refused");
    assert_error_clean("transport error", &err);
}

/// A secret is cut out of text only where it stands as a token of its own:
/// a one-letter bearer token must not turn "could not connect" into
/// "could no[REDACTED] connec[REDACTED]", and is still hidden where a
/// server echoes it.
#[tokio::test]
async fn a_short_token_is_hidden_only_as_a_whole_token() {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port");
    let api = ClientBuilder::<TestApi>::new()
        .root_url(format!("http://127.0.0.1:{port}/"))
        .bearer_token("t")
        .build()
        .expect("client");
    let request = RequestBuilder::new(&api.client, Method::GET, "x").build().expect("valid");
    let err = api.client.execute(request, SCOPES).await.expect_err("nothing listens");
    assert!(err.to_string().contains("could not connect"), "{err}");
    for text in crate::common::error_texts(&err) {
        assert!(!text.contains("[REDACTED]"), "text mangled: {text}");
    }

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let token = auth.strip_prefix("Bearer ").unwrap_or_default();
            ResponseTemplate::new(400).set_body_json(json!({"error": {
                "code": 400,
                "message": format!("the token {token} is not valid: it has expired"),
                "status": "INVALID_ARGUMENT"
            }}))
        })
        .mount(&server)
        .await;
    let api = ClientBuilder::<TestApi>::new().root_url(server.uri()).bearer_token("t").build().expect("client");
    let request = RequestBuilder::new(&api.client, Method::GET, "x").build().expect("valid");
    let err = api.client.execute(request, SCOPES).await.expect_err("400");
    assert_eq!(err.status().map(|s| s.message.as_str()), Some("the token [REDACTED] is not valid: it has expired"));
}
