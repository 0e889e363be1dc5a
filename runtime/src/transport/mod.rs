//! The HTTP layer under a client, behind a small trait.
//!
//! [`HttpTransport`] is the default: HTTP/1.1 over rustls, written for this
//! crate so that a clean build does not compile a general-purpose HTTP
//! stack. `ReqwestTransport` (feature `reqwest`, with HTTP/2 under
//! `http2`) is there for what the default leaves out, such as HTTP/2 or a
//! reqwest client configured by the caller.
//!
//! Another implementation can route requests through a different HTTP
//! stack, a proxy or a test double; it receives requests with credentials
//! already applied, so it must not log URLs or headers without redacting
//! them.

mod h1;
#[cfg(feature = "reqwest")]
mod reqwest_transport;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::body::Body;
use crate::error::Error;

pub use h1::HttpTransport;
#[cfg(feature = "reqwest")]
pub use reqwest_transport::ReqwestTransport;

/// Default cap on the size of a response body: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The most memory reserved up front from a `Content-Length`; a longer body
/// grows the buffer as it arrives, so a server cannot make the client
/// allocate a body it never sends.
const PREALLOCATE_LIMIT: u64 = 1024 * 1024;

/// The error for a body over the cap, the same from every built-in transport
/// so that callers can rely on its kind and status.
fn body_too_large(limit: usize, status: http::StatusCode) -> Error {
    Error::decode(format!("the response body is larger than the limit of {limit} bytes")).with_http_status(status)
}

/// The future returned by [`Transport::send`].
pub type ResponseFuture<'a> = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send + 'a>>;

/// Sends one HTTP request and returns the response as soon as its head has
/// arrived; the body streams after that.
///
/// Implementations return every response, whatever its status: the client
/// turns non-2xx statuses into errors. They report failures to connect as
/// [`crate::ErrorKind::Transport`] (marked with
/// [`Error::with_never_sent`] where no byte of the request can have left)
/// and expiry of `timeout` as [`crate::ErrorKind::Timeout`], and must not
/// follow redirects with the request's credentials to another host.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`. `timeout`, if set, bounds the time until the
    /// response head has arrived; the client bounds the reading of the body
    /// itself.
    fn send(&self, request: http::Request<Body>, timeout: Option<Duration>) -> ResponseFuture<'_>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: http::Request<Body>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        (**self).send(request, timeout)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: http::Request<Body>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        (**self).send(request, timeout)
    }
}
