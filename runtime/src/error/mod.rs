//! The one error type of the runtime and of generated clients.

mod retry_after;

use std::error::Error as StdError;
use std::fmt;
use std::time::{Duration, SystemTime};

use http::StatusCode;
use serde::de::DeserializeOwned;

use crate::redact::error as redact;
use crate::rpc;
use crate::text::{excerpt, one_line};

/// `Result` with this crate's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request did not reach the server or the response did not come
    /// back whole: DNS, connect, TLS, reset connections.
    Transport,
    /// No response within the request timeout.
    Timeout,
    /// The server answered with a status outside 2xx.
    Http,
    /// The response body could not be read as the expected type, or was
    /// larger than allowed.
    Decode,
    /// A value given by the caller was refused before anything was sent.
    InvalidArgument,
    /// Credentials could not be obtained or used.
    Auth,
    /// A wait (such as polling a long-running operation) ran past its deadline.
    Deadline,
    /// A local source or sink failed: a file or reader given as a request
    /// body, or a writer a download was written to.
    Io,
}

/// Whether an error object gives a rate limit as its reason. Google's
/// Python client reads the first of `errors[].reason`; every entry is read
/// here, and the `ErrorInfo` detail of newer error bodies too.
fn names_rate_limit(status: &rpc::Status, object: &serde_json::Value) -> bool {
    const LEGACY: [&str; 2] = ["rateLimitExceeded", "userRateLimitExceeded"];
    let legacy = object
        .get("errors")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.get("reason").and_then(serde_json::Value::as_str))
        .any(|reason| LEGACY.contains(&reason));
    legacy
        || status.typed_details().iter().any(|detail| match detail {
            rpc::Detail::ErrorInfo(info) => {
                info.reason == "RATE_LIMIT_EXCEEDED" || LEGACY.contains(&info.reason.as_str())
            }
            _ => false,
        })
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::Transport => "transport error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Http => "HTTP error",
            ErrorKind::Decode => "decode error",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Auth => "authentication error",
            ErrorKind::Deadline => "deadline exceeded",
            ErrorKind::Io => "I/O error",
        })
    }
}

