//! Finding where a response body ends, and reading it under the size cap.

use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderMap};
use http::{Method, StatusCode};

use super::conn::Conn;
use super::head::{header_tokens, Head, MAX_HEAD_BYTES};
use crate::error::Error;
use crate::transport::{body_too_large, PREALLOCATE_LIMIT};

/// The longest chunk-size line accepted, extensions included. Sizes need at
/// most 16 hex digits; the rest is room for extensions we ignore.
const MAX_CHUNK_LINE: usize = 4 * 1024;

/// How the end of a response body is found (RFC 9112, section 6.3).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Framing {
    /// No body, whatever the headers say.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
    /// Everything until the server closes the connection.
    UntilClose,
}

/// Works out the framing of a response to `method`. The flag is true when
/// the message's framing, though usable, leaves the connection unfit for
/// another request.
pub(super) fn framing(method: &Method, head: &Head) -> Result<(Framing, bool), Error> {
    let status = head.status;
    if *method == Method::HEAD || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED {
        return Ok((Framing::Empty, false));
    }
    let length = content_length(&head.headers)?;
    if head.headers.contains_key(header::TRANSFER_ENCODING) {
        // We send no `TE`, so the only transfer coding a server may use is
        // chunked; anything else would hand us bytes we cannot decode.
        let mut codings = header_tokens(&head.headers, &header::TRANSFER_ENCODING);
        let chunked = codings.next().is_some_and(|c| c.eq_ignore_ascii_case("chunked")) && codings.next().is_none();
        if !chunked {
            return Err(Error::transport("the response uses a transfer coding other than chunked"));
        }
        // With both headers the chunked framing wins (RFC 9112), but such
        // a message is a classic smuggling sign: the connection is not
        // trusted with another request.
        return Ok((Framing::Chunked, length.is_some()));
    }
    Ok(match length {
        Some(n) => (Framing::Length(n), false),
        None => (Framing::UntilClose, true),
    })
}

