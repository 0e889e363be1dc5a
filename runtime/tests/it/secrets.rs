//! Credentials never show up in traces, errors or `Debug` output, whatever
//! the server sends back.
//!
//! `tests/integration/secrets.rs` already checks the `Debug` of the
//! credential types, the builder and client, and errors from a server that
//! echoes the request into a Google error body, an HTML page and a body that
//! is not JSON. This file adds:
//!
//! - every tracing span and event the client and the poller emit, captured
//!   by a small hand-written subscriber that formats every field, during
//!   successful and failing requests with a bearer token and with an API key;
//! - echoes the existing tests do not cover: a secret quoted by serde's own
//!   message (kept as the error's `source`), a secret cut in half by the end
//!   of the body excerpt, a percent-encoded API key, a key the call set
//!   itself, and the errors of a poll loop that runs out of time;
//! - with the `adc` feature, the service account and user flows: the
//!   access token they fetch, and what they send the token endpoint (the
//!   signed assertion, the refresh token, the client secret), even when the
//!   endpoint quotes it back in a refusal; and the external accounts:
//!   subject tokens, STS tokens, AWS keys, session tokens and signatures,
//!   URL source headers, workforce refresh tokens, even when a refusal
//!   quotes the signed AWS request decoded.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use discogen_runtime::auth::{AccessToken, TokenFuture, TokenProvider};
use discogen_runtime::http::Method;
use discogen_runtime::lro::{DeadlineExceeded, Jitter, PollPolicy, Poller};
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::retry::RetryPolicy;
use discogen_runtime::{Client, ClientBuilder, Error};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::common;
use common::{get, Api, Operation};

const TOKEN: &str = "ya29.TOKEN-s3cr3t-abc123";
/// Characters that get percent-encoded in a query, to catch the encoded form too.
const API_KEY: &str = "AIzaKEY s3cr3t/xyz+789=";
const SCOPES: &[&str] = &["https://www.googleapis.com/auth/cloud-platform"];

// ---- capturing traces ----------------------------------------------------------

/// A subscriber that writes every span (name, target and fields, also those
/// recorded later) and every event (with all its fields) as text.
#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    fn text(&self) -> String {
        self.text.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
    fn push(&self, line: String) {
        let mut text = self.text.lock().unwrap_or_else(PoisonError::into_inner);
        text.push_str(&line);
        text.push('\n');
    }
}

/// Formats each field with `Debug`, which also carries `%display` fields.
struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={value}", field.name());
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let _ = write!(self.0, " {}={value} / {value:?}", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields(String::new());
        span.record(&mut fields);
        self.push(format!("span {} {}{}", span.metadata().target(), span.metadata().name(), fields.0));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut fields = Fields(String::new());
        values.record(&mut fields);
        self.push(format!("record{}", fields.0));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.push(format!("event {} {}{}", event.metadata().level(), event.metadata().target(), fields.0));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

// ---- checks --------------------------------------------------------------------

/// Every form of a secret that would give it away: as is, percent-encoded,
/// and any 8 characters of it in a row (a secret cut short is still a leak).
fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string()];
    let encoded: String = secret
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    out.push(encoded);
    let chars: Vec<char> = secret.chars().collect();
    out.extend(chars.windows(8).map(|w| w.iter().collect::<String>()));
    out
}

fn assert_clean(label: &str, text: &str) {
    for secret in [TOKEN, API_KEY] {
        for form in forms(secret) {
            assert!(!text.contains(&form), "{label} leaks {form:?}:\n{text}");
        }
    }
}

fn assert_error_clean(label: &str, error: &Error) {
    for text in crate::common::error_texts(error) {
        assert_clean(label, &text);
    }
}

// ---- the echoing server --------------------------------------------------------------

/// What the server sent back, with `{echo}` replaced by everything the
/// request carried: the URL (with the key) and the Authorization header.
fn echo(request: &Request) -> String {
    let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    format!("url={} auth={auth}", request.url)
}

