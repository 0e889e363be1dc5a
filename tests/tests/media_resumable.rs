//! Resumable upload and ranged download through a generated client (the
//! `media-and-paging` fixture) against the loopback media server, with the
//! faults of a flaky network injected.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use discogen_media_server::{Faults, MediaServer};
use discogen_runtime::prelude::*;
use discogen_runtime::{Body, ErrorKind};
use discogen_tests::fixtures::media_and_paging as api;

const KIB: usize = 1024;

fn media(len: usize) -> Vec<u8> {
    // Not periodic on any power of two, so a chunk sent at the wrong offset
    // cannot go unnoticed.
    (0..len).map(|i| ((i * 7 + i / 251) % 253) as u8).collect()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("discogen-media-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn client(server: &MediaServer) -> api::Client {
    api::Client::builder().root_url(server.uri()).bearer_token("tok").build().expect("client builds")
}

fn meta(name: &str) -> api::model::File {
    api::model::File { name: Some(name.into()), ..Default::default() }
}

#[tokio::test]
async fn a_resumable_upload_survives_a_drop_a_503_and_a_short_acknowledgement() {
    let server = MediaServer::start(temp_dir("faults")).await.expect("server");
    let data = media(3 * 1024 * KIB + 12_345);
    server.inject(Faults {
        chunk_503: 1,
        drop_chunk_after: Some(100 * KIB as u64),
        keep_fewer: Some(50_000),
        ..Faults::default()
    });
    let reports = Arc::new(Mutex::new(Vec::new()));
    let seen_reports = reports.clone();
    let created = client(&server)
        .files()
        .create("buckets/b1", meta("flaky"))
        .upload_resumable(data.clone(), "application/octet-stream")
        .chunk_size(512 * KIB)
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .on_progress(move |done, total| seen_reports.lock().unwrap().push((done, total)))
        .await
        .expect("upload finishes");
    assert_eq!(created.name.as_deref(), Some("flaky"));
    assert_eq!(created.size, Some(data.len() as i64));
    let stored = std::fs::read(server.object_path("flaky")).expect("stored object");
    assert!(stored == data, "stored object differs from the source ({} vs {} bytes)", stored.len(), data.len());

    let seen = server.seen();
    assert_eq!((seen.answered_503, seen.dropped, seen.kept_fewer), (1, 1, 1), "{seen:?}");
    assert_eq!(seen.sessions, 1);
    // The drop is followed by a status query, or absorbed by a transport
    // that sends the chunk again on a new connection; the 503 always is.
    assert!(seen.status_queries >= 1, "a status query after the 503: {seen:?}");
    assert!(seen.content_ranges.iter().any(|r| r.ends_with(&format!("/{}", data.len()))), "{seen:?}");

    let reports = reports.lock().unwrap();
    assert_eq!(reports.last(), Some(&(data.len() as u64, Some(data.len() as u64))));
    assert!(reports.windows(2).all(|w| w[0].0 < w[1].0), "progress only grows: {reports:?}");
}

#[tokio::test]
async fn a_stream_of_unknown_length_is_announced_with_a_star_until_it_ends() {
    let server = MediaServer::start(temp_dir("unknown")).await.expect("server");
    let data = media(700 * KIB);
    let source = Body::from_reader(std::io::Cursor::new(data.clone()));
    assert_eq!(source.length(), None);
    client(&server)
        .files()
        .create("buckets/b1", meta("unknown"))
        .upload_resumable(source, "application/octet-stream")
        .chunk_size(256 * KIB)
        .await
        .expect("upload finishes");
    assert!(std::fs::read(server.object_path("unknown")).unwrap() == data);
    let ranges = server.seen().content_ranges;
    assert_eq!(
        ranges,
        [
            "bytes 0-262143/*".to_string(),
            "bytes 262144-524287/*".to_string(),
            format!("bytes 524288-{}/{}", data.len() - 1, data.len()),
        ]
    );
}

#[tokio::test]
async fn an_open_tokio_file_is_uploaded_from_its_position_with_its_length_known() {
    use tokio::io::AsyncSeekExt as _;
    let dir = temp_dir("tokio-file");
    let server = MediaServer::start(dir.join("server")).await.expect("server");
    let data = media(700 * KIB + 5);
    let source = dir.join("source.bin");
    std::fs::write(&source, &data).unwrap();

    // Resumable, straight from `tokio::fs::File`: the total is known from
    // the first chunk on (no `*`), as with `Body::from_file`.
    let file = tokio::fs::File::open(&source).await.unwrap();
    client(&server)
        .files()
        .create("buckets/b1", meta("from-file"))
        .upload_resumable(file, "application/octet-stream")
        .chunk_size(256 * KIB)
        .await
        .expect("upload finishes");
    assert!(std::fs::read(server.object_path("from-file")).unwrap() == data);
    let total = data.len();
    assert_eq!(
        server.seen().content_ranges,
        [
            format!("bytes 0-262143/{total}"),
            format!("bytes 262144-524287/{total}"),
            format!("bytes 524288-{}/{total}", total - 1),
        ]
    );

    // Simple, from a file already read past its first bytes: what is left.
    let mut file = tokio::fs::File::open(&source).await.unwrap();
    file.seek(std::io::SeekFrom::Start(5)).await.unwrap();
    client(&server).files().replace("buckets/b1/files/rest").upload(file, "text/plain").await.expect("simple upload");
    assert!(std::fs::read(server.object_path("rest")).unwrap() == data[5..]);
}

#[tokio::test]
async fn small_media_goes_in_one_request_and_empty_responses_finish_too() {
    let server = MediaServer::start(temp_dir("small")).await.expect("server");
    // `replace` returns no body: the upload resolves to `()`.
    let () = client(&server)
        .files()
        .replace("buckets/b1/files/small")
        .upload_resumable(b"tiny".to_vec(), "text/plain")
        .await
        .expect("upload finishes");
    assert_eq!(std::fs::read(server.object_path("small")).unwrap(), b"tiny");
    assert_eq!(server.seen().content_ranges, ["bytes 0-3/4"]);
}

/// A source that yields `data` and then fails, as a disk or a pipe might.
fn failing_source(data: Vec<u8>) -> Body {
    let pieces: Vec<Result<bytes::Bytes, std::io::Error>> = data
        .chunks(64 * KIB)
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .chain(std::iter::once(Err(std::io::Error::other("disk gone"))))
        .collect();
    Body::from_stream(Pieces(pieces.into_iter()))
}

struct Pieces<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for Pieces<I> {
    type Item = I::Item;
    fn poll_next(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.get_mut().0.next())
    }
}

