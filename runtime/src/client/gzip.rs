//! gzip for JSON exchanges, as Google asks of its API clients: the request
//! says `Accept-Encoding: gzip` and carries `gzip` in its user agent (the
//! front ends compress only for agents that name it), and a compressed
//! response is inflated while it arrives.
//!
//! google-api-python-client appends ` (gzip)` to the user agent of every
//! JSON request and lets httplib2 inflate the body; Go's `net/http` asks for
//! gzip and inflates transparently. Media is left alone: a download keeps
//! its bytes as stored unless the caller asks for an encoding.

use std::io::Write as _;

use bytes::{Bytes, BytesMut};
use flate2::write::MultiGzDecoder;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH};
use http::{HeaderMap, HeaderValue};

use crate::body::Body;
use crate::error::Error;

/// `agent` with ` (gzip)` appended, unless it names gzip already.
pub(crate) fn user_agent(agent: &str) -> String {
    if agent.contains("gzip") {
        agent.to_string()
    } else {
        format!("{agent} (gzip)")
    }
}

/// Asks for gzip, unless the caller chose an encoding.
pub(crate) fn accept(headers: &mut HeaderMap) {
    headers.entry(ACCEPT_ENCODING).or_insert(HeaderValue::from_static("gzip"));
}

/// Whether a request asks for gzip, so that its user agent should say so.
pub(crate) fn asked(headers: &HeaderMap) -> bool {
    headers.get_all(ACCEPT_ENCODING).iter().any(|v| v.to_str().is_ok_and(|v| v.contains("gzip")))
}

/// Reads a response body whole, inflating it when `headers` say it is
/// gzip, and holds the **inflated** size to `limit`. Afterwards `headers`
/// describe the body as returned: no `Content-Encoding`, no stale length.
pub(crate) async fn collect(headers: &mut HeaderMap, body: Body, limit: usize) -> Result<Bytes, Error> {
    if !is_gzip(headers) {
        return body.collect_limited(limit).await;
    }
    headers.remove(CONTENT_ENCODING);
    headers.remove(CONTENT_LENGTH);
    inflate(body, limit).await
}

fn is_gzip(headers: &HeaderMap) -> bool {
    headers.get(CONTENT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        let v = v.trim();
        v.eq_ignore_ascii_case("gzip") || v.eq_ignore_ascii_case("x-gzip")
    })
}

async fn inflate(body: Body, limit: usize) -> Result<Bytes, Error> {
    // Deflate never grows data by more than a few bytes per 16 KiB block, so
    // compressed input this much past the limit cannot inflate within it;
    // the bound keeps a stream of empty blocks from running forever.
    let compressed_limit = limit.saturating_add(limit / 16).saturating_add(64 * 1024);
    let mut decoder = MultiGzDecoder::new(Capped { out: BytesMut::new(), limit, exceeded: false });
    let mut stream = body.into_stream();
    let mut received = 0usize;
    while let Some(chunk) = stream.next_chunk().await {
        let chunk = chunk?;
        received = received.saturating_add(chunk.len());
        if received > compressed_limit {
            return Err(too_large(limit));
        }
        decoder.write_all(&chunk).map_err(|e| failed(e, decoder.get_ref()))?;
    }
    decoder.try_finish().map_err(|e| failed(e, decoder.get_ref()))?;
    let capped = decoder.finish().map_err(|e| Error::decode(format!("the gzip response body is corrupt: {e}")))?;
    Ok(capped.out.freeze())
}

fn failed(error: std::io::Error, capped: &Capped) -> Error {
    if capped.exceeded {
        return too_large(capped.limit);
    }
    Error::decode(format!("the gzip response body is corrupt: {error}")).with_source(error)
}

fn too_large(limit: usize) -> Error {
    Error::decode(format!("the response body is larger than the limit of {limit} bytes once inflated"))
}

/// Where inflated bytes go: refuses to hold more than `limit` of them.
struct Capped {
    out: BytesMut,
    limit: usize,
    exceeded: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.out.len().saturating_add(data.len()) > self.limit {
            self.exceeded = true;
            return Err(std::io::Error::other("inflated body past the limit"));
        }
        self.out.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn gzip_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(CONTENT_LENGTH, HeaderValue::from_static("10"));
        headers
    }

    /// A body that arrives a few bytes at a time, as from a slow network.
    fn trickle(data: Vec<u8>) -> Body {
        let pieces: Vec<Result<Bytes, std::io::Error>> =
            data.chunks(7).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
        Body::from_stream(Pieces(pieces.into_iter()))
    }

    struct Pieces<I>(I);
    impl<I: Iterator + Unpin> futures_core::Stream for Pieces<I> {
        type Item = I::Item;
        fn poll_next(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<I::Item>> {
            std::task::Poll::Ready(self.get_mut().0.next())
        }
    }

    #[tokio::test]
    async fn a_gzip_body_is_inflated_piece_by_piece_and_its_headers_updated() {
        let json = br#"{"items":[1,2,3],"nextPageToken":"t"}"#.repeat(50);
        let mut headers = gzip_headers();
        let body = collect(&mut headers, trickle(gzip(&json)), 1 << 20).await.unwrap();
        assert_eq!(body.as_ref(), json.as_slice());
        assert!(headers.get(CONTENT_ENCODING).is_none() && headers.get(CONTENT_LENGTH).is_none());
    }

    #[tokio::test]
    async fn the_cap_holds_for_the_inflated_size() {
        // 16 MiB of zeros compress to about 16 KiB.
        let bomb = gzip(&vec![0u8; 16 << 20]);
        assert!(bomb.len() < 64 << 10, "{}", bomb.len());
        let error = collect(&mut gzip_headers(), Body::from(bomb), 1 << 20).await.unwrap_err();
        assert_eq!(error.kind(), crate::error::ErrorKind::Decode);
        assert!(error.to_string().contains("once inflated"), "{error}");
    }

    #[tokio::test]
    async fn a_corrupt_or_cut_body_is_a_decode_error() {
        let whole = gzip(b"{\"a\":1}");
        let cut = whole[..whole.len() - 4].to_vec();
        for body in [b"not gzip at all".to_vec(), cut] {
            let error = collect(&mut gzip_headers(), Body::from(body), 1 << 20).await.unwrap_err();
            assert_eq!(error.kind(), crate::error::ErrorKind::Decode, "{error}");
            assert!(error.to_string().contains("corrupt"), "{error}");
        }
    }

    #[tokio::test]
    async fn other_bodies_pass_through_under_the_same_cap() {
        let mut headers = HeaderMap::new();
        assert_eq!(collect(&mut headers, Body::from("plain"), 10).await.unwrap().as_ref(), b"plain");
        assert!(collect(&mut HeaderMap::new(), Body::from("plain"), 3).await.is_err());
    }

    #[test]
    fn the_user_agent_names_gzip_once() {
        assert_eq!(user_agent("my-tool/1.0"), "my-tool/1.0 (gzip)");
        assert_eq!(user_agent("my-tool/1.0 gzip"), "my-tool/1.0 gzip");
        let mut headers = HeaderMap::new();
        accept(&mut headers);
        assert!(asked(&headers));
        let mut own = HeaderMap::new();
        own.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        accept(&mut own);
        assert!(!asked(&own));
    }
}
