//! Application Default Credentials, through the `gcp_auth` crate.
//!
//! Only built with the `adc` feature: finding credentials means reading
//! files, talking to the metadata server and signing JWTs, which brings in a
//! second HTTP stack and chrono. Programs that pass a token of their own
//! should not pay for it.

use std::fmt;
use std::sync::Arc;

use super::{AccessToken, TokenFuture, TokenProvider};
use crate::error::Error;

/// Tokens from Application Default Credentials: the
/// `GOOGLE_APPLICATION_CREDENTIALS` file, gcloud's user credentials, or the
/// metadata server, in the order `gcp_auth` tries them.
///
/// `gcp_auth` caches tokens and refreshes them before they expire.
#[derive(Clone)]
pub struct ApplicationDefault {
    inner: Arc<dyn gcp_auth::TokenProvider>,
}

impl ApplicationDefault {
    /// Looks for credentials. Fails with [`crate::ErrorKind::Auth`] if none
    /// are found.
    pub async fn new() -> Result<Self, Error> {
        let inner = gcp_auth::provider()
            .await
            .map_err(|e| Error::auth("no Application Default Credentials found").with_source(e))?;
        Ok(Self { inner })
    }
}

impl fmt::Debug for ApplicationDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApplicationDefault(****)")
    }
}

impl TokenProvider for ApplicationDefault {
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        Box::pin(async move {
            let token = self.inner.token(scopes).await.map_err(|e| {
                Error::auth("could not get a token from Application Default Credentials").with_source(e)
            })?;
            Ok(AccessToken::new(token.as_str()))
        })
    }
}
