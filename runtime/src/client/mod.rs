//! The client that generated API types wrap, and the sending of requests.

mod builder;
pub(crate) mod decode;
mod gzip;
mod identity;
mod idle_timeout;
mod root_url;
pub(crate) mod send;

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
use crate::retry::backoff::{plan_sleep, server_wait};
use crate::retry::{self, CallOptions, RetryPolicy};
use crate::transport::Transport;

pub use builder::{ClientBuilder, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT};
pub use decode::DataWrapper;
pub use identity::API_CLIENT;

/// What one call scrubs from its errors: the token it last sent, and
/// credentials the caller put on the request itself (a call's own `key`, a
/// hand-set `Authorization` header).
struct CallSecrets {
    token: Option<AccessToken>,
    own: Vec<String>,
}

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
    /// `user_agent` naming gzip, for requests that ask for it.
    user_agent_gzip: HeaderValue,
    quota_project: Option<HeaderValue>,
    transport: Arc<dyn Transport>,
    max_response_bytes: usize,
    retry_policy: RetryPolicy,
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

    /// The retry policy of calls that set none of their own.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry_policy
    }

    /// The time allowed for each request.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// Sends `request` with this client's credentials and returns the
    /// response, its body read whole, if its status is 2xx.
    ///
    /// `scopes` are the OAuth scopes of the method, passed to the token
    /// provider. Any other status becomes an [`crate::error::ErrorKind::Http`] error
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
    ///
    /// Such bodies are JSON, so the request asks for gzip (see `gzip`); the
    /// cap holds for the inflated bytes.
    async fn run_collected<T>(
        &self,
        mut request: http::Request<Body>,
        scopes: &'static [&'static str],
        finish: impl FnOnce(http::Response<bytes::Bytes>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        gzip::accept(request.headers_mut());
        let limit = self.inner.max_response_bytes;
        let receive = |response: http::Response<Body>| async move {
            let (mut parts, body) = response.into_parts();
            let body =
                gzip::collect(&mut parts.headers, body, limit).await.map_err(|e| e.with_http_status(parts.status))?;
            Ok(http::Response::from_parts(parts, body))
        };
        self.run(request, scopes, Deadline::Whole, receive, finish).await
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
        self.run(request.map(Into::into), scopes, Deadline::Head, |response| async move { Ok(response) }, Ok).await
    }

    /// Sends `request` and returns the response whatever its status, with
    /// its body read whole and held to the cap: for protocols that give
    /// statuses outside 2xx a meaning, as resumable upload does with `308`.
    pub async fn execute_any_status(
        &self,
        request: http::Request<impl Into<Body>>,
        scopes: &'static [&'static str],
    ) -> Result<http::Response<bytes::Bytes>, Error> {
        let mut request = request.map(Into::into);
        request.extensions_mut().insert(AnyStatus);
        self.run_collected(request, scopes, Ok).await
    }

    /// Sends `request`, retrying as the call's retry policy allows; hands a
    /// 2xx response to `receive` (part of each attempt, so a body that breaks
    /// off while it is read counts as a failed attempt) and the result to
    /// `finish`; and scrubs the credentials from any error on the way,
    /// whichever step made it.
    async fn run<R, T, Recv, RecvFut>(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        deadline: Deadline,
        receive: Recv,
        finish: impl FnOnce(R) -> Result<T, Error>,
    ) -> Result<T, Error>
    where
        Recv: Fn(http::Response<Body>) -> RecvFut,
        RecvFut: std::future::Future<Output = Result<R, Error>>,
    {
        // Only the path is recorded: the query may hold the API key.
        let span = tracing::debug_span!(
            "discogen.request",
            method = %request.method(),
            path = request.uri().path(),
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        // Credentials the caller put on the request itself (a call's own
        // `key`, a hand-set Authorization header) are secrets too.
        let mut secrets = CallSecrets { token: None, own: crate::redact::url::request_secrets(&request) };
        let result = self
            .attempts(request, scopes, deadline, &receive, &mut secrets, &span)
            .instrument(span.clone())
            .await
            .and_then(finish);
        result.map_err(|mut error| {
            self.scrub(&mut error, &secrets);
            tracing::debug!(parent: &span, error = %error, "request failed");
            error
        })
    }

    /// Removes the client's credentials and the call's own secrets from
    /// `error`.
    fn scrub(&self, error: &mut Error, secrets: &CallSecrets) {
        self.inner.credentials.redact(error, secrets.token.as_ref());
        for secret in &secrets.own {
            error.redact(secret);
        }
    }

    /// The retry loop: attempts until one succeeds, a failure is not worth
    /// retrying, or the policy's attempts or time run out.
    async fn attempts<R, Recv, RecvFut>(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        deadline: Deadline,
        receive: &Recv,
        secrets: &mut CallSecrets,
        span: &tracing::Span,
    ) -> Result<R, Error>
    where
        Recv: Fn(http::Response<Body>) -> RecvFut,
        RecvFut: std::future::Future<Output = Result<R, Error>>,
    {
        let options = request.extensions().get::<CallOptions>();
        let policy = options.and_then(CallOptions::retry_policy).unwrap_or(&self.inner.retry_policy).clone();
        let idempotent =
            options.and_then(CallOptions::idempotent).unwrap_or_else(|| retry::method_is_idempotent(request.method()));
        let started = tokio::time::Instant::now();
        let mut schedule = policy.backoff.schedule();
        let (parts, body) = request.into_parts();
        let mut body = Some(body);
        let mut attempt: u32 = 0;
        // A token refused with 401 is replaced once per call, however many
        // attempts the policy allows.
        let mut refreshed = false;
        loop {
            attempt = attempt.saturating_add(1);
            span.record("attempts", attempt);
            // `body` is always refilled before the loop comes round again.
            let this_body = body.take().unwrap_or_default();
            // Only a body held in memory can go out again.
            let replay = this_body.try_clone();
            let request = http::Request::from_parts(copy_parts(&parts), this_body);
            let mut error = match self.attempt(request, scopes, deadline, receive, &mut secrets.token, span).await {
                Ok(received) => return Ok(received),
                Err(error) => error,
            };
            let Some(replay) = replay else { return Err(error) };
            if !refreshed && self.refresh_after_401(&error, secrets.token.as_ref()).await {
                refreshed = true;
                body = Some(replay);
                continue;
            }
            if policy.has_classifier() {
                // The caller's code must not see credentials (it may log
                // the error); the built-in test reads no text, so only a
                // custom classifier pays for scrubbing every attempt.
                self.scrub(&mut error, secrets);
            }
            if attempt >= policy.max_attempts || !policy.allows_retry(&error, idempotent) {
                return Err(error);
            }
            let remaining = policy.time_limit.saturating_sub(started.elapsed());
            let Ok(delay) = plan_sleep(schedule.next_delay(), server_wait(&error), Some(remaining)) else {
                return Err(error);
            };
            // The error is not logged here: it has not been scrubbed yet.
            tracing::debug!(
                parent: span,
                attempt,
                kind = %error.kind(),
                http_status = error.http_status().map(|s| s.as_u16()),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "attempt failed; retrying"
            );
            tokio::time::sleep(delay).await;
            body = Some(replay);
        }
    }

    /// One attempt, bounded by the client's timeout.
    async fn attempt<R, Recv, RecvFut>(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        deadline: Deadline,
        receive: &Recv,
        token: &mut Option<AccessToken>,
        span: &tracing::Span,
    ) -> Result<R, Error>
    where
        Recv: Fn(http::Response<Body>) -> RecvFut,
        RecvFut: std::future::Future<Output = Result<R, Error>>,
    {
        let timeout = self.inner.timeout;
        let exchange = async {
            let response = self.send(request, scopes, token, span).await?;
            match deadline {
                Deadline::Whole => receive(response).await,
                Deadline::Head => receive(response.map(|body| idle_timeout::limit(body, timeout))).await,
            }
        };
        // The transport gets the timeout too, but a custom transport might
        // ignore it; this outer limit holds for every transport.
        match deadline {
            Deadline::Whole => tokio::time::timeout(timeout, exchange)
                .await
                .unwrap_or_else(|_| Err(Error::timeout(format!("no complete response within {timeout:?}")))),
            Deadline::Head => exchange.await,
        }
    }

    /// Applies credentials and the user agent, sends, and turns a status
    /// outside 2xx into an error.
    async fn send(
        &self,
        request: http::Request<Body>,
        scopes: &'static [&'static str],
        token: &mut Option<AccessToken>,
        span: &tracing::Span,
    ) -> Result<http::Response<Body>, Error> {
        let inner = &*self.inner;
        let (mut parts, body) = request.into_parts();
        let any_status = parts.extensions.get::<AnyStatus>().is_some();
        let data_wrapper = parts.extensions.get::<DataWrapper>().copied();
        *token = inner.credentials.apply(&mut parts, scopes).await?;
        let wants_gzip = gzip::asked(&parts.headers);
        match parts.headers.get(USER_AGENT) {
            None if wants_gzip => parts.headers.insert(USER_AGENT, inner.user_agent_gzip.clone()),
            None => parts.headers.insert(USER_AGENT, inner.user_agent.clone()),
            Some(own) if wants_gzip => {
                let named = own.to_str().ok().map(gzip::user_agent).and_then(|a| HeaderValue::try_from(a).ok());
                match named {
                    Some(agent) => parts.headers.insert(USER_AGENT, agent),
                    None => None,
                }
            }
            Some(_) => None,
        };
        identity::apply(&mut parts.headers, inner.quota_project.as_ref(), &inner.credentials);
        let request = http::Request::from_parts(parts, body);

        let timeout = inner.timeout;
        let response = tokio::time::timeout(timeout, inner.transport.send(request, Some(timeout)))
            .await
            .map_err(|_| Error::timeout(format!("no response within {timeout:?}")))??;

        let status = response.status();
        span.record("status", status.as_u16());
        if !status.is_success() && !any_status {
            // An error body is for reading, never for streaming: hold it to
            // the cap whatever the call expected.
            let (mut parts, body) = response.into_parts();
            let body = gzip::collect(&mut parts.headers, body, inner.max_response_bytes)
                .await
                .map_err(|e| e.with_http_status(status))?;
            return Err(Error::from_http_response(&http::Response::from_parts(parts, body)));
        }
        let mut response = response;
        // The decoder sees only the response, so the mark goes with it.
        if let Some(mark) = data_wrapper {
            response.extensions_mut().insert(mark);
        }
        Ok(response)
    }

    /// Whether `error` is a 401 for a token from the provider, which is then
    /// dropped so that sending again fetches a new one (it may have been
    /// revoked before it expired).
    async fn refresh_after_401(&self, error: &Error, token: Option<&AccessToken>) -> bool {
        error.http_status() == Some(http::StatusCode::UNAUTHORIZED) && self.inner.credentials.refused(token).await
    }

    /// Sends `request` and decodes a JSON response body into `T`.
    ///
    /// A body that is empty or does not decode gives an
    /// [`crate::error::ErrorKind::Decode`] error with serde's message, its line and
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
        let receive = |response: http::Response<Body>| response.into_body().collect();
        self.run(request.map(Into::into), scopes, Deadline::Head, receive, Ok).await
    }
}

/// Marks a request whose response is wanted whatever its status.
#[derive(Clone, Copy)]
struct AnyStatus;

/// A copy of a request's head, for sending it again.
fn copy_parts(parts: &http::request::Parts) -> http::request::Parts {
    let mut copy = http::Request::new(());
    *copy.method_mut() = parts.method.clone();
    *copy.uri_mut() = parts.uri.clone();
    *copy.version_mut() = parts.version;
    *copy.headers_mut() = parts.headers.clone();
    *copy.extensions_mut() = parts.extensions.clone();
    copy.into_parts().0
}

/// How long the client's timeout covers.
#[derive(Clone, Copy)]
enum Deadline {
    /// The whole exchange, body included: for bodies read into memory.
    Whole,
    /// Until the response head; then each body chunk on its own.
    Head,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("credentials", &self.inner.credentials)
            .field("timeout", &self.inner.timeout)
            .field("user_agent", &self.inner.user_agent)
            .field("quota_project", &self.inner.quota_project)
            .field("max_response_bytes", &self.inner.max_response_bytes)
            .field("retry_policy", &self.inner.retry_policy)
            .finish_non_exhaustive()
    }
}
