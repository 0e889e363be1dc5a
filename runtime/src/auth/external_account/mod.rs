//! External accounts: workload and workforce identity federation. A token
//! from another identity provider (an OIDC or SAML token in a file, at a
//! URL or printed by a program; a signed AWS request) is exchanged at
//! Google's Security Token Service for a Google access token, which may
//! then impersonate a service account.
//!
//! This follows google-auth-library-python's `external_account`,
//! `identity_pool`, `pluggable` and `aws` modules and the `external_account`
//! files that `gcloud iam workload-identity-pools create-cred-config` writes.

mod authorized_user;
mod aws;
mod executable;
mod file;
mod sigv4;
mod source;
mod sts;
mod url;

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::cache::{Fetch, FetchFuture, TokenCache};
use super::endpoint;
use super::impersonated::{self, Impersonated};
use super::key_file::{check_secure_url, KeyFile};
use super::{AccessToken, TokenFuture, TokenProvider};
use crate::error::Error;
use crate::transport::Transport;
pub use authorized_user::ExternalAccountAuthorizedUser;
use source::{Context, Source};

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";
/// The range the IAM Credentials API grants without an organisation
/// policy saying more, as Google's Go library checks it.
const MIN_LIFETIME: u64 = 600;
const MAX_LIFETIME: u64 = 43_200;

/// Tokens for a workload or workforce identity pool, from an
/// `external_account` credential file.
///
/// The subject token is read (or the program run, or the AWS request
/// signed) anew for each exchange; Google tokens are cached per scope set
/// and replaced before they expire. Programs named in a file only run when
/// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`. `Debug` shows the
/// audience and the kind of subject token source, no token or key.
pub struct ExternalAccount {
    federation: Federation,
    inner: Inner,
}

enum Inner {
    Direct(TokenCache<Federation>),
    /// The STS token is the base credential of an impersonation.
    Impersonated(Impersonated),
}

/// One exchange at the STS, and everything it needs.
#[derive(Clone)]
struct Federation {
    audience: String,
    subject_token_type: String,
    token_url: String,
    source: Source,
    client: Option<(String, String)>,
    /// Only kept when nothing else names the project to bill.
    user_project: Option<String>,
    /// The service account to be impersonated, told to executables.
    impersonated: Option<String>,
    quota_project: Option<String>,
    universe_domain: String,
    transport: Arc<dyn Transport>,
}

impl ExternalAccount {
    /// Reads an `external_account` file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::read(path.as_ref())?)
    }

    /// An `external_account` file's contents.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::parse(json, "external account credentials".to_owned())?)
    }

    pub(crate) fn from_key_file(file: KeyFile) -> Result<Self, Error> {
        if file.kind()? != "external_account" {
            return Err(Error::auth(format!("the {} is not an `external_account` file", file.source())));
        }
        let audience = file.required("audience")?.to_owned();
        let subject_token_type = file.required("subject_token_type")?.to_owned();
        let universe_domain = file.universe_domain()?;
        let token_url = match file.optional("token_url")? {
            Some(url) => url.to_owned(),
            None => format!("https://sts.{universe_domain}/v1/token"),
        };
        check_secure_url(&token_url, "token_url", &file)?;

        let impersonation_url = file.optional("service_account_impersonation_url")?;
        let impersonated = match impersonation_url {
            None => None,
            Some(url) => Some(
                impersonated::target_of(url)
                    .map_err(|why| {
                        Error::auth(format!(
                            "the `service_account_impersonation_url` of the {} is not usable: {why}",
                            file.source()
                        ))
                    })?
                    .to_owned(),
            ),
        };
        let lifetime = match file.object("service_account_impersonation")? {
            None => None,
            Some(object) => lifetime(&KeyFile::from_object(
                object,
                format!("`service_account_impersonation` of the {}", file.source()),
            ))?,
        };

        let user_project = file.optional("workforce_pool_user_project")?;
        if user_project.is_some() && !is_workforce_pool(&audience) {
            return Err(Error::auth(format!(
                "the {} has a `workforce_pool_user_project`, but its `audience` is not a workforce pool provider's \
                 (//iam.googleapis.com/locations/…/workforcePools/…/providers/…)",
                file.source()
            )));
        }
        let client = match (file.optional("client_id")?, file.optional("client_secret")?) {
            (Some(id), secret) => Some((id.to_owned(), secret.unwrap_or_default().to_owned())),
            (None, Some(_)) => {
                return Err(Error::auth(format!("the {} has a `client_secret` but no `client_id`", file.source())))
            }
            (None, None) => None,
        };
        // A client id names the project, and an impersonated service
        // account bills its own.
        let user_project = user_project.filter(|_| client.is_none() && impersonated.is_none()).map(str::to_owned);
        let federation = Federation {
            source: Source::parse(&file)?,
            audience,
            subject_token_type,
            token_url,
            client,
            user_project,
            impersonated,
            quota_project: file.optional("quota_project_id")?.map(str::to_owned),
            universe_domain,
            transport: endpoint::default_transport()?,
        };
        let inner = match impersonation_url {
            None => Inner::Direct(TokenCache::new(federation.clone())),
            Some(url) => {
                let source: Arc<dyn TokenProvider> = Arc::new(TokenCache::new(federation.clone()));
                let impersonated = Impersonated::at_url(source, url, file.source(), federation.transport.clone())?;
                Inner::Impersonated(match lifetime {
                    Some(lifetime) => impersonated.lifetime(lifetime)?,
                    None => impersonated,
                })
            }
        };
        Ok(Self { federation, inner })
    }

    /// Sends every request (subject token URLs, AWS metadata, the STS, IAM)
    /// through `transport` instead of a new [`crate::transport::HttpTransport`].
    pub fn with_transport(self, transport: impl Transport) -> Self {
        let mut federation = self.federation;
        federation.transport = Arc::new(transport);
        let inner = match self.inner {
            Inner::Direct(_) => Inner::Direct(TokenCache::new(federation.clone())),
            Inner::Impersonated(impersonated) => Inner::Impersonated(
                impersonated.rebased(Arc::new(TokenCache::new(federation.clone())), federation.transport.clone()),
            ),
        };
        Self { federation, inner }
    }

    /// The workload or workforce pool provider the subject token is for.
    pub fn audience(&self) -> &str {
        &self.federation.audience
    }

    fn provider(&self) -> &dyn TokenProvider {
        match &self.inner {
            Inner::Direct(cache) => cache,
            Inner::Impersonated(impersonated) => impersonated,
        }
    }
}

