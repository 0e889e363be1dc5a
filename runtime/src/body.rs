//! Request and response bodies: whole in memory, or streamed.
//!
//! One type serves both directions so that a transport, the client and
//! media helpers can pass bodies along without copying them. A body held in
//! memory can be cloned cheaply, which is what lets the client retry a call;
//! a streamed body can be read only once.

use std::fmt;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use http_body::Body as _;
use http_body::{Frame, SizeHint};
use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt as _;

use crate::error::Error;

/// The error type a body source may fail with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The most memory reserved up front from a declared length; a longer body
/// grows the buffer as it arrives, so a peer cannot make us allocate a body
/// it never sends.
const PREALLOCATE_LIMIT: u64 = 1024 * 1024;

/// An HTTP body: bytes in memory, or a stream of chunks read as it goes.
///
/// Build one from bytes (`Vec<u8>`, [`Bytes`], `String`, `&'static str`),
/// from a [`Stream`] of byte chunks, from any [`tokio::io::AsyncRead`], or
/// from a file. Read one with [`collect`](Self::collect),
/// [`collect_limited`](Self::collect_limited) or
/// [`into_stream`](Self::into_stream); it also implements
/// [`http_body::Body`], so it plugs into hyper and tower directly.
pub struct Body {
    kind: Kind,
}

enum Kind {
    Full(Bytes),
    Streamed {
        body: BoxBody<Bytes, Error>,
        length: Option<u64>,
    },
    /// An open file whose length is read by [`Body::sized`], which needs
    /// an `await` that `From` cannot have.
    File(tokio::fs::File),
}

impl Body {
    /// A body with no bytes.
    pub fn empty() -> Self {
        Self { kind: Kind::Full(Bytes::new()) }
    }

    /// A body read from `stream`, chunk by chunk.
    ///
    /// A failure of the stream ends the request or the read with an
    /// [`ErrorKind::Io`](crate::error::ErrorKind::Io) error that keeps the cause
    /// as its source (a stream that yields this crate's [`Error`] keeps it
    /// as it is). The length is unknown unless set with
    /// [`with_length`](Self::with_length).
    pub fn from_stream<S, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError>,
    {
        Self { kind: Kind::Streamed { body: stream_body(stream), length: None } }
    }

    /// A body read from `reader` until it ends.
    pub fn from_reader<R>(reader: R) -> Self
    where
        R: tokio::io::AsyncRead + Send + 'static,
    {
        Self { kind: Kind::Streamed { body: reader_body(reader), length: None } }
    }