/// An error from a generated client or the runtime.
///
/// The fields stay private so that new facts can be added later; use the
/// accessors. Neither `Display` nor `Debug` ever shows a credential: the
/// client removes its token and API key from anything taken from a response,
/// and transport errors are stripped of the URL, which may hold the key.
pub struct Error {
    // Boxed so that `Result<T, Error>` stays one pointer wide.
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    http_status: Option<StatusCode>,
    status: Option<rpc::Status>,
    /// The `error` object as sent, for [`Error::status_as`].
    error_object: Option<serde_json::Value>,
    body_excerpt: Option<String>,
    retry_after: Option<Duration>,
    /// Set only where no byte of the request can have reached the server.
    never_sent: bool,
    /// The error object names a rate limit as its reason.
    rate_limit_reason: bool,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a one-line description.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                http_status: None,
                status: None,
                error_object: None,
                body_excerpt: None,
                retry_after: None,
                never_sent: false,
                rate_limit_reason: false,
                source: None,
            }),
        }
    }

    /// A value from the caller was refused before sending.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }

    /// The connection failed or broke.
    pub fn transport(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transport, message)
    }

    /// No response came in time.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Timeout, message)
    }

    /// A body could not be decoded.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Decode, message)
    }

    /// Credentials could not be obtained or used.
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }

    /// A wait ran past its deadline.
    pub fn deadline(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Deadline, message)
    }

    /// A local source or sink failed.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }

    /// Marks the error as one that happened before any byte of the request
    /// could reach the server, such as a failed DNS lookup or connect.
    ///
    /// Transports call this where they know it; it is what allows the client
    /// to retry a call that is not idempotent.
    pub fn with_never_sent(mut self) -> Self {
        self.inner.never_sent = true;
        self
    }

    /// Whether the request provably never reached the server, so that
    /// sending it again cannot repeat its effect.
    pub fn is_never_sent(&self) -> bool {
        self.inner.never_sent
    }

    /// An [`ErrorKind::Http`] error for a response outside 2xx.
    ///
    /// Decodes Google's error body into a [`rpc::Status`] when it is one and
    /// keeps an excerpt of the body otherwise. The wait comes from the
    /// `Retry-After` header and any `RetryInfo` detail, whichever is longer.
    pub fn from_http_response<B: AsRef<[u8]>>(response: &http::Response<B>) -> Self {
        let status_code = response.status();
        let body = response.body().as_ref();
        let mut error = Self::new(ErrorKind::Http, "the server returned an error").with_http_status(status_code);
        match rpc::parse_error_body(body) {
            Some((status, object)) => {
                error.inner.rate_limit_reason =
                    status_code == StatusCode::FORBIDDEN && names_rate_limit(&status, &object);
                error.inner.status = Some(status);
                error.inner.error_object = Some(object);
            }
            None if !body.is_empty() => error.inner.body_excerpt = Some(excerpt(body)),
            None => {}
        }
        let from_header = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after::parse(v, SystemTime::now()));
        let from_detail = error.inner.status.as_ref().and_then(rpc::Status::retry_delay);
        error.inner.retry_after = from_header.max(from_detail);
        error
    }

    /// Records the HTTP status the error relates to.
    pub fn with_http_status(mut self, status: StatusCode) -> Self {
        self.inner.http_status = Some(status);
        self
    }

    /// Keeps the start of `body` for [`Error::body_excerpt`].
    pub fn with_body_excerpt(mut self, body: &[u8]) -> Self {
        self.inner.body_excerpt = Some(excerpt(body));
        self
    }

    /// Records how long the server asked the client to wait.
    pub fn with_retry_after(mut self, wait: Duration) -> Self {
        self.inner.retry_after = Some(wait);
        self
    }

    /// Attaches the lower-level cause, returned by `source()`.
    ///
    /// The cause's own text is shown by `Debug`, so it must not contain
    /// credentials either.
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status of the response, for HTTP and decode errors.
    pub fn http_status(&self) -> Option<StatusCode> {
        self.inner.http_status
    }

    /// Google's error object from the response body, if there was one.
    pub fn status(&self) -> Option<&rpc::Status> {
        self.inner.status.as_ref()
    }

    /// Decodes the error object from the response body into `T`, for example
    /// the `Status` type generated for an API. `None` if there was no error
    /// object or it does not fit `T`.
    pub fn status_as<T: DeserializeOwned>(&self) -> Option<T> {
        self.inner.error_object.as_ref().and_then(|object| T::deserialize(object).ok())
    }

    /// The first 512 or so characters of the response body, for bodies that
    /// were not a Google error object and for bodies that failed to decode.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.body_excerpt.as_deref()
    }

    /// How long the server asked the client to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// Whether trying again later may succeed: HTTP 429, 500, 502, 503 and
    /// 504, a `403` that reports a rate limit ([`is_rate_limited`](Self::is_rate_limited)),
    /// transport failures and timeouts.
    pub fn is_transient(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Transport | ErrorKind::Timeout => true,
            ErrorKind::Http => {
                self.inner.http_status.is_some_and(|s| matches!(s.as_u16(), 429 | 500 | 502 | 503 | 504))
                    || self.is_rate_limited()
            }
            _ => false,
        }
    }

    /// Whether the server refused the call for a quota or rate limit that a
    /// later try may fit in: any `429`, and a `403` whose error gives the
    /// reason `rateLimitExceeded` or `userRateLimitExceeded` (in
    /// `error.errors[].reason`, as Drive, Gmail, YouTube and Sheets send it)
    /// or `RATE_LIMIT_EXCEEDED` (in an `ErrorInfo` detail). Other `403`s,
    /// such as `dailyLimitExceeded` or a missing permission, are final.
    pub fn is_rate_limited(&self) -> bool {
        match self.inner.http_status.map(|s| s.as_u16()) {
            Some(429) => self.inner.kind == ErrorKind::Http,
            Some(403) => self.inner.kind == ErrorKind::Http && self.inner.rate_limit_reason,
            _ => false,
        }
    }

    /// The short description given when the error was made.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Replaces every occurrence of `secret` in text that came from outside
    /// (the message, the excerpt, the decoded error object).
    ///
    /// A server that echoes a request back could otherwise put the caller's
    /// API key or token into an error message.
    ///
    /// The secret is also looked for percent-encoded (as a server echoing
    /// the URL would show an API key), at the end of a body excerpt that was
    /// cut off in the middle of it, and in the text of the `source` chain
    /// (serde, for one, quotes the value it could not decode); a source that
    /// holds it is replaced by its scrubbed text.
    pub(crate) fn redact(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        for form in redact::forms(secret) {
            self.redact_form(&form);
        }
    }

    fn redact_form(&mut self, secret: &str) {
        let inner = &mut *self.inner;
        redact::text(&mut inner.message, secret);
        if let Some(excerpt) = &mut inner.body_excerpt {
            redact::text(excerpt, secret);
            if excerpt.chars().count() >= crate::text::EXCERPT_CHARS {
                redact::cut_tail(excerpt, secret);
            }
        }
        if let Some(status) = &mut inner.status {
            redact_status(status, secret);
        }
        if let Some(object) = &mut inner.error_object {
            redact::json(object, secret);
        }
        if let Some(source) = &inner.source {
            let chain = redact::chain(&**source);
            if chain.contains(secret) {
                let mut scrubbed = chain;
                redact::text(&mut scrubbed, secret);
                inner.source = Some(Box::new(redact::RedactedSource(scrubbed)));
            }
        }
    }
}

