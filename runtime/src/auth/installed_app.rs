//! The OAuth 2 flow for installed applications (desktop and command-line
//! programs acting for a person): a consent page in the browser, a
//! redirect to a one-shot server on 127.0.0.1, PKCE (RFC 7636, `S256`), and
//! the code exchanged for tokens. The refresh token can be kept in a
//! [`token store`](InstalledApp::token_store) so that the next run needs no
//! browser.
//!
//! This is the flow of google-auth-oauthlib's `InstalledAppFlow.run_local_server`
//! and of golang.org/x/oauth2 with `GenerateVerifier`/`S256ChallengeOption`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use super::cache::{provider_over_cache, Fetch, FetchFuture, FreshToken, TokenCache};
use super::endpoint;
use super::key_file::{check_token_uri, KeyFile};
use super::token_store::TokenStore;
use crate::error::Error;
use crate::transport::Transport;

const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/auth";
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// How long the person has to consent, unless the caller says otherwise.
const DEFAULT_CONSENT_TIMEOUT: Duration = Duration::from_secs(300);
/// How long one connection to the redirect server may take to send its
/// request line and headers.
const REQUEST_WAIT: Duration = Duration::from_secs(10);
/// A redirect request is a few hundred bytes; a longer head is not one.
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// What the consent URL is handed to: prints it, opens a browser, or (in
/// tests) plays the browser. An error ends the flow.
pub type Opener = Arc<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;

/// Tokens for a person, who consents in a browser once per scope set.
///
/// On the first call for a set of scopes the consent URL goes to the
/// [opener](InstalledApp::opener) (by default printed on standard error),
/// the person signs in and consents, and Google's redirect brings the
/// authorization code to a server on `127.0.0.1` that lives for that one
/// request. The code is exchanged, with the PKCE verifier, for an access
/// token and a refresh token. Later tokens come from the refresh token; if
/// Google answers `invalid_grant` (the person revoked access, or the token
/// expired) the consent is asked for again.
///
/// `Debug` shows the client id and the token store's path only.
pub struct InstalledApp {
    cache: TokenCache<Flow>,
}

struct Flow {
    client_id: String,
    client_secret: Option<String>,
    auth_uri: String,
    token_uri: String,
    store: Option<TokenStore>,
    /// Refresh tokens of this run, per scope set, for when there is no store.
    refresh_tokens: Mutex<HashMap<Vec<String>, String>>,
    opener: Opener,
    consent_timeout: Duration,
    /// Set for the device flow: where device codes come from, and who shows
    /// the person the code.
    device: Option<Device>,
    transport: Arc<dyn Transport>,
}

struct Device {
    uri: String,
    prompt: Prompt,
}

impl InstalledApp {
    /// A client registered as a desktop app, with Google's endpoints.
    /// `client_secret` may be `None` for a client that has none.
    pub fn new(client_id: impl Into<String>, client_secret: Option<String>) -> Result<Self, Error> {
        let client_id = client_id.into();
        if client_id.is_empty() {
            return Err(Error::invalid_argument("the installed app's client id is empty"));
        }
        Ok(Self {
            cache: TokenCache::new(Flow {
                client_id,
                client_secret: client_secret.filter(|s| !s.is_empty()),
                auth_uri: GOOGLE_AUTH_URI.to_owned(),
                token_uri: GOOGLE_TOKEN_URI.to_owned(),
                store: None,
                refresh_tokens: Mutex::new(HashMap::new()),
                opener: Arc::new(print_url),
                consent_timeout: DEFAULT_CONSENT_TIMEOUT,
                device: None,
                transport: endpoint::default_transport()?,
            }),
        })
    }

