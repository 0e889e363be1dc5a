//! Resumable upload, following Google's documented protocol: start a
//! session, send the media in chunks, and after any failure ask the server
//! how much it holds and carry on from there.

mod chunks;
mod session;

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::body::Body;
use crate::client::Client;
use crate::error::Result;

/// Chunk sizes are multiples of this (256 KiB), as the protocol requires
/// for every chunk but the last.
pub const MIN_CHUNK_SIZE: usize = 256 * 1024;

/// The chunk size unless one is set: 8 MiB.
pub const DEFAULT_CHUNK_SIZE: usize = 8 * 1024 * 1024;

type Finish<T> = fn(&http::Response<bytes::Bytes>) -> Result<T>;
type ProgressFn = Box<dyn FnMut(u64, Option<u64>) + Send>;
type SessionFn = Box<dyn FnOnce(&str) + Send>;

/// A resumable upload, ready to run: set options, then `.await` it for the
/// finished resource.
///
/// The media is read once, in order, and held in memory only a chunk at a
/// time (twice that while a server keeps fewer bytes than it was sent).
/// Media that fits in one chunk goes in one request.
///
/// After a dropped connection, a timeout or a `5xx`, `408` or `429`, the
/// upload waits (exponential backoff with jitter), asks the server how many
/// bytes it holds, and carries on from there; after
/// [`max_retries`](Self::max_retries) failures in a row without progress it
/// gives up with the last error. Any other `4xx` ends it with that error.
#[must_use = "an upload does nothing until it is awaited"]
pub struct ResumableUpload<T> {
    pub(crate) client: Client,
    pub(crate) scopes: &'static [&'static str],
    pub(crate) start: Result<http::Request<Vec<u8>>>,
    pub(crate) media: Body,
    pub(crate) content_type: String,
    pub(crate) chunk_size: usize,
    pub(crate) max_retries: u32,
    pub(crate) first_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) on_session: Option<SessionFn>,
    pub(crate) resume: Option<(String, u64)>,
    pub(crate) finish: Finish<T>,
}

impl<T: DeserializeOwned> ResumableUpload<T> {
    /// An upload whose session starts with `start` (the method's resumable
    /// upload URL with `uploadType=resumable`, and the metadata as its JSON
    /// body, if any), and whose finished response is decoded as JSON.
    pub fn new(
        client: Client,
        start: Result<http::Request<Vec<u8>>>,
        scopes: &'static [&'static str],
        media: Body,
        content_type: &str,
    ) -> Self {
        Self::with_finish(client, start, scopes, media, content_type, crate::client::decode::json_body)
    }
}

impl ResumableUpload<()> {
    /// As [`new`](ResumableUpload::new), for methods that return no body.
    pub fn new_empty(
        client: Client,
        start: Result<http::Request<Vec<u8>>>,
        scopes: &'static [&'static str],
        media: Body,
        content_type: &str,
    ) -> Self {
        Self::with_finish(client, start, scopes, media, content_type, |_| Ok(()))
    }
}

impl<T> ResumableUpload<T> {
    fn with_finish(
        client: Client,
        start: Result<http::Request<Vec<u8>>>,
        scopes: &'static [&'static str],
        media: Body,
        content_type: &str,
        finish: Finish<T>,
    ) -> Self {
        Self {
            client,
            scopes,
            start,
            media,
            content_type: content_type.to_string(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            max_retries: 10,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(32),
            progress: None,
            on_session: None,
            resume: None,
            finish,
        }
    }

    /// The bytes sent per request (default 8 MiB), rounded up to a multiple
    /// of 256 KiB. Larger chunks mean fewer requests; smaller ones mean less
    /// to send again after a failure, and less memory.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        let units = bytes.div_ceil(MIN_CHUNK_SIZE).max(1);
        self.chunk_size = units.saturating_mul(MIN_CHUNK_SIZE);
        self
    }

    /// How many failures in a row, without the server confirming more bytes
    /// in between, the upload survives (default 10).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait after the first failure (default 1 s), doubled after each
    /// further one up to `max` (default 32 s); each wait is drawn at random
    /// between zero and that value.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first_delay = first.max(Duration::from_millis(1));
        self.max_delay = max.max(self.first_delay);
        self
    }

    /// Calls `report(confirmed, total)` each time the server confirms more
    /// bytes; `total` is `None` while the media's length is unknown.
    pub fn on_progress(mut self, report: impl FnMut(u64, Option<u64>) + Send + 'static) -> Self {
        self.progress = Some(Box::new(report));
        self
    }

    /// Calls `save(session_uri)` once the session has started, before any
    /// media is sent. A program that stores the URI can finish the upload
    /// after a restart with [`resume`](Self::resume). The URI identifies the
    /// upload without further credentials: keep it as private as the media.
    pub fn on_session(mut self, save: impl FnOnce(&str) + Send + 'static) -> Self {
        self.on_session = Some(Box::new(save));
        self
    }

    /// Carries on the session at `session_uri` (saved from
    /// [`on_session`](Self::on_session)) instead of starting one.
    ///
    /// `source_offset` is where the media given to this upload starts in
    /// the whole media: 0 for the whole file again (the bytes the server
    /// already holds are read and dropped), or the offset the source was
    /// positioned at, such as a file seeked there. It must not be past what
    /// the server holds. A known length of the source counts from that
    /// offset. The session must be on the same host as the method's upload
    /// URL.
    pub fn resume(mut self, session_uri: impl Into<String>, source_offset: u64) -> Self {
        self.resume = Some((session_uri.into(), source_offset));
        self
    }
}

impl<T: Send + 'static> IntoFuture for ResumableUpload<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(session::run(self))
    }
}

impl<T> fmt::Debug for ResumableUpload<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The session URI is a capability to write the object: never shown.
        f.debug_struct("ResumableUpload")
            .field("path", &self.start.as_ref().ok().map(|r| r.uri().path().to_string()))
            .field("media", &self.media)
            .field("content_type", &self.content_type)
            .field("chunk_size", &self.chunk_size)
            .field("max_retries", &self.max_retries)
            .field("resuming", &self.resume.is_some())
            .finish_non_exhaustive()
    }
}
