//! Media downloads (`alt=media`): whole, to a writer, or as a stream, from
//! any byte offset so that an interrupted download can carry on.

use std::fmt;
use std::ops::RangeBounds;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http::header::{CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use http::{HeaderMap, StatusCode};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::range::{ContentRange, Wanted};
use crate::body::BodyStream;
use crate::client::Client;
use crate::{Error, Result};

/// A media download, ready to send: choose a [`range`](Self::range) if
/// needed, then read it with [`bytes`](Self::bytes),
/// [`write_to`](Self::write_to) or [`stream`](Self::stream).
///
/// Media is never held to the client's JSON size cap; only `bytes` keeps
/// it all in memory.
#[must_use = "a download does nothing until it is read"]
pub struct Download {
    client: Client,
    request: Result<http::Request<Vec<u8>>>,
    scopes: &'static [&'static str],
    range: Result<Option<Wanted>>,
}

impl Download {
    /// A download of `request` (already carrying `alt=media`); an error in
    /// building it is reported when the download is read.
    pub fn new(client: Client, request: Result<http::Request<Vec<u8>>>, scopes: &'static [&'static str]) -> Self {
        Self { client, request, scopes, range: Ok(None) }
    }

    /// Asks for part of the media only, such as `start..` to carry on after
    /// `start` bytes were saved, or `a..b`.
    ///
    /// A server answering `206` must return exactly the start asked for. A
    /// server that ignores ranges and sends the whole media (`200`) is
    /// handled too: the bytes before the start are read and dropped, so
    /// the result is the same, only slower. An empty range is an error.
    pub fn range(mut self, bounds: impl RangeBounds<u64>) -> Self {
        self.range = Wanted::from_bounds(bounds).map(Some);
        self
    }

    /// Sends the request and returns the media as a stream of chunks once
    /// the response head has arrived.
    pub async fn stream(self) -> Result<MediaStream> {
        let wanted = self.range?;
        let mut request = self.request?.map(crate::Body::from);
        if let Some(wanted) = wanted {
            request.headers_mut().insert(RANGE, wanted.header());
        }
        let response = self.client.execute_streaming(request, self.scopes).await?;
        MediaStream::new(response, wanted)
    }

    /// Reads the whole media (or range) into memory, however large.
    pub async fn bytes(self) -> Result<Bytes> {
        let mut stream = self.stream().await?;
        let capacity = stream.content_length().unwrap_or(0).min(64 << 20);
        let mut buffer = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = stream.next_chunk().await {
            buffer.extend_from_slice(&chunk?);
        }
        Ok(buffer.freeze())
    }

    /// Streams the media (or range) into `writer`, flushes it, and returns
    /// the number of bytes written.
    ///
    /// If the download fails part way, the bytes written so far are good:
    /// count them and carry on with `.range(count..)`.
    pub async fn write_to<W>(self, writer: &mut W) -> Result<u64>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut stream = self.stream().await?;
        let mut written = 0u64;
        let failed = |e: std::io::Error| Error::io(format!("cannot write the downloaded media: {e}")).with_source(e);
        while let Some(chunk) = stream.next_chunk().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(failed)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(failed)?;
        Ok(written)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry an API key: only the path is shown.
        let path = self.request.as_ref().ok().map(|r| r.uri().path().to_string());
        f.debug_struct("Download").field("path", &path).field("range", &self.range.as_ref().ok()).finish()
    }
}

/// The bytes of a media download as they arrive, with what the response
/// head said about them.
#[must_use = "streams do nothing unless polled"]
pub struct MediaStream {
    body: BodyStream,
    headers: HeaderMap,
    start: u64,
    total: Option<u64>,
    /// Bytes to drop first, when a server ignored the range.
    skip: u64,
    /// Bytes still to hand out, when known.
    remaining: Option<u64>,
    done: bool,
}

impl MediaStream {
    fn new(response: http::Response<crate::Body>, wanted: Option<Wanted>) -> Result<Self> {
        let (parts, body) = response.into_parts();
        let header = |name| parts.headers.get(name).and_then(|v: &http::HeaderValue| v.to_str().ok());
        let length = header(CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
        let start = wanted.map_or(0, |w| w.start);
        let (skip, remaining, total) = if parts.status == StatusCode::PARTIAL_CONTENT {
            let raw = header(CONTENT_RANGE).unwrap_or("");
            let got = ContentRange::parse(raw).ok_or_else(|| {
                Error::decode(format!("a partial download came with the `Content-Range` `{}`", raw.escape_debug()))
                    .with_http_status(parts.status)
            })?;
            if got.start != start || wanted.and_then(|w| w.end).is_some_and(|end| got.end > end) {
                let asked = wanted.map_or_else(|| "the whole media".to_string(), |w| format!("bytes {w}"));
                return Err(Error::decode(format!(
                    "asked for {asked}, the server sent bytes {}-{}",
                    got.start, got.end
                ))
                .with_http_status(parts.status));
            }
            (0, Some(got.end - got.start + 1), got.total)
        } else {
            // The whole media: the range, if any, is cut out here.
            let remaining = match (wanted.and_then(|w| w.len()), length) {
                (Some(want), Some(len)) => Some(want.min(len.saturating_sub(start))),
                (Some(want), None) => Some(want),
                (None, Some(len)) => Some(len.saturating_sub(start)),
                (None, None) => None,
            };
            if length.is_some_and(|len| start > 0 && start >= len) {
                return Err(Error::invalid_argument(format!(
                    "the download range starts at byte {start}, past the end of the media ({} bytes)",
                    length.unwrap_or(0)
                )));
            }
            (start, remaining, length)
        };
        Ok(Self { body: body.into_stream(), headers: parts.headers, start, total, skip, remaining, done: false })
    }

    /// The response headers, such as `Content-Type` or `ETag`.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The offset in the media of the first byte this stream yields.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The size of the whole media, when the server said it.
    pub fn total_size(&self) -> Option<u64> {
        self.total
    }

    /// How many bytes this stream will still yield, when known.
    pub fn content_length(&self) -> Option<u64> {
        self.remaining
    }

    /// The next chunk, or `None` at the end of the media. A body that ends
    /// before the announced length gives an error rather than a short
    /// file.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl Stream for MediaStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done || this.remaining == Some(0) {
                return Poll::Ready(None);
            }
            let mut chunk = match std::task::ready!(Pin::new(&mut this.body).poll_next(cx)) {
                Some(Ok(chunk)) => chunk,
                Some(Err(e)) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                None => {
                    this.done = true;
                    if this.skip > 0 {
                        return Poll::Ready(Some(Err(Error::invalid_argument(format!(
                            "the media ended {} bytes before the start of the download range",
                            this.skip
                        )))));
                    }
                    return Poll::Ready(this.remaining.map(|left| {
                        Err(Error::transport(format!(
                            "the download ended {left} bytes early; carry on with a range from the bytes received"
                        )))
                    }));
                }
            };
            if this.skip > 0 {
                let dropped = this.skip.min(chunk.len() as u64);
                this.skip -= dropped;
                chunk = chunk.slice(dropped as usize..);
                if chunk.is_empty() {
                    continue;
                }
            }
            if let Some(left) = &mut this.remaining {
                if chunk.len() as u64 > *left {
                    chunk.truncate(*left as usize);
                }
                *left -= chunk.len() as u64;
            }
            return Poll::Ready(Some(Ok(chunk)));
        }
    }
}

impl fmt::Debug for MediaStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MediaStream")
            .field("start", &self.start)
            .field("total", &self.total)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}
