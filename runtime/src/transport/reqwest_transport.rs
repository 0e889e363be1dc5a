//! The transport of the `reqwest` feature: reqwest over rustls with the ring
//! provider, HTTP/2 too with the `http2` feature.

use std::fmt;
use std::time::Duration;

use bytes::BytesMut;

use super::{body_too_large, ResponseFuture, Transport, DEFAULT_MAX_RESPONSE_BYTES, PREALLOCATE_LIMIT};
use crate::error::Error;

/// HTTP/1.1 (and HTTP/2 with the `http2` feature) over rustls, with the
/// system's root certificates and the proxies named in the environment.
///
/// Redirects are never followed: a 3xx response comes back as it is and the
/// client reports it as an HTTP error. Following one could send the API key
/// or token to another host, and Google APIs do not redirect API calls.
///
/// The body is read chunk by chunk and the read stops as soon as it passes
/// the cap, so a huge or endless response cannot exhaust memory.
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: usize,
}

impl ReqwestTransport {
    /// A transport with its own connection pool and the default body cap.
    pub fn new() -> Result<Self, Error> {
        // reqwest is built with `rustls-no-provider`, which leaves the choice
        // of crypto backend to the program and panics when building a client
        // if none is installed. Installing ring's provider process-wide is the
        // documented way to choose one. If the program already installed a
        // provider (ring or another), that call fails and the program's
        // choice stands, which is what we want. The alternative, handing
        // reqwest a preconfigured rustls config, would mean redoing its
        // certificate verifier and ALPN setup here.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::transport("could not set up the HTTP client").with_source(e.without_url()))?;
        Ok(Self::from_reqwest(client))
    }

    /// Uses a reqwest client configured by the caller (proxies, mTLS,
    /// extra root certificates). Its redirect policy is the caller's choice;
    /// the default one follows redirects.
    ///
    /// Build it with `.redirect(reqwest::redirect::Policy::none())` unless
    /// you mean to follow them. reqwest drops the `Authorization` header on
    /// a redirect to another host, but by default it sends the previous URL
    /// in a `Referer` header, and with an API key that URL holds the key:
    /// a client that follows redirects needs at least `.referer(false)`.
    pub fn from_reqwest(client: reqwest::Client) -> Self {
        Self { client, max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES }
    }

    /// Sets the largest response body that will be read, in bytes.
    pub fn with_max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    async fn send_inner(
        &self,
        request: http::Request<crate::body::Body>,
        timeout: Option<Duration>,
    ) -> Result<http::Response<crate::body::Body>, Error> {
        let request = request.map(reqwest::Body::wrap);
        let mut request = reqwest::Request::try_from(request)
            .map_err(|e| Error::invalid_argument("the request URL is not valid").with_source(e.without_url()))?;
        *request.timeout_mut() = timeout;
        let mut response = self.client.execute(request).await.map_err(map_error)?;

        let status = response.status();
        let too_large = || body_too_large(self.max_response_bytes, status);
        let declared = response.content_length().unwrap_or(0);
        if usize::try_from(declared).map_or(true, |n| n > self.max_response_bytes) {
            return Err(too_large());
        }
        // The declared length only sizes the first allocation, and only up
        // to a point: a server may promise a body it never sends.
        let mut body = BytesMut::with_capacity(usize::try_from(declared.min(PREALLOCATE_LIMIT)).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(map_error)? {
            if body.len() + chunk.len() > self.max_response_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }

        let mut out = http::Response::new(crate::body::Body::from(body.freeze()));
        *out.status_mut() = status;
        *out.version_mut() = response.version();
        *out.headers_mut() = std::mem::take(response.headers_mut());
        Ok(out)
    }
}

/// Sorts reqwest's errors into timeouts and transport failures, dropping
/// the URL, which may carry the API key.
fn map_error(error: reqwest::Error) -> Error {
    let error = error.without_url();
    if error.is_timeout() {
        Error::timeout("no complete response within the request timeout").with_source(error)
    } else if error.is_connect() {
        Error::transport("could not connect to the server").with_source(error)
    } else {
        Error::transport("the connection failed during the request").with_source(error)
    }
}

impl Transport for ReqwestTransport {
    fn send(&self, request: http::Request<crate::body::Body>, timeout: Option<Duration>) -> ResponseFuture<'_> {
        Box::pin(self.send_inner(request, timeout))
    }
}

impl fmt::Debug for ReqwestTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReqwestTransport").field("max_response_bytes", &self.max_response_bytes).finish_non_exhaustive()
    }
}