/// Routes by the last path segment, each a different way to leak.
fn respond(request: &Request) -> ResponseTemplate {
    let echo = echo(request);
    let route = request.url.path().rsplit('/').next().unwrap_or("").to_string();
    match route.as_str() {
        "ok" => ResponseTemplate::new(200).set_body_json(json!({"name": "operations/x", "done": true})),
        "google-error" => ResponseTemplate::new(400).set_body_json(json!({"error": {
            "code": 400, "message": echo, "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": echo, "metadata": {echo.clone(): echo}}]
        }})),
        "html" => ResponseTemplate::new(503).set_body_raw(format!("<h1>down</h1>{echo}"), "text/html"),
        // A secret that straddles the end of the 512-character body excerpt.
        "cut-token" => {
            let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
            let token = auth.trim_start_matches("Bearer ");
            ResponseTemplate::new(500).set_body_raw(format!("{}{token}", "x".repeat(512 - 10)), "text/plain")
        }
        "cut-key" => {
            let key = request.url.query_pairs().find(|(k, _)| k == "key").map(|(_, v)| v.into_owned()).unwrap_or_default();
            ResponseTemplate::new(500).set_body_raw(format!("{}{key}", "x".repeat(512 - 10)), "text/plain")
        }
        // serde quotes the string in its "invalid type" message.
        "wrong-type" => ResponseTemplate::new(200).set_body_json(json!(echo)),
        "wrong-field" => ResponseTemplate::new(200).set_body_json(json!({"name": "x", "done": echo})),
        "not-json" => ResponseTemplate::new(200).set_body_raw(format!("{echo} not json"), "text/plain"),
        "redirect" => ResponseTemplate::new(302).insert_header("location", format!("https://elsewhere.invalid/?{echo}")),
        "slow" => ResponseTemplate::new(200).set_body_string(echo).set_delay(Duration::from_secs(5)),
        "pending" => ResponseTemplate::new(200).set_body_json(json!({"name": echo, "done": false, "metadata": {"echo": echo}})),
        "retry" => ResponseTemplate::new(503)
            .insert_header("retry-after", "0")
            .set_body_json(json!({"error": {"code": 503, "message": echo, "status": "UNAVAILABLE"}})),
        _ => ResponseTemplate::new(404).set_body_string(echo),
    }
}

async fn echoing_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(respond).mount(&server).await;
    server
}

const ROUTES: &[&str] = &[
    "ok",
    "google-error",
    "html",
    "cut-token",
    "cut-key",
    "wrong-type",
    "wrong-field",
    "not-json",
    "redirect",
    "missing",
];

/// Sends one request per route with every `execute_*` flavour and checks
/// each error; returns how many requests failed.
async fn exercise(client: &Client) -> usize {
    let mut failures = 0;
    for route in ROUTES {
        let results = [
            client.execute(get(client, route), SCOPES).await.map(|_| ()),
            client.execute_json::<Operation>(get(client, route), SCOPES).await.map(|_| ()),
            client.execute_json::<u32>(get(client, route), SCOPES).await.map(|_| ()),
            client.execute_empty(get(client, route), SCOPES).await,
            client.execute_bytes(get(client, route), SCOPES).await.map(|_| ()),
        ];
        for result in results {
            if let Err(error) = result {
                failures += 1;
                assert_error_clean(&format!("route {route}"), &error);
            }
        }
    }
    failures
}

fn clients(server: &MockServer) -> Vec<(&'static str, Client)> {
    // One attempt per call: the errors are what matter here, and retrying
    // every timeout and refused connection would take a minute.
    let base = || {
        ClientBuilder::<Api>::new()
            .root_url(server.uri())
            .timeout(Duration::from_millis(300))
            .retry_policy(RetryPolicy::never())
    };
    vec![
        ("bearer token", base().bearer_token(TOKEN).build().map(|Api(c)| c).expect("client")),
        ("API key", base().api_key(API_KEY).build().map(|Api(c)| c).expect("client")),
        ("both", base().bearer_token(TOKEN).api_key(API_KEY).build().map(|Api(c)| c).expect("client")),
    ]
}

#[tokio::test]
async fn nothing_traced_or_returned_carries_a_credential() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = echoing_server().await;
    for (label, client) in clients(&server) {
        let failures = exercise(&client).await;
        assert!(failures >= 30, "{label}: only {failures} requests failed; the routes are not exercised");
        // Timeouts and refused connections too.
        let err = client.execute(get(&client, "slow"), SCOPES).await.expect_err("times out");
        assert_error_clean(&format!("{label} timeout"), &err);
        assert_clean(label, &format!("{client:?} {client:#?}"));
    }
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let refused = ClientBuilder::<Api>::new()
        .root_url(format!("http://127.0.0.1:{closed}"))
        .retry_policy(RetryPolicy::never())
        .bearer_token(TOKEN)
        .api_key(API_KEY)
        .build()
        .map(|Api(c)| c)
        .expect("client");
    let err = refused.execute(get(&refused, "x"), SCOPES).await.expect_err("refused");
    assert_error_clean("connection refused", &err);

    let traced = capture.text();
    // The subscriber did see the client at work, failures included.
    assert!(traced.contains("discogen.request"), "{traced}");
    assert!(traced.contains("request failed"), "{traced}");
    assert!(traced.contains("status=400"), "{traced}");
    assert_clean("the trace", &traced);
}

