//! Media downloads (`alt=media`): whole, to a writer, or as a stream, from
//! any byte offset. A download broken off mid-body carries on by itself
//! with a `Range` request from the first byte not yet delivered.

use std::fmt;
use std::future::Future;
use std::ops::RangeBounds;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http::header::{CONTENT_LENGTH, CONTENT_RANGE, ETAG, RANGE};
use http::{HeaderMap, HeaderValue, StatusCode};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

use super::range::{ContentRange, Wanted};
use crate::body::BodyStream;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::backoff::Schedule;
use crate::retry::CallOptions;
use crate::retry::RetryPolicy;

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
    ///
    /// When the connection breaks (or the body ends short) part way, the
    /// stream asks again for the rest with a `Range` request, after a wait
    /// from the call's retry policy, and goes on where it stopped: nothing
    /// is delivered twice or skipped. A resumed answer must start at the
    /// byte asked for and carry the same `ETag`, if the first one had one;
    /// a server that ignores the range is read past the bytes already
    /// delivered. The policy's `max_attempts` bounds the tries in a row
    /// that bring no new byte; `RetryPolicy::never()` turns resuming off.
    pub async fn stream(self) -> Result<MediaStream> {
        let wanted = self.range?;
        let (parts, _) = self.request?.into_parts();
        let policy = parts
            .extensions
            .get::<CallOptions>()
            .and_then(CallOptions::retry_policy)
            .unwrap_or_else(|| self.client.retry_policy())
            .clone();
        let resume = Resume {
            client: self.client,
            scopes: self.scopes,
            schedule: policy.backoff.schedule(),
            policy,
            parts,
            failures: 0,
        };
        let response = resume.send(wanted).await?;
        let mut stream = MediaStream::new(response, wanted)?;
        stream.etag = stream.headers.get(ETAG).cloned();
        stream.resume = Some(Box::new(resume));
        Ok(stream)
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
    /// A broken connection is resumed by itself (see [`stream`](Self::stream));
    /// if the download still fails part way, the bytes written so far are
    /// good: count them and carry on later with `.range(count..)`.
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
    /// The offset in the media of the next byte to hand out.
    offset: u64,
    /// The last byte asked for, inclusive, when the range has an end.
    end: Option<u64>,
    etag: Option<HeaderValue>,
    /// How to ask for the rest after a break; `None` for a stream that
    /// cannot carry on.
    resume: Option<Box<Resume>>,
    /// The request for the rest, while it is under way.
    reconnecting: Option<Reconnect>,
}

type Reconnect = Pin<Box<dyn Future<Output = (Box<Resume>, Result<http::Response<crate::body::Body>>)> + Send>>;

/// What a download needs to ask for the rest of its media.
struct Resume {
    client: Client,
    scopes: &'static [&'static str],
    /// The request's head; the body of a download is empty.
    parts: http::request::Parts,
    policy: RetryPolicy,
    schedule: Schedule,
    /// Tries in a row that brought no new byte.
    failures: u32,
}

impl Resume {
    async fn send(&self, wanted: Option<Wanted>) -> Result<http::Response<crate::body::Body>> {
        let mut request = http::Request::new(crate::body::Body::empty());
        *request.method_mut() = self.parts.method.clone();
        *request.uri_mut() = self.parts.uri.clone();
        *request.headers_mut() = self.parts.headers.clone();
        *request.extensions_mut() = self.parts.extensions.clone();
        if let Some(wanted) = wanted {
            request.headers_mut().insert(RANGE, wanted.header());
        }
        self.client.execute_streaming(request, self.scopes).await
    }

    /// After a wait from the policy, asks for the media from `offset`
    /// (through `end`), or gives `error` back when the tries are used up.
    fn reconnect(mut self: Box<Self>, error: Error, offset: u64, end: Option<u64>) -> Result<Reconnect> {
        self.failures += 1;
        if self.failures >= self.policy.max_attempts {
            return Err(error);
        }
        let delay = self.schedule.next_delay();
        tracing::debug!(
            offset,
            failures = self.failures,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "download broke off; asking for the rest"
        );
        Ok(Box::pin(async move {
            tokio::time::sleep(delay).await;
            let response = self.send(Some(Wanted { start: offset, end })).await;
            (self, response)
        }))
    }

    /// A new byte arrived: the tries in a row start again.
    fn progressed(&mut self) {
        if self.failures > 0 {
            self.failures = 0;
            self.schedule = self.policy.backoff.schedule();
        }
    }
}

