//! A loopback media server for tests and benchmarks: it stores objects in a
//! directory and speaks Google's media protocols (simple upload, resumable
//! upload with `308`/`Range`, downloads with byte ranges), with faults that
//! a test can inject, as a real server on a flaky network would show them.
//!
//! Objects are named by the `name` in the metadata or query, or else by the
//! last path segment (`:replace` dropped); a download names the object by
//! its last path segment. That covers both the `media-and-paging` fixture
//! and the Cloud Storage JSON API's paths.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Incoming;
use tokio::io::AsyncWriteExt as _;

type Body = BoxBody<Bytes, std::io::Error>;

/// Faults to show on the next requests of their kind; each fires once (or
/// as many times as its count says) and is then cleared.
#[derive(Debug, Default, Clone)]
pub struct Faults {
    /// Keep this many bytes of the next chunk, then drop the connection.
    pub drop_chunk_after: Option<u64>,
    /// Answer `503` to this many chunks, keeping nothing of them.
    pub chunk_503: u32,
    /// Keep this many bytes fewer than the next chunk sent, and say so in
    /// the `308`.
    pub keep_fewer: Option<u64>,
    /// Drop the connection after this many bytes of the next download.
    pub drop_download_after: Option<u64>,
    /// Answer range requests with the whole object (`200`).
    pub ignore_ranges: bool,
    /// Answer `503` to this many chunks, keeping nothing, each one the
    /// first try of a chunk after one that was kept: a fault late in a long
    /// upload, again and again.
    pub chunk_503_after_progress: u32,
    /// Cut this many downloads in a row (instead of one), each after
    /// `drop_download_after` bytes (or, without it, after half of what the
    /// response carries).
    pub download_cuts: u32,
}

/// What the server saw, for tests to check that a fault really happened.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub sessions: u32,
    pub chunks: u32,
    pub status_queries: u32,
    pub dropped: u32,
    pub answered_503: u32,
    pub kept_fewer: u32,
    pub range_requests: Vec<String>,
    /// `Content-Range` of every chunk and query, in order.
    pub content_ranges: Vec<String>,
    /// When each of those arrived, on Tokio's clock (which a test may pause)
    /// from the server's start.
    pub content_range_times: Vec<std::time::Duration>,
    /// Downloads cut off mid-body.
    pub downloads_cut: u32,
}

struct Session {
    name: String,
    file: PathBuf,
    received: u64,
}

#[derive(Default)]
struct State {
    faults: Faults,
    seen: Seen,
    sessions: HashMap<u64, Session>,
    next_id: u64,
    /// Whether the last chunk got a `chunk_503_after_progress` fault.
    last_chunk_failed: bool,
}

/// A running server; it stops when dropped.
pub struct MediaServer {
    addr: SocketAddr,
    dir: PathBuf,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl MediaServer {
    /// Starts a server on a free loopback port, keeping objects in `dir`.
    pub async fn start(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0".parse().expect("loopback address"), dir).await
    }

    /// Starts a server on `addr`, keeping objects in `dir`.
    pub async fn start_on(addr: SocketAddr, dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Shared { dir: dir.clone(), state: state.clone(), addr, started: tokio::time::Instant::now() };
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let shared = shared.clone();
                        async move { shared.handle(request).await }
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    // A dropped connection is one of the faults: ignore it.
                    let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                });
            }
        });
        Ok(Self { addr, dir, state, task })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn uri(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Sets the faults for the next requests.
    pub fn inject(&self, faults: Faults) {
        self.state.lock().expect("state").faults = faults;
    }

    /// What the server has seen so far.
    pub fn seen(&self) -> Seen {
        self.state.lock().expect("state").seen.clone()
    }

    /// Where the object `name` is stored.
    pub fn object_path(&self, name: &str) -> PathBuf {
        object_path(&self.dir, name)
    }

    /// Stores `data` as the object `name`.
    pub fn put_object(&self, name: &str, data: &[u8]) -> std::io::Result<()> {
        std::fs::write(self.object_path(name), data)
    }

    /// Runs until the process is stopped (for the server binary).
    pub async fn wait(self) {
        let _ = (&mut { self }.task).await;
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn object_path(dir: &Path, name: &str) -> PathBuf {
    // Object names become file names: keep them to one safe component.
    let safe: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    dir.join(format!("obj-{safe}"))
}

#[derive(Clone)]
struct Shared {
    dir: PathBuf,
    state: Arc<Mutex<State>>,
    addr: SocketAddr,
    started: tokio::time::Instant,
}

fn full(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).map_err(|never| match never {}).boxed());
    *response.status_mut() = status;
    response
}

