//! Application Default Credentials: finding the credentials a program runs
//! with, the way Google's client libraries do.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::key_file::KeyFile;
use super::metadata::METADATA_HOST_VARIABLE;
use super::{
    AccessToken, AuthorizedUser, ExternalAccount, ExternalAccountAuthorizedUser, Impersonated, MetadataServer,
    ServiceAccount, TokenFuture, TokenProvider,
};
use crate::error::Error;

const FILE_VARIABLE: &str = "GOOGLE_APPLICATION_CREDENTIALS";
/// How long to wait for a metadata server before deciding there is none.
const PROBE_WAIT: Duration = Duration::from_secs(2);

/// Tokens from Application Default Credentials, found in this order:
///
/// 1. the key file named by `GOOGLE_APPLICATION_CREDENTIALS` (a service
///    account key, an `authorized_user`, `impersonated_service_account`,
///    `external_account` or `external_account_authorized_user` file, told
///    apart by `type`);
/// 2. gcloud's `application_default_credentials.json`, written by
///    `gcloud auth application-default login`;
/// 3. the metadata server (at `$GCE_METADATA_HOST` if set), if one answers.
///
/// Tokens are cached per scope set and refreshed before they expire.
#[derive(Clone)]
pub struct ApplicationDefault {
    inner: Arc<dyn TokenProvider>,
}

impl ApplicationDefault {
    /// Looks for credentials. Fails with [`crate::error::ErrorKind::Auth`] if none
    /// are found or a file that is named cannot be used.
    pub async fn new() -> Result<Self, Error> {
        if let Some(path) = std::env::var_os(FILE_VARIABLE).filter(|p| !p.is_empty()) {
            return Self::from_file(Path::new(&path));
        }
        let gcloud = gcloud_file();
        if let Some(path) = gcloud.as_deref().filter(|p| p.is_file()) {
            return Self::from_file(path);
        }
        let metadata = MetadataServer::new()?;
        if std::env::var_os(METADATA_HOST_VARIABLE).is_some() || metadata.answers(PROBE_WAIT).await {
            return Ok(Self { inner: Arc::new(metadata) });
        }
        let looked_at =
            gcloud.map_or_else(|| "gcloud's file (no home directory)".to_owned(), |p| p.display().to_string());
        Err(Error::auth(format!(
            "no Application Default Credentials found: {FILE_VARIABLE} is not set, there is no {looked_at}, \
             and no metadata server answered"
        )))
    }

    /// Credentials from a key file of either kind, told apart by its `type`.
    pub fn from_file(path: &Path) -> Result<Self, Error> {
        let file = KeyFile::read(path)?;
        let inner: Arc<dyn TokenProvider> = match file.kind()? {
            "service_account" => Arc::new(ServiceAccount::from_key_file(file)?),
            "authorized_user" => Arc::new(AuthorizedUser::from_key_file(file)?),
            "impersonated_service_account" => Arc::new(Impersonated::from_key_file(file)?),
            "external_account" => Arc::new(ExternalAccount::from_key_file(file)?),
            "external_account_authorized_user" => Arc::new(ExternalAccountAuthorizedUser::from_key_file(file)?),
            other => {
                return Err(Error::auth(format!(
                    "the {} is of type {}, which is not supported (service_account, authorized_user, \
                     impersonated_service_account, external_account and external_account_authorized_user are)",
                    file.source(),
                    crate::text::quoted(other)
                )))
            }
        };
        Ok(Self { inner })
    }
}

/// Where gcloud keeps the user's default credentials.
fn gcloud_file() -> Option<PathBuf> {
    let config = match std::env::var_os("CLOUDSDK_CONFIG").filter(|p| !p.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None if cfg!(windows) => PathBuf::from(std::env::var_os("APPDATA")?).join("gcloud"),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".config").join("gcloud"),
    };
    Some(config.join("application_default_credentials.json"))
}

impl fmt::Debug for ApplicationDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApplicationDefault(****)")
    }
}

impl TokenProvider for ApplicationDefault {
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        self.inner.token(scopes)
    }

    fn invalidate<'a>(
        &'a self,
        rejected: &'a AccessToken,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
        self.inner.invalidate(rejected)
    }

    fn quota_project(&self) -> Option<&str> {
        self.inner.quota_project()
    }

    fn universe_domain(&self) -> Option<&str> {
        self.inner.universe_domain()
    }
}
