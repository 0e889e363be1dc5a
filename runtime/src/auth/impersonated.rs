//! Service account impersonation through the IAM Credentials API: a base
//! credential (a user, a service account, the metadata server, ...) asks
//! `generateAccessToken` for a short-lived token of a target service
//! account, optionally through a chain of delegates.
//!
//! This follows google-auth-library-python's `impersonated_credentials`
//! and the `impersonated_service_account` files that `gcloud auth
//! application-default login --impersonate-service-account` writes.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use serde_json::{json, Value};

use super::cache::{provider_over_cache, Fetch, FetchFuture, FreshToken, TokenCache};
use super::endpoint;
use super::id_token::{self, IdCache, IdTokenProvider};
use super::key_file::KeyFile;
use super::TokenFuture;
use super::{AccessToken, AuthorizedUser, ServiceAccount, TokenProvider};
use crate::body::Body;
use crate::error::Error;
use crate::transport::Transport;

/// The IAM Credentials service in Google's own universe; other universes
/// have it under their own domain.
const IAM_ROOT: &str = "https://iamcredentials.googleapis.com/";
/// What the base credential's token is asked for, as the Python library does.
const IAM_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// The lifetime asked for unless the caller picks one (the API's default
/// and, without an organisation policy that allows more, its maximum).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// The longest lifetime the API grants at all (12 hours).
const MAX_LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// Tokens of a target service account, obtained by impersonating it with
/// another credential.
///
/// The base credential needs `roles/iam.serviceAccountTokenCreator` on the
/// target (or on the first delegate, each delegate on the next). `Debug`
/// shows the target principal only.
pub struct Impersonated {
    cache: TokenCache<Iam>,
}

struct Iam {
    source: Arc<dyn TokenProvider>,
    target: String,
    /// Where `generateAccessToken` is: the root URL and the method path.
    url: String,
    delegates: Vec<String>,
    /// Used for every token when set, instead of each method's scopes.
    scopes: Vec<String>,
    lifetime: Duration,
    quota_project: Option<String>,
    ids: IdCache,
    transport: Arc<dyn Transport>,
}

impl Impersonated {
    /// Impersonates `target_principal` (a service account's email address)
    /// with the tokens of `source`.
    pub fn new(source: impl TokenProvider, target_principal: &str) -> Result<Self, Error> {
        Self::with_source(Arc::new(source), target_principal)
    }

    fn with_source(source: Arc<dyn TokenProvider>, target: &str) -> Result<Self, Error> {
        check_principal(target).map_err(Error::invalid_argument)?;
        let url = access_token_url(&iam_root(source.universe_domain()), target);
        let iam = Iam {
            source,
            target: target.to_owned(),
            url,
            delegates: Vec::new(),
            scopes: Vec::new(),
            lifetime: DEFAULT_LIFETIME,
            quota_project: None,
            ids: IdCache::default(),
            transport: endpoint::default_transport()?,
        };
        Ok(Self { cache: TokenCache::new(iam) })
    }

