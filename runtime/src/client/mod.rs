//! The client that generated API types wrap, and the sending of requests.

mod builder;
mod decode;
mod root_url;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::USER_AGENT;
use http::HeaderValue;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::auth::{AccessToken, Credentials};
use crate::error::Error;
use crate::transport::Transport;

pub use builder::{ClientBuilder, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT};

/// Implemented by the `Client` type of each generated API.
pub trait Service: Sized {
    /// The API's default root URL, such as `https://vision.googleapis.com/`.
    const ROOT_URL: &'static str;
    /// The path after the root shared by all methods, such as `v1/` (may be empty).
    const SERVICE_PATH: &'static str;
    /// Wraps a configured client.
    fn from_client(client: Client) -> Self;
}

/// A configured connection to one API: root URL, credentials, transport
/// and limits.
///
/// Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    root_url: String,
    base_url: String,
    credentials: Credentials,
    timeout: Duration,
    user_agent: HeaderValue,
    transport: Arc<dyn Transport>,
    max_response_bytes: usize,
}

impl Client {
    /// The root URL, ending in `/`.
    pub fn root_url(&self) -> &str {
        &self.inner.root_url
    }

    /// The root URL followed by the service path, ending in `/`. Method paths
    /// are relative to it.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The time allowed for each request.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Sends `request` with this client's credentials and returns the
    /// response if its status is 2xx.
    ///
    /// `scopes` are the OAuth scopes of the method, passed to the token
    /// provider. Any other status becomes an [`crate::ErrorKind::Http`] error
    /// with Google's error body decoded.
    ///
    /// Must run inside a Tokio runtime with its I/O and time drivers enabled
    /// (as `#[tokio::main]` sets up): the transports open sockets and
    /// enforce the timeout through Tokio.
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
        scopes: &'static [&'static str],
    ) -> Result<http::Response<bytes::Bytes>, Error> {
        self.run(request, scopes, Ok).await
    }

    /// Sends `request`, hands a 2xx response to `finish`, and scrubs the
    /// credentials from any error on the way, whichever step made it.
    async fn run<T>(
        &self,
        request: http::Request<Vec<u8>>,
        scopes: &'static [&'static str],
        finish: impl FnOnce(http::Response<bytes::Bytes>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // Only the path is recorded: the query may hold the API key.
        let span = tracing::debug_span!(
            "discogen.request",
            method = %request.method(),
            path = request.uri().path(),
            status = tracing::field::Empty,
        );
        // Credentials the caller put on the request itself (a call's own
        // `key`, a hand-set Authorization header) are secrets too.
        let own_secrets = crate::redact::request_secrets(&request);
        let mut token = None;
        let result = self.send(request, scopes, &mut token, &span).instrument(span.clone()).await.and_then(finish);
        result.map_err(|mut error| {
            self.inner.credentials.redact(&mut error, token.as_ref());
            for secret in &own_secrets {
                error.redact(secret);
            }
            tracing::debug!(parent: &span, error = %error, "request failed");
            error
        })
    }

    async fn send(
        &self,
        request: http::Request<Vec<u8>>,
        scopes: &'static [&'static str],
        token: &mut Option<AccessToken>,
        span: &tracing::Span,
    ) -> Result<http::Response<bytes::Bytes>, Error> {
        let inner = &*self.inner;
        let (mut parts, body) = request.into_parts();
        *token = inner.credentials.apply(&mut parts, scopes).await?;
        if !parts.headers.contains_key(USER_AGENT) {
            parts.headers.insert(USER_AGENT, inner.user_agent.clone());
        }
        let request = http::Request::from_parts(parts, bytes::Bytes::from(body));

        // The transport gets the timeout too, but a custom transport might
        // ignore it; this outer limit holds for every transport.
        let sending = inner.transport.send(request, Some(inner.timeout));
        let response = tokio::time::timeout(inner.timeout, sending)
            .await
            .map_err(|_| Error::timeout(format!("no complete response within {:?}", inner.timeout)))??;

        let status = response.status();
        span.record("status", status.as_u16());
        if response.body().len() > inner.max_response_bytes {
            return Err(Error::decode(format!(
                "the response body is larger than the limit of {} bytes",
                inner.max_response_bytes
            ))
            .with_http_status(status));
        }
        if !status.is_success() {
            return Err(Error::from_http_response(&response));
        }
        Ok(response)
    }

    /// Sends `request` and decodes a JSON response body into `T`.
    ///
    /// A body that is empty or does not decode gives an
    /// [`crate::ErrorKind::Decode`] error with serde's message, its line and
    /// column, and an excerpt of the body.
    pub async fn execute_json<T: DeserializeOwned>(
        &self,
        request: http::Request<Vec<u8>>,
        scopes: &'static [&'static str],
    ) -> Result<T, Error> {
        self.run(request, scopes, |response| decode::json_body(&response)).await
    }

    /// Sends `request` and ignores the body of a successful response
    /// (for methods that return `Empty`).
    pub async fn execute_empty(
        &self,
        request: http::Request<Vec<u8>>,
        scopes: &'static [&'static str],
    ) -> Result<(), Error> {
        self.run(request, scopes, |_| Ok(())).await
    }

    /// Sends `request` and returns the raw body, as for media downloads.
    pub async fn execute_bytes(
        &self,
        request: http::Request<Vec<u8>>,
        scopes: &'static [&'static str],
    ) -> Result<bytes::Bytes, Error> {
        self.run(request, scopes, |response| Ok(response.into_body())).await
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("user_agent", &self.inner.user_agent)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .finish_non_exhaustive()
    }
}
