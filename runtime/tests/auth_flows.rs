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

// ---- the installed-app flow ------------------------------------------------------

mod installed_app {
    use std::collections::{HashMap, HashSet};
    use std::path::PathBuf;
    use std::sync::Mutex;

    use base64::Engine as _;
    use discogen_runtime::auth::InstalledApp;
    use discogen_runtime::http;
    use discogen_runtime::transport::{HttpTransport, Transport};
    use rsa::sha2::{Digest as _, Sha256};

    use super::*;

    const CLIENT_ID: &str = "desktop.apps.googleusercontent.com";
    const CLIENT_SECRET: &str = "GOCSPX-desktop";

    /// An authorization server: `/auth` is the consent page (which consents
    /// at once and redirects with a code), `/token` the token endpoint. It
    /// checks what RFC 6749 and RFC 7636 ask: the redirect URI is loopback
    /// and the same at both ends, the challenge is S256 of the verifier, a
    /// code is used once, the client is who it says.
    pub(super) struct AuthServer {
        pub(super) server: MockServer,
        pub(super) consents: Arc<AtomicUsize>,
        pub(super) refreshes: Arc<AtomicUsize>,
        revoked: Arc<Mutex<HashSet<String>>>,
    }

    /// A code handed out: its challenge, redirect URI and scope.
    type Grant = (String, String, String);

    fn query(request: &Request) -> HashMap<String, String> {
        request.url.query_pairs().into_owned().collect()
    }

    fn refuse(why: &str) -> ResponseTemplate {
        ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_request", "error_description": why}))
    }