#[tokio::test]
async fn an_upload_resumes_from_a_saved_session_uri() {
    let server = MediaServer::start(temp_dir("resume")).await.expect("server");
    let data = media(2 * 1024 * KIB + 999);
    let saved = Arc::new(Mutex::new(None::<String>));
    let save = saved.clone();
    // The first run dies part way: its source fails after 1 MiB + a bit.
    let err = client(&server)
        .files()
        .create("buckets/b1", meta("resumed"))
        .upload_resumable(failing_source(data[..1024 * KIB + 70_000].to_vec()), "application/octet-stream")
        .chunk_size(512 * KIB)
        .on_session(move |uri| *save.lock().unwrap() = Some(uri.to_string()))
        .await
        .expect_err("the source fails");
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    let uri = saved.lock().unwrap().clone().expect("the session URI was handed out");
    assert!(uri.starts_with(&server.uri()) && uri.contains("upload_id="), "{uri}");

    // After a "restart", the program carries on with the whole file again...
    let done = client(&server)
        .files()
        .create("buckets/b1", meta("resumed"))
        .upload_resumable(data.clone(), "application/octet-stream")
        .chunk_size(512 * KIB)
        .resume(uri.clone(), 0)
        .await
        .expect("the resumed upload finishes");
    assert_eq!(done.size, Some(data.len() as i64));
    assert!(std::fs::read(server.object_path("resumed")).unwrap() == data);
    let seen = server.seen();
    assert_eq!(seen.sessions, 1, "no second session");
    // Two chunks of 512 KiB went in the first run; the resumed run starts with
    // a status query and sends only what is missing.
    let resumed: Vec<_> = seen.content_ranges.iter().skip(2).cloned().collect();
    assert_eq!(resumed[0], format!("bytes */{}", data.len()));
    assert!(resumed[1].starts_with("bytes 1048576-"), "{resumed:?}");
}