#[tokio::test]
async fn polls_that_fail_retry_and_time_out_leak_nothing() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = echoing_server().await;
    for (label, client) in clients(&server) {
        for route in ["pending", "retry", "google-error", "wrong-field", "slow"] {
            let builder_client = client.clone();
            let poller = Poller::<Operation>::new(client.clone(), SCOPES, move || {
                RequestBuilder::new(&builder_client, Method::GET, route).build()
            })
            .policy(
                PollPolicy::default()
                    .initial_delay(Duration::from_millis(5))
                    .max_delay(Duration::from_millis(10))
                    .jitter(Jitter::None)
                    .transient_retries(2)
                    .deadline(Duration::from_millis(400)),
            );
            assert_clean(label, &format!("{poller:?}"));
            let err = poller.wait().await.expect_err("never done");
            assert_error_clean(&format!("{label} poll {route}"), &err);
            if let Some(details) = DeadlineExceeded::<Operation>::from_error(&err) {
                assert_clean(label, &format!("{details} {details:?}"));
                // The last operation is the caller's data: it holds the echo
                // as the server sent it, which is the point of keeping it.
                assert!(details.polls() >= 1);
            }
        }
    }
    let traced = capture.text();
    assert!(traced.contains("discogen.poll"), "{traced}");
    assert!(traced.contains("will retry"), "{traced}");
    assert_clean("the poll trace", &traced);
}

#[tokio::test]
async fn a_key_the_call_sets_itself_is_scrubbed_too() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = echoing_server().await;
    let Api(client) = ClientBuilder::<Api>::new().root_url(server.uri()).build().expect("client");
    for route in ["google-error", "html", "cut-key", "wrong-type", "not-json"] {
        let mut request = RequestBuilder::new(&client, Method::GET, route);
        // As a generated call does for its `key` / `access_token` standard parameters.
        request.query("key", API_KEY);
        request.query("access_token", TOKEN);
        let err = client.execute_json::<u32>(request.build().expect("valid"), SCOPES).await.expect_err("fails");
        assert_error_clean(&format!("per-call credentials, route {route}"), &err);
    }
    assert_clean("the trace", &capture.text());
}

/// A provider whose token cannot go into a header.
struct BadToken;

impl TokenProvider for BadToken {
    fn token<'a>(&'a self, _: &'a [&'static str]) -> TokenFuture<'a> {
        Box::pin(async { Ok(AccessToken::new(format!("{TOKEN}\r\nX-Evil: 1"))) })
    }
}

#[tokio::test]
async fn a_token_that_cannot_be_sent_is_not_shown() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = echoing_server().await;
    let Api(client) =
        ClientBuilder::<Api>::new().root_url(server.uri()).token_provider(BadToken).build().expect("client");
    let err = client.execute(get(&client, "ok"), SCOPES).await.expect_err("refused before sending");
    assert_eq!(err.kind(), discogen_runtime::ErrorKind::Auth);
    assert_error_clean("bad token", &err);
    assert!(server.received_requests().await.unwrap_or_default().is_empty(), "nothing may be sent");
    assert_clean("the trace", &capture.text());
}

// ---- credential flows (feature `adc`) ----------------------------------------------

#[cfg(feature = "adc")]
use crate::jwt_check;

