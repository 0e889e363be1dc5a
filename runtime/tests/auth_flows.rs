//! Every credential flow, run against token endpoints and a metadata server
//! on loopback: what the client sends them (the JWT's claims and signature,
//! the refresh form, the Metadata-Flavor header, the scopes), the token it
//! then puts on API calls, caching per scope set, refreshing before expiry,
//! and one refresh and retry after a 401.

mod common;
mod jwt_check;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{get, Api, Operation};
use discogen_runtime::auth::{AuthorizedUser, MetadataServer, ServiceAccount, TokenProvider};
use discogen_runtime::{ClientBuilder, ErrorKind};
use jwt_check::{key_pem, verified_claims};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

// In sorted order: that is the order the client sends them in.
const SCOPES: &[&str] = &["https://example.test/read", "https://www.googleapis.com/auth/cloud-platform"];
const REVERSED: &[&str] = &["https://www.googleapis.com/auth/cloud-platform", "https://example.test/read"];
const OTHER_SCOPES: &[&str] = &["https://example.test/write"];

fn service_account_json(token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": "key-1",
        "private_key": key_pem(),
        "client_email": "robot@test-project.iam.gserviceaccount.com",
        "client_id": "1234",
        "token_uri": token_uri,
        "quota_project_id": "billed-project",
    })
    .to_string()
}

/// The fields of an `application/x-www-form-urlencoded` body.
fn form(request: &Request) -> Vec<(String, String)> {
    url::form_urlencoded::parse(&request.body).into_owned().collect()
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A token endpoint that hands out `token-1`, `token-2`, ... valid for
/// `lifetime` seconds, and counts the requests.
async fn token_server(lifetime: u64) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "access_token": format!("token-{n}"), "expires_in": lifetime, "token_type": "Bearer"
            }))
        })
        .mount(&server)
        .await;
    (server, issued)
}

/// An API server that answers `GET /v1/operations/x` for any bearer token
/// in `accepted`, and 401 otherwise.
async fn api_server(accepted: &'static [&'static str]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/operations/x"))
        .respond_with(move |request: &Request| {
            let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
            if accepted.iter().any(|token| auth == format!("Bearer {token}")) {
                ResponseTemplate::new(200).set_body_json(json!({"name": "operations/x", "done": true}))
            } else {
                ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}))
            }
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn service_account_jwt_is_signed_and_its_token_reaches_the_api() {
    let (tokens, issued) = token_server(3600).await;
    let api = api_server(&["token-1", "token-2"]).await;
    let token_uri = format!("{}/token", tokens.uri());
    let account = ServiceAccount::from_json(&service_account_json(&token_uri)).expect("a usable key");
    assert_eq!(account.quota_project(), Some("billed-project"));
    let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();

    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let op: Operation = client.execute_json(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
    assert_eq!(op.name.as_deref(), Some("operations/x"));
    // The same scopes in another order share the cached token.
    client.execute_json::<Operation>(get(&client, "operations/x"), REVERSED).await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 1, "one token for one scope set");

    let requests = tokens.received_requests().await.unwrap();
    let sent = form(&requests[0]);
    assert_eq!(field(&sent, "grant_type"), Some("urn:ietf:params:oauth:grant-type:jwt-bearer"));
    let claims = verified_claims(field(&sent, "assertion").expect("an assertion"));
    assert_eq!(claims["iss"], "robot@test-project.iam.gserviceaccount.com");
    assert_eq!(claims["aud"], token_uri);
    assert_eq!(claims["scope"], SCOPES.join(" "));
    let iat = claims["iat"].as_u64().unwrap();
    assert!(iat >= before && iat <= before + 60, "iat {iat} is now ({before})");
    assert_eq!(claims["exp"].as_u64().unwrap(), iat + 3600);

    let calls = api.received_requests().await.unwrap();
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.headers["authorization"], "Bearer token-1");
        // The key file's quota project and the identification header.
        assert_eq!(call.headers["x-goog-user-project"], "billed-project");
        assert_eq!(call.headers["x-goog-api-client"], discogen_runtime::client::API_CLIENT);
    }

    // Another scope set gets a token of its own.
    client.execute_json::<Operation>(get(&client, "operations/x"), OTHER_SCOPES).await.unwrap();
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let requests = tokens.received_requests().await.unwrap();
    let claims = verified_claims(field(&form(&requests[1]), "assertion").unwrap());
    assert_eq!(claims["scope"], OTHER_SCOPES[0]);
}

