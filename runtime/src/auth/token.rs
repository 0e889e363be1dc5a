//! Access tokens and the trait that supplies them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::Error;

/// The future returned by [`TokenProvider::token`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

/// Supplies OAuth 2 access tokens for requests.
///
/// Called once per request with the method's scopes, so an implementation
/// should cache tokens until shortly before they expire. The trait returns a
/// boxed future so that it can be used as `dyn TokenProvider`.
pub trait TokenProvider: Send + Sync + 'static {
    /// A token valid for `scopes` (which may be empty for methods that
    /// declare none).
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a>;

    /// Called when the API refused `rejected` with 401 Unauthorized. A
    /// caching provider drops the token here so that the next request gets
    /// a new one (it may have been revoked before it expired), and returns
    /// `true`: the client then retries the call once. The default does
    /// nothing and returns `false`, since asking again would give the same
    /// token.
    fn invalidate<'a>(&'a self, rejected: &'a AccessToken) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        let _ = rejected;
        Box::pin(std::future::ready(false))
    }

    /// The project these credentials bill quota to, when they name one
    /// (a key file's `quota_project_id`). Sent as `x-goog-user-project`
    /// unless the client sets its own.
    fn quota_project(&self) -> Option<&str> {
        None
    }

    /// The universe domain these credentials belong to (a key file's
    /// `universe_domain`, `googleapis.com` when it names none), or `None`
    /// when they do not say. A client refuses credentials from another
    /// universe than its own (see [`crate::universe`]).
    fn universe_domain(&self) -> Option<&str> {
        None
    }
}

impl<T: TokenProvider + ?Sized> TokenProvider for Arc<T> {
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        (**self).token(scopes)
    }

    fn invalidate<'a>(&'a self, rejected: &'a AccessToken) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        (**self).invalidate(rejected)
    }

    fn quota_project(&self) -> Option<&str> {
        (**self).quota_project()
    }

    fn universe_domain(&self) -> Option<&str> {
        (**self).universe_domain()
    }
}

impl<T: TokenProvider + ?Sized> TokenProvider for Box<T> {
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        (**self).token(scopes)
    }

    fn invalidate<'a>(&'a self, rejected: &'a AccessToken) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        (**self).invalidate(rejected)
    }

    fn quota_project(&self) -> Option<&str> {
        (**self).quota_project()
    }

    fn universe_domain(&self) -> Option<&str> {
        (**self).universe_domain()
    }
}

/// An OAuth 2 access token. `Debug` prints `AccessToken(****)`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    secret: String,
}

impl AccessToken {
    /// Wraps the token text.
    pub fn new(secret: impl Into<String>) -> Self {
        Self { secret: secret.into() }
    }

    /// The token text, for putting into an `Authorization` header.
    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(****)")
    }
}

/// A provider that always returns the same token, whatever the scopes.
///
/// For short-lived programs and tests; the token is never refreshed.
#[derive(Clone)]
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// A provider for this token text.
    pub fn new(token: impl Into<String>) -> Self {
        Self { token: AccessToken::new(token) }
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(****)")
    }
}

impl TokenProvider for StaticToken {
    fn token<'a>(&'a self, _scopes: &'a [&'static str]) -> TokenFuture<'a> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }
}
