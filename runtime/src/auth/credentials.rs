//! The credentials a client sends, and how they are put on a request.

use std::fmt;
use std::sync::Arc;

use http::header::{HeaderValue, AUTHORIZATION};

use super::{AccessToken, StaticToken, TokenProvider};
use crate::encode::{percent_encode_into, UNRESERVED};
use crate::error::Error;

/// What a client authenticates with: nothing, a token provider, an API key,
/// or a token provider and an API key together (the key then names the
/// project for quota, as Google allows).
///
/// Cheap to clone. `Debug` never shows the key or any token.
#[derive(Clone, Default)]
pub struct Credentials {
    provider: Option<Arc<dyn TokenProvider>>,
    api_key: Option<Arc<str>>,
}

impl Credentials {
    /// No credentials, for public methods and emulators.
    pub fn none() -> Self {
        Self::default()
    }

    /// Tokens from `provider`, sent as `Authorization: Bearer …`.
    pub fn token_provider(provider: impl TokenProvider) -> Self {
        Self { provider: Some(Arc::new(provider)), api_key: None }
    }

    /// One fixed bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self::token_provider(StaticToken::new(token))
    }

    /// An API key, sent as the `key` query parameter.
    pub fn api_key(key: impl Into<String>) -> Self {
        Self { provider: None, api_key: Some(Arc::from(key.into())) }
    }

    /// These credentials with `provider` as the token source.
    pub fn with_token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// These credentials with `key` as the API key.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(Arc::from(key.into()));
        self
    }

    /// Whether nothing will be sent.
    pub fn is_none(&self) -> bool {
        self.provider.is_none() && self.api_key.is_none()
    }

    /// Puts the API key into the URI and a token into the headers, and
    /// returns the token so that errors can be scrubbed of it.
    ///
    /// An `Authorization` header that is already set is left alone, so a
    /// caller can send a request with credentials of its own.
    pub(crate) async fn apply(
        &self,
        parts: &mut http::request::Parts,
        scopes: &'static [&'static str],
    ) -> Result<Option<AccessToken>, Error> {
        if let Some(key) = &self.api_key {
            // A `key` the call set itself wins, as an Authorization header
            // already on the request does: sending two keys is ambiguous.
            let call_has_key =
                parts.uri.query().is_some_and(|q| q.split('&').any(|pair| pair.split('=').next() == Some("key")));
            if !call_has_key {
                parts.uri = with_query_param(&parts.uri, "key", key)?;
            }
        }
        if let Some(provider) = &self.provider {
            if !parts.headers.contains_key(AUTHORIZATION) {
                let token = provider.token(scopes).await?;
                let mut value = HeaderValue::try_from(format!("Bearer {}", token.secret()))
                    .map_err(|_| Error::auth("the access token has characters not allowed in a header"))?;
                // Keeps the value out of http's own Debug output and out of
                // HTTP/2 header compression tables.
                value.set_sensitive(true);
                parts.headers.insert(AUTHORIZATION, value);
                return Ok(Some(token));
            }
        }
        Ok(None)
    }

    /// Tells the token provider that the API refused `token` (401), so the
    /// next request gets a new one. Returns whether asking again can help:
    /// only when the refused token came from a provider that replaces it.
    pub(crate) async fn refused(&self, token: Option<&AccessToken>) -> bool {
        match (&self.provider, token) {
            (Some(provider), Some(token)) => provider.invalidate(token).await,
            _ => false,
        }
    }

    /// The universe the token provider's credentials belong to, if it says.
    pub(crate) fn universe_domain(&self) -> Option<&str> {
        self.provider.as_ref().and_then(|p| p.universe_domain())
    }

    /// The quota project the token provider names, if any.
    pub(crate) fn quota_project(&self) -> Option<&str> {
        self.provider.as_ref().and_then(|p| p.quota_project())
    }

    /// Replaces this client's API key and the token sent, if any, in an
    /// error with a marker.
    pub(crate) fn redact(&self, error: &mut Error, token: Option<&AccessToken>) {
        if let Some(key) = &self.api_key {
            error.redact(key);
        }
        if let Some(token) = token {
            error.redact(token.secret());
        }
    }
}

/// `uri` with `name=value` appended to its query.
fn with_query_param(uri: &http::Uri, name: &str, value: &str) -> Result<http::Uri, Error> {
    let mut text = uri.to_string();
    text.push(if uri.query().is_some() { '&' } else { '?' });
    text.push_str(name);
    text.push('=');
    percent_encode_into(&mut text, value, UNRESERVED);
    // The error text of the parser is left out: it could quote the key.
    http::Uri::try_from(text).map_err(|_| Error::invalid_argument("the request URI cannot take an API key"))
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Credentials");
        if self.provider.is_some() {
            out.field("token_provider", &format_args!("****"));
        }
        if self.api_key.is_some() {
            out.field("api_key", &format_args!("****"));
        }
        out.finish()
    }
}
