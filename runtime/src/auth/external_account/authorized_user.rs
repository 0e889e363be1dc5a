//! A workforce identity federation user's refresh token, from the
//! `external_account_authorized_user` files that `gcloud auth
//! application-default login --login-config` writes: refreshed at the
//! STS with the pool's client id and secret, as google-auth-library-python's
//! `external_account_authorized_user` does.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use http::header::{HeaderValue, AUTHORIZATION};
use serde_json::Value;

use crate::auth::cache::{provider_over_cache, Fetch, FetchFuture, TokenCache};
use crate::auth::endpoint;
use crate::auth::key_file::{check_secure_url, KeyFile};
use crate::error::Error;
use crate::transport::Transport;

/// Tokens for a workforce pool user, from an
/// `external_account_authorized_user` file.
///
/// The STS may hand out a new refresh token with each access token; it
/// replaces the old one for this process (the file is left as it is, as
/// Google's libraries leave it). `Debug` shows the audience only.
pub struct ExternalAccountAuthorizedUser {
    cache: TokenCache<Refresher>,
}

struct Refresher {
    audience: Option<String>,
    client_id: String,
    client_secret: String,
    refresh_token: Mutex<String>,
    token_url: String,
    quota_project: Option<String>,
    universe_domain: String,
    transport: Arc<dyn Transport>,
}

impl ExternalAccountAuthorizedUser {
    /// Reads an `external_account_authorized_user` file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::read(path.as_ref())?)
    }

    /// An `external_account_authorized_user` file's contents.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::parse(json, "external account user credentials".to_owned())?)
    }

    pub(crate) fn from_key_file(file: KeyFile) -> Result<Self, Error> {
        if file.kind()? != "external_account_authorized_user" {
            return Err(Error::auth(format!(
                "the {} is not an `external_account_authorized_user` file",
                file.source()
            )));
        }
        let token_url = file.required("token_url")?;
        check_secure_url(token_url, "token_url", &file)?;
        let refresher = Refresher {
            audience: file.optional("audience")?.map(str::to_owned),
            client_id: file.required("client_id")?.to_owned(),
            client_secret: file.required("client_secret")?.to_owned(),
            refresh_token: Mutex::new(file.required("refresh_token")?.to_owned()),
            token_url: token_url.to_owned(),
            quota_project: file.optional("quota_project_id")?.map(str::to_owned),
            universe_domain: file.universe_domain()?,
            transport: endpoint::default_transport()?,
        };
        Ok(Self { cache: TokenCache::new(refresher) })
    }

    /// Sends token requests through `transport` instead of a new
    /// [`crate::transport::HttpTransport`].
    pub fn with_transport(self, transport: impl Transport) -> Self {
        let mut refresher = self.cache.into_fetch();
        refresher.transport = Arc::new(transport);
        Self { cache: TokenCache::new(refresher) }
    }
}

impl Refresher {
    fn current(&self) -> String {
        self.refresh_token.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Fetch for Refresher {
    fn fetch<'a>(&'a self, _scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(async move {
            let refresh_token = self.current();
            let form = endpoint::form(&[("grant_type", "refresh_token"), ("refresh_token", &refresh_token)]);
            let mut request = endpoint::post_form(&self.token_url, form)?;
            let basic =
                base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", self.client_id, self.client_secret));
            let mut value = HeaderValue::try_from(format!("Basic {basic}"))
                .map_err(|_| Error::auth("the client id or secret cannot be sent in a header"))?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
            let from = "the security token service";
            let mut secrets = vec![refresh_token.clone(), self.client_secret.clone(), basic];
            let answer = endpoint::send(&*self.transport, request, from)
                .await
                .map_err(|e| endpoint::scrubbed(e, &as_strs(&secrets)))?;
            let rotated = answer.json.as_ref().and_then(|j| j.get("refresh_token")).and_then(Value::as_str);
            secrets.extend(rotated.map(str::to_owned));
            if !answer.status.is_success() {
                return Err(answer.refusal(from, &as_strs(&secrets)));
            }
            let fresh = endpoint::read_token(answer.json.as_ref())
                .map_err(|why| Error::auth(format!("{from} sent an unusable token response: {why}")))?;
            if let Some(rotated) = rotated.filter(|t| !t.is_empty()) {
                *self.refresh_token.lock().unwrap_or_else(PoisonError::into_inner) = rotated.to_owned();
            }
            Ok(fresh)
        })
    }

    fn quota_project(&self) -> Option<&str> {
        self.quota_project.as_deref()
    }

    fn universe_domain(&self) -> Option<&str> {
        Some(&self.universe_domain)
    }
}

fn as_strs(secrets: &[String]) -> Vec<&str> {
    secrets.iter().map(String::as_str).collect()
}

provider_over_cache!(ExternalAccountAuthorizedUser);

impl fmt::Debug for ExternalAccountAuthorizedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalAccountAuthorizedUser")
            .field("audience", &self.cache.fetch().audience)
            .finish_non_exhaustive()
    }
}