/// `token_lifetime_seconds` of a `service_account_impersonation` object,
/// checked against what IAM grants.
fn lifetime(object: &KeyFile) -> Result<Option<Duration>, Error> {
    match object.optional_u64("token_lifetime_seconds")? {
        None => Ok(None),
        Some(seconds) if (MIN_LIFETIME..=MAX_LIFETIME).contains(&seconds) => Ok(Some(Duration::from_secs(seconds))),
        Some(seconds) => Err(Error::auth(format!(
            "the {} has a `token_lifetime_seconds` of {seconds}; it must be from {MIN_LIFETIME} to {MAX_LIFETIME}",
            object.source()
        ))),
    }
}

/// `//iam.googleapis.com/locations/{location}/workforcePools/{pool}/providers/{provider}`,
/// in any universe.
fn is_workforce_pool(audience: &str) -> bool {
    let Some(rest) = audience.strip_prefix("//iam.") else { return false };
    let parts: Vec<&str> = rest.split_once('/').map_or("", |(_, path)| path).split('/').collect();
    matches!(parts.as_slice(), ["locations", l, "workforcePools", p, "providers", v] if ![l, p, v].iter().any(|s| s.is_empty()))
}

impl Fetch for Federation {
    fn fetch<'a>(&'a self, scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(async move {
            let context = Context {
                audience: &self.audience,
                token_type: &self.subject_token_type,
                impersonated: self.impersonated.as_deref(),
                transport: &*self.transport,
            };
            let subject_token = self.source.subject_token(&context).await?;
            let scopes: &[&str] = if scopes.is_empty() { &[CLOUD_PLATFORM] } else { scopes };
            let exchange = sts::Exchange {
                token_url: &self.token_url,
                audience: &self.audience,
                subject_token: &subject_token,
                subject_token_type: &self.subject_token_type,
                scopes,
                user_project: self.user_project.as_deref(),
                client: self.client.as_ref().map(|(id, secret)| (id.as_str(), secret.as_str())),
            };
            sts::exchange(&*self.transport, &exchange).await
        })
    }

    fn quota_project(&self) -> Option<&str> {
        self.quota_project.as_deref()
    }

    fn universe_domain(&self) -> Option<&str> {
        Some(&self.universe_domain)
    }
}

impl TokenProvider for ExternalAccount {
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        self.provider().token(scopes)
    }

    fn invalidate<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        self.provider().invalidate(rejected)
    }

    fn quota_project(&self) -> Option<&str> {
        self.provider().quota_project()
    }

    fn universe_domain(&self) -> Option<&str> {
        self.provider().universe_domain()
    }
}

impl fmt::Debug for ExternalAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalAccount")
            .field("audience", &self.federation.audience)
            .field("source", &self.federation.source.kind())
            .field("impersonated", &self.federation.impersonated)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workforce_pools() {
        assert!(is_workforce_pool("//iam.googleapis.com/locations/global/workforcePools/pool/providers/p"));
        assert!(is_workforce_pool("//iam.tpc.example/locations/eu/workforcePools/pool/providers/p"));
        assert!(!is_workforce_pool(
            "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/pool/providers/p"
        ));
        assert!(!is_workforce_pool("//iam.googleapis.com/locations/global/workforcePools//providers/p"));
    }
}