    /// The `client_secret_….json` file the Cloud console downloads for a
    /// desktop client (an object under `installed`).
    pub fn from_client_secrets_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let source = format!("client secrets file {}", path.display());
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::auth(format!("cannot read the {source}")).with_source(e))?;
        Self::parse_client_secrets(&text, source)
    }

    /// The contents of a client secrets file.
    pub fn from_client_secrets_json(json: &str) -> Result<Self, Error> {
        Self::parse_client_secrets(json, "client secrets".to_owned())
    }

    fn parse_client_secrets(text: &str, source: String) -> Result<Self, Error> {
        let outer = KeyFile::parse(text, source.clone())?;
        let installed = outer.object("installed")?.ok_or_else(|| {
            Error::auth(format!("the {source} has no `installed` object (is it a desktop app's client?)"))
        })?;
        let file = KeyFile::from_object(installed, format!("`installed` object of the {source}"));
        let app = Self::new(file.required("client_id")?, file.optional("client_secret")?.map(str::to_owned))?;
        let auth_uri = file.optional("auth_uri")?.unwrap_or(GOOGLE_AUTH_URI);
        let token_uri = file.optional("token_uri")?.unwrap_or(GOOGLE_TOKEN_URI);
        check_token_uri(token_uri, &file)?;
        check_auth_uri(auth_uri)?;
        let mut flow = app.cache.into_fetch();
        flow.auth_uri = auth_uri.to_owned();
        flow.token_uri = token_uri.to_owned();
        Ok(Self { cache: TokenCache::new(flow) })
    }

    /// Keeps refresh tokens in the file at `path` (created 0600 if
    /// missing), one per client id and scope set, so later runs skip the
    /// browser.
    pub fn token_store(self, path: impl Into<PathBuf>) -> Self {
        self.reconfigure(|flow| flow.store = Some(TokenStore::new(path.into())))
    }

    /// Hands the consent URL to `opener` instead of printing it, for
    /// opening a browser (`open`, `xdg-open`, a crate such as `webbrowser`)
    /// or showing it in the program's own interface.
    pub fn opener(self, opener: impl Fn(&str) -> std::io::Result<()> + Send + Sync + 'static) -> Self {
        self.reconfigure(|flow| flow.opener = Arc::new(opener))
    }

    /// How long to wait for the person to consent (5 minutes by default).
    pub fn consent_timeout(self, wait: Duration) -> Self {
        self.reconfigure(|flow| flow.consent_timeout = wait)
    }

    /// Other authorization and token endpoints than Google's (for tests
    /// and other providers). The token endpoint must be https, or http on
    /// loopback.
    pub fn endpoints(self, auth_uri: &str, token_uri: &str) -> Result<Self, Error> {
        check_auth_uri(auth_uri)?;
        check_token_uri(token_uri, &KeyFile::from_object(Default::default(), "installed app".to_owned()))?;
        Ok(self.reconfigure(|flow| {
            flow.auth_uri = auth_uri.to_owned();
            flow.token_uri = token_uri.to_owned();
        }))
    }

    /// Sends token requests through `transport` instead of a new
    /// [`crate::transport::HttpTransport`].
    pub fn with_transport(self, transport: impl Transport) -> Self {
        self.reconfigure(|flow| flow.transport = Arc::new(transport))
    }

    fn reconfigure(self, change: impl FnOnce(&mut Flow)) -> Self {
        let mut flow = self.cache.into_fetch();
        change(&mut flow);
        Self { cache: TokenCache::new(flow) }
    }
}

fn check_auth_uri(uri: &str) -> Result<(), Error> {
    let parsed: http::Uri =
        uri.parse().map_err(|_| Error::invalid_argument("the authorization URI is not a valid URI"))?;
    match (parsed.scheme_str(), parsed.host()) {
        (Some("https"), Some(_)) => Ok(()),
        (Some("http"), Some(host)) if crate::host::is_loopback(host) => Ok(()),
        _ => Err(Error::invalid_argument("the authorization URI must be https (or http on loopback)")),
    }
}

fn print_url(url: &str) -> std::io::Result<()> {
    eprintln!("To sign in, open this address in a browser:\n\n    {url}\n");
    Ok(())
}

/// Why a refresh did not give a token.
enum RefreshFailure {
    /// `invalid_grant`: the person must consent again.
    Revoked,
    Other(Error),
}

impl Flow {
    fn secret(&self) -> &str {
        self.client_secret.as_deref().unwrap_or("")
    }