/// The declared length. Several fields or list elements are allowed only
/// when they all agree; anything but plain digits is refused, since a
/// length read differently by two parties is how responses get split.
fn content_length(headers: &HeaderMap) -> Result<Option<u64>, Error> {
    let invalid = || Error::transport("the response has an invalid Content-Length");
    let mut length = None;
    for value in headers.get_all(header::CONTENT_LENGTH) {
        for element in value.as_bytes().split(|&b| b == b',') {
            let digits = element.trim_ascii();
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Err(invalid());
            }
            let n = std::str::from_utf8(digits).ok().and_then(|d| d.parse::<u64>().ok()).ok_or_else(invalid)?;
            if length.is_some_and(|seen| seen != n) {
                return Err(Error::transport("the response has conflicting Content-Length values"));
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// Reads the body framed by `framing`, failing as soon as it is known to be
/// over `limit` bytes.
pub(super) async fn read(conn: &mut Conn, framing: Framing, limit: usize, status: StatusCode) -> Result<Bytes, Error> {
    let mut body = Body { bytes: BytesMut::new(), limit, status };
    match framing {
        Framing::Empty => {}
        Framing::Length(declared) => {
            if usize::try_from(declared).map_or(true, |n| n > limit) {
                return Err(body.too_large());
            }
            // The declared length only sizes the first allocation, and only
            // up to a point: a server may promise a body it never sends.
            body.bytes.reserve(usize::try_from(declared.min(PREALLOCATE_LIMIT)).unwrap_or(0));
            body.copy(conn, declared).await?;
        }
        Framing::Chunked => read_chunked(conn, &mut body).await?,
        Framing::UntilClose => loop {
            let available = conn.buf.len();
            body.check(available as u64)?;
            body.bytes.extend_from_slice(&conn.buf.split_to(available));
            if fill(conn).await? == 0 {
                break;
            }
        },
    }
    Ok(body.bytes.freeze())
}

/// The body read so far, with what it needs to report going over the cap.
struct Body {
    bytes: BytesMut,
    limit: usize,
    status: StatusCode,
}

impl Body {
    fn too_large(&self) -> Error {
        body_too_large(self.limit, self.status)
    }

    /// Fails if `more` bytes would take the body over the cap.
    fn check(&self, more: u64) -> Result<(), Error> {
        let total = (self.bytes.len() as u64).saturating_add(more);
        if total > self.limit as u64 {
            return Err(self.too_large());
        }
        Ok(())
    }

    /// Moves exactly `count` bytes from the connection into the body.
    async fn copy(&mut self, conn: &mut Conn, mut count: u64) -> Result<(), Error> {
        while count > 0 {
            if conn.buf.is_empty() && fill(conn).await? == 0 {
                return Err(truncated());
            }
            let take = usize::try_from(count).map_or(conn.buf.len(), |n| n.min(conn.buf.len()));
            self.bytes.extend_from_slice(&conn.buf.split_to(take));
            count -= take as u64;
        }
        Ok(())
    }
}

/// Reads chunks until the last one, then skips the trailer section.
async fn read_chunked(conn: &mut Conn, body: &mut Body) -> Result<(), Error> {
    loop {
        let line = read_line(conn, MAX_CHUNK_LINE).await?;
        let size = chunk_size(&line)?;
        if size == 0 {
            break;
        }
        // Checked against the declared size, so an oversized chunk is
        // refused before any of it is read.
        body.check(size)?;
        body.copy(conn, size).await?;
        if !read_line(conn, 2).await?.is_empty() {
            return Err(Error::transport("a chunk of the response body is longer than its declared size"));
        }
    }
    // Trailer fields carry nothing the client uses; they are read only to
    // reach the end of the message, with the same bound as a head.
    let mut trailer_bytes = 0;
    loop {
        let line = read_line(conn, MAX_HEAD_BYTES).await?;
        if line.is_empty() {
            return Ok(());
        }
        trailer_bytes += line.len();
        if trailer_bytes > MAX_HEAD_BYTES {
            return Err(Error::transport("the response trailers are too large"));
        }
    }
}

/// Parses a chunk-size line: hex digits, then optional extensions.
fn chunk_size(line: &[u8]) -> Result<u64, Error> {
    let invalid = || Error::transport("the response has an invalid chunk size");
    let end = line.iter().position(|&b| b == b';').unwrap_or(line.len());
    let digits = line[..end].trim_ascii_end();
    // At most 16 digits fit in a u64; the explicit digit check also keeps
    // out the sign that `from_str_radix` would accept.
    if digits.is_empty() || digits.len() > 16 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return Err(invalid());
    }
    let digits = std::str::from_utf8(digits).map_err(|_| invalid())?;
    u64::from_str_radix(digits, 16).map_err(|_| invalid())
}

/// Takes one line off the connection, without its line ending, refusing
/// lines longer than `max` bytes. A bare LF is accepted as a line ending.
async fn read_line(conn: &mut Conn, max: usize) -> Result<BytesMut, Error> {
    let mut searched = 0;
    loop {
        if let Some(at) = conn.buf[searched..].iter().position(|&b| b == b'\n').map(|i| i + searched) {
            let mut line = conn.buf.split_to(at + 1);
            line.truncate(at);
            if line.last() == Some(&b'\r') {
                line.truncate(at - 1);
            }
            if line.len() > max {
                return Err(line_too_long());
            }
            return Ok(line);
        }
        // Room for the longest allowed line plus its CRLF.
        if conn.buf.len() > max + 2 {
            return Err(line_too_long());
        }
        searched = conn.buf.len();
        if fill(conn).await? == 0 {
            return Err(truncated());
        }
    }
}

fn line_too_long() -> Error {
    Error::transport("a line of the chunked response body is too long")
}

fn truncated() -> Error {
    Error::transport("the connection closed before the whole response body arrived")
}

async fn fill(conn: &mut Conn) -> Result<usize, Error> {
    conn.fill()
        .await
        .map_err(|e| Error::transport("the connection failed while reading the response body").with_source(e))
}