    /// A body read from the file at `path`, with its length taken from the
    /// file system so that it can be announced in `Content-Length`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`](crate::error::ErrorKind::Io) if the file cannot be opened.
    pub async fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let open_failed = |e: std::io::Error| {
            Error::io(format!("cannot read `{}`: {e}", path.display().to_string().escape_debug())).with_source(e)
        };
        let file = tokio::fs::File::open(path).await.map_err(open_failed)?;
        let length = file.metadata().await.map_err(open_failed)?.len();
        Ok(Self::from_reader(file).with_length(length))
    }

    /// The body ready to send: a body made from a [`tokio::fs::File`]
    /// learns its length (from the file's metadata, less its current
    /// position), so that it goes out with `Content-Length` and a resumable
    /// upload knows its total. Other bodies are returned as they are. The
    /// generated upload methods call this; a request built by hand can too.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`](crate::error::ErrorKind::Io) if the file's metadata or
    /// position cannot be read.
    pub async fn sized(self) -> Result<Self, Error> {
        use tokio::io::AsyncSeekExt as _;
        let Kind::File(mut file) = self.kind else { return Ok(self) };
        let failed =
            |e: std::io::Error| Error::io(format!("cannot read the length of the file to send: {e}")).with_source(e);
        let length = file.metadata().await.map_err(failed)?.len();
        let position = file.stream_position().await.map_err(failed)?;
        Ok(Self::from_reader(file).with_length(length.saturating_sub(position)))
    }

    /// A body that reads an [`http_body::Body`], such as a response body
    /// from hyper. Its failures are [`ErrorKind::Transport`](crate::error::ErrorKind::Transport)
    /// errors: they mean the connection broke while the body was read.
    pub fn from_http_body<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        let length = body.size_hint().exact();
        let body = body.map_err(|e| {
            into_error(e.into(), || Error::transport("the connection failed while the body was being read"))
        });
        Self { kind: Kind::Streamed { body: BoxBody::new(body), length } }
    }

    /// A body from one of this crate's own body types, whose errors are
    /// already ours.
    pub(crate) fn streamed(
        body: impl http_body::Body<Data = Bytes, Error = Error> + Send + Sync + 'static,
        length: Option<u64>,
    ) -> Self {
        Self { kind: Kind::Streamed { body: BoxBody::new(body), length } }
    }

    /// Declares that a streamed body has exactly `length` bytes, so that it
    /// is sent with `Content-Length` instead of chunked. A source that ends
    /// early or runs long makes the request fail rather than send a body
    /// that disagrees with its header. No effect on a body in memory.
    pub fn with_length(mut self, length: u64) -> Self {
        if let Kind::Streamed { body, .. } = self.kind {
            let checked = LengthChecked { inner: body, remaining: length };
            self.kind = Kind::Streamed { body: BoxBody::new(checked), length: Some(length) };
        }
        self
    }

    /// The number of bytes, when known in advance.
    pub fn length(&self) -> Option<u64> {
        match &self.kind {
            Kind::Full(bytes) => Some(bytes.len() as u64),
            Kind::Streamed { length, .. } => *length,
            Kind::File(_) => None,
        }
    }

    /// The bytes of a body held in memory; `None` for a streamed body.
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Full(bytes) => Some(bytes),
            Kind::Streamed { .. } | Kind::File(_) => None,
        }
    }

    /// A copy of a body held in memory (cheap: the bytes are shared);
    /// `None` for a streamed body, which can be read only once.
    pub fn try_clone(&self) -> Option<Self> {
        self.as_bytes().map(|bytes| Self { kind: Kind::Full(bytes.clone()) })
    }

    /// Reads the whole body into memory, however large.
    pub async fn collect(self) -> Result<Bytes, Error> {
        self.collect_up_to(None).await
    }

    /// Reads the whole body into memory, failing with an
    /// [`ErrorKind::Decode`](crate::error::ErrorKind::Decode) error as soon as it
    /// passes `limit` bytes, so a huge or endless body cannot exhaust memory.
    pub async fn collect_limited(self, limit: usize) -> Result<Bytes, Error> {
        self.collect_up_to(Some(limit)).await
    }

    async fn collect_up_to(self, limit: Option<usize>) -> Result<Bytes, Error> {
        let limit_u64 = limit.map_or(u64::MAX, |l| l as u64);
        let too_large =
            |limit: u64| Error::decode(format!("the response body is larger than the limit of {limit} bytes"));
        let (mut body, length) = match self.kind {
            Kind::Full(bytes) if bytes.len() as u64 > limit_u64 => return Err(too_large(limit_u64)),
            Kind::Full(bytes) => return Ok(bytes),
            Kind::Streamed { body, length } => (body, length),
            // Read without `sized`: the length is unknown.
            Kind::File(file) => (reader_body(file), None),
        };
        if length.is_some_and(|n| n > limit_u64) {
            return Err(too_large(limit_u64));
        }
        let capacity = length.unwrap_or(0).min(PREALLOCATE_LIMIT).min(limit_u64);
        let mut buffer = BytesMut::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else { continue };
            if (buffer.len() + data.len()) as u64 > limit_u64 {
                return Err(too_large(limit_u64));
            }
            buffer.extend_from_slice(&data);
        }
        Ok(buffer.freeze())
    }

    /// The body as a [`Stream`] of chunks.
    pub fn into_stream(self) -> BodyStream {
        BodyStream { body: self }
    }
}

/// A stream of chunks as a body whose errors are ours.
fn stream_body<S, E>(stream: S) -> BoxBody<Bytes, Error>
where
    S: Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<BoxError>,
{
    let stream: ErasedStream = Box::pin(MapErr { stream });
    BoxBody::new(StreamSource { stream: sync_wrapper::SyncWrapper::new(stream) })
}

/// A reader as a body, in 64 KiB reads: ReaderStream's default 4 KiB cost
/// a call per page, media moves hundreds of MiB, and 64 KiB reads are
/// several times faster for the same memory (one buffer).
fn reader_body<R: tokio::io::AsyncRead + Send + 'static>(reader: R) -> BoxBody<Bytes, Error> {
    stream_body(tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024))
}