    fn known_refresh_token(&self, scopes: &[&str]) -> Result<Option<String>, Error> {
        let key: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        if let Some(token) = self.refresh_tokens.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Ok(Some(token.clone()));
        }
        match &self.store {
            Some(store) => store.get(&self.client_id, scopes),
            None => Ok(None),
        }
    }

    fn keep_refresh_token(&self, scopes: &[&str], token: Option<&str>) -> Result<(), Error> {
        let key: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        {
            let mut memory = self.refresh_tokens.lock().unwrap_or_else(PoisonError::into_inner);
            match token {
                Some(token) => memory.insert(key, token.to_owned()),
                None => memory.remove(&key),
            };
        }
        match &self.store {
            Some(store) => store.put(&self.client_id, scopes, token),
            None => Ok(()),
        }
    }

    async fn refresh(&self, refresh_token: &str) -> Result<(FreshToken, Option<String>), RefreshFailure> {
        let mut pairs = vec![
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("refresh_token", refresh_token),
        ];
        if let Some(secret) = &self.client_secret {
            pairs.push(("client_secret", secret));
        }
        let secrets = [self.secret(), refresh_token];
        let from = "the installed app's token endpoint";
        let request = endpoint::post_form(&self.token_uri, endpoint::form(&pairs)).map_err(RefreshFailure::Other)?;
        let answer = endpoint::send(&*self.transport, request, from)
            .await
            .map_err(|e| RefreshFailure::Other(endpoint::scrubbed(e, &secrets)))?;
        if answer.status.is_client_error() && answer.oauth_code() == Some("invalid_grant") {
            return Err(RefreshFailure::Revoked);
        }
        read_tokens(&answer, from, &secrets).map_err(RefreshFailure::Other)
    }

    /// The whole consent: the loopback server, the URL, the wait, the exchange.
    async fn consent(&self, scopes: &[&str]) -> Result<(FreshToken, Option<String>), Error> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::auth("cannot listen on 127.0.0.1 for the consent redirect").with_source(e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::auth("cannot listen on 127.0.0.1 for the consent redirect").with_source(e))?
            .port();
        let redirect_uri = format!("http://127.0.0.1:{port}/");
        let verifier = random_text(32)?;
        let challenge = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()));
        let state = random_text(16)?;
        let scope = scopes.join(" ");
        let mut url = self.auth_uri.clone();
        url.push(if url.contains('?') { '&' } else { '?' });
        let pairs = [
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", scope.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", state.as_str()),
            ("access_type", "offline"),
        ];
        url.push_str(&endpoint::form(&pairs));
        tracing::info!(target: "discogen::auth", port, "waiting for consent in the browser");
        (self.opener)(&url).map_err(|e| Error::auth("the consent URL could not be opened").with_source(e))?;
        let code =
            tokio::time::timeout(self.consent_timeout, wait_for_code(&listener, &state)).await.map_err(|_| {
                Error::timeout(format!(
                    "no consent arrived within {:?}; the sign-in was abandoned (nothing was stored)",
                    self.consent_timeout
                ))
            })??;
        drop(listener);

        let mut pairs = vec![
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", verifier.as_str()),
        ];
        if let Some(secret) = &self.client_secret {
            pairs.push(("client_secret", secret));
        }
        let secrets = [self.secret(), code.as_str(), verifier.as_str()];
        let from = "the installed app's token endpoint";
        let request = endpoint::post_form(&self.token_uri, endpoint::form(&pairs))?;
        let answer =
            endpoint::send(&*self.transport, request, from).await.map_err(|e| endpoint::scrubbed(e, &secrets))?;
        read_tokens(&answer, from, &secrets)
    }
}