    impl AuthServer {
        pub(super) async fn start() -> Self {
            let server = MockServer::start().await;
            let consents = Arc::new(AtomicUsize::new(0));
            let refreshes = Arc::new(AtomicUsize::new(0));
            let revoked = Arc::new(Mutex::new(HashSet::new()));
            let grants: Arc<Mutex<HashMap<String, Grant>>> = Arc::default();

            let (count, pending) = (consents.clone(), grants.clone());
            Mock::given(method("GET"))
                .and(path("/auth"))
                .respond_with(move |request: &Request| {
                    let q = query(request);
                    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
                    let redirect = get("redirect_uri");
                    let loopback = redirect.starts_with("http://127.0.0.1:") && redirect.ends_with('/');
                    if get("response_type") != "code"
                        || get("client_id") != CLIENT_ID
                        || get("code_challenge_method") != "S256"
                        || get("code_challenge").len() != 43
                        || get("state").is_empty()
                        || get("scope").is_empty()
                        || !loopback
                    {
                        return refuse(&format!("bad consent request {q:?}"));
                    }
                    let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                    let code = format!("4/code-{n}");
                    pending
                        .lock()
                        .unwrap()
                        .insert(code.clone(), (get("code_challenge"), redirect.clone(), get("scope")));
                    let location =
                        format!("{redirect}?state={}&code={}&scope=x", get("state"), code.replace('/', "%2F"));
                    ResponseTemplate::new(302).insert_header("location", location.as_str())
                })
                .mount(&server)
                .await;

            let (refreshed, gone) = (refreshes.clone(), revoked.clone());
            let issued = Arc::new(AtomicUsize::new(0));
            Mock::given(method("POST"))
                .and(path("/token"))
                .respond_with(move |request: &Request| {
                    let sent = form(request);
                    if field(&sent, "client_id") != Some(CLIENT_ID)
                        || field(&sent, "client_secret") != Some(CLIENT_SECRET)
                    {
                        return ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"}));
                    }
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    match field(&sent, "grant_type") {
                        Some("authorization_code") => {
                            let code = field(&sent, "code").unwrap_or_default();
                            let Some((challenge, redirect, _)) = grants.lock().unwrap().remove(code) else {
                                return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}));
                            };
                            let verifier = field(&sent, "code_verifier").unwrap_or_default();
                            let hashed =
                                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
                            if !(43..=128).contains(&verifier.len()) || hashed != challenge {
                                return refuse("PKCE verification failed");
                            }
                            if field(&sent, "redirect_uri") != Some(redirect.as_str()) {
                                return refuse("redirect_uri mismatch");
                            }
                            ResponseTemplate::new(200).set_body_json(json!({
                                "access_token": format!("user-token-{n}"), "expires_in": 3599,
                                "refresh_token": format!("1//refresh-{n}"), "token_type": "Bearer",
                            }))
                        }
                        Some("refresh_token") => {
                            let token = field(&sent, "refresh_token").unwrap_or_default();
                            if !token.starts_with("1//refresh-") || gone.lock().unwrap().contains(token) {
                                return ResponseTemplate::new(400).set_body_json(json!({
                                    "error": "invalid_grant", "error_description": "Token has been expired or revoked."
                                }));
                            }
                            refreshed.fetch_add(1, Ordering::SeqCst);
                            ResponseTemplate::new(200)
                                .set_body_json(json!({"access_token": format!("user-token-{n}"), "expires_in": 3599}))
                        }
                        _ => refuse("unknown grant"),
                    }
                })
                .mount(&server)
                .await;
            Self { server, consents, refreshes, revoked }
        }

        pub(super) fn revoke(&self, refresh_token: &str) {
            self.revoked.lock().unwrap().insert(refresh_token.to_owned());
        }

        pub(super) fn app(&self) -> InstalledApp {
            let uri = self.server.uri();
            InstalledApp::new(CLIENT_ID, Some(CLIENT_SECRET.to_owned()))
                .unwrap()
                .endpoints(&format!("{uri}/auth"), &format!("{uri}/token"))
                .unwrap()
        }
    }

    /// Plays the person's browser: loads the consent URL, follows the
    /// redirect to the program's loopback server, and returns that page.
    pub(super) async fn browse(url: String) -> String {
        let transport = HttpTransport::direct();
        let get = |uri: String| http::Request::get(uri).body(discogen_runtime::Body::empty()).unwrap();
        let consent = transport.send(get(url), None).await.expect("the consent page answers");
        assert_eq!(consent.status(), 302, "the authorization server accepted the consent request");
        let location = consent.headers()["location"].to_str().unwrap().to_owned();
        let page = transport.send(get(location), None).await.expect("the redirect server answers");
        String::from_utf8_lossy(&page.into_body().collect().await.unwrap()).into_owned()
    }

    /// An opener that browses in the background and records the pages.
    pub(super) fn browser(pages: Arc<Mutex<Vec<String>>>) -> impl Fn(&str) -> std::io::Result<()> + Send + Sync {
        move |url: &str| {
            let (url, pages) = (url.to_owned(), pages.clone());
            tokio::spawn(async move {
                let page = browse(url).await;
                pages.lock().unwrap().push(page);
            });
            Ok(())
        }
    }

    pub(super) fn no_browser(url: &str) -> std::io::Result<()> {
        panic!("no consent was expected, but the opener got {url}");
    }

    pub(super) fn temp_store(name: &str) -> PathBuf {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        std::env::temp_dir().join(format!("discogen-{name}-{}-{nanos}.json", std::process::id()))
    }

    #[tokio::test]
    async fn consent_once_then_later_runs_refresh_from_the_store() {
        let auth = AuthServer::start().await;
        let api = api_server(&["user-token-1", "user-token-2", "user-token-3"]).await;
        let store = temp_store("consent-once");
        let pages = Arc::new(Mutex::new(Vec::new()));

        let app = auth.app().token_store(&store).opener(browser(pages.clone()));
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(app).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("signed in");
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the token is cached");
        assert_eq!(auth.consents.load(Ordering::SeqCst), 1);
        assert!(pages.lock().unwrap()[0].contains("Signed in"), "{:?}", pages.lock().unwrap());
        let text = std::fs::read_to_string(&store).unwrap();
        assert!(text.contains("1//refresh-1") && text.contains(CLIENT_ID), "the store keeps the refresh token");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&store).unwrap().permissions().mode() & 0o777, 0o600);
        }

        // The next run: no browser, a refresh.
        let app = auth.app().token_store(&store).opener(no_browser);
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(app).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("refreshed");
        assert_eq!((auth.consents.load(Ordering::SeqCst), auth.refreshes.load(Ordering::SeqCst)), (1, 1));
        let auths: Vec<_> =
            api.received_requests().await.unwrap().iter().map(|r| r.headers["authorization"].clone()).collect();
        assert_eq!(auths, ["Bearer user-token-1", "Bearer user-token-1", "Bearer user-token-2"]);

        // Another scope set is another consent, and another entry.
        let app = auth.app().token_store(&store).opener(browser(pages.clone()));
        app.token(OTHER_SCOPES).await.expect("a second consent");
        assert_eq!(auth.consents.load(Ordering::SeqCst), 2);
        let text = std::fs::read_to_string(&store).unwrap();
        assert!(text.contains("1//refresh-1") && text.contains("1//refresh-3"), "{text}");
        std::fs::remove_file(&store).unwrap();
    }

    #[tokio::test]
    async fn a_revoked_refresh_token_means_consent_again() {
        let auth = AuthServer::start().await;
        let store = temp_store("revoked");
        let pages = Arc::new(Mutex::new(Vec::new()));
        auth.app().token_store(&store).opener(browser(pages.clone())).token(SCOPES).await.unwrap();
        auth.revoke("1//refresh-1");

        let app = auth.app().token_store(&store).opener(browser(pages.clone()));
        assert_eq!(app.token(SCOPES).await.unwrap().secret(), "user-token-3", "after a refused refresh (token 2)");
        assert_eq!(auth.consents.load(Ordering::SeqCst), 2);
        let text = std::fs::read_to_string(&store).unwrap();
        assert!(
            !text.contains("1//refresh-1") && text.contains("1//refresh-3"),
            "the revoked token is replaced: {text}"
        );
        std::fs::remove_file(&store).unwrap();
    }

    #[tokio::test]
    async fn a_consent_that_never_comes_times_out_and_stores_nothing() {
        let auth = AuthServer::start().await;
        let store = temp_store("timeout");
        let app = auth.app().token_store(&store).opener(|_| Ok(())).consent_timeout(Duration::from_millis(300));
        let error = app.token(SCOPES).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout);
        assert!(error.to_string().contains("no consent arrived within 300ms"), "{error}");
        assert!(!store.exists(), "nothing is written");

        // An opener that fails ends the flow at once.
        let app = auth.app().opener(|_| Err(std::io::Error::other("no display")));
        let error = app.token(SCOPES).await.unwrap_err();
        assert!(error.to_string().contains("could not be opened"), "{error}");
    }

    #[tokio::test]
    async fn a_refused_consent_and_a_forged_redirect_are_told_apart() {
        let auth = AuthServer::start().await;
        let pages = Arc::new(Mutex::new(Vec::new()));
        let seen = pages.clone();
        // A forged redirect (another state) is turned away; then the person declines.
        let app = auth.app().opener(move |url: &str| {
            let consent = url::Url::parse(url).unwrap();
            let q: HashMap<_, _> = consent.query_pairs().into_owned().collect();
            let (redirect, state) = (q["redirect_uri"].clone(), q["state"].clone());
            let seen = seen.clone();
            tokio::spawn(async move {
                let transport = HttpTransport::direct();
                for uri in [
                    format!("{redirect}favicon.ico"),
                    format!("{redirect}?state=forged&code=4%2Fstolen"),
                    format!("{redirect}?state={state}&error=access_denied"),
                ] {
                    let request = http::Request::get(uri).body(discogen_runtime::Body::empty()).unwrap();
                    let page = transport.send(request, None).await.unwrap();
                    seen.lock().unwrap().push(page.status().as_u16().to_string());
                }
            });
            Ok(())
        });
        let error = app.token(SCOPES).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
        assert!(error.to_string().contains("\"access_denied\""), "{error}");
        assert_eq!(auth.consents.load(Ordering::SeqCst), 0);
        // Let the browser task record the last answer.
        for _ in 0..50 {
            if pages.lock().unwrap().len() == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(*pages.lock().unwrap(), ["404", "400", "200"]);
    }

    #[tokio::test]
    async fn a_corrupt_or_readable_store_is_refused_and_left_alone() {
        let auth = AuthServer::start().await;
        let store = temp_store("corrupt");
        std::fs::write(&store, "{\"version\": 1, \"tokens\": [{\"refresh_token\": \"1//SECRET-in-store").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let app = auth.app().token_store(&store).opener(no_browser);
        let message = app.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("is corrupt (not valid JSON") && message.contains("remove it"), "{message}");
        assert!(!message.contains("SECRET"), "{message}");
        assert!(std::fs::read_to_string(&store).unwrap().contains("SECRET-in-store"), "left as it was");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::write(&store, r#"{"version": 1, "tokens": []}"#).unwrap();
            std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o644)).unwrap();
            let app = auth.app().token_store(&store).opener(no_browser);
            let message = app.token(SCOPES).await.unwrap_err().to_string();
            assert!(message.contains("mode 644") && message.contains("chmod 600"), "{message}");
        }
        std::fs::remove_file(&store).unwrap();
        assert_eq!(auth.consents.load(Ordering::SeqCst), 0);
    }
}