/// Turns a source's error into ours, keeping one of ours as it is.
fn into_error(error: BoxError, wrap: impl FnOnce() -> Error) -> Error {
    match error.downcast::<Error>() {
        Ok(ours) => *ours,
        Err(other) => wrap().with_source(other),
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        if let Kind::File(_) = this.kind {
            // Read without `sized`: streamed, its length unknown.
            let Kind::File(file) = std::mem::replace(&mut this.kind, Kind::Full(Bytes::new())) else {
                return Poll::Ready(None);
            };
            this.kind = Kind::Streamed { body: reader_body(file), length: None };
        }
        match &mut this.kind {
            Kind::File(_) => Poll::Ready(None),
            Kind::Full(bytes) if bytes.is_empty() => Poll::Ready(None),
            Kind::Full(bytes) => Poll::Ready(Some(Ok(Frame::data(std::mem::take(bytes))))),
            Kind::Streamed { body, .. } => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(bytes) => bytes.is_empty(),
            Kind::Streamed { body, .. } => body.is_end_stream(),
            Kind::File(_) => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.len() as u64),
            Kind::Streamed { length: Some(n), .. } => SizeHint::with_exact(*n),
            Kind::Streamed { body, .. } => body.size_hint(),
            Kind::File(_) => SizeHint::default(),
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Self::empty()
    }
}

/// A file, read from its current position as the body is sent. Its length
/// is read when an upload starts ([`Body::sized`]), so
/// `upload_resumable(tokio::fs::File::open(path).await?, ...)` sends
/// `Content-Length` and knows its total, as [`Body::from_file`] does.
impl From<tokio::fs::File> for Body {
    fn from(file: tokio::fs::File) -> Self {
        Self { kind: Kind::File(file) }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self { kind: Kind::Full(bytes) }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Full(bytes) => f.debug_struct("Body").field("in_memory", &bytes.len()).finish(),
            Kind::Streamed { length, .. } => f.debug_struct("Body").field("streamed", length).finish(),
            Kind::File(_) => f.debug_struct("Body").field("file", &"length not read yet").finish(),
        }
    }
}

/// The chunks of a [`Body`], from [`Body::into_stream`].
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct BodyStream {
    body: Body,
}

impl BodyStream {
    /// The number of bytes still to come, when the body declared it.
    pub fn length(&self) -> Option<u64> {
        http_body::Body::size_hint(&self.body).exact()
    }

    /// The next chunk, or `None` at the end of the body.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let body = &mut self.get_mut().body;
        loop {
            return match std::task::ready!(Pin::new(&mut *body).poll_frame(cx)) {
                None => Poll::Ready(None),
                Some(Err(e)) => Poll::Ready(Some(Err(e))),
                // Trailers carry nothing a caller of a Google API needs.
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) if data.is_empty() => continue,
                    Ok(data) => Poll::Ready(Some(Ok(data))),
                    Err(_) => continue,
                },
            };
        }
    }
}

/// A caller's stream, boxed and with its error type erased.
type ErasedStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

pin_project_lite::pin_project! {
    /// Boxes a source's own error type.
    struct MapErr<S> {
        #[pin]
        stream: S,
    }
}

impl<S, E> Stream for MapErr<S>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: Into<BoxError>,
{
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.project().stream.poll_next(cx).map(|item| item.map(|r| r.map_err(Into::into)))
    }
}

/// A caller's byte stream as an `http_body::Body`. The `SyncWrapper` makes
/// any `Send` stream usable where transports want `Sync` bodies: it only
/// ever hands out `&mut` access, so nothing can be shared.
struct StreamSource {
    stream: sync_wrapper::SyncWrapper<ErasedStream>,
}

impl http_body::Body for StreamSource {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        match std::task::ready!(self.get_mut().stream.get_mut().as_mut().poll_next(cx)) {
            None => Poll::Ready(None),
            Some(Ok(data)) => Poll::Ready(Some(Ok(Frame::data(data)))),
            Some(Err(e)) => Poll::Ready(Some(Err(into_error(e, || {
                Error::io("the source of the request body failed while it was being read")
            })))),
        }
    }
}

/// A streamed body that must have exactly `remaining` bytes.
struct LengthChecked {
    inner: BoxBody<Bytes, Error>,
    remaining: u64,
}

impl http_body::Body for LengthChecked {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = self.get_mut();
        match std::task::ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
            None if this.remaining > 0 => Poll::Ready(Some(Err(Error::io(format!(
                "the body source ended {} bytes before its declared length",
                this.remaining
            ))))),
            None => Poll::Ready(None),
            Some(Ok(frame)) => {
                let len = frame.data_ref().map_or(0, |d| d.len() as u64);
                if len > this.remaining {
                    return Poll::Ready(Some(Err(Error::io(
                        "the body source has more bytes than its declared length",
                    ))));
                }
                this.remaining -= len;
                Poll::Ready(Some(Ok(frame)))
            }
            Some(Err(e)) => Poll::Ready(Some(Err(e))),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