    /// Reads an `impersonated_service_account` file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::read(path.as_ref())?)
    }

    /// An `impersonated_service_account` file's contents.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::parse(json, "impersonation credentials".to_owned())?)
    }

    pub(crate) fn from_key_file(file: KeyFile) -> Result<Self, Error> {
        if file.kind()? != "impersonated_service_account" {
            return Err(Error::auth(format!("the {} is not an `impersonated_service_account` file", file.source())));
        }
        let url = file.required("service_account_impersonation_url")?;
        let target = target_of(url).map_err(|why| bad_impersonation_url(file.source(), why))?;
        let delegates = file.strings("delegates")?;
        let quota_project = file.optional("quota_project_id")?.map(str::to_owned);
        let inner = file
            .object("source_credentials")?
            .ok_or_else(|| Error::auth(format!("the {} has no `source_credentials` object", file.source())))?;
        let inner = KeyFile::from_object(inner, format!("`source_credentials` of the {}", file.source()));
        let source: Arc<dyn TokenProvider> = match inner.kind()? {
            "authorized_user" => Arc::new(AuthorizedUser::from_key_file(inner)?),
            "service_account" => Arc::new(ServiceAccount::from_key_file(inner)?),
            other => {
                return Err(Error::auth(format!(
                    "the {} is of type {}, which cannot be impersonated from here (authorized_user or \
                     service_account can)",
                    inner.source(),
                    crate::text::quoted(other)
                )))
            }
        };
        let mut iam = Self::with_source(source, target)?.cache.into_fetch();
        iam.url = url.to_owned();
        iam.quota_project = quota_project;
        let this = Self { cache: TokenCache::new(iam) };
        Ok(this.delegates(delegates))
    }

    /// Impersonation at a credential file's `service_account_impersonation_url`
    /// (an external account's), with `source`'s tokens.
    /// `from` names the file, for errors.
    pub(crate) fn at_url(
        source: Arc<dyn TokenProvider>,
        url: &str,
        from: &str,
        transport: Arc<dyn Transport>,
    ) -> Result<Self, Error> {
        let target = target_of(url).map_err(|why| bad_impersonation_url(from, why))?;
        check_principal(target).map_err(Error::invalid_argument)?;
        let iam = Iam {
            source,
            target: target.to_owned(),
            url: url.to_owned(),
            delegates: Vec::new(),
            scopes: Vec::new(),
            lifetime: DEFAULT_LIFETIME,
            quota_project: None,
            ids: IdCache::default(),
            transport,
        };
        Ok(Self { cache: TokenCache::new(iam) })
    }

    /// The same impersonation over another base credential and transport
    /// (an external account moving to a new transport); cached tokens go.
    pub(crate) fn rebased(self, source: Arc<dyn TokenProvider>, transport: Arc<dyn Transport>) -> Self {
        self.reconfigure(|iam| {
            iam.source = source;
            iam.transport = transport;
        })
    }

    /// The delegate chain, in order: each service account impersonates the
    /// next, the last the target. Email addresses or
    /// `projects/-/serviceAccounts/{email}`.
    pub fn delegates<S: Into<String>>(self, delegates: impl IntoIterator<Item = S>) -> Self {
        let delegates = delegates.into_iter().map(|d| resource_name(&d.into())).collect();
        self.reconfigure(|iam| iam.delegates = delegates)
    }

    /// Asks for these scopes for every token, instead of each method's.
    pub fn scopes<S: Into<String>>(self, scopes: impl IntoIterator<Item = S>) -> Self {
        let scopes = scopes.into_iter().map(Into::into).collect();
        self.reconfigure(|iam| iam.scopes = scopes)
    }

    /// How long each token is valid (1 hour by default; more needs an
    /// organisation policy, and 12 hours is the most the API grants).
    pub fn lifetime(self, lifetime: Duration) -> Result<Self, Error> {
        if lifetime.is_zero() || lifetime > MAX_LIFETIME {
            return Err(Error::invalid_argument(format!(
                "an impersonated token's lifetime must be more than 0 s and at most {} s, not {} s",
                MAX_LIFETIME.as_secs(),
                lifetime.as_secs()
            )));
        }
        Ok(self.reconfigure(|iam| iam.lifetime = lifetime))
    }

    /// The IAM Credentials service at `root_url` instead of
    /// `https://iamcredentials.googleapis.com/` (another universe, a test).
    pub fn iam_root_url(self, root_url: &str) -> Result<Self, Error> {
        check_url(root_url).map_err(|why| Error::invalid_argument(format!("the IAM root URL is not usable: {why}")))?;
        Ok(self.reconfigure(|iam| iam.url = access_token_url(root_url, &iam.target)))
    }

    /// Sends IAM requests through `transport` instead of a new
    /// [`crate::transport::HttpTransport`]. The base credential keeps its own.
    pub fn with_transport(self, transport: impl Transport) -> Self {
        self.reconfigure(|iam| iam.transport = Arc::new(transport))
    }

    /// The service account whose tokens these are.
    pub fn target_principal(&self) -> &str {
        &self.cache.fetch().target
    }

    fn reconfigure(self, change: impl FnOnce(&mut Iam)) -> Self {
        let mut iam = self.cache.into_fetch();
        change(&mut iam);
        Self { cache: TokenCache::new(iam) }
    }
}

