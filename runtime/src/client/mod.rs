//! The client that generated API types wrap, and the sending of requests.

mod builder;
pub(crate) mod decode;
mod idle_timeout;
mod root_url;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::USER_AGENT;
use http::HeaderValue;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::auth::{AccessToken, Credentials};
use crate::body::Body;
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
    /// response, its body read whole, if its status is 2xx.
    ///
    /// `scopes` are the OAuth scopes of the method, passed to the token
    /// provider. Any other status becomes an [`crate::ErrorKind::Http`] error
    /// with Google's error body decoded. The body is held to the client's
    /// [`max_response_bytes`](ClientBuilder::max_response_bytes).
    ///
    /// Must run inside a Tokio runtime with its I/O and time drivers enabled
    /// (as `#[tokio::main]` sets up): the transports open sockets and
    /// enforce the timeout through Tokio.
    pub async fn execute(
        &self,
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<http::Response<bytes::Bytes>, Error> {
        self.run_collected(request.map(Into::into), scopes, Ok).await
    }

    /// [`run`](Self::run) for a body read whole and held to the cap, then
    /// handed to `finish` (inside `run`, so its errors are scrubbed too).
    async fn run_collected<T>(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        finish: impl FnOnce(http::Response<bytes::Bytes>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let limit = self.inner.max_response_bytes;
        self.run(request, scopes, Deadline::Whole, Statuses::Success, |response| async move {
            let (parts, body) = response.into_parts();
            let body = body.collect_limited(limit).await.map_err(|e| e.with_http_status(parts.status))?;
            finish(http::Response::from_parts(parts, body))
        })
        .await
    }

    /// Sends `request` and returns a 2xx response as soon as its head has
    /// arrived, with the body still to be read: for media, whose size has no
    /// limit.
    ///
    /// The client's timeout bounds the wait for the head; after that, each
    /// chunk of the body must arrive within the timeout of the one before.
    pub async fn execute_streaming(
        &self,
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<http::Response<Body>, Error> {
        self.run(
            request.map(Into::into),
            scopes,
            Deadline::Head,
            Statuses::Success,
            |response| async move { Ok(response) },
        )
        .await
    }

    /// Sends `request` and returns the response whatever its status, with
    /// its body read whole and held to the cap: for protocols that give
    /// statuses outside 2xx a meaning, as resumable upload does with `308`.
    pub async fn execute_any_status(
        &self,
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<http::Response<bytes::Bytes>, Error> {
        let limit = self.inner.max_response_bytes;
        self.run(request.map(Into::into), scopes, Deadline::Whole, Statuses::Any, |response| async move {
            let (parts, body) = response.into_parts();
            let body = body.collect_limited(limit).await.map_err(|e| e.with_http_status(parts.status))?;
            Ok(http::Response::from_parts(parts, body))
        })
        .await
    }

    /// Sends `request`, hands a 2xx response to `finish`, and scrubs the
    /// credentials from any error on the way, whichever step made it.
    async fn run<T, F, Fut>(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        deadline: Deadline,
        statuses: Statuses,
        finish: F,
    ) -> Result<T, Error>
    where
        F: FnOnce(http::Response<Body>) -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
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
        let timeout = self.inner.timeout;
        let exchange = async {
            let response = self.send(request, scopes, statuses, &mut token, &span).await?;
            match deadline {
                Deadline::Whole => finish(response).await,
                Deadline::Head => finish(response.map(|body| idle_timeout::limit(body, timeout))).await,
            }
        };
        // The transport gets the timeout too, but a custom transport might
        // ignore it; this outer limit holds for every transport.
        let result = match deadline {
            Deadline::Whole => tokio::time::timeout(timeout, exchange.instrument(span.clone()))
                .await
                .unwrap_or_else(|_| Err(Error::timeout(format!("no complete response within {timeout:?}")))),
            Deadline::Head => exchange.instrument(span.clone()).await,
        };
        result.map_err(|mut error| {
            self.inner.credentials.redact(&mut error, token.as_ref());
            for secret in &own_secrets {
                error.redact(secret);
            }
            tracing::debug!(parent: &span, error = %error, "request failed");
            error
        })
    }

    /// Applies credentials and the user agent, sends, and turns a status
    /// outside 2xx into an error.
    async fn send(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        statuses: Statuses,
        token: &mut Option<AccessToken>,
        span: &tracing::Span,
    ) -> Result<http::Response<Body>, Error> {
        let inner = &*self.inner;
        let (mut parts, body) = request.into_parts();
        *token = inner.credentials.apply(&mut parts, scopes).await?;
        if !parts.headers.contains_key(USER_AGENT) {
            parts.headers.insert(USER_AGENT, inner.user_agent.clone());
        }
        let request = http::Request::from_parts(parts, body);

        let timeout = inner.timeout;
        let response = tokio::time::timeout(timeout, inner.transport.send(request, Some(timeout)))
            .await
            .map_err(|_| Error::timeout(format!("no response within {timeout:?}")))??;

        let status = response.status();
        span.record("status", status.as_u16());
        if !status.is_success() && matches!(statuses, Statuses::Success) {
            // An error body is for reading, never for streaming: hold it to
            // the cap whatever the call expected.
            let (parts, body) = response.into_parts();
            let body = body.collect_limited(inner.max_response_bytes).await.map_err(|e| e.with_http_status(status))?;
            return Err(Error::from_http_response(&http::Response::from_parts(parts, body)));
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
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<T, Error> {
        self.run_collected(request.map(Into::into), scopes, |response| decode::json_body(&response)).await
    }

    /// Sends `request` and ignores the body of a successful response
    /// (for methods that return `Empty`).
    pub async fn execute_empty(
        &self,
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<(), Error> {
        self.run_collected(request.map(Into::into), scopes, |_| Ok(())).await
    }

    /// Sends `request` and returns the whole body, however large, as for
    /// media downloads.
    pub async fn execute_bytes(
        &self,
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<bytes::Bytes, Error> {
        self.run(request.map(Into::into), scopes, Deadline::Head, Statuses::Success, |response| {
            response.into_body().collect()
        })
        .await
    }
}

/// How long the client's timeout covers.
#[derive(Clone, Copy)]
enum Deadline {
    /// The whole exchange, body included: for bodies read into memory.
    Whole,
    /// Until the response head; then each body chunk on its own.
    Head,
}

/// Which statuses reach the caller as responses rather than errors.
#[derive(Clone, Copy)]
enum Statuses {
    Success,
    Any,
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