#[tokio::test]
async fn a_resumed_source_may_start_where_the_server_stopped() {
    let server = MediaServer::start(temp_dir("offset")).await.expect("server");
    let data = media(1024 * KIB + 5);
    let saved = Arc::new(Mutex::new(None::<String>));
    let save = saved.clone();
    client(&server)
        .files()
        .create("buckets/b1", meta("offset"))
        .upload_resumable(failing_source(data[..600 * KIB].to_vec()), "application/octet-stream")
        .chunk_size(256 * KIB)
        .on_session(move |uri| *save.lock().unwrap() = Some(uri.to_string()))
        .await
        .expect_err("the source fails");
    let uri = saved.lock().unwrap().clone().expect("session URI");
    // The server holds 512 KiB; a source positioned at 256 KiB is behind it
    // and is read forward, one positioned past it is refused.
    let from = 256 * KIB;
    let early = client(&server)
        .files()
        .create("buckets/b1", meta("offset"))
        .upload_resumable(data[600 * KIB..].to_vec(), "application/octet-stream")
        .resume(uri.clone(), 600 * KIB as u64)
        .await
        .expect_err("the source starts after what the server holds");
    assert!(early.to_string().contains("524288"), "{early}");
    client(&server)
        .files()
        .create("buckets/b1", meta("offset"))
        .upload_resumable(data[from..].to_vec(), "application/octet-stream")
        .chunk_size(256 * KIB)
        .resume(uri, from as u64)
        .await
        .expect("the resumed upload finishes");
    assert!(std::fs::read(server.object_path("offset")).unwrap() == data);
}