/// The service account in `.../projects/-/serviceAccounts/{email}:generateAccessToken`.
pub(crate) fn target_of(url: &str) -> Result<&str, &'static str> {
    check_url(url)?;
    let target = url
        .rsplit_once("/serviceAccounts/")
        .and_then(|(_, rest)| rest.strip_suffix(":generateAccessToken"))
        .ok_or("it does not end in /serviceAccounts/{email}:generateAccessToken")?;
    check_principal(target)?;
    Ok(target)
}

/// Why there is no base token is the part worth reading (an STS refusal, a
/// subject token that could not be had), so it goes into the message; the
/// kind stays, so a timeout is still one.
fn base_failed(target: &str, error: Error) -> Error {
    let message = format!("the base credential for impersonating {target} gave no token: {}", error.message());
    Error::new(error.kind(), message).with_source(error)
}

fn bad_impersonation_url(from: &str, why: &str) -> Error {
    Error::auth(format!("the `service_account_impersonation_url` of the {from} is not usable: {why}"))
}

fn check_principal(target: &str) -> Result<(), &'static str> {
    let ok = !target.is_empty()
        && target.contains('@')
        && target.bytes().all(|b| b.is_ascii_alphanumeric() || b"@.-_".contains(&b));
    if ok {
        Ok(())
    } else {
        Err("the target principal must be a service account's email address")
    }
}

/// https anywhere, plain http on loopback only: the request carries a token.
fn check_url(url: &str) -> Result<(), &'static str> {
    let parsed: http::Uri = url.parse().map_err(|_| "it is not a valid URI")?;
    match (parsed.scheme_str(), parsed.host()) {
        (Some("https"), Some(_)) => Ok(()),
        (Some("http"), Some(host)) if crate::host::is_loopback(host) => Ok(()),
        (Some("http"), Some(_)) => Err("plain http is only allowed for loopback hosts"),
        _ => Err("the scheme must be https"),
    }
}

/// The IAM Credentials root URL in the base credential's universe.
fn iam_root(universe: Option<&str>) -> String {
    crate::universe::rewrite_root(IAM_ROOT, universe.unwrap_or(crate::universe::DEFAULT_UNIVERSE))
}

fn resource_name(account: &str) -> String {
    if account.starts_with("projects/") {
        account.to_owned()
    } else {
        format!("projects/-/serviceAccounts/{account}")
    }
}

fn access_token_url(root: &str, target: &str) -> String {
    let root = root.trim_end_matches('/');
    format!("{root}/v1/projects/-/serviceAccounts/{target}:generateAccessToken")
}

