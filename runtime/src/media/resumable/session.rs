//! The exchanges of one resumable upload session: start it, send chunks,
//! and query its status after a failure.

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_RANGE, LOCATION, RANGE};
use http::{HeaderName, HeaderValue, StatusCode, Uri};

use super::chunks::Chunker;
use super::ResumableUpload;
use crate::error::{Error, ErrorKind, Result};
use crate::media::{content_type, range};
use crate::retry::backoff::{plan_sleep, server_wait, Schedule};
use crate::retry::Backoff;
use crate::retry::CallOptions;
use crate::retry::{Jitter, RetryPolicy};

const UPLOAD_CONTENT_TYPE: HeaderName = HeaderName::from_static("x-upload-content-type");
const UPLOAD_CONTENT_LENGTH: HeaderName = HeaderName::from_static("x-upload-content-length");

/// What one exchange with the upload server came to.
enum Step<T> {
    Done(T),
    /// The server holds this many bytes and wants the rest.
    Holds(u64),
    /// A failure worth another try after a wait.
    Transient(Error),
}

/// What every exchange of one upload needs.
struct Session<T> {
    client: crate::client::Client,
    scopes: &'static [&'static str],
    finish: super::Finish<T>,
    /// The start request's `dataWrapper` mark, which every exchange carries
    /// so that the finished resource is taken out of its `data` member.
    data_wrapper: Option<crate::client::DataWrapper>,
}

pub(super) async fn run<T>(upload: ResumableUpload<T>) -> Result<T> {
    let ResumableUpload {
        client,
        scopes,
        start,
        media,
        content_type,
        chunk_size,
        max_retries,
        first_delay,
        max_delay,
        mut progress,
        on_session,
        resume,
        finish,
    } = upload;
    let media_type = content_type::header(&content_type)?;
    let start = start?;
    let data_wrapper = start.extensions().get::<crate::client::DataWrapper>().copied();
    let upload = Session { client, scopes, finish, data_wrapper };
    let (offset, session) = match resume {
        Some((uri, offset)) => (offset, Some(uri)),
        None => (0, None),
    };
    // A body made from a file learns its length here, so that the last
    // chunk can say the total.
    let media = media.sized().await?;
    let length = media.length();
    let mut chunks = Chunker::new(media.into_stream(), offset, length, chunk_size);
    let mut pacing = Pacing::new(
        Backoff { initial_delay: first_delay, max_delay, multiplier: 2.0, jitter: Jitter::Full },
        max_retries,
    );

    let resuming = session.is_some();
    let session = match session {
        Some(uri) => same_origin(start.uri(), &uri)?,
        None => loop {
            match start_session(&upload, &start, &media_type, chunks.total()).await {
                Ok(uri) => break uri,
                Err(e) if is_retryable(&e) => pacing.wait(e).await?,
                Err(e) => return Err(e),
            }
        },
    };
    if !resuming {
        if let Some(save) = on_session {
            save(&session.to_string());
        }
    }

    // A resumed session starts by asking where the server is.
    let mut must_query = resuming;
    loop {
        let was_query = must_query;
        let step = if must_query {
            query(&upload, &session, chunks.total()).await
        } else {
            let chunk = chunks.next().await?;
            let header = range::chunk_header(chunk.start, chunk.data.len() as u64, chunk.total);
            send(&upload, &session, header, chunk.data).await
        };
        match step {
            Ok(Step::Done(value)) => {
                if let (Some(report), Some(total)) = (progress.as_mut(), chunks.total()) {
                    report(total, Some(total));
                }
                return Ok(value);
            }
            Ok(Step::Holds(persisted)) => {
                let before = chunks.confirmed();
                chunks.confirm(persisted).await?;
                must_query = false;
                if persisted > before {
                    pacing.progressed();
                    if let Some(report) = progress.as_mut() {
                        report(persisted, chunks.total());
                    }
                } else if !was_query {
                    // No progress for a chunk: bounded like a failure, so a
                    // server that never keeps anything cannot loop forever.
                    let error = Error::transport(format!(
                        "the upload server keeps answering 308 without accepting bytes past {persisted}"
                    ));
                    pacing.wait(error).await?;
                }
            }
            Ok(Step::Transient(error)) | Err(error) if is_retryable(&error) => {
                pacing.wait(error).await?;
                must_query = true;
            }
            Ok(Step::Transient(error)) | Err(error) => return Err(error),
        }
    }
}

/// The waits between failed exchanges of one upload.
///
/// Only failures in a row count against `max_retries`, and the schedule
/// starts again from its first delay once the server accepts more bytes,
/// as Go's `gensupport` does with a fresh backoff per chunk: otherwise a
/// long upload that met a few faults early would wait the maximum delay
/// after every later one.
struct Pacing {
    settings: Backoff,
    schedule: Schedule,
    failures: u32,
    max_retries: u32,
}

impl Pacing {
    fn new(settings: Backoff, max_retries: u32) -> Self {
        Self { schedule: settings.schedule(), settings, failures: 0, max_retries }
    }

    /// The server kept bytes it did not hold before.
    fn progressed(&mut self) {
        self.failures = 0;
        self.schedule = self.settings.schedule();
    }

    /// Waits before the next try after `error`, or gives the error back
    /// when the failures in a row are used up. The server's `Retry-After`,
    /// when it sent one, is a floor on the wait.
    async fn wait(&mut self, error: Error) -> Result<()> {
        self.failures += 1;
        if self.failures > self.max_retries {
            return Err(error);
        }
        let delay = plan_sleep(self.schedule.next_delay(), server_wait(&error), None).map_err(|_| error)?;
        tracing::debug!(
            failures = self.failures,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "upload exchange failed; retrying"
        );
        tokio::time::sleep(delay).await;
        Ok(())
    }
}

