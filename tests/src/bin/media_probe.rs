//! A program that moves one file through the `media-and-paging` fixture's
//! client, as a user's program would, and reports its own peak memory; the
//! ignored `media_memory` test runs it in a process of its own so that the
//! server's memory is not counted.
//!
//! Usage: `media_probe ROOT_URL upload|resumable|download FILE NAME`.
//! Prints `bytes=N seconds=S peak_rss_kib=K`.

use std::process::ExitCode;
use std::time::Instant;

use discogen_runtime::Body;
use discogen_tests::fixtures::media_and_paging as api;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, mode, file, name] = &args[..] else {
        eprintln!("usage: media_probe ROOT_URL upload|resumable|download FILE NAME");
        return ExitCode::from(2);
    };
    match run(root, mode, file, name).await {
        Ok(bytes) => ExitCode::from(report(bytes)),
        Err(e) => {
            eprintln!("media_probe {mode}: {e}");
            ExitCode::FAILURE
        }
    }
}

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

async fn run(root: &str, mode: &str, file: &str, name: &str) -> discogen_runtime::Result<u64> {
    let client = api::Client::builder().root_url(root).bearer_token("probe").build()?;
    START.get_or_init(Instant::now);
    let files = client.files();
    match mode {
        "upload" => {
            let body = Body::from_file(file).await?;
            let len = body.length().unwrap_or(0);
            files.replace(format!("buckets/b/files/{name}")).upload(body, "application/octet-stream").await?;
            Ok(len)
        }
        "resumable" => {
            let body = Body::from_file(file).await?;
            let meta = api::model::File { name: Some(name.to_string()), ..Default::default() };
            let done = files.create("buckets/b", meta).upload_resumable(body, "application/octet-stream").await?;
            Ok(done.size.unwrap_or(0) as u64)
        }
        "download" => {
            let mut out = tokio::fs::File::create(file)
                .await
                .map_err(|e| discogen_runtime::Error::io(format!("cannot create {file}: {e}")))?;
            files.get(format!("buckets/b/files/{name}")).download_to(&mut out).await
        }
        other => Err(discogen_runtime::Error::invalid_argument(format!("unknown mode `{other}`"))),
    }
}

/// Prints the figures; exit code 1 when the peak cannot be read.
fn report(bytes: u64) -> u8 {
    let seconds = START.get().map_or(0.0, |s| s.elapsed().as_secs_f64());
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().strip_suffix("kB"));
    match peak.and_then(|p| p.trim().parse::<u64>().ok()) {
        Some(kib) => {
            println!("bytes={bytes} seconds={seconds:.3} peak_rss_kib={kib}");
            0
        }
        None => {
            eprintln!("no VmHWM in /proc/self/status");
            1
        }
    }
}