// ---- impersonation ---------------------------------------------------------------

mod impersonation {
    use discogen_runtime::auth::{ApplicationDefault, Impersonated};
    use discogen_runtime::wire::Timestamp;

    use super::installed_app::temp_store;
    use super::*;

    /// One change that breaks a file.
    type Change = dyn Fn(&mut serde_json::Value);

    const TARGET: &str = "target@p.iam.gserviceaccount.com";
    const IAM_PATH: &str = "/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken";

    /// An IAM Credentials service that hands out `impersonated-N` to callers
    /// with a base token from `token_server`, and 403 to others.
    async fn iam_server() -> MockServer {
        let server = MockServer::start().await;
        let issued = Arc::new(AtomicUsize::new(0));
        Mock::given(method("POST"))
            .and(path(IAM_PATH))
            .respond_with(move |request: &Request| {
                let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
                if !auth.starts_with("Bearer token-") {
                    return ResponseTemplate::new(403).set_body_json(json!({"error": {
                        "code": 403, "status": "PERMISSION_DENIED",
                        "message": format!("Permission 'iam.serviceAccounts.getAccessToken' denied ({auth})"),
                    }}));
                }
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
                let expiry = Timestamp::from_unix(now + 3600, 0).unwrap().to_string();
                ResponseTemplate::new(200)
                    .set_body_json(json!({"accessToken": format!("impersonated-{n}"), "expireTime": expiry}))
            })
            .mount(&server)
            .await;
        server
    }

