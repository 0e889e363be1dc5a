//! A limit on the wait for each chunk of a streamed response body.
//!
//! A media download may rightly take hours, so no deadline can cover the
//! whole body; a connection that goes silent must still fail instead of
//! hanging forever. The client's timeout therefore applies afresh to every
//! chunk.

use std::future::Future as _;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::body::Body;
use crate::error::Error;

pin_project_lite::pin_project! {
    struct IdleTimeout {
        #[pin]
        body: Body,
        #[pin]
        sleep: tokio::time::Sleep,
        limit: Duration,
    }
}

/// `body`, failing with a timeout error when no chunk arrives for `limit`.
pub(crate) fn limit(body: Body, limit: Duration) -> Body {
    if body.as_bytes().is_some() {
        return body;
    }
    let length = body.length();
    Body::streamed(IdleTimeout { body, sleep: tokio::time::sleep(limit), limit }, length)
}

impl http_body::Body for IdleTimeout {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.project();
        if let Poll::Ready(frame) = this.body.poll_frame(cx) {
            let deadline = tokio::time::Instant::now() + *this.limit;
            this.sleep.reset(deadline);
            return Poll::Ready(frame);
        }
        match this.sleep.poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Error::timeout(format!(
                "no part of the response body arrived within {:?}",
                this.limit
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