impl Flow {
    /// The device authorization grant (RFC 8628): a code for the person to
    /// enter elsewhere, then polling until they have.
    async fn device_consent(&self, device: &Device, scopes: &[&str]) -> Result<(FreshToken, Option<String>), Error> {
        let scope = scopes.join(" ");
        let from = "the device authorization endpoint";
        let request = endpoint::post_form(
            &device.uri,
            endpoint::form(&[("client_id", self.client_id.as_str()), ("scope", scope.as_str())]),
        )?;
        let answer = endpoint::send(&*self.transport, request, from)
            .await
            .map_err(|e| endpoint::scrubbed(e, &[self.secret()]))?;
        if !answer.status.is_success() {
            return Err(answer.refusal(from, &[self.secret()]));
        }
        let json = answer.json.as_ref();
        let text = |name: &str| json.and_then(|j| j.get(name)).and_then(|v| v.as_str()).filter(|v| !v.is_empty());
        let seconds = |name: &str| json.and_then(|j| j.get(name)).and_then(|v| v.as_u64());
        let (Some(device_code), Some(user_code)) = (text("device_code"), text("user_code")) else {
            return Err(Error::auth(format!("{from} sent no `device_code` and `user_code`")));
        };
        // Google says `verification_url`; RFC 8628 says `verification_uri`.
        let Some(url) = text("verification_url").or_else(|| text("verification_uri")) else {
            return Err(Error::auth(format!("{from} sent no verification URL")));
        };
        let mut interval = Duration::from_secs(seconds("interval").unwrap_or(5));
        let expires = Duration::from_secs(seconds("expires_in").unwrap_or(1800)).min(self.consent_timeout);
        (device.prompt)(url, user_code)
            .map_err(|e| Error::auth("the device code could not be shown").with_source(e))?;

        let secrets = [self.secret(), device_code];
        let from = "the device flow's token endpoint";
        let deadline = tokio::time::Instant::now() + expires;
        let mut pairs = vec![
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", self.client_id.as_str()),
            ("device_code", device_code),
        ];
        if let Some(secret) = &self.client_secret {
            pairs.push(("client_secret", secret));
        }
        loop {
            if tokio::time::Instant::now() + interval > deadline {
                return Err(Error::timeout(format!(
                    "the device code was not entered within {expires:?}; nothing was stored"
                )));
            }
            tokio::time::sleep(interval).await;
            let request = endpoint::post_form(&self.token_uri, endpoint::form(&pairs))?;
            let answer =
                endpoint::send(&*self.transport, request, from).await.map_err(|e| endpoint::scrubbed(e, &secrets))?;
            match answer.oauth_code() {
                _ if answer.status.is_success() => return read_tokens(&answer, from, &secrets),
                Some("authorization_pending") => {}
                Some("slow_down") => interval += Duration::from_secs(5),
                _ => return read_tokens(&answer, from, &secrets),
            }
        }
    }
}

/// What the device code is handed to: the verification URL and the code
/// the person enters there. An error ends the flow.
pub type Prompt = Arc<dyn Fn(&str, &str) -> std::io::Result<()> + Send + Sync>;

fn print_code(url: &str, code: &str) -> std::io::Result<()> {
    eprintln!("To sign in, visit {url} on any device and enter the code {code}\n");
    Ok(())
}

/// Tokens for a person signing in on another device (RFC 8628's device
/// authorization grant), for machines without a browser, where Google
/// allows it (a "TVs and Limited Input devices" client, and only some
/// scopes). The person is shown a URL and a code; the flow polls until
/// they have entered it. Refresh tokens, the token store and
/// `invalid_grant` work as for [`InstalledApp`].
///
/// `Debug` shows the client id and the token store's path only.
pub struct DeviceCode {
    cache: TokenCache<Flow>,
}

const GOOGLE_DEVICE_URI: &str = "https://oauth2.googleapis.com/device/code";

impl DeviceCode {
    /// A limited-input device client, with Google's endpoints.
    pub fn new(client_id: impl Into<String>, client_secret: Option<String>) -> Result<Self, Error> {
        let mut flow = InstalledApp::new(client_id, client_secret)?.cache.into_fetch();
        flow.device = Some(Device { uri: GOOGLE_DEVICE_URI.to_owned(), prompt: Arc::new(print_code) });
        flow.consent_timeout = Duration::from_secs(1800);
        Ok(Self { cache: TokenCache::new(flow) })
    }