/// Fails if `text` holds any form of one of `secrets`.
#[cfg(feature = "adc")]
fn assert_free_of(label: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        for form in forms(secret) {
            assert!(!text.contains(&form), "{label} leaks {form:?}:\n{text}");
        }
    }
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn credential_flows_leak_nothing_they_send_or_receive() {
    use discogen_runtime::auth::{AuthorizedUser, ServiceAccount};

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    // Hands out TOKEN at /token; refuses at /refuse, quoting the whole form.
    let tokens = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            if request.url.path() == "/token" {
                ResponseTemplate::new(200).set_body_json(json!({"access_token": TOKEN, "expires_in": 3600}))
            } else {
                let form = String::from_utf8_lossy(&request.body).into_owned();
                let decoded: String =
                    url::form_urlencoded::parse(form.as_bytes()).map(|(k, v)| format!("{k}={v} ")).collect();
                ResponseTemplate::new(400)
                    .set_body_json(json!({"error": decoded, "error_description": format!("{form} {decoded}")}))
            }
        })
        .mount(&tokens)
        .await;
    let api = echoing_server().await;
    let key_file = |path: &str| {
        json!({
            "type": "service_account", "private_key_id": "key-1", "private_key": jwt_check::key_pem(),
            "client_email": "robot@p.iam.gserviceaccount.com", "token_uri": format!("{}{path}", tokens.uri()),
        })
        .to_string()
    };
    let user_file = |path: &str| {
        json!({
            "type": "authorized_user", "client_id": "id", "client_secret": "CLIENT-s3cr3t-456",
            "refresh_token": "1//REFRESH-s3cr3t-789", "token_uri": format!("{}{path}", tokens.uri()),
        })
        .to_string()
    };
    // The body of the PEM key, without its armour lines.
    let key_body: String = jwt_check::key_pem().lines().filter(|l| !l.starts_with("-----")).collect();
    let mut secrets = vec![TOKEN.to_owned(), "CLIENT-s3cr3t-456".to_owned(), "1//REFRESH-s3cr3t-789".to_owned()];
    secrets.extend(key_body.as_bytes().chunks(64).map(|c| String::from_utf8_lossy(c).into_owned()));

    for path in ["/token", "/refuse"] {
        let providers: [(&str, Client); 2] = [
            ("service account", {
                let account = ServiceAccount::from_json(&key_file(path)).expect("key");
                assert_clean("service account Debug", &format!("{account:?}"));
                let builder = ClientBuilder::<Api>::new()
                    .root_url(api.uri())
                    .timeout(Duration::from_millis(300))
                    .retry_policy(discogen_runtime::retry::RetryPolicy::never());
                builder.token_provider(account).build().map(|Api(c)| c).expect("client")
            }),
            ("user", {
                let user = AuthorizedUser::from_json(&user_file(path)).expect("user file");
                let builder = ClientBuilder::<Api>::new()
                    .root_url(api.uri())
                    .timeout(Duration::from_millis(300))
                    .retry_policy(discogen_runtime::retry::RetryPolicy::never());
                builder.token_provider(user).build().map(|Api(c)| c).expect("client")
            }),
        ];
        for (label, client) in providers {
            let failures = exercise(&client).await;
            assert!(failures >= 30, "{label}: only {failures} requests failed");
            let error = client.execute(get(&client, "ok"), SCOPES).await.err();
            assert_eq!(error.is_some(), path == "/refuse", "{label} {path}");
            if let Some(error) = error {
                let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
                for text in [error.to_string(), format!("{error:?}")] {
                    assert_free_of(label, &text, &refs);
                }
            }
        }
    }
    // The assertions the token endpoint received are secrets too.
    let sent = tokens.received_requests().await.expect("recorded");
    let assertions: Vec<String> = sent
        .iter()
        .flat_map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect::<Vec<_>>())
        .filter(|(k, _)| k == "assertion")
        .map(|(_, v)| v)
        .collect();
    assert!(assertions.len() >= 2, "both service account clients asked for tokens");
    secrets.extend(assertions);
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let traced = capture.text();
    assert!(traced.contains("discogen.request"), "{traced}");
    assert_free_of("the trace", &traced, &refs);
}