    fn user_json(token_uri: &str) -> serde_json::Value {
        json!({
            "type": "authorized_user", "client_id": "id", "client_secret": "secret",
            "refresh_token": "1//refresh", "token_uri": token_uri,
        })
    }

    #[tokio::test]
    async fn impersonation_from_code_sends_delegates_scopes_and_lifetime() {
        let (tokens, _) = token_server(3600).await;
        let iam = iam_server().await;
        let api = api_server(&["impersonated-1"]).await;
        let user = AuthorizedUser::from_json(&user_json(&format!("{}/token", tokens.uri())).to_string()).unwrap();
        let impersonated = Impersonated::new(user, TARGET)
            .unwrap()
            .delegates([
                "first@p.iam.gserviceaccount.com",
                "projects/-/serviceAccounts/second@p.iam.gserviceaccount.com",
            ])
            .lifetime(Duration::from_secs(1800))
            .unwrap()
            .iam_root_url(&iam.uri())
            .unwrap();
        assert_eq!(impersonated.target_principal(), TARGET);
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(impersonated).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("cached");

        let asked = iam.received_requests().await.unwrap();
        assert_eq!(asked.len(), 1, "one impersonated token for one scope set");
        assert_eq!(asked[0].headers["authorization"], "Bearer token-1");
        let body: serde_json::Value = serde_json::from_slice(&asked[0].body).unwrap();
        assert_eq!(
            body,
            json!({
                "delegates": ["projects/-/serviceAccounts/first@p.iam.gserviceaccount.com",
                              "projects/-/serviceAccounts/second@p.iam.gserviceaccount.com"],
                "scope": SCOPES, "lifetime": "1800s",
            })
        );
        // The base credential is asked for cloud-platform, whatever the call's scopes.
        assert_eq!(field(&form(&tokens.received_requests().await.unwrap()[0]), "grant_type"), Some("refresh_token"));
        let calls = api.received_requests().await.unwrap();
        assert!(calls.iter().all(|c| c.headers["authorization"] == "Bearer impersonated-1"));
    }