    /// Keeps refresh tokens in the file at `path`, as
    /// [`InstalledApp::token_store`] does.
    pub fn token_store(self, path: impl Into<PathBuf>) -> Self {
        self.reconfigure(|flow| flow.store = Some(TokenStore::new(path.into())))
    }

    /// Shows the verification URL and the code with `prompt` instead of
    /// printing them on standard error.
    pub fn prompt(self, prompt: impl Fn(&str, &str) -> std::io::Result<()> + Send + Sync + 'static) -> Self {
        self.reconfigure(|flow| {
            if let Some(device) = &mut flow.device {
                device.prompt = Arc::new(prompt);
            }
        })
    }

    /// The longest wait for the code to be entered (30 minutes, or the
    /// code's own expiry if sooner).
    pub fn consent_timeout(self, wait: Duration) -> Self {
        self.reconfigure(|flow| flow.consent_timeout = wait)
    }

    /// Other device authorization and token endpoints than Google's.
    pub fn endpoints(self, device_uri: &str, token_uri: &str) -> Result<Self, Error> {
        check_auth_uri(device_uri)?;
        check_token_uri(token_uri, &KeyFile::from_object(Default::default(), "device flow".to_owned()))?;
        Ok(self.reconfigure(|flow| {
            if let Some(device) = &mut flow.device {
                device.uri = device_uri.to_owned();
            }
            flow.token_uri = token_uri.to_owned();
        }))
    }

    /// Sends requests through `transport` instead of a new
    /// [`crate::transport::HttpTransport`].
    pub fn with_transport(self, transport: impl Transport) -> Self {
        self.reconfigure(|flow| flow.transport = Arc::new(transport))
    }

    fn reconfigure(self, change: impl FnOnce(&mut Flow)) -> Self {
        let mut flow = self.cache.into_fetch();
        change(&mut flow);
        Self { cache: TokenCache::new(flow) }
    }
}

provider_over_cache!(DeviceCode);

impl fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flow = self.cache.fetch();
        f.debug_struct("DeviceCode")
            .field("client_id", &flow.client_id)
            .field("token_store", &flow.store.as_ref().map(TokenStore::path))
            .finish_non_exhaustive()
    }
}

/// The access token and, if sent, the refresh token of a token response.
fn read_tokens(answer: &endpoint::Answer, from: &str, secrets: &[&str]) -> Result<(FreshToken, Option<String>), Error> {
    if !answer.status.is_success() {
        return Err(endpoint::scrubbed(answer.refusal(from, secrets), secrets));
    }
    let fresh = endpoint::read_token(answer.json.as_ref())
        .map_err(|why| Error::auth(format!("{from} sent an unusable token response: {why}")))?;
    let refresh = answer.json.as_ref().and_then(|j| j.get("refresh_token")).and_then(|v| v.as_str());
    Ok((fresh, refresh.filter(|r| !r.is_empty()).map(str::to_owned)))
}

/// `bytes` random bytes as base64url text (for the verifier, 32 bytes
/// give 43 characters, within RFC 7636's 43 to 128).
fn random_text(bytes: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::getrandom(&mut buf).map_err(|_| Error::auth("the system has no randomness for the PKCE verifier"))?;
    Ok(URL_SAFE_NO_PAD.encode(buf))
}

/// Answers connections to the redirect server until one brings the
/// authorization code for `state` (or a refusal). Requests for other paths
/// (a browser's `/favicon.ico`) and with another `state` are turned away.
async fn wait_for_code(listener: &TcpListener, state: &str) -> Result<String, Error> {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else { continue };
        let Ok(Some(target)) = tokio::time::timeout(REQUEST_WAIT, read_target(&mut stream)).await else {
            continue;
        };
        let query = match target.split_once('?') {
            Some(("/", query)) => query,
            _ => {
                respond(&mut stream, "404 Not Found", "Not found.").await;
                continue;
            }
        };
        let params: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        if params.get("state").map(String::as_str) != Some(state) {
            respond(&mut stream, "400 Bad Request", "This sign-in request was not started by this program.").await;
            continue;
        }
        if let Some(code) = params.get("code").filter(|c| !c.is_empty()) {
            respond(&mut stream, "200 OK", "Signed in. You can close this window.").await;
            return Ok(code.clone());
        }
        let reason = params.get("error").map_or("no code and no error", String::as_str);
        respond(&mut stream, "200 OK", "Sign-in was not completed. You can close this window.").await;
        return Err(Error::auth(format!(
            "the consent was not given: the authorization server answered {}",
            crate::text::quoted(reason)
        )));
    }
}