#[tokio::test]
async fn a_session_on_another_host_is_refused() {
    let server = MediaServer::start(temp_dir("elsewhere")).await.expect("server");
    let err = client(&server)
        .files()
        .create("buckets/b1", meta("x"))
        .upload_resumable(b"abc".to_vec(), "text/plain")
        .resume("http://127.0.0.2:9/upload?upload_id=1", 0)
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(server.seen().content_ranges.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_client_error_ends_the_upload_with_its_message() {
    let server = MediaServer::start(temp_dir("expired")).await.expect("server");
    let uri = format!("{}resumable/upload/files/v1/buckets/b1/files?uploadType=resumable&upload_id=404", server.uri());
    let err = client(&server)
        .files()
        .create("buckets/b1", meta("x"))
        .upload_resumable(b"abc".to_vec(), "text/plain")
        .resume(uri, 0)
        .await
        .expect_err("unknown session");
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(404));
    assert!(err.message().contains("start a new upload"), "{err}");
}

#[tokio::test]
async fn an_interrupted_download_carries_on_with_a_range() {
    let server = MediaServer::start(temp_dir("download")).await.expect("server");
    let data = media(3 * 1024 * KIB + 77);
    server.put_object("big", &data).expect("object");
    server.inject(Faults { drop_download_after: Some(1024 * KIB as u64 + 5), ..Faults::default() });
    let mut saved = Vec::new();
    // The client would retry a download that fails before its head arrives
    // (a transport that reads whole bodies fails there); this test wants
    // the failure itself.
    let once = api::Client::builder()
        .root_url(server.uri())
        .bearer_token("tok")
        .retry_policy(discogen_runtime::retry::RetryPolicy::never())
        .build()
        .expect("client builds");
    let err = once.files().get("buckets/b1/files/big").download_to(&mut saved).await.expect_err("the connection drops");
    assert!(matches!(err.kind(), ErrorKind::Transport | ErrorKind::Timeout), "{err}");
    // A transport that streams hands over the first part; one that reads
    // whole bodies hands over nothing. Either way what arrived is good.
    assert!(saved.len() < data.len() && saved[..] == data[..saved.len()], "what arrived is good");

    let from = saved.len() as u64;
    let mut stream =
        client(&server).files().get("buckets/b1/files/big").media_download().range(from..).stream().await.expect("206");
    assert_eq!((stream.start(), stream.total_size()), (from, Some(data.len() as u64)));
    assert_eq!(stream.content_length(), Some(data.len() as u64 - from));
    while let Some(chunk) = stream.next_chunk().await {
        saved.extend_from_slice(&chunk.expect("chunk"));
    }
    assert!(saved == data, "the two parts make the object");
    assert_eq!(server.seen().range_requests, [format!("bytes={from}-")]);
}

#[tokio::test]
async fn a_download_in_two_ranges_gives_the_object() {
    let server = MediaServer::start(temp_dir("two-ranges")).await.expect("server");
    let data = media(2 * 1024 * KIB + 1);
    server.put_object("o", &data).expect("object");
    let split = 1024 * KIB as u64 + 5;
    let get = || client(&server).files().get("buckets/b1/files/o").media_download();
    let mut whole = get().range(..split).bytes().await.expect("first part").to_vec();
    assert_eq!(whole.len() as u64, split);
    let mut rest = Vec::new();
    let written = get().range(split..).write_to(&mut rest).await.expect("second part");
    assert_eq!(written, data.len() as u64 - split);
    whole.extend_from_slice(&rest);
    assert!(whole == data);
    assert_eq!(server.seen().range_requests, [format!("bytes=0-{}", split - 1), format!("bytes={split}-")]);
    let past = get().range(data.len() as u64 + 10..).bytes().await.expect_err("past the end");
    assert_eq!(past.http_status().map(|s| s.as_u16()), Some(416), "{past}");
}

#[tokio::test]
async fn a_server_ignoring_ranges_still_gives_the_range() {
    let server = MediaServer::start(temp_dir("norange")).await.expect("server");
    let data = media(600 * KIB);
    server.put_object("o", &data).expect("object");
    server.inject(Faults { ignore_ranges: true, ..Faults::default() });
    let part = client(&server)
        .files()
        .get("buckets/b1/files/o")
        .media_download()
        .range(300_000..400_000)
        .bytes()
        .await
        .expect("range cut from a 200");
    assert!(part[..] == data[300_000..400_000]);
    let whole = client(&server).files().get("buckets/b1/files/o").download().await.expect("whole");
    assert!(whole[..] == data[..]);
}

#[tokio::test]
async fn a_streamed_file_upload_and_download_round_trip_through_files() {
    let dir = temp_dir("files");
    let server = MediaServer::start(dir.join("server")).await.expect("server");
    let data = media(1024 * KIB + 3);
    let source = dir.join("source.bin");
    std::fs::write(&source, &data).unwrap();
    let body = Body::from_file(&source).await.expect("file");
    assert_eq!(body.length(), Some(data.len() as u64));
    client(&server).files().replace("buckets/b1/files/f").upload(body, "text/plain").await.expect("simple upload");
    assert!(std::fs::read(server.object_path("f")).unwrap() == data);
    let target = dir.join("target.bin");
    let mut file = tokio::fs::File::create(&target).await.unwrap();
    let written = client(&server).files().get("buckets/b1/files/f").download_to(&mut file).await.expect("download");
    assert_eq!(written, data.len() as u64);
    assert!(std::fs::read(&target).unwrap() == data);
}

#[tokio::test]
async fn a_server_that_keeps_failing_exhausts_a_bounded_budget() {
    let server = MediaServer::start(temp_dir("budget")).await.expect("server");
    server.inject(Faults { chunk_503: 100, ..Faults::default() });
    let err = client(&server)
        .files()
        .create("buckets/b1", meta("never"))
        .upload_resumable(media(10_000), "application/octet-stream")
        .max_retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
        .await
        .expect_err("gives up");
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(503), "{err}");
    let seen = server.seen();
    // One chunk, then for each of the two retries a status query and the chunk again.
    assert_eq!((seen.answered_503, seen.status_queries), (3, 2), "{seen:?}");
}

/// Records the delay the uploader plans before each retry, from its
/// `delay_ms` debug events: the schedule itself, free of the machine's
/// speed. (A paused clock measured it exactly too, but auto-advances past
/// the call timeout whenever loopback I/O is slow to arrive.)
#[derive(Clone, Default)]
struct PlannedDelays(std::sync::Arc<std::sync::Mutex<Vec<Duration>>>);