    #[tokio::test]
    async fn impersonated_service_account_files_work_through_adc() {
        let (tokens, _) = token_server(3600).await;
        let iam = iam_server().await;
        let api = api_server(&["impersonated-1"]).await;
        let file = json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": format!("{}{IAM_PATH}", iam.uri()),
            "delegates": ["middle@p.iam.gserviceaccount.com"],
            "source_credentials": user_json(&format!("{}/token", tokens.uri())),
            "quota_project_id": "billed",
        });
        let path = temp_store("impersonated-adc");
        std::fs::write(&path, file.to_string()).unwrap();
        let adc = ApplicationDefault::from_file(&path).expect("an impersonation file");
        std::fs::remove_file(&path).unwrap();
        assert_eq!(adc.quota_project(), Some("billed"));
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(adc).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        let body: serde_json::Value = serde_json::from_slice(&iam.received_requests().await.unwrap()[0].body).unwrap();
        assert_eq!(body["delegates"], json!(["projects/-/serviceAccounts/middle@p.iam.gserviceaccount.com"]));
        assert_eq!(api.received_requests().await.unwrap()[0].headers["x-goog-user-project"], "billed");
    }

    #[tokio::test]
    async fn a_refusal_and_bad_files_are_clear_errors() {
        // The IAM service refuses a base token it does not know, quoting it.
        let iam = iam_server().await;
        let base = discogen_runtime::auth::StaticToken::new("ya29.unknown-base");
        let impersonated = Impersonated::new(base, TARGET).unwrap().iam_root_url(&iam.uri()).unwrap();
        let error = impersonated.token(SCOPES).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
        let message = error.to_string();
        assert!(message.contains("PERMISSION_DENIED") && message.contains(TARGET), "{message}");
        assert!(!message.contains("unknown-base"), "{message}");

        assert!(Impersonated::new(discogen_runtime::auth::StaticToken::new("t"), "not an email").is_err());
        let too_long = Impersonated::new(discogen_runtime::auth::StaticToken::new("t"), TARGET)
            .unwrap()
            .lifetime(Duration::from_secs(13 * 3600));
        assert!(too_long.unwrap_err().to_string().contains("at most 43200 s"));

        let good = json!({
            "type": "impersonated_service_account",
            "service_account_impersonation_url": format!("https://iamcredentials.googleapis.com{IAM_PATH}"),
            "source_credentials": user_json("https://oauth2.googleapis.com/token"),
        });
        assert!(Impersonated::from_json(&good.to_string()).is_ok());
        let broken = |change: &dyn Fn(&mut serde_json::Value)| {
            let mut file = good.clone();
            change(&mut file);
            Impersonated::from_json(&file.to_string()).unwrap_err().to_string()
        };
        let cases: [(&str, &Change); 8] = [
            ("no `service_account_impersonation_url`", &|f| {
                drop(f.as_object_mut().unwrap().remove("service_account_impersonation_url"))
            }),
            ("`service_account_impersonation_url` that is not a string", &|f| {
                f["service_account_impersonation_url"] = json!(5)
            }),
            ("plain http is only allowed", &|f| {
                f["service_account_impersonation_url"] = json!(format!("http://example.com{IAM_PATH}"))
            }),
            ("does not end in", &|f| {
                f["service_account_impersonation_url"] = json!("https://iamcredentials.googleapis.com/v1/x")
            }),
            ("no `source_credentials` object", &|f| drop(f.as_object_mut().unwrap().remove("source_credentials"))),
            ("`delegates` that is not a list of strings", &|f| f["delegates"] = json!([1])),
            ("cannot be impersonated from here", &|f| f["source_credentials"]["type"] = json!("external_account")),
            ("no `refresh_token`", &|f| drop(f["source_credentials"].as_object_mut().unwrap().remove("refresh_token"))),
        ];
        for (expected, change) in cases {
            let message = broken(change);
            assert!(message.contains(expected), "{expected:?} not in {message}");
            assert!(!message.contains("1//refresh"), "{message}");
        }
        let unknown = json!({"type": "workload_magic"}).to_string();
        let path = temp_store("unknown-type");
        std::fs::write(&path, unknown).unwrap();
        let message = ApplicationDefault::from_file(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert!(message.contains("\"workload_magic\"") && message.contains("not supported"), "{message}");
    }
}

// ---- universe domains ------------------------------------------------------------

mod universe {
    use discogen_runtime::{Client, Service};

    use super::*;

    /// A service whose default root is under googleapis.com.
    struct Drive(Client);

    impl Service for Drive {
        const ROOT_URL: &'static str = "https://www.googleapis.com/";
        const SERVICE_PATH: &'static str = "drive/v3/";
        fn from_client(client: Client) -> Self {
            Drive(client)
        }
    }

