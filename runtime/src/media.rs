//! Media upload bodies: `multipart/related` for metadata plus media.

use crate::request::RequestBuilder;
use crate::{Error, Result};
use http::HeaderValue;
use serde::Serialize;

/// Makes `request` a simple media upload: the bytes alone, as `content_type`.
pub fn media_body(request: &mut RequestBuilder, media: Vec<u8>, content_type: &str) -> Result<()> {
    request.raw_body(header(content_type)?, media);
    Ok(())
}

/// Makes `request` a multipart upload: a JSON part with `metadata`, then
/// the media as `content_type`, in one `multipart/related` body.
pub fn multipart_body<T: Serialize + ?Sized>(
    request: &mut RequestBuilder,
    metadata: &T,
    media: Vec<u8>,
    content_type: &str,
) -> Result<()> {
    header(content_type)?;
    let json = serde_json::to_vec(metadata)
        .map_err(|e| Error::invalid_argument(format!("the upload metadata cannot be written as JSON: {e}")))?;
    let boundary = boundary(&json, &media);
    let mut body = Vec::with_capacity(json.len() + media.len() + 200);
    body.extend_from_slice(format!("--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n").as_bytes());
    body.extend_from_slice(&json);
    body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend_from_slice(&media);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    request.raw_body(header(&format!("multipart/related; boundary={boundary}"))?, body);
    Ok(())
}

/// A content type must be a single header value: no CR/LF can sneak a
/// header or a body part in through it.
fn header(content_type: &str) -> Result<HeaderValue> {
    if content_type.is_empty() || content_type.contains(['\r', '\n']) {
        return Err(Error::invalid_argument(format!("`{}` is not a valid content type", content_type.escape_debug())));
    }
    HeaderValue::from_str(content_type)
        .map_err(|_| Error::invalid_argument(format!("`{}` is not a valid content type", content_type.escape_debug())))
}

/// A boundary that occurs in neither part.
fn boundary(a: &[u8], b: &[u8]) -> String {
    let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
    (0u64..)
        .map(|n| format!("discogen_boundary_{n:016x}"))
        .find(|candidate| !contains(a, candidate.as_bytes()) && !contains(b, candidate.as_bytes()))
        .unwrap_or_else(|| "discogen_boundary".to_string())
}

#[cfg(test)]
mod tests {
    use super::boundary;

    #[test]
    fn boundary_avoids_the_payload() {
        let media = b"--discogen_boundary_0000000000000000 inside".to_vec();
        let b = boundary(b"{}", &media);
        assert_eq!(b, "discogen_boundary_0000000000000001");
    }
}
