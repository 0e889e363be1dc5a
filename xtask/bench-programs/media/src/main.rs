// The program of `cargo xtask bench-media`, written as a new user of the
// crate generated from the real storage.v1.json would write it. Copied into
// target/media-check/program/src/main.rs (its manifest from Cargo.toml.in
// beside it) and built there; not part of xtask.
//
// Usage: program ROOT_URL upload-resumable FILE OBJECT
//        program ROOT_URL download-to FILE OBJECT
//        program ROOT_URL download-memory OBJECT
// Prints `bytes=N seconds=S peak_rss_kib=K [fnv=HEX]`.

use std::time::Instant;

use discogen_runtime::Body;

const BUCKET: &str = "media-check";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (root, mode) = match &args[..] {
        [root, mode, ..] => (root.as_str(), mode.as_str()),
        _ => return Err("usage: program ROOT_URL MODE ...".into()),
    };
    let client = storage::Client::builder().root_url(root).bearer_token("media-check").build()?;
    let started = Instant::now();
    let mut extra = String::new();
    let bytes = match (mode, &args[2..]) {
        ("upload-resumable", [file, object]) => {
            let media = Body::from_file(file).await?;
            let metadata = storage::model::Object { name: Some(object.clone()), ..Default::default() };
            let stored = client
                .objects()
                .insert(BUCKET, metadata)
                .upload_resumable(media, "application/octet-stream")
                .await?;
            stored.size.unwrap_or(0)
        }
        ("download-to", [file, object]) => {
            let mut out = tokio::fs::File::create(file).await?;
            client.objects().get(BUCKET, object.as_str()).download_to(&mut out).await?
        }
        ("download-memory", [object]) => {
            let media = client.objects().get(BUCKET, object.as_str()).download().await?;
            extra = format!(" fnv={:016x}", fnv(&media));
            media.len() as u64
        }
        _ => return Err(format!("unknown mode or arguments: {args:?}").into()),
    };
    let seconds = started.elapsed().as_secs_f64();
    println!("bytes={bytes} seconds={seconds:.3} peak_rss_kib={}{extra}", peak_rss_kib());
    Ok(())
}

/// Peak resident memory of this process, from Linux's /proc.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap_or("0 kB");
    line.trim().trim_end_matches("kB").trim().parse().unwrap_or(0)
}

/// FNV-1a, to compare the bytes in memory with the file without printing them.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}