    fn key_in(universe: &str, token_uri: &str) -> String {
        let mut file: serde_json::Value = serde_json::from_str(&service_account_json(token_uri)).unwrap();
        file["universe_domain"] = json!(universe);
        file.to_string()
    }

    #[tokio::test]
    async fn endpoints_move_to_the_universe_and_other_universes_are_refused() {
        let (tokens, issued) = token_server(3600).await;
        let api = api_server(&["token-1"]).await;
        let token_uri = format!("{}/token", tokens.uri());

        // The default root moves to the client's universe; a root set by hand stays.
        let Drive(client) = ClientBuilder::<Drive>::new().universe_domain("tpc.example").build().unwrap();
        assert_eq!(client.root_url(), "https://www.tpc.example/");
        let Drive(client) = ClientBuilder::<Drive>::new().build().unwrap();
        assert_eq!(client.root_url(), "https://www.googleapis.com/");

        // A key from another universe: the client is not built, nothing is sent.
        let account = ServiceAccount::from_json(&key_in("tpc.example", &token_uri)).unwrap();
        assert_eq!(account.universe_domain(), Some("tpc.example"));
        let error = ClientBuilder::<Drive>::new().token_provider(account).build().map(|_| ()).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
        let message = error.to_string();
        assert!(message.contains("universe domain googleapis.com") && message.contains("for tpc.example"), "{message}");
        let plain = ServiceAccount::from_json(&service_account_json(&token_uri)).unwrap();
        let error = ClientBuilder::<Drive>::new().universe_domain("tpc.example").token_provider(plain).build();
        assert!(error.map(|_| ()).unwrap_err().to_string().contains("credentials are for googleapis.com"));
        assert_eq!(issued.load(Ordering::SeqCst), 0, "no token was asked for");

        // The same key in a client of its universe works end to end.
        let account = ServiceAccount::from_json(&key_in("tpc.example", &token_uri)).unwrap();
        let Api(client) = ClientBuilder::<Api>::new()
            .universe_domain("tpc.example")
            .root_url(api.uri())
            .token_provider(account)
            .build()
            .unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");

        // An unusable universe is refused, in the client and in a key file.
        let error = ClientBuilder::<Drive>::new().universe_domain("").build().map(|_| ()).unwrap_err();
        assert!(error.to_string().contains("universe domain is empty"), "{error}");
        let message = ServiceAccount::from_json(&key_in("not a domain", &token_uri)).unwrap_err().to_string();
        assert!(message.contains("`universe_domain` that is not a domain name"), "{message}");
    }
}

// ---- refreshing without stalling -------------------------------------------------

/// `token_server`, answering each request after `delay`.
async fn slow_token_server(lifetime: u64, delay: Duration) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = issued.clone();
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |_: &Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": format!("token-{n}"), "expires_in": lifetime}))
                .set_delay(delay)
        })
        .mount(&server)
        .await;
    (server, issued)
}

#[tokio::test]
async fn concurrent_calls_share_one_fetch() {
    let (tokens, issued) = slow_token_server(3600, Duration::from_millis(300)).await;
    let account =
        Arc::new(ServiceAccount::from_json(&service_account_json(&format!("{}/token", tokens.uri()))).unwrap());
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let account = account.clone();
            let scopes = if i % 2 == 0 { SCOPES } else { REVERSED };
            tokio::spawn(async move { account.token(scopes).await.map(|t| t.secret().to_owned()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), "token-1");
    }
    assert_eq!(issued.load(Ordering::SeqCst), 1, "twenty calls, one fetch");
}

