//! The request head we write and the response head we read.

use bytes::Buf;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, StatusCode, Version};

use super::conn::Conn;
use super::proxy::{Proxy, Route};
use super::{Failure, Target};
use crate::error::Error;

/// The largest response head accepted, status line and headers together.
pub(super) const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The most header lines accepted in one response head.
const MAX_HEADERS: usize = 128;

/// How many interim (1xx) responses may come before the real one; a server
/// that sends them forever would otherwise keep us reading until the
/// timeout, if there is one.
const MAX_INTERIM: usize = 16;

/// Request headers the transport writes itself or must not write.
///
/// Those about the connection and the framing, because one taken from the
/// caller could contradict what is actually sent (a second length, a
/// chunked body that is not chunked) and desynchronise the connection; and
/// `Proxy-Authorization`, because without a proxy it would hand the proxy's
/// credentials to the origin server (when a proxy is used, the transport
/// writes that header itself, from the environment).
const HOP_BY_HOP: [HeaderName; 7] = [
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::CONNECTION,
    header::TE,
    header::UPGRADE,
    header::PROXY_AUTHORIZATION,
];

/// Writes the request line and headers, ending with the blank line.
///
/// A request handed to a forward proxy names the whole URL in its request
/// line (the absolute form of RFC 9112, section 3.2.2), since the proxy has
/// to know where to send it, and carries the proxy's credentials. Through a
/// tunnel or direct, the server gets the usual path and query.
pub(super) fn encode_request(
    method: &Method,
    target: &Target,
    route: &Route<'_>,
    headers: &HeaderMap,
    body_len: usize,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256 + target.path.len());
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    if let Route::Forward(_) = route {
        out.extend_from_slice(b"http://");
        out.extend_from_slice(target.host_header.as_bytes());
    }
    out.extend_from_slice(target.path.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nhost: ");
    out.extend_from_slice(target.host_header.as_bytes());
    out.extend_from_slice(b"\r\n");
    if let Route::Forward(proxy) = route {
        push_proxy_authorization(&mut out, proxy);
    }
    for (name, value) in headers {
        if HOP_BY_HOP.contains(name) {
            continue;
        }
        // `HeaderValue` refuses CR, LF and NUL, except when built through
        // its `unsafe` unchecked constructor. The bytes we write must never
        // be able to start a header or a request of their own, so the check
        // costs a scan and buys certainty.
        if value.as_bytes().iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(Error::invalid_argument(format!("the value of header `{name}` has a line break")));
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    // Methods whose request normally has a body get an explicit zero, since
    // some servers (and Google's front ends) answer 411 without one.
    let expects_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    if body_len > 0 || expects_body {
        out.extend_from_slice(format!("content-length: {body_len}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    Ok(out)
}

/// The request that asks a proxy for a tunnel to the target's host and
/// port (RFC 9110, section 9.3.6).
pub(super) fn encode_connect(target: &Target, proxy: &Proxy) -> Vec<u8> {
    // The host is already free of brackets; an IPv6 address needs them
    // back so that its last colon is not read as the port separator.
    let authority = if target.host.contains(':') {
        format!("[{}]:{}", target.host, target.port)
    } else {
        format!("{}:{}", target.host, target.port)
    };
    let mut out = format!("CONNECT {authority} HTTP/1.1\r\nhost: {authority}\r\n").into_bytes();
    push_proxy_authorization(&mut out, proxy);
    out.extend_from_slice(b"\r\n");
    out
}

fn push_proxy_authorization(out: &mut Vec<u8>, proxy: &Proxy) {
    if let Some(value) = &proxy.authorization {
        out.extend_from_slice(b"proxy-authorization: ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

/// A parsed response head.
pub(super) struct Head {
    pub(super) status: StatusCode,
    pub(super) version: Version,
    pub(super) headers: HeaderMap,
}

/// Reads response heads until a final (non-1xx) one arrives.
///
/// A failure before any byte arrived is marked as such, since that is what
/// a keep-alive connection the server already closed looks like.
pub(super) async fn read_head(conn: &mut Conn) -> Result<Head, Failure> {
    let mut received_any = !conn.buf.is_empty();
    let mut interim = 0;
    loop {
        if let Some(head) = parse(conn).map_err(Failure::after_response)? {
            if !head.status.is_informational() {
                return Ok(head);
            }
            // 101 would hand the connection to another protocol, which we
            // never ask for.
            if head.status == StatusCode::SWITCHING_PROTOCOLS {
                return Err(Failure::after_response(Error::transport(
                    "the server switched protocols without being asked to",
                )));
            }
            interim += 1;
            if interim > MAX_INTERIM {
                return Err(Failure::after_response(Error::transport("the server sent too many interim responses")));
            }
            continue;
        }
        if conn.buf.len() >= MAX_HEAD_BYTES {
            return Err(Failure::after_response(head_too_large()));
        }
        match conn.fill().await {
            Ok(0) if received_any => {
                return Err(Failure::after_response(Error::transport(
                    "the connection closed in the middle of the response head",
                )))
            }
            Ok(0) => {
                return Err(Failure::before_response(Error::transport(
                    "the connection closed before a response arrived",
                )))
            }
            Ok(_) => received_any = true,
            Err(e) => {
                let error = Error::transport("the connection failed while waiting for the response").with_source(e);
                return Err(if received_any {
                    Failure::after_response(error)
                } else {
                    Failure::before_response(error)
                });
            }
        }
    }
}

fn head_too_large() -> Error {
    Error::transport(format!("the response head is larger than {MAX_HEAD_BYTES} bytes"))
}

fn malformed() -> Error {
    Error::transport("the response head is malformed")
}

/// Parses one head from the start of the buffer and removes it, or returns
/// `None` if more bytes are needed.
fn parse(conn: &mut Conn) -> Result<Option<Head>, Error> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response = httparse::Response::new(&mut slots);
    let len = match response.parse(&conn.buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Error::transport(format!("the response has more than {MAX_HEADERS} headers")))
        }
        Err(e) => return Err(malformed().with_source(e)),
    };
    if len > MAX_HEAD_BYTES {
        return Err(head_too_large());
    }
    let status = response.code.and_then(|code| StatusCode::from_u16(code).ok()).ok_or_else(malformed)?;
    let version = match response.version {
        Some(0) => Version::HTTP_10,
        _ => Version::HTTP_11,
    };
    let mut headers = HeaderMap::with_capacity(response.headers.len());
    for field in response.headers.iter() {
        let name = HeaderName::from_bytes(field.name.as_bytes()).map_err(|_| malformed())?;
        let value = HeaderValue::from_bytes(field.value).map_err(|_| malformed())?;
        headers.append(name, value);
    }
    conn.buf.advance(len);
    Ok(Some(Head { status, version, headers }))
}

/// Whether the response's `Connection` header, or the HTTP/1.0 default,
/// lets the connection carry another request.
pub(super) fn keeps_alive(head: &Head) -> bool {
    let mut close = false;
    let mut keep_alive = false;
    for token in header_tokens(&head.headers, &header::CONNECTION) {
        close |= token.eq_ignore_ascii_case("close");
        keep_alive |= token.eq_ignore_ascii_case("keep-alive");
    }
    !close && (head.version == Version::HTTP_11 || keep_alive)
}

/// The comma-separated elements of every line of header `name`, trimmed,
/// empty ones left out. A value that is not text yields one element that
/// matches no keyword.
pub(super) fn header_tokens<'a>(headers: &'a HeaderMap, name: &HeaderName) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("\u{fffd}").split(','))
        .map(|token| token.trim_matches([' ', '\t']))
        .filter(|token| !token.is_empty())
}