fn no_retries() -> CallOptions {
    let mut options = CallOptions::default();
    options.set_retry_policy(RetryPolicy::never());
    options
}

/// Whether an error of an exchange is worth another try.
fn is_retryable(error: &Error) -> bool {
    error.is_transient() || error.http_status() == Some(StatusCode::REQUEST_TIMEOUT)
}

/// Starts the session and returns its URI, from `Location`.
async fn start_session<T>(
    upload: &Session<T>,
    start: &http::Request<Vec<u8>>,
    media_type: &HeaderValue,
    total: Option<u64>,
) -> Result<Uri> {
    let mut request = http::Request::new(start.body().clone());
    *request.method_mut() = start.method().clone();
    *request.uri_mut() = start.uri().clone();
    *request.headers_mut() = start.headers().clone();
    let headers = request.headers_mut();
    headers.insert(UPLOAD_CONTENT_TYPE, media_type.clone());
    if let Some(total) = total {
        headers.insert(UPLOAD_CONTENT_LENGTH, HeaderValue::from(total));
    }
    request.extensions_mut().insert(no_retries());
    let response = upload.client.execute_any_status(request, upload.scopes).await?;
    if !response.status().is_success() {
        return Err(Error::from_http_response(&response));
    }
    let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| {
        Error::decode("the server started no upload session: its answer has no `Location` header")
            .with_http_status(response.status())
    })?;
    same_origin(start.uri(), location)
}

/// `location` as an absolute URI on the same scheme, host and port as
/// `start`: credentials go with every chunk, so they must not go anywhere
/// else.
fn same_origin(start: &Uri, location: &str) -> Result<Uri> {
    let invalid = || Error::decode("the upload session URI is not a valid URL");
    let uri: Uri = if location.starts_with('/') {
        let base =
            format!("{}://{}", start.scheme_str().unwrap_or("https"), start.authority().map_or("", |a| a.as_str()));
        format!("{base}{location}").parse().map_err(|_| invalid())?
    } else {
        location.parse().map_err(|_| invalid())?
    };
    if uri.scheme() != start.scheme() || uri.authority() != start.authority() {
        return Err(Error::invalid_argument(format!(
            "the upload session is on {}://{}, not on {}://{} where the upload started; credentials are not sent elsewhere",
            uri.scheme_str().unwrap_or("?"),
            uri.authority().map_or("?", |a| a.as_str()),
            start.scheme_str().unwrap_or("?"),
            start.authority().map_or("?", |a| a.as_str()),
        )));
    }
    Ok(uri)
}

/// Sends one chunk (or, with no data, finishes an upload whose bytes are
/// all held).
async fn send<T>(upload: &Session<T>, session: &Uri, content_range: HeaderValue, data: Bytes) -> Result<Step<T>> {
    let mut request = http::Request::new(crate::body::Body::from(data));
    *request.method_mut() = http::Method::PUT;
    *request.uri_mut() = session.clone();
    request.headers_mut().insert(CONTENT_RANGE, content_range);
    exchange(upload, request).await
}

/// Asks how many bytes the server holds.
async fn query<T>(upload: &Session<T>, session: &Uri, total: Option<u64>) -> Result<Step<T>> {
    let mut request = http::Request::new(crate::body::Body::empty());
    *request.method_mut() = http::Method::PUT;
    *request.uri_mut() = session.clone();
    request.headers_mut().insert(CONTENT_RANGE, range::chunk_header(0, 0, total));
    request.headers_mut().insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    exchange(upload, request).await
}

async fn exchange<T>(upload: &Session<T>, mut request: http::Request<crate::body::Body>) -> Result<Step<T>> {
    // This loop retries from the server's offset; the client retrying the
    // same chunk on its own would only send bytes again.
    request.extensions_mut().insert(no_retries());
    if let Some(mark) = upload.data_wrapper {
        request.extensions_mut().insert(mark);
    }
    let response = match upload.client.execute_any_status(request, upload.scopes).await {
        Ok(response) => response,
        Err(e) if matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout) => return Ok(Step::Transient(e)),
        Err(e) => return Err(e),
    };
    let status = response.status();
    if status.is_success() {
        return (upload.finish)(&response).map(Step::Done);
    }
    if status == StatusCode::PERMANENT_REDIRECT {
        return range::persisted(response.headers().get(RANGE)).map(Step::Holds);
    }
    let error = Error::from_http_response(&response);
    match status.as_u16() {
        404 | 410 => Err(Error::new(
            ErrorKind::Http,
            format!("the upload session has expired or is unknown ({status}); start a new upload: {error}"),
        )
        .with_http_status(status)),
        _ if is_retryable(&error) => Ok(Step::Transient(error)),
        _ => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn session_uris_must_stay_on_the_upload_host() {
        let start: http::Uri = "https://up.example.com/upload/x?uploadType=resumable".parse().unwrap();
        let rel = same_origin(&start, "/upload/x?upload_id=1").unwrap();
        assert_eq!(rel.to_string(), "https://up.example.com/upload/x?upload_id=1");
        assert!(same_origin(&start, "https://up.example.com/s?upload_id=2").is_ok());
        for other in ["https://evil.example.com/s", "http://up.example.com/s", "https://up.example.com:8443/s", "::"] {
            assert!(same_origin(&start, other).is_err(), "{other}");
        }
    }
}