/// Replaces `secret` everywhere in a decoded status. Here rather than in
/// `redact`, which sits below `rpc` and so does not know `Status`.
fn redact_status(status: &mut rpc::Status, secret: &str) {
    redact::text(&mut status.message, secret);
    if let Some(name) = &mut status.status {
        redact::text(name, secret);
    }
    status.details.iter_mut().for_each(|d| redact::json(d, secret));
    status.extra.values_mut().for_each(|v| redact::json(v, secret));
}

/// Longest piece of server text that `Display` shows, in characters.
const DISPLAY_CHARS: usize = 300;

impl fmt::Display for Error {
    /// One line, such as `HTTP 404 Not Found: NOT_FOUND: Operation not found`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        if inner.kind != ErrorKind::Http {
            return write!(f, "{}: {}", inner.kind, one_line(&inner.message, DISPLAY_CHARS));
        }
        match inner.http_status {
            Some(code) => {
                write!(f, "HTTP {}", code.as_u16())?;
                if let Some(reason) = code.canonical_reason() {
                    write!(f, " {reason}")?;
                }
            }
            None => f.write_str("HTTP error")?,
        }
        if let Some(status) = &inner.status {
            if let Some(name) = &status.status {
                write!(f, ": {}", one_line(name, 64))?;
            }
            if !status.message.is_empty() {
                write!(f, ": {}", one_line(&status.message, DISPLAY_CHARS))?;
            }
        } else if let Some(body) = &inner.body_excerpt {
            write!(f, ": {}", one_line(body, DISPLAY_CHARS))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        let mut out = f.debug_struct("Error");
        out.field("kind", &inner.kind).field("message", &inner.message);
        if let Some(code) = inner.http_status {
            out.field("http_status", &code.as_u16());
        }
        if let Some(status) = &inner.status {
            out.field("status", status);
        }
        if let Some(body) = &inner.body_excerpt {
            out.field("body_excerpt", body);
        }
        if let Some(wait) = inner.retry_after {
            out.field("retry_after", &wait);
        }
        if let Some(source) = &inner.source {
            // The whole chain, since the root cause (such as "connection
            // refused" or a certificate problem) is usually the useful part.
            // Display rather than Debug: some libraries put request details
            // into their Debug output.
            out.field("source", &redact::chain(&**source));
        }
        out.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner.source.as_ref().map(|source| &**source as &(dyn StdError + 'static))
    }
}

impl From<crate::wire::ValueError> for Error {
    fn from(error: crate::wire::ValueError) -> Self {
        Error::invalid_argument(error.to_string())
    }
}

#[cfg(test)]
mod tests;