#[tokio::test]
async fn a_token_is_replaced_before_it_expires() {
    // Valid for 2 s, so replaced after 1 s (half its life).
    let (tokens, issued) = token_server(2).await;
    let account = ServiceAccount::from_json(&service_account_json(&format!("{}/token", tokens.uri()))).unwrap();
    assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-1");
    assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-2", "refreshed before expiry");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_401_gets_one_new_token_and_one_retry() {
    let (tokens, issued) = token_server(3600).await;
    // token-1 is refused, as if revoked; token-2 is accepted.
    let api = api_server(&["token-2"]).await;
    let account = ServiceAccount::from_json(&service_account_json(&format!("{}/token", tokens.uri()))).unwrap();
    let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the retry succeeds");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let auths: Vec<_> =
        api.received_requests().await.unwrap().iter().map(|r| r.headers["authorization"].clone()).collect();
    assert_eq!(auths, ["Bearer token-1", "Bearer token-2"]);

    // When every token is refused, the call fails after one retry.
    let never = api_server(&[]).await;
    let Api(client) = ClientBuilder::<Api>::new()
        .root_url(never.uri())
        .token_provider(ServiceAccount::from_json(&service_account_json(&format!("{}/token", tokens.uri()))).unwrap())
        .build()
        .unwrap();
    let error = client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.unwrap_err();
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(401));
    assert_eq!(never.received_requests().await.unwrap().len(), 2);

    // A fixed token cannot be replaced, so there is no retry.
    let Api(client) = ClientBuilder::<Api>::new().root_url(never.uri()).bearer_token("fixed").build().unwrap();
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.unwrap_err();
    assert_eq!(never.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn authorized_user_sends_its_refresh_token() {
    let (tokens, _) = token_server(3600).await;
    let api = api_server(&["token-1"]).await;
    let file = json!({
        "type": "authorized_user",
        "client_id": "client.apps.googleusercontent.com",
        "client_secret": "client-secret",
        "refresh_token": "1//refresh",
        "token_uri": format!("{}/token", tokens.uri()),
    });
    let user = AuthorizedUser::from_json(&file.to_string()).unwrap();
    let Api(client) =
        ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(user).quota_project("my-quota").build().unwrap();
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");

    let sent = form(&tokens.received_requests().await.unwrap()[0]);
    assert_eq!(field(&sent, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&sent, "client_id"), Some("client.apps.googleusercontent.com"));
    assert_eq!(field(&sent, "client_secret"), Some("client-secret"));
    assert_eq!(field(&sent, "refresh_token"), Some("1//refresh"));
    let call = &api.received_requests().await.unwrap()[0];
    assert_eq!(call.headers["authorization"], "Bearer token-1");
    assert_eq!(call.headers["x-goog-user-project"], "my-quota");
}

#[tokio::test]
async fn metadata_server_is_asked_with_its_header_and_the_scopes() {
    let metadata = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/computeMetadata/v1/instance/service-accounts/default/token"))
        .and(header("metadata-flavor", "Google"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "token-1", "expires_in": 3599})))
        .expect(1)
        .mount(&metadata)
        .await;
    let api = api_server(&["token-1"]).await;
    let host = metadata.uri().trim_start_matches("http://").to_owned();
    let server = MetadataServer::with_host(&host).unwrap();
    let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(server).build().unwrap();
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
    client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("cached");

    let asked = &metadata.received_requests().await.unwrap()[0];
    let scopes = asked.url.query_pairs().find(|(k, _)| k == "scopes").map(|(_, v)| v.into_owned());
    assert_eq!(scopes.as_deref(), Some(SCOPES.join(",").as_str()));
    assert!(api.received_requests().await.unwrap().iter().all(|r| r.headers["authorization"] == "Bearer token-1"));
}

#[tokio::test]
async fn refusals_and_bad_files_are_clear_errors() {
    let refusing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant", "error_description": "Invalid JWT Signature."
        })))
        .mount(&refusing)
        .await;
    let account = ServiceAccount::from_json(&service_account_json(&format!("{}/token", refusing.uri()))).unwrap();
    let error = account.token(SCOPES).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Auth);
    let message = error.to_string();
    assert!(message.contains("invalid_grant") && message.contains("Invalid JWT Signature."), "{message}");

    let not_a_key =
        service_account_json("https://oauth2.googleapis.com/token").replace("BEGIN PRIVATE KEY", "BEGIN NOTHING");
    let message = ServiceAccount::from_json(&not_a_key).unwrap_err().to_string();
    assert!(message.contains("`private_key`") && message.contains("not an RSA private key"), "{message}");
    let insecure = service_account_json("http://example.com/token");
    assert!(ServiceAccount::from_json(&insecure).unwrap_err().to_string().contains("`token_uri`"));
    let user_file = json!({"type": "authorized_user", "client_id": "a", "client_secret": "b"}).to_string();
    assert!(ServiceAccount::from_json(&user_file).unwrap_err().to_string().contains("not a service account key"));
    assert!(AuthorizedUser::from_json(&user_file).unwrap_err().to_string().contains("no `refresh_token`"));
}