#[tokio::test]
async fn a_valid_token_is_not_held_up_by_its_early_refresh() {
    // Valid for 4 s, so refreshed after 2 s; each fetch takes 1 s.
    let (tokens, issued) = slow_token_server(4, Duration::from_secs(1)).await;
    let account =
        Arc::new(ServiceAccount::from_json(&service_account_json(&format!("{}/token", tokens.uri()))).unwrap());
    assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-1");
    tokio::time::sleep(Duration::from_millis(2100)).await;

    // The first call past the refresh time fetches; the others carry on.
    let refresher = {
        let account = account.clone();
        tokio::spawn(async move { account.token(SCOPES).await.map(|t| t.secret().to_owned()) })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    for _ in 0..5 {
        assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-1", "the old token is still valid");
    }
    assert!(started.elapsed() < Duration::from_millis(500), "not stalled: {:?}", started.elapsed());
    assert_eq!(refresher.await.unwrap().unwrap(), "token-2");
    assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-2");
    assert_eq!(issued.load(Ordering::SeqCst), 2);
}

// ---- ID tokens --------------------------------------------------------------------

mod id_tokens {
    use discogen_runtime::auth::{IdTokenProvider, Impersonated};
    use wiremock::matchers::query_param;

    use super::*;

    const AUDIENCE: &str = "https://svc.example";
    const SA_JWT: &str =
        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3N2Yy5leGFtcGxlIiwiZXhwIjo0MTAyNDQ0ODAwLCJzdWIiOiJzYSJ9.c2ln";
    const MD_JWT: &str =
        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3N2Yy5leGFtcGxlIiwiZXhwIjo0MTAyNDQ0ODAwLCJzdWIiOiJtZCJ9.c2ln";
    const IMP_JWT: &str =
        "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3N2Yy5leGFtcGxlIiwiZXhwIjo0MTAyNDQ0ODAwLCJzdWIiOiJpbXAifQ.c2ln";
    const TARGET: &str = "target@p.iam.gserviceaccount.com";

    /// Calls the (Cloud Run-like) service with the ID token.
    async fn call_with(token: &str) {
        let service = api_server(&[SA_JWT, MD_JWT, IMP_JWT]).await;
        let Api(client) = ClientBuilder::<Api>::new().root_url(service.uri()).bearer_token(token).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), &[]).await.expect("the service accepts it");
    }

    #[tokio::test]
    async fn a_service_account_exchanges_a_target_audience_jwt() {
        let tokens = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id_token": SA_JWT})))
            .expect(1)
            .mount(&tokens)
            .await;
        let account = ServiceAccount::from_json(&service_account_json(&format!("{}/token", tokens.uri()))).unwrap();
        assert_eq!(account.id_token(AUDIENCE).await.unwrap().secret(), SA_JWT);
        assert_eq!(account.id_token(AUDIENCE).await.unwrap().secret(), SA_JWT, "cached until its exp");
        let sent = form(&tokens.received_requests().await.unwrap()[0]);
        assert_eq!(field(&sent, "grant_type"), Some("urn:ietf:params:oauth:grant-type:jwt-bearer"));
        let claims = verified_claims(field(&sent, "assertion").unwrap());
        assert_eq!(claims["target_audience"], AUDIENCE);
        assert!(claims.get("scope").is_none(), "{claims}");
        assert!(account.id_token("").await.unwrap_err().to_string().contains("needs an audience"));
        call_with(SA_JWT).await;
    }

    #[tokio::test]
    async fn the_metadata_server_is_asked_for_identity() {
        let metadata = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/computeMetadata/v1/instance/service-accounts/default/identity"))
            .and(query_param("audience", AUDIENCE))
            .and(query_param("format", "full"))
            .and(header("metadata-flavor", "Google"))
            .respond_with(ResponseTemplate::new(200).set_body_string(MD_JWT))
            .expect(1)
            .mount(&metadata)
            .await;
        let server = MetadataServer::with_host(metadata.uri().trim_start_matches("http://")).unwrap();
        assert_eq!(server.id_token(AUDIENCE).await.unwrap().secret(), MD_JWT);
        assert_eq!(server.id_token(AUDIENCE).await.unwrap().secret(), MD_JWT);
        call_with(MD_JWT).await;
        // Another audience is refused by this server: a clear error.
        let error = server.id_token("https://other.example").await.unwrap_err();
        assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    }

    #[tokio::test]
    async fn impersonation_asks_generate_id_token() {
        let iam = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/v1/projects/-/serviceAccounts/{TARGET}:generateIdToken")))
            .and(header("authorization", "Bearer base-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": IMP_JWT})))
            .expect(1)
            .mount(&iam)
            .await;
        let base = discogen_runtime::auth::StaticToken::new("base-token");
        let impersonated = Impersonated::new(base, TARGET)
            .unwrap()
            .delegates(["middle@p.iam.gserviceaccount.com"])
            .iam_root_url(&iam.uri())
            .unwrap();
        assert_eq!(impersonated.id_token(AUDIENCE).await.unwrap().secret(), IMP_JWT);
        let body: serde_json::Value = serde_json::from_slice(&iam.received_requests().await.unwrap()[0].body).unwrap();
        assert_eq!(
            body,
            json!({"audience": AUDIENCE, "includeEmail": true,
                   "delegates": ["projects/-/serviceAccounts/middle@p.iam.gserviceaccount.com"]})
        );
        call_with(IMP_JWT).await;
    }
}

