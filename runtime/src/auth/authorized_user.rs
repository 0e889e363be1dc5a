//! User credentials: a refresh token exchanged for access tokens (RFC 6749,
//! section 6), as in the file `gcloud auth application-default login`
//! writes.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::cache::{provider_over_cache, Fetch, FetchFuture, TokenCache};
use super::endpoint;
use super::key_file::{check_token_uri, KeyFile};
use crate::error::Error;
use crate::transport::Transport;

/// Where Google exchanges refresh tokens; gcloud's files name no endpoint.
const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// Tokens for a user, from an `authorized_user` credential file.
///
/// The scopes were fixed when the user consented, so the refresh request
/// names none; tokens are still cached per scope set like every provider's.
pub struct AuthorizedUser {
    cache: TokenCache<Refresher>,
}

struct Refresher {
    client_id: String,
    client_secret: String,
    refresh_token: String,
    token_uri: String,
    quota_project: Option<String>,
    universe_domain: String,
    transport: Arc<dyn Transport>,
}

impl AuthorizedUser {
    /// Reads an `authorized_user` file, such as
    /// `~/.config/gcloud/application_default_credentials.json`.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::read(path.as_ref())?)
    }

    /// An `authorized_user` file's contents.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        Self::from_key_file(KeyFile::parse(json, "user credentials".to_owned())?)
    }

    pub(crate) fn from_key_file(file: KeyFile) -> Result<Self, Error> {
        if file.kind()? != "authorized_user" {
            return Err(Error::auth(format!("the {} is not an `authorized_user` file", file.source())));
        }
        // A file may name its endpoint (tests and some tools write one).
        let token_uri = file.optional("token_uri")?.unwrap_or(GOOGLE_TOKEN_URI);
        check_token_uri(token_uri, &file)?;
        let refresher = Refresher {
            client_id: file.required("client_id")?.to_owned(),
            client_secret: file.required("client_secret")?.to_owned(),
            refresh_token: file.required("refresh_token")?.to_owned(),
            token_uri: token_uri.to_owned(),
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

impl Fetch for Refresher {
    fn fetch<'a>(&'a self, _scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(async move {
            let form = endpoint::form(&[
                ("grant_type", "refresh_token"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("refresh_token", &self.refresh_token),
            ]);
            let request = endpoint::post_form(&self.token_uri, form)?;
            endpoint::exchange(
                &*self.transport,
                request,
                "the user token endpoint",
                &[&self.client_secret, &self.refresh_token],
            )
            .await
        })
    }

    fn quota_project(&self) -> Option<&str> {
        self.quota_project.as_deref()
    }

    fn universe_domain(&self) -> Option<&str> {
        Some(&self.universe_domain)
    }
}

provider_over_cache!(AuthorizedUser);

impl fmt::Debug for AuthorizedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizedUser(****)")
    }
}