impl Iam {
    async fn generate(&self, scopes: &[&'static str]) -> Result<FreshToken, Error> {
        let base = self.source.token(&[IAM_SCOPE]).await.map_err(|e| base_failed(&self.target, e))?;
        let scope: Vec<&str> = if !self.scopes.is_empty() {
            self.scopes.iter().map(String::as_str).collect()
        } else if scopes.is_empty() {
            vec![IAM_SCOPE]
        } else {
            scopes.to_vec()
        };
        let body = json!({
            "delegates": self.delegates,
            "scope": scope,
            "lifetime": format!("{}s", self.lifetime.as_secs()),
        });
        let from = format!("the IAM Credentials service (impersonating {})", self.target);
        let answer = self.post(&base, body.to_string(), &from).await?;
        let json = answer.json.as_ref();
        let token = json.and_then(|j| j.get("accessToken")).and_then(Value::as_str).filter(|t| !t.is_empty());
        let expiry = json.and_then(|j| j.get("expireTime")).and_then(Value::as_str);
        let (Some(token), Some(expiry)) = (token, expiry) else {
            return Err(Error::auth(format!("{from} sent no `accessToken` and `expireTime`")));
        };
        let expiry: crate::wire::Timestamp = expiry
            .parse()
            .map_err(|_| Error::auth(format!("{from} sent an `expireTime` that is not an RFC 3339 time")))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let lifetime = Duration::from_secs(u64::try_from(expiry.seconds()).unwrap_or(0).saturating_sub(now));
        Ok(FreshToken { token: AccessToken::new(token), lifetime })
    }

    /// POSTs `body` with the base token; the answer if it succeeded.
    async fn post(&self, base: &AccessToken, body: String, from: &str) -> Result<endpoint::Answer, Error> {
        self.post_to(&self.url, base, body, from).await
    }

    async fn post_to(
        &self,
        url: &str,
        base: &AccessToken,
        body: String,
        from: &str,
    ) -> Result<endpoint::Answer, Error> {
        let secrets = [base.secret()];
        let bearer = HeaderValue::try_from(format!("Bearer {}", base.secret()))
            .map_err(|_| Error::auth("the base credential's token cannot be sent in a header"))?;
        let request = http::Request::post(url)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(AUTHORIZATION, bearer)
            .body(Body::from(body))
            .map_err(|_| Error::auth(format!("the impersonation URL for {} is not a valid URI", self.target)))?;
        let answer =
            endpoint::send(&*self.transport, request, from).await.map_err(|e| endpoint::scrubbed(e, &secrets))?;
        if !answer.status.is_success() {
            let json = answer.json.as_ref().and_then(|j| j.get("error"));
            let field = |name: &str| json.and_then(|e| e.get(name)).and_then(Value::as_str);
            // Scrubbed before it is shortened, which could cut a secret past recognition.
            let message = field("message").map(|message| {
                let mut message = message.to_owned();
                for form in secrets.iter().flat_map(|s| crate::redact::error::forms(s)) {
                    crate::redact::error::text(&mut message, &form);
                }
                crate::text::quoted(&message)
            });
            let why = match (field("status"), message) {
                (Some(status), Some(message)) => format!("{status}: {message}"),
                (None, Some(message)) => message,
                (Some(status), None) => status.to_owned(),
                (None, None) => "no Google error in the body".to_owned(),
            };
            let error = Error::auth(format!("{from} refused: HTTP {} {why}", answer.status.as_u16()))
                .with_http_status(answer.status);
            return Err(endpoint::scrubbed(error, &secrets));
        }
        Ok(answer)
    }
}

impl Fetch for Iam {
    fn fetch<'a>(&'a self, scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(self.generate(scopes))
    }

    fn quota_project(&self) -> Option<&str> {
        self.quota_project.as_deref().or_else(|| self.source.quota_project())
    }

    fn universe_domain(&self) -> Option<&str> {
        self.source.universe_domain()
    }
}

provider_over_cache!(Impersonated);

impl IdTokenProvider for Impersonated {
    /// The target's ID token from `generateIdToken`, with its email in it.
    fn id_token<'a>(&'a self, audience: &'a str) -> TokenFuture<'a> {
        let iam = self.cache.fetch();
        Box::pin(iam.ids.get(audience, move |audience| {
            Box::pin(async move {
                let base = iam.source.token(&[IAM_SCOPE]).await.map_err(|e| base_failed(&iam.target, e))?;
                let body = json!({"audience": audience, "delegates": iam.delegates, "includeEmail": true});
                let from = format!("the IAM Credentials service (an ID token for {})", iam.target);
                let url = iam.url.replace(":generateAccessToken", ":generateIdToken");
                let answer = iam.post_to(&url, &base, body.to_string(), &from).await?;
                id_token::read(answer.json.as_ref(), "token", &from)
            })
        }))
    }
}

impl fmt::Debug for Impersonated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Impersonated").field("target_principal", &self.target_principal()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls() {
        assert_eq!(
            resource_name("a@p.iam.gserviceaccount.com"),
            "projects/-/serviceAccounts/a@p.iam.gserviceaccount.com"
        );
        assert_eq!(resource_name("projects/-/serviceAccounts/a@b"), "projects/-/serviceAccounts/a@b");
        assert_eq!(
            access_token_url("https://iamcredentials.googleapis.com/", "a@b"),
            "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken"
        );
        assert_eq!(iam_root(Some("tpc.example")), "https://iamcredentials.tpc.example/");
        assert_eq!(iam_root(None), IAM_ROOT);
        assert!(check_principal("a@p.iam.gserviceaccount.com").is_ok());
        assert!(check_principal("not an email").is_err());
        assert!(check_principal("a@b/../x").is_err());
        assert!(check_url("http://example.com/").is_err());
        assert!(check_url("http://127.0.0.1:8/").is_ok());
    }
}