// ---- the device flow --------------------------------------------------------------

mod device_code {
    use std::sync::Mutex;

    use discogen_runtime::auth::DeviceCode;

    use super::installed_app::temp_store;
    use super::*;

    /// A device authorization server: `/device/code` hands out a code, and
    /// `/token` answers `authorization_pending` once, then `outcome`.
    async fn device_server(outcome: ResponseTemplate) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/device/code"))
            .respond_with(|request: &Request| {
                let sent = form(request);
                if field(&sent, "client_id") != Some("tv-client") || field(&sent, "scope") != Some(&SCOPES.join(" ")) {
                    return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_request"}));
                }
                ResponseTemplate::new(200).set_body_json(json!({
                    "device_code": "AH-device-code", "user_code": "ABCD-EFGH",
                    "verification_url": "https://www.google.com/device", "expires_in": 1800, "interval": 1,
                }))
            })
            .mount(&server)
            .await;
        let polls = Arc::new(AtomicUsize::new(0));
        Mock::given(method("POST"))
            .and(path("/token"))
            .respond_with(move |request: &Request| {
                let sent = form(request);
                let grant = field(&sent, "grant_type");
                if grant == Some("refresh_token") {
                    return ResponseTemplate::new(200)
                        .set_body_json(json!({"access_token": "tv-token-2", "expires_in": 3600}));
                }
                if grant != Some("urn:ietf:params:oauth:grant-type:device_code")
                    || field(&sent, "device_code") != Some("AH-device-code")
                    || field(&sent, "client_secret") != Some("tv-secret")
                {
                    return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}));
                }
                if polls.fetch_add(1, Ordering::SeqCst) == 0 {
                    return ResponseTemplate::new(428).set_body_json(json!({"error": "authorization_pending"}));
                }
                outcome.clone()
            })
            .mount(&server)
            .await;
        server
    }

    fn device(server: &MockServer) -> DeviceCode {
        let uri = server.uri();
        DeviceCode::new("tv-client", Some("tv-secret".to_owned()))
            .unwrap()
            .endpoints(&format!("{uri}/device/code"), &format!("{uri}/token"))
            .unwrap()
    }

    #[tokio::test]
    async fn the_code_is_shown_polled_for_and_its_refresh_token_kept() {
        let granted = ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tv-token-1", "expires_in": 3600, "refresh_token": "1//tv-refresh",
        }));
        let server = device_server(granted).await;
        let api = api_server(&["tv-token-1", "tv-token-2"]).await;
        let store = temp_store("device");
        let shown = Arc::new(Mutex::new(Vec::new()));
        let seen = shown.clone();
        let flow = device(&server).token_store(&store).prompt(move |url, code| {
            seen.lock().unwrap().push(format!("{url} {code}"));
            Ok(())
        });
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(flow).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("signed in");
        assert_eq!(*shown.lock().unwrap(), ["https://www.google.com/device ABCD-EFGH"]);
        assert!(std::fs::read_to_string(&store).unwrap().contains("1//tv-refresh"));

        // The next run refreshes; no code is shown.
        let flow = device(&server).token_store(&store).prompt(|_, _| panic!("no code expected"));
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(flow).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("refreshed");
        let last = api.received_requests().await.unwrap().pop().unwrap();
        assert_eq!(last.headers["authorization"], "Bearer tv-token-2");
        std::fs::remove_file(&store).unwrap();
    }

    #[tokio::test]
    async fn a_denied_or_unentered_code_is_a_clear_error() {
        let denied = ResponseTemplate::new(403).set_body_json(json!({"error": "access_denied"}));
        let server = device_server(denied).await;
        let error = device(&server).prompt(|_, _| Ok(())).token(SCOPES).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
        assert!(error.to_string().contains("\"access_denied\""), "{error}");

        let pending = ResponseTemplate::new(428).set_body_json(json!({"error": "authorization_pending"}));
        let server = device_server(pending).await;
        let flow = device(&server).prompt(|_, _| Ok(())).consent_timeout(Duration::from_millis(1500));
        let error = flow.token(SCOPES).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout);
        assert!(error.to_string().contains("not entered within"), "{error}");
    }
}