fn query_param(request: &Request<Incoming>, name: &str) -> Option<String> {
    let query = request.uri().query()?;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn last_segment(path: &str) -> String {
    let last = path.rsplit('/').next().unwrap_or("");
    percent_decode(last.strip_suffix(":replace").unwrap_or(last))
}

fn object_json(name: &str, size: u64) -> String {
    serde_json::json!({"kind": "storage#object", "name": name, "bucket": "b", "size": size.to_string()}).to_string()
}

impl Shared {
    async fn handle(self, request: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
        let upload_type = query_param(&request, "uploadType");
        let upload_id = query_param(&request, "upload_id");
        match (request.method().clone(), upload_type.as_deref(), upload_id) {
            (Method::PUT, _, Some(id)) => self.session_put(request, &id).await,
            (Method::POST | Method::PUT, Some("resumable"), None) => self.start_session(request).await,
            (Method::POST | Method::PUT, Some("media"), None) => self.simple_upload(request).await,
            (Method::GET, _, _) if query_param(&request, "alt").as_deref() == Some("media") => {
                self.download(request).await
            }
            _ => Ok(full(StatusCode::NOT_FOUND, r#"{"error":{"code":404,"message":"no such route"}}"#)),
        }
    }

    async fn start_session(self, request: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
        let from_query = query_param(&request, "name");
        let fallback = last_segment(request.uri().path());
        let path = request.uri().path().to_string();
        let body = request.into_body().collect().await.map_err(std::io::Error::other)?.to_bytes();
        let from_body = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string));
        let name = from_body.or(from_query).unwrap_or(fallback);
        let mut state = self.state.lock().expect("state");
        state.next_id += 1;
        let id = state.next_id;
        let file = self.dir.join(format!("session-{id}"));
        std::fs::write(&file, b"")?;
        state.sessions.insert(id, Session { name, file, received: 0 });
        state.seen.sessions += 1;
        let mut response = full(StatusCode::OK, "");
        let location = format!("http://{}{path}?uploadType=resumable&upload_id={id}", self.addr);
        response.headers_mut().insert(http::header::LOCATION, location.parse().expect("location"));
        Ok(response)
    }

    async fn simple_upload(self, request: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
        let name = query_param(&request, "name").unwrap_or_else(|| last_segment(request.uri().path()));
        let path = object_path(&self.dir, &name);
        let mut file = tokio::fs::File::create(&path).await?;
        let mut body = request.into_body();
        let mut size = 0u64;
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame.map_err(std::io::Error::other)?.into_data() {
                file.write_all(&data).await?;
                size += data.len() as u64;
            }
        }
        file.flush().await?;
        Ok(full(StatusCode::OK, object_json(&name, size)))
    }

    async fn session_put(self, request: Request<Incoming>, id: &str) -> Result<Response<Body>, std::io::Error> {
        let range =
            request.headers().get(http::header::CONTENT_RANGE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let (file, received, name, faults) = {
            let mut state = self.state.lock().expect("state");
            state.seen.content_ranges.push(range.clone());
            state.seen.content_range_times.push(self.started.elapsed());
            let Some(session) = id.parse().ok().and_then(|id: u64| state.sessions.get(&id)) else {
                return Ok(full(StatusCode::NOT_FOUND, r#"{"error":{"code":404,"message":"no such upload"}}"#));
            };
            let snapshot = (session.file.clone(), session.received, session.name.clone());
            (snapshot.0, snapshot.1, snapshot.2, state.faults.clone())
        };
        let Some((span, total)) = parse_chunk_range(&range) else {
            return Ok(full(StatusCode::BAD_REQUEST, r#"{"error":{"code":400,"message":"bad Content-Range"}}"#));
        };
        let id: u64 = id.parse().unwrap_or(0);
        let mut body = request.into_body();
        let Some((start, end)) = span else {
            // A status query, or the end of an upload whose bytes all arrived.
            self.state.lock().expect("state").seen.status_queries += 1;
            return Ok(self.answer(id, received, total, &name));
        };
        if start > received || end + 1 < received {
            // A gap, or a chunk wholly before what is held: a client bug.
            let message = format!(
                r#"{{"error":{{"code":400,"message":"chunk {start}-{end} does not continue the {received} bytes held"}}}}"#
            );
            return Ok(full(StatusCode::BAD_REQUEST, message));
        }
        // A chunk sent again (by a transport retrying a dropped connection)
        // may overlap what is held, as with Google's servers: the overlap is
        // dropped.
        let mut overlap = received - start;
        self.state.lock().expect("state").seen.chunks += 1;
        let late_fault = {
            let mut state = self.state.lock().expect("state");
            let fire = state.faults.chunk_503_after_progress > 0 && !state.last_chunk_failed;
            if fire {
                state.faults.chunk_503_after_progress -= 1;
            }
            state.last_chunk_failed = fire;
            fire
        };
        if faults.chunk_503 > 0 || late_fault {
            {
                let mut state = self.state.lock().expect("state");
                if !late_fault {
                    state.faults.chunk_503 -= 1;
                }
                state.seen.answered_503 += 1;
            }
            while body.frame().await.is_some() {}
            return Ok(full(StatusCode::SERVICE_UNAVAILABLE, r#"{"error":{"code":503,"message":"try again"}}"#));
        }
        let mut out = tokio::fs::OpenOptions::new().append(true).open(&file).await?;
        let mut kept = 0u64;
        let drop_after = faults.drop_chunk_after;
        let mut seen_bytes = 0u64;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame.map_err(std::io::Error::other)?.into_data() else { continue };
            seen_bytes += data.len() as u64;
            let mut data = data;
            if overlap > 0 {
                let skip = overlap.min(data.len() as u64);
                overlap -= skip;
                data = data.slice(skip as usize..);
            }
            if let Some(limit) = drop_after {
                if kept + data.len() as u64 >= limit {
                    data.truncate((limit - kept) as usize);
                    out.write_all(&data).await?;
                    out.flush().await?;
                    let mut state = self.state.lock().expect("state");
                    state.faults.drop_chunk_after = None;
                    state.seen.dropped += 1;
                    if let Some(s) = state.sessions.get_mut(&id) {
                        s.received += limit;
                    }
                    return Err(std::io::Error::other("fault: connection dropped mid-chunk"));
                }
            }
            out.write_all(&data).await?;
            kept += data.len() as u64;
        }
        out.flush().await?;
        if seen_bytes != end + 1 - start {
            return Ok(full(
                StatusCode::BAD_REQUEST,
                r#"{"error":{"code":400,"message":"body and Content-Range disagree"}}"#,
            ));
        }
        let mut held = received + kept;
        if let Some(fewer) = faults.keep_fewer {
            let fewer = fewer.min(kept);
            held -= fewer;
            out.set_len(held).await?;
            let mut state = self.state.lock().expect("state");
            state.faults.keep_fewer = None;
            state.seen.kept_fewer += 1;
        }
        if let Some(s) = self.state.lock().expect("state").sessions.get_mut(&id) {
            s.received = held;
        }
        Ok(self.answer(id, held, total, &name))
    }

    /// `308` with what is held, or the finished object once all is held.
    fn answer(&self, id: u64, held: u64, total: Option<u64>, name: &str) -> Response<Body> {
        if total == Some(held) {
            let mut state = self.state.lock().expect("state");
            if let Some(session) = state.sessions.remove(&id) {
                let _ = std::fs::rename(&session.file, object_path(&self.dir, name));
            }
            return full(StatusCode::OK, object_json(name, held));
        }
        let mut response = full(StatusCode::PERMANENT_REDIRECT, "");
        if held > 0 {
            response.headers_mut().insert(http::header::RANGE, format!("bytes=0-{}", held - 1).parse().expect("range"));
        }
        response
    }

    async fn download(self, request: Request<Incoming>) -> Result<Response<Body>, std::io::Error> {
        let name = last_segment(request.uri().path());
        let path = object_path(&self.dir, &name);
        let Ok(mut file) = tokio::fs::File::open(&path).await else {
            return Ok(full(StatusCode::NOT_FOUND, r#"{"error":{"code":404,"message":"no such object"}}"#));
        };
        let size = file.metadata().await?.len();
        let range = request.headers().get(http::header::RANGE).and_then(|v| v.to_str().ok()).map(str::to_string);
        let faults = {
            let mut state = self.state.lock().expect("state");
            if let Some(r) = &range {
                state.seen.range_requests.push(r.clone());
            }
            let faults = state.faults.clone();
            if state.faults.download_cuts > 0 {
                state.faults.download_cuts -= 1;
            }
            if state.faults.download_cuts == 0 {
                state.faults.drop_download_after = None;
            }
            faults
        };
        let asked = range.as_deref().filter(|_| !faults.ignore_ranges);
        let wanted = asked.and_then(|r| parse_range(r, size));
        if asked.is_some() && wanted.is_none() {
            let mut response = full(StatusCode::RANGE_NOT_SATISFIABLE, r#"{"error":{"code":416,"message":"range"}}"#);
            response
                .headers_mut()
                .insert(http::header::CONTENT_RANGE, format!("bytes */{size}").parse().expect("range"));
            return Ok(response);
        }
        let (status, start, len) = match wanted {
            Some((start, end)) => (StatusCode::PARTIAL_CONTENT, start, end + 1 - start),
            None => (StatusCode::OK, 0, size),
        };
        use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
        file.seek(std::io::SeekFrom::Start(start)).await?;
        let reader = file.take(len);
        let cut = match faults.download_cuts {
            0 => faults.drop_download_after,
            _ => Some(faults.drop_download_after.unwrap_or(len / 2)),
        };
        let stream =
            cut::Cut::new(tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024), cut, self.state.clone());
        let mut response = Response::new(BodyExt::boxed(StreamBody::new(stream)));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        headers.insert(http::header::CONTENT_LENGTH, len.into());
        headers.insert(http::header::CONTENT_TYPE, "application/octet-stream".parse().expect("type"));
        if status == StatusCode::PARTIAL_CONTENT {
            let value = format!("bytes {start}-{}/{size}", start + len - 1);
            headers.insert(http::header::CONTENT_RANGE, value.parse().expect("range"));
        }
        Ok(response)
    }
}

/// `bytes A-B/TOTAL`, `bytes A-B/*`, `bytes */TOTAL` or `bytes */*`.
#[allow(clippy::type_complexity)]
fn parse_chunk_range(value: &str) -> Option<(Option<(u64, u64)>, Option<u64>)> {
    let rest = value.strip_prefix("bytes ")?;
    let (span, total) = rest.split_once('/')?;
    let total = if total == "*" { None } else { Some(total.parse().ok()?) };
    let span = if span == "*" {
        None
    } else {
        let (a, b) = span.split_once('-')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    Some((span, total))
}

/// `bytes=A-` or `bytes=A-B` against an object of `size` bytes.
fn parse_range(value: &str, size: u64) -> Option<(u64, u64)> {
    let (a, b) = value.strip_prefix("bytes=")?.split_once('-')?;
    let start: u64 = a.parse().ok()?;
    let end = if b.is_empty() { size.checked_sub(1)? } else { b.parse::<u64>().ok()?.min(size.checked_sub(1)?) };
    (start <= end).then_some((start, end))
}

/// A download body that can break off after a given number of bytes.
mod cut {
    use std::future::Future as _;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll};
    use std::time::Duration;

    use bytes::Bytes;
    use futures_core::Stream;
    use hyper::body::Frame;

    use super::State;

    /// Hands on the stream's chunks until `cut` bytes have gone, then
    /// fails, which makes hyper drop the connection. Before failing it
    /// waits a moment, so that hyper flushes the bytes already given to it
    /// and the client receives exactly `cut` bytes.
    pub(super) struct Cut<S> {
        inner: S,
        cut: Option<u64>,
        sent: u64,
        state: Arc<Mutex<State>>,
        cutting: Option<Pin<Box<tokio::time::Sleep>>>,
        done: bool,
    }

    impl<S> Cut<S> {
        pub(super) fn new(inner: S, cut: Option<u64>, state: Arc<Mutex<State>>) -> Self {
            Self { inner, cut, sent: 0, state, cutting: None, done: false }
        }
    }

    impl<S: Stream<Item = std::io::Result<Bytes>> + Unpin> Stream for Cut<S> {
        type Item = std::io::Result<Frame<Bytes>>;

        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            let this = self.get_mut();
            loop {
                if let Some(pause) = &mut this.cutting {
                    std::task::ready!(pause.as_mut().poll(cx));
                    this.cutting = None;
                    this.done = true;
                    this.state.lock().expect("state").seen.downloads_cut += 1;
                    return Poll::Ready(Some(Err(std::io::Error::other("fault: connection dropped mid-download"))));
                }
                if this.done {
                    return Poll::Ready(None);
                }
                let mut chunk = match std::task::ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                    Some(Ok(chunk)) => chunk,
                    Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                    None => return Poll::Ready(None),
                };
                if let Some(cut) = this.cut {
                    if this.sent + chunk.len() as u64 > cut {
                        chunk.truncate((cut - this.sent) as usize);
                        this.cutting = Some(Box::pin(tokio::time::sleep(Duration::from_millis(20))));
                        if chunk.is_empty() {
                            continue;
                        }
                    }
                }
                this.sent += chunk.len() as u64;
                return Poll::Ready(Some(Ok(Frame::data(chunk))));
            }
        }
    }
}