impl tracing::Subscriber for PlannedDelays {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct DelayMs(Option<u64>);
        impl tracing::field::Visit for DelayMs {
            fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
                if field.name() == "delay_ms" {
                    self.0 = Some(value);
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut delay = DelayMs(None);
        event.record(&mut delay);
        if let Some(ms) = delay.0 {
            self.0.lock().unwrap().push(Duration::from_millis(ms));
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn the_backoff_starts_again_after_every_chunk_the_server_keeps() {
    let planned = PlannedDelays::default();
    let _events = tracing::subscriber::set_default(planned.clone());
    let server = MediaServer::start(temp_dir("late-faults")).await.expect("server");
    let faults = 20u32;
    let data = media(24 * 256 * KIB);
    server.inject(Faults { chunk_503_after_progress: faults, ..Faults::default() });
    // A schedule that kept growing across chunks would reach `max` after
    // five faults; one that starts again stays within `first`.
    let (first, max) = (Duration::from_millis(5), Duration::from_millis(150));
    client(&server)
        .files()
        .create("buckets/b1", meta("late"))
        .upload_resumable(data.clone(), "application/octet-stream")
        .chunk_size(256 * KIB)
        .max_retries(2)
        .backoff(first, max)
        .await
        .expect("upload finishes");
    assert!(std::fs::read(server.object_path("late")).unwrap() == data);

    let seen = server.seen();
    assert_eq!(seen.answered_503, faults, "{seen:?}");
    // After each 503 the client waits, then asks where the server is.
    let status_queries = seen.content_ranges.iter().filter(|r| r.starts_with("bytes */")).count();
    assert_eq!(status_queries, faults as usize, "{seen:?}");
    let delays = planned.0.lock().unwrap().clone();
    assert_eq!(delays.len(), faults as usize, "one planned wait per fault: {delays:?}");
    // Full jitter draws each wait from [0, first] while the schedule is new.
    assert!(delays.iter().all(|d| *d <= first), "every wait within the first delay: {delays:?}");
}

/// Retries quickly: these tests count requests, not wait for them.
fn quick_client(root: &str) -> api::Client {
    let policy = discogen_runtime::retry::RetryPolicy::new().initial_delay(Duration::from_millis(2));
    api::Client::builder().root_url(root).bearer_token("tok").retry_policy(policy).build().expect("client builds")
}

#[tokio::test]
async fn a_download_cut_several_times_carries_on_by_itself_in_every_form() {
    let server = MediaServer::start(temp_dir("cuts")).await.expect("server");
    let data = media(2 * 1024 * KIB + 99);
    server.put_object("cut", &data).expect("object");
    let call = || quick_client(&server.uri()).files().get("buckets/b1/files/cut");
    // Each cut answer carries exactly 300 KiB before the connection drops.
    let resumed_at = |n: u64| (1..=n).map(|i| format!("bytes={}-", i * 300 * KIB as u64)).collect::<Vec<_>>();

    server.inject(Faults { download_cuts: 3, drop_download_after: Some(300 * KIB as u64), ..Faults::default() });
    let whole = call().download().await.expect("download");
    assert!(whole == data, "download(): {} of {} bytes", whole.len(), data.len());
    assert_eq!((server.seen().downloads_cut, server.seen().range_requests), (3, resumed_at(3)));

    server.inject(Faults { download_cuts: 4, drop_download_after: Some(300 * KIB as u64), ..Faults::default() });
    let mut written = Vec::new();
    let count = call().download_to(&mut written).await.expect("download_to");
    assert!(count == data.len() as u64 && written == data, "download_to(): {count} bytes");
    assert_eq!(server.seen().downloads_cut, 3 + 4);

    server.inject(Faults { download_cuts: 2, drop_download_after: Some(300 * KIB as u64), ..Faults::default() });
    let mut stream = call().download_stream().await.expect("stream");
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.next_chunk().await {
        streamed.extend_from_slice(&chunk.expect("chunk"));
    }
    assert!(streamed == data, "download_stream(): {} bytes", streamed.len());
    assert_eq!(server.seen().downloads_cut, 3 + 4 + 2);
}

#[tokio::test]
async fn a_cut_range_download_resumes_within_its_range() {
    let server = MediaServer::start(temp_dir("cut-range")).await.expect("server");
    let data = media(2 * 1024 * KIB);
    server.put_object("r", &data).expect("object");
    server.inject(Faults { download_cuts: 1, drop_download_after: Some(300 * KIB as u64), ..Faults::default() });
    let (from, to) = (100_000u64, 1_500_000u64);
    let part = quick_client(&server.uri())
        .files()
        .get("buckets/b1/files/r")
        .media_download()
        .range(from..to)
        .bytes()
        .await
        .expect("range download");
    assert!(part[..] == data[from as usize..to as usize], "{} bytes", part.len());
    let resumed = from + 300 * KIB as u64;
    assert_eq!(
        server.seen().range_requests,
        [format!("bytes={from}-{}", to - 1), format!("bytes={resumed}-{}", to - 1)]
    );
}

#[tokio::test]
async fn a_resumed_download_from_a_server_that_ignores_ranges_skips_what_was_delivered() {
    let server = MediaServer::start(temp_dir("cut-ignore")).await.expect("server");
    let data = media(1024 * KIB + 3);
    server.put_object("i", &data).expect("object");
    server.inject(Faults {
        download_cuts: 2,
        drop_download_after: Some(300 * KIB as u64),
        ignore_ranges: true,
        ..Faults::default()
    });
    let whole = quick_client(&server.uri()).files().get("buckets/b1/files/i").download().await.expect("download");
    assert!(whole == data, "{} of {} bytes", whole.len(), data.len());
    // Every answer is the whole object from byte 0: the first and second
    // break off after 300 KiB, so the second brings nothing new and the
    // third carries on past what was delivered.
    assert_eq!(server.seen().downloads_cut, 2);
    assert_eq!(server.seen().range_requests, ["bytes=307200-", "bytes=307200-"]);
}

#[tokio::test]
async fn a_download_policy_of_one_attempt_does_not_resume() {
    let server = MediaServer::start(temp_dir("cut-never")).await.expect("server");
    server.put_object("n", &media(1024 * KIB)).expect("object");
    server.inject(Faults { download_cuts: 1, drop_download_after: Some(300 * KIB as u64), ..Faults::default() });
    let err = client(&server)
        .files()
        .get("buckets/b1/files/n")
        .retry_policy(discogen_runtime::retry::RetryPolicy::never())
        .download()
        .await
        .expect_err("no resuming");
    assert!(matches!(err.kind(), ErrorKind::Transport | ErrorKind::Timeout), "{err}");
    assert!(server.seen().range_requests.is_empty());
}

/// Serves one scripted answer per connection, in order, closing each
/// connection after it, and records the head of every request.
async fn scripted(answers: Vec<Vec<u8>>) -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let root = format!("http://{}/", listener.local_addr().expect("address"));
    let heads = Arc::new(Mutex::new(Vec::new()));
    let log = heads.clone();
    tokio::spawn(async move {
        for answer in answers {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            log.lock().unwrap().push(String::from_utf8_lossy(&head).to_ascii_lowercase());
            let _ = socket.write_all(&answer).await;
            let _ = socket.shutdown().await;
        }
    });
    (root, heads)
}

/// A `200` that announces 1,000 bytes with `etag`, then sends 400 of them.
fn cut_at_400(etag: &str) -> Vec<u8> {
    let mut answer = format!("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\netag: \"{etag}\"\r\n\r\n").into_bytes();
    answer.extend_from_slice(&media(1000)[..400]);
    answer
}

fn partial(range: &str, etag: &str, body: &[u8]) -> Vec<u8> {
    let mut answer = format!(
        "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes {range}\r\ncontent-length: {}\r\netag: \"{etag}\"\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(body);
    answer
}

#[tokio::test]
async fn a_resumed_answer_must_start_where_the_download_stopped() {
    let data = media(1000);
    let (root, heads) = scripted(vec![cut_at_400("v1"), partial("100-999/1000", "v1", &data[100..])]).await;
    let err = quick_client(&root).files().get("buckets/b1/files/x").download().await.expect_err("wrong offset");
    assert!(err.to_string().contains("asked for bytes 400-, the server sent bytes 100-999"), "{err}");
    assert!(heads.lock().unwrap()[1].contains("range: bytes=400-"), "{:?}", heads.lock().unwrap());

    let (root, _) = scripted(vec![cut_at_400("v1"), partial("400-999/1000", "v1", &data[400..])]).await;
    let whole = quick_client(&root).files().get("buckets/b1/files/x").download().await.expect("right offset");
    assert!(whole[..] == data[..]);
}

#[tokio::test]
async fn a_download_whose_media_changed_meanwhile_is_refused() {
    let data = media(1000);
    let (root, _) = scripted(vec![cut_at_400("v1"), partial("400-999/1000", "v2", &data[400..])]).await;
    let err = quick_client(&root).files().get("buckets/b1/files/x").download().await.expect_err("changed");
    assert!(err.to_string().contains("the media changed while it was downloaded"), "{err}");
}
