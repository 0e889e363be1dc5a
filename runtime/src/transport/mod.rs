//! The HTTP layer under a client, behind a small trait.
//!
//! [`ReqwestTransport`] is the default. Another implementation can route
//! requests through a different HTTP stack, a proxy or a test double; it
//! receives requests with credentials already applied, so it must not log
//! URLs or headers without redacting them.

mod reqwest_transport;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;

pub use reqwest_transport::{ReqwestTransport, DEFAULT_MAX_RESPONSE_BYTES};

/// The future returned by [`Transport::send`].
pub type ResponseFuture<'a> = Pin<Box<dyn Future<Output = Result<http::Response<bytes::Bytes>, Error>> + Send + 'a>>;

/// Sends one HTTP request and reads the whole response.
///
/// Implementations return every response, whatever its status: the client
/// turns non-2xx statuses into errors. They report failures to connect as
/// [`crate::ErrorKind::Transport`] and expiry of `timeout` as
/// [`crate::ErrorKind::Timeout`], and must not follow redirects with the
/// request's credentials to another host.
pub trait Transport: Send + Sync + 'static {
    /// Sends `request`, giving up after `timeout` if one is set.
    fn send(&self, request: http::Request<bytes::Bytes>, timeout: Option<Duration>) -> ResponseFuture<'_>;
}

impl<T: Transport + ?Sized> Transport for Arc<T> {
    fn send(&self, request: http::Request<bytes::Bytes>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        (**self).send(request, timeout)
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&self, request: http::Request<bytes::Bytes>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        (**self).send(request, timeout)
    }
}
