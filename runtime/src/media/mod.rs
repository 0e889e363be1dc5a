//! Media: uploads (simple, multipart and resumable) and downloads, all
//! streamed, so a file never has to fit in memory.
//!
//! Generated call builders use these types; a program reaches them through
//! the call's `upload`, `upload_resumable`, `media_download` and `download*`
//! methods.

mod content_type;
mod download;
mod multipart;
mod range;
mod resumable;

pub use download::{Download, MediaStream};
pub use range::ContentRange;
pub use resumable::{ResumableUpload, DEFAULT_CHUNK_SIZE, MIN_CHUNK_SIZE};

use crate::body::Body;
use crate::error::Result;
use crate::request::RequestBuilder;
use serde::Serialize;

/// Finishes `request` as a simple media upload: the media alone, as
/// `content_type`, streamed as it is read (a file's length is read first,
/// for `Content-Length`; see [`Body::sized`]).
pub async fn simple_upload(
    request: RequestBuilder,
    media: impl Into<Body>,
    content_type: &str,
) -> Result<http::Request<Body>> {
    let value = content_type::header(content_type)?;
    let request = request.build()?;
    let media = media.into().sized().await?;
    let mut request = request.map(|_| media);
    request.headers_mut().insert(http::header::CONTENT_TYPE, value);
    Ok(request)
}

/// Finishes `request` as a multipart upload: a JSON part with `metadata`,
/// then the media as `content_type`, in one `multipart/related` body whose
/// media part is streamed as it is read.
pub async fn multipart_upload<T: Serialize + ?Sized>(
    request: RequestBuilder,
    metadata: &T,
    media: impl Into<Body>,
    content_type: &str,
) -> Result<http::Request<Body>> {
    let request = request.build()?;
    let media = media.into().sized().await?;
    let (value, body) = multipart::body(metadata, media, content_type)?;
    let mut request = request.map(|_| body);
    request.headers_mut().insert(http::header::CONTENT_TYPE, value);
    Ok(request)
}