/// Plays the browser for the installed-app flow: the consent page, then
/// its redirect to the program's loopback server.
#[cfg(feature = "adc")]
fn browser(url: &str) -> std::io::Result<()> {
    use discogen_runtime::transport::{HttpTransport, Transport};
    let url = url.to_owned();
    tokio::spawn(async move {
        let transport = HttpTransport::direct();
        let get = |uri: String| discogen_runtime::http::Request::get(uri).body(discogen_runtime::Body::empty());
        let Ok(request) = get(url) else { return };
        let Ok(consent) = transport.send(request, None).await else { return };
        let Some(location) = consent.headers().get("location").and_then(|v| v.to_str().ok()) else { return };
        if let Ok(request) = get(location.to_owned()) {
            let _ = transport.send(request, None).await;
        }
    });
    Ok(())
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn installed_app_and_impersonation_leak_nothing() {
    use discogen_runtime::auth::{Impersonated, InstalledApp, StaticToken};

    const SECRET: &str = "GOCSPX-CLIENT-s3cr3t-321";
    const CODE: &str = "4/CODE-s3cr3t-111";
    const REFRESH: &str = "1//STORED-s3cr3t-222";
    const IMPERSONATED: &str = "ya29.IMPERSONATED-s3cr3t-333";

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    // /auth consents at once; /ok-token hands out tokens; /refuse-token and
    // the IAM path refuse, quoting everything they were sent.
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            let echo = || {
                let form = String::from_utf8_lossy(&request.body).into_owned();
                let decoded: String =
                    url::form_urlencoded::parse(form.as_bytes()).map(|(k, v)| format!("{k}={v} ")).collect();
                let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
                format!("{form} {decoded} {auth}")
            };
            let path = request.url.path();
            if path == "/auth" {
                let q: std::collections::HashMap<String, String> = request.url.query_pairs().into_owned().collect();
                let location = format!(
                    "{}?state={}&code={}",
                    q["redirect_uri"],
                    q["state"],
                    url::form_urlencoded::byte_serialize(CODE.as_bytes()).collect::<String>()
                );
                ResponseTemplate::new(302).insert_header("location", location.as_str())
            } else if path == "/ok-token" {
                ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": TOKEN, "expires_in": 3600, "refresh_token": REFRESH}))
            } else if path == "/refuse-token" {
                ResponseTemplate::new(400).set_body_json(json!({"error": echo(), "error_description": echo()}))
            } else if path.contains("generateAccessToken") {
                let denied = request.headers.get("authorization").is_some_and(|v| v != "Bearer good-base");
                if denied {
                    ResponseTemplate::new(403).set_body_json(
                        json!({"error": {"code": 403, "status": "PERMISSION_DENIED", "message": echo()}}),
                    )
                } else {
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"accessToken": IMPERSONATED, "expireTime": "2999-01-01T00:00:00Z"}))
                }
            } else {
                ResponseTemplate::new(404)
            }
        })
        .mount(&server)
        .await;
    let uri = server.uri();
    let store = std::env::temp_dir().join(format!("discogen-secrets-store-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&store);
    let app = |token_path: &str| {
        InstalledApp::new("desktop-id", Some(SECRET.to_owned()))
            .expect("client")
            .endpoints(&format!("{uri}/auth"), &format!("{uri}{token_path}"))
            .expect("endpoints")
            .token_store(&store)
            .opener(browser)
    };
    let mut errors = Vec::new();
    // The code exchange refused, echoing the code, the verifier and the secret.
    let refused = app("/refuse-token");
    errors.push(refused.token(SCOPES).await.expect_err("refused"));
    // A consent that succeeds, then a refresh from the store that is refused.
    let signed_in = app("/ok-token");
    assert_eq!(signed_in.token(SCOPES).await.expect("signed in").secret(), TOKEN);
    let debug = format!("{signed_in:?}");
    errors.push(app("/refuse-token").opener(|_| Ok(())).token(SCOPES).await.expect_err("refresh refused"));
    // Impersonation refused, echoing the base token; then granted.
    let base = StaticToken::new(TOKEN);
    let impersonated = Impersonated::new(base, "t@p.iam.gserviceaccount.com").unwrap().iam_root_url(&uri).unwrap();
    errors.push(impersonated.token(SCOPES).await.expect_err("denied"));
    let granted = Impersonated::new(StaticToken::new("good-base"), "t@p.iam.gserviceaccount.com")
        .unwrap()
        .iam_root_url(&uri)
        .unwrap();
    assert_eq!(granted.token(SCOPES).await.expect("granted").secret(), IMPERSONATED);
    let debug = format!("{debug} {granted:?} {impersonated:?}");

    // Every verifier the token endpoints were sent is a secret too.
    let received = server.received_requests().await.expect("recorded");
    let verifiers: Vec<String> = received
        .iter()
        .flat_map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect::<Vec<_>>())
        .filter(|(k, _)| k == "code_verifier")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(verifiers.len(), 2, "two code exchanges");
    let mut secrets = vec![SECRET, CODE, REFRESH, IMPERSONATED, TOKEN, "good-base"];
    secrets.extend(verifiers.iter().map(String::as_str));
    assert_free_of("Debug", &debug, &secrets);
    for error in &errors {
        for text in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
            assert_free_of("an error", &text, &secrets);
        }
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            assert_free_of("an error's source", &format!("{cause} {cause:?}"), &secrets);
            source = cause.source();
        }
    }
    assert!(errors[0].to_string().contains("refused the token request"), "{}", errors[0]);
    assert!(errors[2].to_string().contains("PERMISSION_DENIED"), "{}", errors[2]);
    assert_free_of("the trace", &capture.text(), &secrets);
    assert!(capture.text().contains("waiting for consent"), "{}", capture.text());
    let _ = std::fs::remove_file(&store);
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn device_codes_and_id_tokens_leak_nothing() {
    use discogen_runtime::auth::{DeviceCode, IdTokenProvider, ServiceAccount};

    const SECRET: &str = "TV-CLIENT-s3cr3t-654";
    const DEVICE: &str = "DEVICE-s3cr3t-444";
    const ID_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.IDTOKEN-s3cr3t-555.c2lnbmF0dXJl";

    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(|request: &Request| {
            let form = String::from_utf8_lossy(&request.body).into_owned();
            let decoded: String =
                url::form_urlencoded::parse(form.as_bytes()).map(|(k, v)| format!("{k}={v} ")).collect();
            let echo = format!("{form} {decoded}");
            match request.url.path() {
                "/device/code" => ResponseTemplate::new(200).set_body_json(json!({
                    "device_code": DEVICE, "user_code": "WXYZ-1234",
                    "verification_url": "https://www.google.com/device", "interval": 1,
                })),
                "/id-ok" => ResponseTemplate::new(200).set_body_json(json!({"id_token": ID_TOKEN})),
                _ => ResponseTemplate::new(400).set_body_json(json!({"error": echo, "error_description": echo})),
            }
        })
        .mount(&server)
        .await;
    let uri = server.uri();
    let mut errors = Vec::new();
    let device = DeviceCode::new("tv", Some(SECRET.to_owned()))
        .unwrap()
        .endpoints(&format!("{uri}/device/code"), &format!("{uri}/refuse"))
        .unwrap()
        .prompt(|_, _| Ok(()));
    errors.push(device.token(SCOPES).await.expect_err("the poll is refused"));
    let key_file = |path: &str| {
        json!({
            "type": "service_account", "private_key": jwt_check::key_pem(),
            "client_email": "robot@p.iam.gserviceaccount.com", "token_uri": format!("{uri}{path}"),
        })
        .to_string()
    };
    let refused = ServiceAccount::from_json(&key_file("/refuse")).unwrap();
    errors.push(refused.id_token("https://svc.example").await.expect_err("refused"));
    let granted = ServiceAccount::from_json(&key_file("/id-ok")).unwrap();
    let token = granted.id_token("https://svc.example").await.expect("an ID token");
    assert_eq!(token.secret(), ID_TOKEN);
    let debug = format!("{device:?} {granted:?} {token:?}");

    let received = server.received_requests().await.expect("recorded");
    let assertions: Vec<String> = received
        .iter()
        .flat_map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect::<Vec<_>>())
        .filter(|(k, _)| k == "assertion")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(assertions.len(), 2);
    let mut secrets = vec![SECRET, DEVICE, ID_TOKEN];
    secrets.extend(assertions.iter().map(String::as_str));
    assert_free_of("Debug", &debug, &secrets);
    for error in &errors {
        for text in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
            assert_free_of("an error", &text, &secrets);
        }
    }
    assert!(errors.iter().all(|e| e.to_string().contains("refused the token request")), "{errors:?}");
    assert_free_of("the trace", &capture.text(), &secrets);
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn external_accounts_leak_nothing() {
    let _env = crate::common::ENV_VARS.lock().await;
    use discogen_runtime::auth::{ExternalAccount, ExternalAccountAuthorizedUser};

    const SUBJECT: &str = "eyJhbGciOiJSUzI1NiJ9.SUBJECT-s3cr3t-777.c2ln";
    const URL_SUBJECT: &str = "URL-SUBJECT-s3cr3t-778";
    const IDP_KEY: &str = "IDP-KEY-s3cr3t-779";
    const STS_TOKEN: &str = "ya29.STS-s3cr3t-780";
    const CLIENT_SECRET: &str = "WORKFORCE-CLIENT-s3cr3t-781";
    const AWS_SECRET: &str = "AWS/SECRET+s3cr3t-782";
    const AWS_SESSION: &str = "AWS-SESSION/s3cr3t+783==";
    const IMDS_SESSION: &str = "IMDS-SESSION-s3cr3t-784";
    const TARGET: &str = "t@p.iam.gserviceaccount.com";
    const USER_REFRESH: &str = "1//USER-REFRESH-s3cr3t-785";
    const ROTATED: &str = "1//ROTATED-s3cr3t-786";

    for name in ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
    {
        std::env::remove_var(name);
    }
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = MockServer::start().await;
    // Refusals quote everything they were sent: the form as sent, decoded,
    // and every value decoded once more; the headers too.
    let echo = |request: &Request| {
        // Decoded twice first: quoted text is shortened, and the
        // innermost secrets are the ones a careless scrubber misses.
        let form = String::from_utf8_lossy(&request.body).into_owned();
        let mut echo = String::new();
        for (k, v) in url::form_urlencoded::parse(form.as_bytes()) {
            if k == "subject_token" {
                let twice = percent_encoding_decode(&v);
                let session = twice.split("x-amz-security-token\",\"value\":\"").nth(1).unwrap_or("");
                echo.push_str(&format!("{} {} ", &session[..session.len().min(30)], twice));
            }
        }
        for (name, value) in request.headers.iter() {
            echo.push_str(&format!(" {name}: {}", value.to_str().unwrap_or("")));
        }
        echo.push_str(&form);
        echo
    };
    Mock::given(any())
        .respond_with(move |request: &Request| {
            let refuse_oauth = || {
                let echo = echo(request);
                ResponseTemplate::new(400).set_body_json(json!({"error": echo, "error_description": echo}))
            };
            match request.url.path() {
                "/sts-refuse" => refuse_oauth(),
                "/sts-ok" => {
                    ResponseTemplate::new(200).set_body_json(json!({"access_token": STS_TOKEN, "expires_in": 3600}))
                }
                "/user-ok" => ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": STS_TOKEN, "expires_in": 3600, "refresh_token": ROTATED})),
                "/idp" => ResponseTemplate::new(200).set_body_string(URL_SUBJECT),
                "/idp-refuse" => ResponseTemplate::new(403).set_body_string(echo(request)),
                "/imds/token" => ResponseTemplate::new(200).set_body_string(IMDS_SESSION),
                "/imds/az" => ResponseTemplate::new(200).set_body_string("us-east-1a"),
                "/imds/creds" => ResponseTemplate::new(200).set_body_string("role"),
                "/imds/creds/role" => ResponseTemplate::new(200).set_body_json(json!({
                    "AccessKeyId": "ASIAKEYID", "SecretAccessKey": AWS_SECRET, "Token": AWS_SESSION,
                })),
                "/imds/refuse" => ResponseTemplate::new(401).set_body_string(echo(request)),
                path if path.ends_with(":generateAccessToken") => ResponseTemplate::new(403).set_body_json(
                    json!({"error": {"code": 403, "status": "PERMISSION_DENIED", "message": echo(request)}}),
                ),
                _ => ResponseTemplate::new(404),
            }
        })
        .mount(&server)
        .await;
    let uri = server.uri();
    let dir = std::env::temp_dir().join(format!("discogen-secrets-external-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let token_file = dir.join("token");
    std::fs::write(&token_file, SUBJECT).unwrap();
    let account = |sts: &str, source: serde_json::Value, extra: serde_json::Value| {
        let mut file = json!({
            "type": "external_account",
            "audience": "//iam.googleapis.com/locations/global/workforcePools/p/providers/x",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": format!("{uri}{sts}"),
            "credential_source": source,
        });
        file.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        ExternalAccount::from_json(&file.to_string()).expect("a usable file")
    };
    let file_source = json!({"file": token_file});
    let mut errors = Vec::new();
    let mut debug = String::new();

    // The exchange refused, with and without client authentication.
    errors.push(account("/sts-refuse", file_source.clone(), json!({})).token(SCOPES).await.expect_err("refused"));
    let with_client = account(
        "/sts-refuse",
        file_source.clone(),
        json!({"client_id": "workforce-id", "client_secret": CLIENT_SECRET}),
    );
    errors.push(with_client.token(SCOPES).await.expect_err("refused"));
    debug.push_str(&format!("{with_client:?}"));
    // Granted; then impersonation refused, echoing the STS token.
    let granted = account("/sts-ok", file_source.clone(), json!({}));
    let token = granted.token(SCOPES).await.expect("granted");
    assert_eq!(token.secret(), STS_TOKEN);
    let impersonating = account(
        "/sts-ok",
        file_source.clone(),
        json!({"service_account_impersonation_url":
               format!("{uri}/v1/projects/-/serviceAccounts/{TARGET}:generateAccessToken")}),
    );
    errors.push(impersonating.token(SCOPES).await.expect_err("denied"));
    debug.push_str(&format!(" {granted:?} {token:?} {impersonating:?}"));
    // A URL source with a secret header: refused, and then its token refused.
    let headers = json!({"x-idp-key": IDP_KEY});
    let url_refused = account("/sts-ok", json!({"url": format!("{uri}/idp-refuse"), "headers": headers}), json!({}));
    errors.push(url_refused.token(SCOPES).await.expect_err("the URL refuses"));
    let url_source = account("/sts-refuse", json!({"url": format!("{uri}/idp"), "headers": headers}), json!({}));
    errors.push(url_source.token(SCOPES).await.expect_err("the STS refuses"));
    debug.push_str(&format!(" {url_refused:?} {url_source:?}"));
    // AWS through IMDSv2: the signed request refused; a metadata refusal.
    let aws = |region_path: &str| {
        json!({
            "environment_id": "aws1",
            "region_url": format!("{uri}{region_path}"),
            "url": format!("{uri}/imds/creds"),
            "regional_cred_verification_url": "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
            "imdsv2_session_token_url": format!("{uri}/imds/token"),
        })
    };
    let aws_account = account("/sts-refuse", aws("/imds/az"), json!({}));
    errors.push(aws_account.token(SCOPES).await.expect_err("refused"));
    errors.push(account("/sts-ok", aws("/imds/refuse"), json!({})).token(SCOPES).await.expect_err("no region"));
    debug.push_str(&format!(" {aws_account:?}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::env::set_var("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1");
        let ok = format!(
            r#"echo '{{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"{SUBJECT}"}}'"#
        );
        for (name, body) in
            [("ok.sh", ok.clone()), ("fails.sh", format!("{ok}; exit 1")), ("bad.sh", format!("echo {SUBJECT}"))]
        {
            let program = dir.join(name);
            std::fs::write(&program, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
            let executable = account("/sts-refuse", json!({"executable": {"command": program}}), json!({}));
            errors.push(executable.token(SCOPES).await.expect_err("refused or failed"));
        }
        std::env::remove_var("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES");
    }

    // A workforce user's refresh refused, echoing its refresh token and Basic header.
    let user_file = |path: &str| {
        json!({
            "type": "external_account_authorized_user", "audience": "//iam.googleapis.com/locations/global/workforcePools/p/providers/x",
            "client_id": "pool-id", "client_secret": CLIENT_SECRET, "refresh_token": USER_REFRESH,
            "token_url": format!("{uri}{path}"),
        })
        .to_string()
    };
    let user = ExternalAccountAuthorizedUser::from_json(&user_file("/sts-refuse")).unwrap();
    let user_error = user.token(SCOPES).await.expect_err("refused");
    assert!(user_error.to_string().contains("refused the token request"), "{user_error}");
    errors.push(user_error);
    let rotating = ExternalAccountAuthorizedUser::from_json(&user_file("/user-ok")).unwrap();
    assert_eq!(rotating.token(SCOPES).await.expect("granted").secret(), STS_TOKEN);
    debug.push_str(&format!(" {user:?} {rotating:?}"));

    // What the AWS subject token carried: its signature among the secrets.
    let received = server.received_requests().await.expect("recorded");
    let signatures: Vec<String> = received
        .iter()
        .flat_map(|r| url::form_urlencoded::parse(&r.body).into_owned().collect::<Vec<_>>())
        .filter(|(k, _)| k == "subject_token")
        .map(|(_, v)| percent_encoding_decode(&v))
        .filter_map(|json| json.split("Signature=").nth(1).map(|s| s[..64].to_owned()))
        .collect();
    assert_eq!(signatures.len(), 1, "one signed AWS request");
    let mut secrets =
        vec![SUBJECT, URL_SUBJECT, IDP_KEY, STS_TOKEN, CLIENT_SECRET, AWS_SECRET, AWS_SESSION, IMDS_SESSION];
    secrets.extend(signatures.iter().map(String::as_str));
    assert_free_of("Debug", &debug, &secrets);
    for error in &errors {
        for text in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
            assert_free_of("an error", &text, &secrets);
        }
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            assert_free_of("an error's source", &format!("{cause} {cause:?}"), &secrets);
            source = cause.source();
        }
    }
    assert!(errors[0].to_string().contains("security token service refused"), "{}", errors[0]);
    assert!(errors[2].to_string().contains("PERMISSION_DENIED"), "{}", errors[2]);
    assert!(errors[3].to_string().contains("answered HTTP 403"), "{}", errors[3]);
    assert!(errors[6].to_string().contains("answered HTTP 401"), "{}", errors[6]);
    #[cfg(unix)]
    {
        assert!(errors[7].to_string().contains("security token service refused"), "{}", errors[7]);
        assert!(errors[8].to_string().contains("failed (exit status: 1)"), "{}", errors[8]);
        assert!(errors[9].to_string().contains("is not JSON"), "{}", errors[9]);
    }
    assert_free_of("the trace", &capture.text(), &secrets);
    assert!(capture.text().contains("exchanging a subject token"), "{}", capture.text());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Percent-decoding, as a server that decodes a value once more would.
#[cfg(feature = "adc")]
fn percent_encoding_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("v={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