impl MediaStream {
    fn new(response: http::Response<crate::body::Body>, wanted: Option<Wanted>) -> Result<Self> {
        let (parts, body) = response.into_parts();
        let (skip, remaining, total) = window(&parts, wanted)?;
        let start = wanted.map_or(0, |w| w.start);
        Ok(Self {
            body: body.into_stream(),
            headers: parts.headers,
            start,
            total,
            skip,
            remaining,
            done: false,
            offset: start,
            end: wanted.and_then(|w| w.end),
            etag: None,
            resume: None,
            reconnecting: None,
        })
    }

    /// Takes up a resumed answer for the media from `self.offset`.
    fn carry_on(&mut self, response: http::Response<crate::body::Body>) -> Result<()> {
        let (parts, body) = response.into_parts();
        let etag = parts.headers.get(ETAG);
        if let (Some(before), Some(now)) = (&self.etag, etag) {
            if before != now {
                return Err(Error::decode(format!(
                    "the media changed while it was downloaded (ETag {} became {}); download it again",
                    crate::text::quoted(before.to_str().unwrap_or("?")),
                    crate::text::quoted(now.to_str().unwrap_or("?")),
                ))
                .with_http_status(parts.status));
            }
        }
        let (skip, remaining, _) = window(&parts, Some(Wanted { start: self.offset, end: self.end }))?;
        self.skip = skip;
        self.remaining = remaining;
        self.body = body.into_stream();
        Ok(())
    }
}

/// What a download response holds of the range `wanted`: the bytes to drop
/// first (when the server ignored the range), the bytes to hand out (when
/// known), and the size of the whole media (when said).
fn window(parts: &http::response::Parts, wanted: Option<Wanted>) -> Result<(u64, Option<u64>, Option<u64>)> {
    {
        let header = |name| parts.headers.get(name).and_then(|v: &http::HeaderValue| v.to_str().ok());
        let length = header(CONTENT_LENGTH).and_then(|v| v.trim().parse::<u64>().ok());
        let start = wanted.map_or(0, |w| w.start);
        let window = if parts.status == StatusCode::PARTIAL_CONTENT {
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
        Ok(window)
    }
}

impl MediaStream {
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
            if let Some(pending) = &mut this.reconnecting {
                let (resume, answer) = std::task::ready!(pending.as_mut().poll(cx));
                this.reconnecting = None;
                match answer.and_then(|response| this.carry_on(response)) {
                    Ok(()) => this.resume = Some(resume),
                    Err(e) if e.is_transient() => match resume.reconnect(e, this.offset, this.end) {
                        Ok(next) => this.reconnecting = Some(next),
                        Err(e) => return this.fail(e),
                    },
                    Err(e) => return this.fail(e),
                }
                continue;
            }
            if this.done || this.remaining == Some(0) {
                return Poll::Ready(None);
            }
            let broke = match std::task::ready!(Pin::new(&mut this.body).poll_next(cx)) {
                Some(Ok(chunk)) => match this.hand_out(chunk) {
                    Some(chunk) => return Poll::Ready(Some(Ok(chunk))),
                    None => continue,
                },
                Some(Err(e)) if e.is_transient() => e,
                Some(Err(e)) => return this.fail(e),
                None if this.skip > 0 => {
                    let skip = this.skip;
                    return this.fail(Error::invalid_argument(format!(
                        "the media ended {skip} bytes before the start of the download range"
                    )));
                }
                None => match this.remaining {
                    None => {
                        this.done = true;
                        return Poll::Ready(None);
                    }
                    Some(left) => Error::transport(format!(
                        "the download ended {left} bytes early; carry on with a range from the bytes received"
                    )),
                },
            };
            match this.resume.take() {
                Some(resume) => match resume.reconnect(broke, this.offset, this.end) {
                    Ok(next) => this.reconnecting = Some(next),
                    Err(e) => return this.fail(e),
                },
                None => return this.fail(broke),
            }
        }
    }
}

impl MediaStream {
    fn fail(&mut self, error: Error) -> Poll<Option<Result<Bytes>>> {
        self.done = true;
        Poll::Ready(Some(Err(error)))
    }

    /// The part of `chunk` to hand out, once bytes before the range are
    /// dropped and bytes past it cut; `None` when nothing is left of it.
    fn hand_out(&mut self, mut chunk: Bytes) -> Option<Bytes> {
        if self.skip > 0 {
            let dropped = self.skip.min(chunk.len() as u64);
            self.skip -= dropped;
            chunk = chunk.slice(dropped as usize..);
        }
        if let Some(left) = &mut self.remaining {
            if chunk.len() as u64 > *left {
                chunk.truncate(*left as usize);
            }
            *left -= chunk.len() as u64;
        }
        if chunk.is_empty() {
            return None;
        }
        self.offset += chunk.len() as u64;
        if let Some(resume) = &mut self.resume {
            resume.progressed();
        }
        Some(chunk)
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
