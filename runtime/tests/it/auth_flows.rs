//! Every credential flow, run against token endpoints and a metadata server
//! on loopback: what the client sends them (the JWT's claims and signature,
//! the refresh form, the Metadata-Flavor header, the scopes), the token it
//! then puts on API calls, caching per scope set, refreshing before expiry,
//! and one refresh and retry after a 401.

use crate::common;
use crate::jwt_check;

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
    pub(super) const IAM_PATH: &str =
        "/v1/projects/-/serviceAccounts/target@p.iam.gserviceaccount.com:generateAccessToken";

    /// An IAM Credentials service that hands out `impersonated-N` to callers
    /// with a base token from `token_server`, and 403 to others.
    pub(super) async fn iam_server() -> MockServer {
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

// ---- external accounts (workload and workforce identity federation) --------------

mod external_account {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use base64::Engine as _;
    use discogen_runtime::auth::{ApplicationDefault, ExternalAccount};
    use discogen_runtime::transport::{HttpTransport, Transport};
    use rsa::sha2::{Digest as _, Sha256};

    use super::impersonation::{iam_server, IAM_PATH};
    use super::installed_app::temp_store;
    use super::*;

    const AUDIENCE: &str =
        "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/oidc";
    const WORKFORCE: &str = "//iam.googleapis.com/locations/global/workforcePools/staff/providers/saml";
    const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
    const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
    const AWS_TYPE: &str = "urn:ietf:params:aws:token-type:aws4_request";
    const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

    /// A Security Token Service that checks what RFC 8693 asks of a token
    /// exchange request, runs `check` on the subject token (returning why it
    /// is refused, if it is), and hands out `sts-token-N`.
    async fn sts_server(check: impl Fn(&str, &str) -> Result<(), String> + Send + Sync + 'static) -> MockServer {
        let server = MockServer::start().await;
        let issued = Arc::new(AtomicUsize::new(0));
        Mock::given(method("POST"))
            .and(path("/v1/token"))
            .respond_with(move |request: &Request| {
                let sent = form(request);
                let refuse = |why: String| {
                    ResponseTemplate::new(400)
                        .set_body_json(json!({"error": "invalid_request", "error_description": why}))
                };
                let content_type = request.headers.get("content-type").and_then(|v| v.to_str().ok());
                if content_type != Some("application/x-www-form-urlencoded") {
                    return refuse(format!("content type {content_type:?}"));
                }
                for (name, expected) in [
                    ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
                    ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"),
                ] {
                    if field(&sent, name) != Some(expected) {
                        return refuse(format!("bad {name}"));
                    }
                }
                for name in ["audience", "scope", "subject_token", "subject_token_type"] {
                    if field(&sent, name).is_none_or(str::is_empty) {
                        return refuse(format!("no {name}"));
                    }
                }
                if let Err(why) =
                    check(field(&sent, "subject_token").unwrap(), field(&sent, "subject_token_type").unwrap())
                {
                    return ResponseTemplate::new(400)
                        .set_body_json(json!({"error": "invalid_grant", "error_description": why}));
                }
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                ResponseTemplate::new(200).set_body_json(json!({
                    "access_token": format!("token-sts-{n}"), "expires_in": 3600, "token_type": "Bearer",
                    "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                }))
            })
            .mount(&server)
            .await;
        server
    }

    fn expect_subject(expected: &'static str, kind: &'static str) -> impl Fn(&str, &str) -> Result<(), String> {
        move |token, token_type| {
            if token == expected && token_type == kind {
                Ok(())
            } else {
                Err(format!("unknown subject token of type {token_type}"))
            }
        }
    }

    fn account_json(sts: &MockServer, source: serde_json::Value) -> serde_json::Value {
        json!({
            "type": "external_account",
            "audience": AUDIENCE,
            "subject_token_type": JWT_TYPE,
            "token_url": format!("{}/v1/token", sts.uri()),
            "credential_source": source,
        })
    }

    /// A directory of its own under the temp directory.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = temp_store(name).with_extension("d");
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn sts_forms(requests: &[Request]) -> Vec<Vec<(String, String)>> {
        requests.iter().filter(|r| r.url.path() == "/v1/token").map(form).collect()
    }

    #[tokio::test]
    async fn a_file_subject_token_is_exchanged_as_rfc_8693_says() {
        let sts = sts_server(expect_subject("file-subject-token", JWT_TYPE)).await;
        let api = api_server(&["token-sts-1"]).await;
        let dir = temp_dir("ext-file");
        let token_file = dir.join("token.json");
        std::fs::write(&token_file, r#"{"access_token": "file-subject-token", "other": 1}"#).unwrap();
        let mut file = account_json(
            &sts,
            json!({"file": token_file, "format": {"type": "json", "subject_token_field_name": "access_token"}}),
        );
        file["quota_project_id"] = json!("billed");
        let account = ExternalAccount::from_json(&file.to_string()).expect("a usable file");
        assert_eq!(account.audience(), AUDIENCE);
        assert_eq!(account.quota_project(), Some("billed"));
        assert_eq!(account.universe_domain(), Some("googleapis.com"));
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("cached");

        let forms = sts_forms(&sts.received_requests().await.unwrap());
        assert_eq!(forms.len(), 1, "one exchange for one scope set");
        let sent = &forms[0];
        assert_eq!(field(sent, "audience"), Some(AUDIENCE));
        assert_eq!(field(sent, "scope"), Some(SCOPES.join(" ").as_str()));
        assert_eq!(field(sent, "subject_token"), Some("file-subject-token"));
        assert_eq!(field(sent, "subject_token_type"), Some(JWT_TYPE));
        assert_eq!(field(sent, "options"), None, "no workforce pool, no options");
        let request = &sts.received_requests().await.unwrap()[0];
        assert!(request.headers.get("authorization").is_none(), "no client authentication");
        let calls = api.received_requests().await.unwrap();
        assert!(calls.iter().all(|c| c.headers["authorization"] == "Bearer token-sts-1"));
        assert_eq!(calls[0].headers["x-goog-user-project"], "billed");

        // A text file is read again for the next exchange, as it rotates.
        std::fs::write(&token_file, "rotated-subject-token\n").unwrap();
        let sts = sts_server(expect_subject("rotated-subject-token", JWT_TYPE)).await;
        let file = account_json(&sts, json!({"file": token_file}));
        let account = ExternalAccount::from_json(&file.to_string()).unwrap();
        assert_eq!(account.token(SCOPES).await.expect("trimmed text").secret(), "token-sts-1");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_workforce_pool_sends_its_user_project_or_client_credentials() {
        let sts = sts_server(expect_subject("saml-assertion", "urn:ietf:params:oauth:token-type:saml2")).await;
        let api = api_server(&["token-sts-1", "token-sts-2"]).await;
        let dir = temp_dir("ext-workforce");
        let token_file = dir.join("saml");
        std::fs::write(&token_file, "saml-assertion").unwrap();
        let mut file = account_json(&sts, json!({"file": token_file}));
        file["audience"] = json!(WORKFORCE);
        file["subject_token_type"] = json!("urn:ietf:params:oauth:token-type:saml2");
        file["workforce_pool_user_project"] = json!("staff-project");
        let account = ExternalAccount::from_json(&file.to_string()).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");

        // With a client id and secret, those authenticate (HTTP Basic) and name the project.
        file["client_id"] = json!("workforce-client");
        file["client_secret"] = json!("workforce-secret");
        let account = ExternalAccount::from_json(&file.to_string()).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");

        let requests = sts.received_requests().await.unwrap();
        let forms = sts_forms(&requests);
        let options: serde_json::Value = serde_json::from_str(field(&forms[0], "options").expect("options")).unwrap();
        assert_eq!(options, json!({"userProject": "staff-project"}));
        assert!(requests[0].headers.get("authorization").is_none());
        assert_eq!(field(&forms[1], "options"), None);
        let basic = base64::engine::general_purpose::STANDARD.encode("workforce-client:workforce-secret");
        assert_eq!(requests[1].headers["authorization"], format!("Basic {basic}").as_str());
        assert_eq!(field(&forms[1], "client_secret"), None, "the secret is not in the form too");
        let calls = api.received_requests().await.unwrap();
        assert_eq!(calls[1].headers["authorization"], "Bearer token-sts-2");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_url_subject_token_then_impersonation() {
        let idp = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/identity"))
            .and(header("metadata", "True"))
            .respond_with(ResponseTemplate::new(200).set_body_string("url-subject-token"))
            .mount(&idp)
            .await;
        let sts = sts_server(expect_subject("url-subject-token", ID_TOKEN_TYPE)).await;
        let iam = iam_server().await;
        let api = api_server(&["impersonated-1"]).await;
        let mut file =
            account_json(&sts, json!({"url": format!("{}/identity", idp.uri()), "headers": {"Metadata": "True"}}));
        file["subject_token_type"] = json!(ID_TOKEN_TYPE);
        file["service_account_impersonation_url"] = json!(format!("{}{IAM_PATH}", iam.uri()));
        file["service_account_impersonation"] = json!({"token_lifetime_seconds": 1200});
        // A workforce project is not sent when a service account is impersonated.
        file["audience"] = json!(WORKFORCE);
        file["workforce_pool_user_project"] = json!("staff-project");
        let stored = temp_store("ext-url-adc");
        std::fs::write(&stored, file.to_string()).unwrap();
        let adc = ApplicationDefault::from_file(&stored).expect("an external_account file through ADC");
        std::fs::remove_file(&stored).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(adc).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("cached");

        let forms = sts_forms(&sts.received_requests().await.unwrap());
        assert_eq!(forms.len(), 1);
        assert_eq!(field(&forms[0], "scope"), Some(CLOUD_PLATFORM), "the STS token is for IAM");
        assert_eq!(field(&forms[0], "options"), None);
        let asked = iam.received_requests().await.unwrap();
        assert_eq!(asked.len(), 1);
        assert_eq!(asked[0].headers["authorization"], "Bearer token-sts-1");
        let body: serde_json::Value = serde_json::from_slice(&asked[0].body).unwrap();
        assert_eq!(body, json!({"delegates": [], "scope": SCOPES, "lifetime": "1200s"}));
        assert!(api
            .received_requests()
            .await
            .unwrap()
            .iter()
            .all(|c| c.headers["authorization"] == "Bearer impersonated-1"));

        // On a transport of the caller's, every leg (URL, STS, IAM) goes through it.
        struct Counting(Arc<AtomicUsize>, HttpTransport);
        impl Transport for Counting {
            fn send(
                &self,
                request: discogen_runtime::http::Request<discogen_runtime::Body>,
                timeout: Option<Duration>,
            ) -> discogen_runtime::transport::ResponseFuture<'_> {
                self.0.fetch_add(1, Ordering::SeqCst);
                self.1.send(request, timeout)
            }
        }
        let sent = Arc::new(AtomicUsize::new(0));
        let own = ExternalAccount::from_json(&file.to_string())
            .unwrap()
            .with_transport(Counting(sent.clone(), HttpTransport::direct()));
        assert_eq!(own.token(SCOPES).await.expect("impersonated again").secret(), "impersonated-2");
        assert_eq!(iam.received_requests().await.unwrap()[1].headers["authorization"], "Bearer token-sts-2");
        assert_eq!(sent.load(Ordering::SeqCst), 3, "the URL, the STS and IAM");

        // A JSON answer, and a URL that refuses.
        let json_idp = MockServer::start().await;
        Mock::given(path("/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": "url-subject-token"})))
            .mount(&json_idp)
            .await;
        Mock::given(path("/gone")).respond_with(ResponseTemplate::new(404)).mount(&json_idp).await;
        let sts = sts_server(expect_subject("url-subject-token", JWT_TYPE)).await;
        let source = json!({"url": format!("{}/json", json_idp.uri()),
                            "format": {"type": "json", "subject_token_field_name": "value"}});
        let account = ExternalAccount::from_json(&account_json(&sts, source).to_string()).unwrap();
        assert_eq!(account.token(SCOPES).await.unwrap().secret(), "token-sts-1");
        let source = json!({"url": format!("{}/gone", json_idp.uri())});
        let account = ExternalAccount::from_json(&account_json(&sts, source).to_string()).unwrap();
        let message = account.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("answered HTTP 404 instead of a subject token"), "{message}");
    }

    /// Writes an executable shell script into `dir`.
    #[cfg(unix)]
    fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn in_an_hour() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + 3600
    }

    /// Everything about executables, in one test: it alone sets
    /// GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES in this process.
    #[cfg(unix)]
    #[tokio::test]
    async fn an_executable_subject_token_with_its_contract() {
        let _env = crate::common::ENV_VARS.lock().await;
        let sts = sts_server(expect_subject("exe-subject-token", ID_TOKEN_TYPE)).await;
        let iam = iam_server().await;
        let api = api_server(&["token-sts-1", "impersonated-1"]).await;
        let dir = temp_dir("ext-exe");
        let seen = dir.join("seen");
        let output_file = dir.join("cache.json");
        let response = |expiry: u64| {
            format!(
                r#"{{"version":1,"success":true,"token_type":"{ID_TOKEN_TYPE}","id_token":"exe-subject-token","expiration_time":{expiry}}}"#
            )
        };
        let good = script(
            &dir,
            "good.sh",
            &format!(
                "echo \"$1|$GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE|$GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE|\
                 $GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE|$GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL|\
                 $GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE\" >> {seen}\n\
                 printf '{{\"version\":1,\"success\":true,\"token_type\":\"%s\",\"id_token\":\"exe-subject-token\",\
                 \"expiration_time\":%s}}' \"$GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE\" $(( $(date +%s) + 3600 ))",
                seen = seen.display()
            ),
        );
        let executable = |command: String, extra: serde_json::Value| {
            let mut source = json!({"command": command, "timeout_millis": 5000});
            source.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            let mut file = account_json(&sts, json!({"executable": source}));
            file["subject_token_type"] = json!(ID_TOKEN_TYPE);
            file
        };
        let file = executable(format!("{} first-arg", good.display()), json!({}));

        // Not allowed unless the variable says so; nothing runs.
        std::env::remove_var("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES");
        let account = ExternalAccount::from_json(&file.to_string()).unwrap();
        let message = account.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"), "{message}");
        assert!(!seen.exists(), "the program did not run");
        std::env::set_var("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1");

        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        let lines = std::fs::read_to_string(&seen).unwrap();
        assert_eq!(lines, format!("first-arg|{AUDIENCE}|{ID_TOKEN_TYPE}|0||\n"));

        // With impersonation and an output file, the program is told both.
        let mut impersonating = executable(good.display().to_string(), json!({"output_file": output_file}));
        impersonating["service_account_impersonation_url"] = json!(format!("{}{IAM_PATH}", iam.uri()));
        let account = ExternalAccount::from_json(&impersonating.to_string()).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        let lines = std::fs::read_to_string(&seen).unwrap();
        let last = lines.lines().last().unwrap();
        assert_eq!(
            last,
            format!("|{AUDIENCE}|{ID_TOKEN_TYPE}|0|target@p.iam.gserviceaccount.com|{}", output_file.display())
        );
        assert_eq!(
            api.received_requests().await.unwrap().last().unwrap().headers["authorization"],
            "Bearer impersonated-1"
        );

        // An unexpired response in the output file is used without running the program.
        std::fs::write(&output_file, response(in_an_hour())).unwrap();
        let runs = lines.lines().count();
        let account = ExternalAccount::from_json(&impersonating.to_string()).unwrap();
        account.token(SCOPES).await.expect("from the output file");
        assert_eq!(std::fs::read_to_string(&seen).unwrap().lines().count(), runs, "the program did not run");
        // An expired one means running it again.
        std::fs::write(&output_file, response(1)).unwrap();
        let account = ExternalAccount::from_json(&impersonating.to_string()).unwrap();
        account.token(SCOPES).await.expect("from a new run");
        assert_eq!(std::fs::read_to_string(&seen).unwrap().lines().count(), runs + 1, "the program ran");
        // A malformed one is an error that names the file.
        std::fs::write(&output_file, r#"{"version": 1}"#).unwrap();
        let account = ExternalAccount::from_json(&impersonating.to_string()).unwrap();
        let message = account.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("the output file") && message.contains("`success`"), "{message}");

        // Failing, timing out, printing nonsense, reporting failure, an expired token.
        let cases: [(&str, &str, &str); 7] = [
            ("exits.sh", "echo partial-secret-output; exit 3", "failed (exit status: 3)"),
            ("hangs.sh", "exec sleep 30", "did not finish within 5000 ms"),
            // Exits at once, but a process it left behind keeps its output open.
            ("lingers.sh", "sleep 8 &", "did not finish within 5000 ms"),
            ("nonsense.sh", "echo not json", "is not JSON"),
            (
                "refuses.sh",
                r#"echo '{"version":1,"success":false,"code":"401","message":"not signed in"}'"#,
                "reported a failure: \"401\" (\"not signed in\")",
            ),
            (
                "expired.sh",
                r#"echo '{"version":1,"success":true,"token_type":"urn:ietf:params:oauth:token-type:jwt","id_token":"x","expiration_time":1}'"#,
                "already expired",
            ),
            ("future.sh", r#"echo '{"version":2,"success":true}'"#, "only 1 is understood"),
        ];
        for (name, body, expected) in cases {
            let program = script(&dir, name, body);
            let account =
                ExternalAccount::from_json(&executable(program.display().to_string(), json!({})).to_string()).unwrap();
            let started = std::time::Instant::now();
            let error = account.token(SCOPES).await.unwrap_err();
            let message = error.to_string();
            assert!(message.contains(expected), "{name}: {expected:?} not in {message}");
            assert!(!message.contains("partial-secret-output"), "{message}");
            if name.starts_with("hangs") || name.starts_with("lingers") {
                assert_eq!(error.kind(), ErrorKind::Timeout);
                assert!(started.elapsed() < Duration::from_secs(10), "killed at its timeout");
            }
        }
        let missing = executable(dir.join("nowhere").display().to_string(), json!({}));
        let message = ExternalAccount::from_json(&missing.to_string()).unwrap().token(SCOPES).await.unwrap_err();
        assert!(message.to_string().contains("could not run"), "{message}");
        std::env::remove_var("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // ---- AWS ----

    const AWS_KEY_ID: &str = "ASIAEXAMPLEROLEKEY";
    const AWS_SECRET: &str = "role/secret+KEY-from-imds";
    const AWS_SESSION: &str = "role-session-token//xyz=";
    const ENV_KEY_ID: &str = "AKIAEXAMPLEENVKEY";
    const ENV_SECRET: &str = "env/secret+KEY";
    const ENV_SESSION: &str = "env-session/token=";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// HMAC-SHA256 (RFC 2104) over sha2, apart from the ring the runtime uses.
    fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut block = if key.len() > 64 { Sha256::digest(key).to_vec() } else { key.to_vec() };
        block.resize(64, 0);
        let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
        let inner = Sha256::new().chain_update(pad(0x36)).chain_update(data).finalize();
        Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().to_vec()
    }

    /// Checks a serialised, signed GetCallerIdentity request the way AWS
    /// would: recomputes the SigV4 signature with the secret of the access
    /// key it names, and checks the target resource and session token.
    fn verify_aws_subject(token: &str, token_type: &str) -> Result<(), String> {
        if token_type != AWS_TYPE {
            return Err(format!("subject token type {token_type}"));
        }
        let decoded = url::form_urlencoded::parse(format!("t={token}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .ok_or("no token")?;
        let json: serde_json::Value = serde_json::from_str(&decoded).map_err(|e| e.to_string())?;
        let url = json["url"].as_str().ok_or("no url")?;
        if url != "https://sts.us-east-2.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"
            || json["method"] != "POST"
        {
            return Err(format!("url {url} method {}", json["method"]));
        }
        let headers: HashMap<String, String> = json["headers"]
            .as_array()
            .ok_or("no headers")?
            .iter()
            .map(|h| {
                (h["key"].as_str().unwrap_or("").to_ascii_lowercase(), h["value"].as_str().unwrap_or("").to_owned())
            })
            .collect();
        if headers.get("x-goog-cloud-target-resource").map(String::as_str) != Some(AUDIENCE) {
            return Err("the target resource is not the audience".into());
        }
        if headers.get("host").map(String::as_str) != Some("sts.us-east-2.amazonaws.com") {
            return Err("bad host".into());
        }
        let authorization = headers.get("authorization").ok_or("no authorization")?;
        let rest = authorization.strip_prefix("AWS4-HMAC-SHA256 Credential=").ok_or("not SigV4")?;
        let (credential, rest) = rest.split_once(", SignedHeaders=").ok_or("no signed headers")?;
        let (signed, signature) = rest.split_once(", Signature=").ok_or("no signature")?;
        let mut scope = credential.split('/');
        let (key_id, date, region, service, terminal) =
            (scope.next(), scope.next(), scope.next(), scope.next(), scope.next());
        let secret = match key_id {
            Some(AWS_KEY_ID) => {
                if headers.get("x-amz-security-token").map(String::as_str) != Some(AWS_SESSION) {
                    return Err("the role's session token is missing".into());
                }
                AWS_SECRET
            }
            Some(ENV_KEY_ID) => {
                if headers.get("x-amz-security-token").map(String::as_str) != Some(ENV_SESSION) {
                    return Err("the environment's session token is missing".into());
                }
                ENV_SECRET
            }
            _ => return Err("unknown access key".into()),
        };
        let (Some(date), Some(region), Some("sts"), Some("aws4_request")) = (date, region, service, terminal) else {
            return Err("bad credential scope".into());
        };
        let amz_date = headers.get("x-amz-date").ok_or("no date")?;
        if !amz_date.starts_with(date) || region != "us-east-2" {
            return Err("date or region".into());
        }
        let names: Vec<&str> = signed.split(';').collect();
        for required in ["host", "x-amz-date", "x-goog-cloud-target-resource"] {
            if !names.contains(&required) {
                return Err(format!("{required} is not signed"));
            }
        }
        let canonical_headers: String =
            names.iter().map(|n| format!("{n}:{}\n", headers.get(*n).map(String::as_str).unwrap_or(""))).collect();
        let canonical = format!(
            "POST\n/\nAction=GetCallerIdentity&Version=2011-06-15\n{canonical_headers}\n{signed}\n{}",
            hex(&Sha256::digest(b""))
        );
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{date}/{region}/sts/aws4_request\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = format!("AWS4{secret}").into_bytes();
        for part in [date, region, "sts", "aws4_request"] {
            key = hmac(&key, part.as_bytes());
        }
        if hex(&hmac(&key, to_sign.as_bytes())) != signature {
            return Err("SignatureDoesNotMatch".into());
        }
        Ok(())
    }

    /// A fake EC2 instance metadata service that insists on an IMDSv2 session.
    async fn imds_server() -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path("/latest/api/token"))
            .and(header("x-aws-ec2-metadata-token-ttl-seconds", "300"))
            .respond_with(ResponseTemplate::new(200).set_body_string("imds-session-1"))
            .mount(&server)
            .await;
        let answers = [
            ("/latest/meta-data/placement/availability-zone", "us-east-2b".to_owned()),
            ("/latest/meta-data/iam/security-credentials", "federated-role".to_owned()),
            (
                "/latest/meta-data/iam/security-credentials/federated-role",
                json!({"Code": "Success", "AccessKeyId": AWS_KEY_ID, "SecretAccessKey": AWS_SECRET,
                       "Token": AWS_SESSION, "Expiration": "2099-01-01T00:00:00Z"})
                .to_string(),
            ),
        ];
        for (at, body) in answers {
            Mock::given(method("GET"))
                .and(path(at))
                .and(header("x-aws-ec2-metadata-token", "imds-session-1"))
                .respond_with(ResponseTemplate::new(200).set_body_string(body))
                .mount(&server)
                .await;
        }
        // Anything without the session is refused, as IMDSv2 does.
        Mock::given(any()).respond_with(ResponseTemplate::new(401)).mount(&server).await;
        server
    }

    fn aws_json(sts: &MockServer, imds: &MockServer) -> serde_json::Value {
        let mut file = account_json(
            sts,
            json!({
                "environment_id": "aws1",
                "region_url": format!("{}/latest/meta-data/placement/availability-zone", imds.uri()),
                "url": format!("{}/latest/meta-data/iam/security-credentials", imds.uri()),
                "regional_cred_verification_url":
                    "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
                "imdsv2_session_token_url": format!("{}/latest/api/token", imds.uri()),
            }),
        );
        file["subject_token_type"] = json!(AWS_TYPE);
        file
    }

    use wiremock::matchers::any;

    /// Everything about AWS, in one test: it alone sets the AWS variables in
    /// this process.
    #[tokio::test]
    async fn an_aws_workload_signs_get_caller_identity() {
        let _env = crate::common::ENV_VARS.lock().await;
        for name in
            ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
        {
            std::env::remove_var(name);
        }
        let sts = sts_server(verify_aws_subject).await;
        let imds = imds_server().await;
        let api = api_server(&["token-sts-1", "token-sts-2"]).await;
        let account = ExternalAccount::from_json(&aws_json(&sts, &imds).to_string()).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("signed by the role");
        let asked: Vec<String> =
            imds.received_requests().await.unwrap().iter().map(|r| format!("{} {}", r.method, r.url.path())).collect();
        assert_eq!(
            asked,
            [
                "PUT /latest/api/token",
                "GET /latest/meta-data/placement/availability-zone",
                "GET /latest/meta-data/iam/security-credentials",
                "GET /latest/meta-data/iam/security-credentials/federated-role",
            ]
        );

        // Keys and region in the environment: the metadata service is not asked.
        std::env::set_var("AWS_DEFAULT_REGION", "us-east-2");
        std::env::set_var("AWS_ACCESS_KEY_ID", ENV_KEY_ID);
        std::env::set_var("AWS_SECRET_ACCESS_KEY", ENV_SECRET);
        std::env::set_var("AWS_SESSION_TOKEN", ENV_SESSION);
        let account = ExternalAccount::from_json(&aws_json(&sts, &imds).to_string()).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(account).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("signed by the env key");
        assert_eq!(imds.received_requests().await.unwrap().len(), 4, "no metadata request");
        assert_eq!(api.received_requests().await.unwrap()[1].headers["authorization"], "Bearer token-sts-2");

        // A wrong secret is caught by the signature check, as AWS would.
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "not-the-secret");
        let account = ExternalAccount::from_json(&aws_json(&sts, &imds).to_string()).unwrap();
        let message = account.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("SignatureDoesNotMatch") && message.contains("refused"), "{message}");
        assert!(!message.contains("not-the-secret"), "{message}");
        // AWS_REGION wins over AWS_DEFAULT_REGION.
        std::env::set_var("AWS_SECRET_ACCESS_KEY", ENV_SECRET);
        std::env::set_var("AWS_REGION", "eu-west-1");
        let account = ExternalAccount::from_json(&aws_json(&sts, &imds).to_string()).unwrap();
        let message = account.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("url https://sts.eu-west-1.amazonaws.com"), "{message}");
        for name in
            ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
        {
            std::env::remove_var(name);
        }
    }

    /// A workforce user's refresh token, refreshed with HTTP Basic client
    /// authentication; each answer rotates the refresh token.
    #[tokio::test]
    async fn an_external_account_authorized_user_refreshes_and_keeps_the_rotated_token() {
        let sts = MockServer::start().await;
        let issued = Arc::new(AtomicUsize::new(0));
        let count = issued.clone();
        let basic = base64::engine::general_purpose::STANDARD.encode("pool-client:pool-secret");
        Mock::given(method("POST"))
            .and(path("/v1/oauthtoken"))
            .and(header("authorization", format!("Basic {basic}").as_str()))
            .respond_with(move |request: &Request| {
                let sent = form(request);
                let n = count.load(Ordering::SeqCst);
                let expected = if n == 0 { "1//first".to_owned() } else { format!("1//rotated-{n}") };
                if field(&sent, "grant_type") != Some("refresh_token")
                    || field(&sent, "refresh_token") != Some(&expected)
                    || field(&sent, "client_secret").is_some()
                {
                    return ResponseTemplate::new(400).set_body_json(
                        json!({"error": "invalid_grant", "error_description": "unknown refresh token"}),
                    );
                }
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                ResponseTemplate::new(200).set_body_json(json!({
                    "access_token": format!("token-user-{n}"), "expires_in": 3600,
                    "refresh_token": format!("1//rotated-{n}"),
                }))
            })
            .mount(&sts)
            .await;
        let api = api_server(&["token-user-1", "token-user-2"]).await;
        let file = json!({
            "type": "external_account_authorized_user",
            "audience": WORKFORCE,
            "client_id": "pool-client", "client_secret": "pool-secret",
            "refresh_token": "1//first",
            "token_url": format!("{}/v1/oauthtoken", sts.uri()),
            "token_info_url": "https://sts.googleapis.com/v1/introspect",
            "quota_project_id": "staff-quota",
        });
        let stored = temp_store("ext-user-adc");
        std::fs::write(&stored, file.to_string()).unwrap();
        let adc = ApplicationDefault::from_file(&stored).expect("an external_account_authorized_user file");
        std::fs::remove_file(&stored).unwrap();
        let Api(client) = ClientBuilder::<Api>::new().root_url(api.uri()).token_provider(adc).build().unwrap();
        client.execute_json::<Operation>(get(&client, "operations/x"), SCOPES).await.expect("the call succeeds");
        // Another scope set: another refresh, with the rotated token.
        client.execute_json::<Operation>(get(&client, "operations/x"), OTHER_SCOPES).await.expect("rotated");
        assert_eq!(issued.load(Ordering::SeqCst), 2);
        let calls = api.received_requests().await.unwrap();
        assert_eq!(calls[0].headers["authorization"], "Bearer token-user-1");
        assert_eq!(calls[1].headers["authorization"], "Bearer token-user-2");
        assert_eq!(calls[0].headers["x-goog-user-project"], "staff-quota");

        // A refused refresh, and files missing what a refresh needs.
        let mut stale = file.clone();
        stale["refresh_token"] = json!("1//revoked");
        let user = discogen_runtime::auth::ExternalAccountAuthorizedUser::from_json(&stale.to_string()).unwrap();
        let message = user.token(SCOPES).await.unwrap_err().to_string();
        assert!(message.contains("refused") && message.contains("unknown refresh token"), "{message}");
        assert!(!message.contains("1//revoked") && !message.contains("pool-secret"), "{message}");
        for (missing, expected) in [
            ("refresh_token", "no `refresh_token`"),
            ("client_secret", "no `client_secret`"),
            ("client_id", "no `client_id`"),
            ("token_url", "no `token_url`"),
        ] {
            let mut broken = file.clone();
            broken.as_object_mut().unwrap().remove(missing);
            let message = discogen_runtime::auth::ExternalAccountAuthorizedUser::from_json(&broken.to_string())
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{expected:?} not in {message}");
        }
    }

    // ---- bad input ----

    #[tokio::test]
    async fn refusals_bad_files_and_other_universes_are_clear_errors() {
        // Its failing sources read the variables the tests above set.
        let _env = crate::common::ENV_VARS.lock().await;
        let sts = sts_server(|_, _| Err("The audience in ID Token does not match the expected audience.".into())).await;
        let dir = temp_dir("ext-bad");
        let token_file = dir.join("token");
        std::fs::write(&token_file, "refused-subject-token").unwrap();
        let good = account_json(&sts, json!({"file": token_file}));
        let account = ExternalAccount::from_json(&good.to_string()).unwrap();
        let error = account.token(SCOPES).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
        let message = error.to_string();
        assert!(
            message.contains("security token service refused")
                && message.contains("invalid_grant")
                && message.contains("does not match the expected audience"),
            "{message}"
        );

        let broken = |change: &Change| {
            let mut file = good.clone();
            change(&mut file);
            ExternalAccount::from_json(&file.to_string()).map(|_| ()).unwrap_err().to_string()
        };
        type Change = dyn Fn(&mut serde_json::Value);
        let remove =
            |field: &'static str| move |f: &mut serde_json::Value| drop(f.as_object_mut().unwrap().remove(field));
        let iam = format!("https://iamcredentials.googleapis.com{IAM_PATH}");
        let cases: Vec<(&str, Box<Change>)> = vec![
            ("not an `external_account` file", Box::new(|f| f["type"] = json!("service_account"))),
            ("no `audience`", Box::new(remove("audience"))),
            ("`audience` that is not a string", Box::new(|f| f["audience"] = json!(1))),
            ("no `subject_token_type`", Box::new(remove("subject_token_type"))),
            ("empty `subject_token_type`", Box::new(|f| f["subject_token_type"] = json!(""))),
            (
                "`token_url` of the external account credentials is not usable: plain http",
                Box::new(|f| f["token_url"] = json!("http://sts.example/v1/token")),
            ),
            ("`token_url` that is not a string", Box::new(|f| f["token_url"] = json!(["x"]))),
            (
                "`service_account_impersonation_url` of the external account credentials is not usable",
                Box::new(|f| {
                    f["service_account_impersonation_url"] = json!("https://iamcredentials.googleapis.com/v1/x")
                }),
            ),
            ("`service_account_impersonation` that is not an object", {
                let iam = iam.clone();
                Box::new(move |f| {
                    f["service_account_impersonation_url"] = json!(iam);
                    f["service_account_impersonation"] = json!(5);
                })
            }),
            ("`token_lifetime_seconds` of 60; it must be from 600 to 43200", {
                let iam = iam.clone();
                Box::new(move |f| {
                    f["service_account_impersonation_url"] = json!(iam);
                    f["service_account_impersonation"] = json!({"token_lifetime_seconds": 60});
                })
            }),
            ("`token_lifetime_seconds` that is not a whole number", {
                let iam = iam.clone();
                Box::new(move |f| {
                    f["service_account_impersonation_url"] = json!(iam);
                    f["service_account_impersonation"] = json!({"token_lifetime_seconds": "1h"});
                })
            }),
            (
                "its `audience` is not a workforce pool provider's",
                Box::new(|f| f["workforce_pool_user_project"] = json!("p")),
            ),
            ("`client_secret` but no `client_id`", Box::new(|f| f["client_secret"] = json!("s"))),
            ("`quota_project_id` that is not a string", Box::new(|f| f["quota_project_id"] = json!(true))),
            ("`universe_domain` that is not a domain name", Box::new(|f| f["universe_domain"] = json!("not a domain"))),
            ("no `credential_source` object", Box::new(remove("credential_source"))),
            ("`credential_source` that is not an object", Box::new(|f| f["credential_source"] = json!("file"))),
            ("names no subject token source", Box::new(|f| f["credential_source"] = json!({}))),
            (
                "more than one subject token source (file, url)",
                Box::new(|f| f["credential_source"]["url"] = json!("https://idp.example/t")),
            ),
            ("`file` that is not a string", Box::new(|f| f["credential_source"]["file"] = json!(7))),
            (
                "`url` of the `credential_source` of the external account credentials is not usable",
                Box::new(|f| f["credential_source"] = json!({"url": "http://idp.example/t"})),
            ),
            (
                "`headers` of the `credential_source` of the external account credentials has an unusable `X`",
                Box::new(|f| f["credential_source"] = json!({"url": "https://idp.example/t", "headers": {"X": 1}})),
            ),
            ("`format` that is not an object", Box::new(|f| f["credential_source"]["format"] = json!("json"))),
            ("has a `type` of \"xml\"", Box::new(|f| f["credential_source"]["format"] = json!({"type": "xml"}))),
            ("no `subject_token_field_name`", Box::new(|f| f["credential_source"]["format"] = json!({"type": "json"}))),
            ("`executable` that is not an object", Box::new(|f| f["credential_source"] = json!({"executable": "x"}))),
            (
                "`executable` of the `credential_source` of the external account credentials has no `command`",
                Box::new(|f| f["credential_source"] = json!({"executable": {}})),
            ),
            ("blank `command`", Box::new(|f| f["credential_source"] = json!({"executable": {"command": "  "}}))),
            (
                "`timeout_millis` of 1000; it must be from 5000 to 120000",
                Box::new(|f| f["credential_source"] = json!({"executable": {"command": "x", "timeout_millis": 1000}})),
            ),
            (
                "`timeout_millis` of 200000",
                Box::new(|f| {
                    f["credential_source"] = json!({"executable": {"command": "x", "timeout_millis": 200000}})
                }),
            ),
            (
                "`output_file` that is not a string",
                Box::new(|f| f["credential_source"] = json!({"executable": {"command": "x", "output_file": 1}})),
            ),
            (
                "`environment_id` of \"azure1\", which is not an AWS one",
                Box::new(|f| f["credential_source"] = json!({"environment_id": "azure1"})),
            ),
            (
                "`environment_id` of aws2; only aws1 is supported",
                Box::new(|f| f["credential_source"] = json!({"environment_id": "aws2"})),
            ),
            (
                "no `regional_cred_verification_url`",
                Box::new(|f| f["credential_source"] = json!({"environment_id": "aws1"})),
            ),
            (
                "`region_url` of the `credential_source` of the external account credentials is not usable",
                Box::new(|f| {
                    f["credential_source"] = json!({"environment_id": "aws1", "region_url": "http://example.com/az",
                    "regional_cred_verification_url": "https://sts.{region}.amazonaws.com"})
                }),
            ),
            (
                "`certificate` (X.509 workload federation), which is not supported",
                Box::new(|f| f["credential_source"] = json!({"certificate": {"use_default_certificate_config": true}})),
            ),
        ];
        for (expected, change) in &cases {
            let message = broken(&**change);
            assert!(message.contains(expected), "{expected:?} not in {message}");
            assert!(!message.contains("refused-subject-token"), "{message}");
        }

        // Subject token sources that fail when asked.
        let missing = account_json(&sts, json!({"file": dir.join("absent")}));
        let message = ExternalAccount::from_json(&missing.to_string()).unwrap().token(SCOPES).await.unwrap_err();
        assert!(message.to_string().contains("cannot read the subject token file"), "{message}");
        std::fs::write(&token_file, r#"{"id": 5}"#).unwrap();
        for (format, expected) in [("id", "has a `id` that is not a string"), ("token", "has no `token` field")] {
            let source = json!({"file": token_file, "format": {"type": "json", "subject_token_field_name": format}});
            let account = ExternalAccount::from_json(&account_json(&sts, source).to_string()).unwrap();
            let message = account.token(SCOPES).await.unwrap_err().to_string();
            assert!(message.contains(expected), "{message}");
        }
        std::fs::write(&token_file, "  \n").unwrap();
        let account = ExternalAccount::from_json(&good.to_string()).unwrap();
        assert!(account.token(SCOPES).await.unwrap_err().to_string().contains("empty subject token"));
        // Another universe: the default STS moves there, and a client of
        // googleapis.com refuses the credentials before asking for a token.
        let mut other = good.clone();
        other.as_object_mut().unwrap().remove("token_url");
        other["universe_domain"] = json!("tpc.example");
        let account = ExternalAccount::from_json(&other.to_string()).unwrap();
        assert_eq!(account.universe_domain(), Some("tpc.example"));
        let error = ClientBuilder::<Api>::new().token_provider(account).build().map(|_| ()).unwrap_err();
        assert!(error.to_string().contains("credentials are for tpc.example"), "{error}");
        assert_eq!(sts.received_requests().await.unwrap().len(), 1, "only the first, refused exchange");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