/// The request target of a `GET`, once the head has arrived.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_REQUEST_BYTES {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = std::str::from_utf8(&head).ok()?.lines().next()?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) {
    let page = format!("<!doctype html><title>Sign-in</title><p>{text}</p>");
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
        page.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn decode(text: &str) -> String {
    percent_encoding::percent_decode_str(&text.replace('+', " ")).decode_utf8_lossy().into_owned()
}

impl Fetch for Flow {
    fn fetch<'a>(&'a self, scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(async move {
            if scopes.is_empty() {
                return Err(Error::invalid_argument(
                    "an installed app needs scopes to ask the person for; this method declares none",
                ));
            }
            if let Some(refresh_token) = self.known_refresh_token(scopes)? {
                match self.refresh(&refresh_token).await {
                    Ok((fresh, rotated)) => {
                        if let Some(rotated) = rotated.filter(|r| *r != refresh_token) {
                            self.keep_refresh_token(scopes, Some(&rotated))?;
                        }
                        return Ok(fresh);
                    }
                    Err(RefreshFailure::Revoked) => {
                        tracing::info!(target: "discogen::auth", "the refresh token was refused (invalid_grant); asking for consent again");
                        self.keep_refresh_token(scopes, None)?;
                    }
                    Err(RefreshFailure::Other(error)) => return Err(error),
                }
            }
            let (fresh, refresh_token) = match &self.device {
                Some(device) => self.device_consent(device, scopes).await?,
                None => self.consent(scopes).await?,
            };
            if let Some(token) = refresh_token {
                self.keep_refresh_token(scopes, Some(&token))?;
            }
            Ok(fresh)
        })
    }

    fn quota_project(&self) -> Option<&str> {
        None
    }

    /// Google's consent screen is in Google's own universe only.
    fn universe_domain(&self) -> Option<&str> {
        Some(crate::universe::DEFAULT_UNIVERSE)
    }
}

provider_over_cache!(InstalledApp);

impl fmt::Debug for InstalledApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flow = self.cache.fetch();
        f.debug_struct("InstalledApp")
            .field("client_id", &flow.client_id)
            .field("token_store", &flow.store.as_ref().map(TokenStore::path))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()));
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        let made = random_text(32).unwrap();
        assert_eq!(made.len(), 43);
        assert_ne!(made, random_text(32).unwrap());
    }

    #[test]
    fn client_secrets_files_are_checked() {
        let ok = r#"{"installed": {"client_id": "id.apps.googleusercontent.com", "client_secret": "s",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": "https://oauth2.googleapis.com/token"}}"#;
        assert!(InstalledApp::from_client_secrets_json(ok).is_ok());
        let web = r#"{"web": {"client_id": "id"}}"#;
        assert!(InstalledApp::from_client_secrets_json(web).unwrap_err().to_string().contains("no `installed` object"));
        let no_id = r#"{"installed": {"client_secret": "s"}}"#;
        assert!(InstalledApp::from_client_secrets_json(no_id).unwrap_err().to_string().contains("no `client_id`"));
        let bad_uri = r#"{"installed": {"client_id": "i", "token_uri": "http://example.com/t"}}"#;
        assert!(InstalledApp::from_client_secrets_json(bad_uri).unwrap_err().to_string().contains("`token_uri`"));
        let bad_auth = r#"{"installed": {"client_id": "i", "auth_uri": "ftp://x/"}}"#;
        assert!(InstalledApp::from_client_secrets_json(bad_auth)
            .unwrap_err()
            .to_string()
            .contains("authorization URI"));
    }
}
