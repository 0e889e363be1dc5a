//! The HTTP layer under a client, behind a small trait.
//!
//! [`HttpTransport`] is the default: hyper-util's pooled client with
//! rustls, proxies from the environment, and HTTP/2 under the `http2`
//! feature.
//!
//! Another implementation can route requests through a different HTTP
//! stack, a proxy or a test double; it receives requests with credentials
//! already applied, so it must not log URLs or headers without redacting
//! them.

mod connect;
mod hyper_client;
mod proxy;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::body::Body;
use crate::error::Error;

pub use self::hyper_client::{HttpTransport, DEFAULT_CONNECT_TIMEOUT};

/// Default cap on the size of a response body: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The future returned by [`Transport::send`].
pub type ResponseFuture<'a> = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Error>> + Send + 'a>>;

/// Sends one HTTP request and returns the response as soon as its head has
/// arrived; the body streams after that.
///
/// Implementations return every response, whatever its status: the client
/// turns non-2xx statuses into errors. They report failures to connect as
/// [`crate::error::ErrorKind::Transport`] (marked with
/// [`Error::with_never_sent`] where no byte of the request can have left)
/// and expiry of `timeout` as [`crate::error::ErrorKind::Timeout`], and must not
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
