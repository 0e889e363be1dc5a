//! Service account keys: a JWT signed with the key's private half is
//! exchanged for an access token at the key file's `token_uri`
//! (RFC 7523, as Google's OAuth 2 server-to-server flow uses it).

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};

use super::cache::{provider_over_cache, Fetch, FetchFuture, TokenCache};
use super::endpoint;
use super::id_token::{self, IdCache, IdTokenProvider};
use super::key_file::{check_token_uri, KeyFile};
use super::TokenFuture;
use crate::error::Error;
use crate::transport::Transport;

/// The grant type of a JWT bearer assertion (RFC 7523, section 2.1).
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// How long an assertion is valid; Google accepts at most an hour.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(3600);
/// Asked for when a method declares no scopes: Google's token endpoint
/// refuses an assertion without one.
const DEFAULT_SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

/// Tokens for a service account, from its JSON key file.
///
/// Tokens are cached per scope set and replaced a few minutes before they
/// expire. `Debug` shows only the account's email address.
pub struct ServiceAccount {
    cache: TokenCache<Signer>,
}

struct Signer {
    client_email: String,
    token_uri: String,
    key_id: Option<String>,
    key: EncodingKey,
    quota_project: Option<String>,
    universe_domain: String,
    ids: IdCache,
    transport: Arc<dyn Transport>,
}

impl ServiceAccount {
    /// Reads a key file as the Cloud console or `gcloud iam
    /// service-accounts keys create` writes it.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::read(path.as_ref())?)
    }

    /// A key file's contents.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::parse(json, "service account key".to_owned())?)
    }

    pub(crate) fn from_key_file(file: KeyFile) -> Result<Self, Error> {
        if file.kind()? != "service_account" {
            return Err(Error::auth(format!("the {} is not a service account key", file.source())));
        }
        let token_uri = file.required("token_uri")?;
        check_token_uri(token_uri, &file)?;
        // jsonwebtoken's message is left out: it could quote the key.
        let key = EncodingKey::from_rsa_pem(file.required("private_key")?.as_bytes()).map_err(|_| {
            Error::auth(format!("the `private_key` of the {} is not an RSA private key in PEM form", file.source()))
        })?;
        let signer = Signer {
            client_email: file.required("client_email")?.to_owned(),
            token_uri: token_uri.to_owned(),
            key_id: file.optional("private_key_id")?.map(str::to_owned),
            key,
            quota_project: file.optional("quota_project_id")?.map(str::to_owned),
            universe_domain: file.universe_domain()?,
            ids: IdCache::default(),
            transport: endpoint::default_transport()?,
        };
        Ok(Self { cache: TokenCache::new(signer) })
    }

    /// Sends token requests through `transport` instead of a new
    /// [`crate::transport::HttpTransport`].
    pub fn with_transport(self, transport: impl Transport) -> Self {
        let mut signer = self.cache.into_fetch();
        signer.transport = Arc::new(transport);
        Self { cache: TokenCache::new(signer) }
    }

    /// The account's email address.
    pub fn client_email(&self) -> &str {
        &self.cache.fetch().client_email
    }
}

impl Signer {
    /// The signed JWT for `scopes`, valid from now.
    fn assertion(&self, scopes: &[&'static str]) -> Result<String, Error> {
        let scope = if scopes.is_empty() { DEFAULT_SCOPE.to_owned() } else { scopes.join(" ") };
        self.sign(("scope", &scope))
    }

    /// The signed JWT with one more claim (`scope`, or `target_audience`
    /// for an ID token), valid from now.
    fn sign(&self, (claim, value): (&str, &str)) -> Result<String, Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::auth("the system clock is before 1970; cannot date a JWT"))?
            .as_secs();
        let mut claims = serde_json::json!({
            "iss": self.client_email,
            "aud": self.token_uri,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME.as_secs(),
        });
        claims[claim] = serde_json::Value::from(value);
        let mut header = Header::new(Algorithm::RS256);
        header.kid.clone_from(&self.key_id);
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| {
            Error::auth(format!("could not sign a JWT for service account {}", self.client_email)).with_source(e)
        })
    }
}

impl Fetch for Signer {
    fn fetch<'a>(&'a self, scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(async move {
            let assertion = self.assertion(scopes)?;
            let form = endpoint::form(&[("grant_type", JWT_BEARER), ("assertion", &assertion)]);
            let request = endpoint::post_form(&self.token_uri, form)?;
            endpoint::exchange(&*self.transport, request, "the service account token endpoint", &[&assertion]).await
        })
    }

    fn quota_project(&self) -> Option<&str> {
        self.quota_project.as_deref()
    }

    fn universe_domain(&self) -> Option<&str> {
        Some(&self.universe_domain)
    }
}

provider_over_cache!(ServiceAccount);

impl IdTokenProvider for ServiceAccount {
    /// A JWT with `target_audience` is exchanged at the key's `token_uri`,
    /// which answers with an `id_token`.
    fn id_token<'a>(&'a self, audience: &'a str) -> TokenFuture<'a> {
        let signer = self.cache.fetch();
        Box::pin(signer.ids.get(audience, move |audience| {
            Box::pin(async move {
                let assertion = signer.sign(("target_audience", audience))?;
                let form = endpoint::form(&[("grant_type", JWT_BEARER), ("assertion", &assertion)]);
                let request = endpoint::post_form(&signer.token_uri, form)?;
                let from = "the service account token endpoint";
                let secrets = [assertion.as_str()];
                let answer = endpoint::send(&*signer.transport, request, from)
                    .await
                    .map_err(|e| endpoint::scrubbed(e, &secrets))?;
                if !answer.status.is_success() {
                    return Err(endpoint::scrubbed(answer.refusal(from, &secrets), &secrets));
                }
                id_token::read(answer.json.as_ref(), "id_token", from)
            })
        }))
    }
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount").field("client_email", &self.client_email()).finish_non_exhaustive()
    }
}
