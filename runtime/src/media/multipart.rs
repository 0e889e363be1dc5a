//! `multipart/related` bodies: a JSON metadata part, then the media.
//!
//! The media part is streamed, so the boundary cannot be checked against
//! it in advance. It is therefore 128 bits from the operating system's
//! random source: no content can contain it except by a chance that is
//! negligible, and no sender can aim for it. Media already in memory is
//! still checked, since that costs one pass.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::HeaderValue;
use serde::Serialize;

use super::content_type;
use crate::body::{Body, BodyStream};
use crate::error::{Error, Result};

/// The `Content-Type` header and the body of a multipart upload.
pub(crate) fn body<T: Serialize + ?Sized>(metadata: &T, media: Body, media_type: &str) -> Result<(HeaderValue, Body)> {
    content_type::header(media_type)?;
    let json = serde_json::to_vec(metadata)
        .map_err(|e| Error::invalid_argument(format!("the upload metadata cannot be written as JSON: {e}")))?;
    let boundary = loop {
        let candidate = random_boundary()?;
        let clashes = |hay: &[u8]| contains(hay, candidate.as_bytes());
        if !clashes(&json) && !media.as_bytes().is_some_and(|m| clashes(m)) {
            break candidate;
        }
    };
    let head = Bytes::from(format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{}\r\n--{boundary}\r\nContent-Type: {media_type}\r\n\r\n",
        String::from_utf8_lossy(&json)
    ));
    let tail = Bytes::from(format!("\r\n--{boundary}--\r\n"));
    let header = content_type::header(&format!("multipart/related; boundary={boundary}"))?;
    let length = media.length().map(|n| n + head.len() as u64 + tail.len() as u64);
    let body = match media.as_bytes() {
        Some(bytes) => {
            let mut all = Vec::with_capacity(head.len() + bytes.len() + tail.len());
            all.extend_from_slice(&head);
            all.extend_from_slice(bytes);
            all.extend_from_slice(&tail);
            Body::from(all)
        }
        None => {
            let parts = Parts { head: Some(head), media: media.into_stream(), tail: Some(tail) };
            let body = Body::from_stream(parts);
            match length {
                Some(n) => body.with_length(n),
                None => body,
            }
        }
    };
    Ok((header, body))
}

/// `discogen_` and 32 hex digits of OS randomness.
fn random_boundary() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| Error::io(format!("no random bytes for a multipart boundary: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("discogen_{hex}"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The head, every chunk of the media, then the tail.
struct Parts {
    head: Option<Bytes>,
    media: BodyStream,
    tail: Option<Bytes>,
}

impl Stream for Parts {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if let Some(head) = this.head.take() {
            return Poll::Ready(Some(Ok(head)));
        }
        if this.tail.is_none() {
            return Poll::Ready(None);
        }
        match std::task::ready!(Pin::new(&mut this.media).poll_next(cx)) {
            Some(item) => Poll::Ready(Some(item)),
            None => Poll::Ready(this.tail.take().map(Ok)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: Bytes) -> String {
        String::from_utf8(body.to_vec()).expect("utf-8")
    }

    #[tokio::test]
    async fn streamed_and_in_memory_media_give_the_same_layout() {
        let meta = serde_json::json!({"name": "x"});
        let (h1, in_memory) = body(&meta, Body::from("hello"), "text/plain").expect("body");
        let stream = Body::from_reader(&b"hello"[..]).with_length(5);
        let (h2, streamed) = body(&meta, stream, "text/plain").expect("body");
        let boundary = |h: &HeaderValue| {
            h.to_str().unwrap().strip_prefix("multipart/related; boundary=").expect("prefix").to_string()
        };
        let (b1, b2) = (boundary(&h1), boundary(&h2));
        assert_ne!(b1, b2, "each body draws its own boundary");
        assert_eq!(streamed.length(), in_memory.length());
        let streamed = text(streamed.collect().await.expect("collect"));
        let in_memory = text(in_memory.collect().await.expect("collect"));
        assert_eq!(streamed.replace(&b2, &b1), in_memory);
        assert_eq!(
            in_memory,
            format!("--{b1}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"x\"}}\r\n--{b1}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{b1}--\r\n")
        );
    }

    #[test]
    fn boundaries_are_long_and_distinct() {
        let a = random_boundary().expect("random");
        assert_eq!(a.len(), "discogen_".len() + 32);
        assert_ne!(a, random_boundary().expect("random"));
    }
}
