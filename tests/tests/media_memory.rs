//! A 1 GiB streamed upload (simple and resumable) and download through the
//! fixture client, each in a process of its own, whose peak memory must stay
//! flat. Expensive, so ignored by default; `.ci/run` runs it with
//! `cargo test -p discogen-tests --test media_memory -- --ignored`.
//!
//! `MEDIA_MEMORY_BYTES` changes the size; `MEDIA_MEMORY_LIMIT_MIB` the limit
//! on peak RSS (default 100).

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::Command;

use discogen_media_server::MediaServer;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A file of `len` bytes whose every 1 MiB block differs, written a block at
/// a time.
fn write_source(path: &Path, len: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).expect("source file"));
    let mut block = vec![0u8; 1 << 20];
    let mut written = 0u64;
    let mut n = 0u64;
    while written < len {
        for (i, b) in block.iter_mut().enumerate() {
            *b = (i as u64).wrapping_mul(31).wrapping_add(n.wrapping_mul(131)) as u8;
        }
        let take = (len - written).min(block.len() as u64) as usize;
        file.write_all(&block[..take]).expect("write");
        written += take as u64;
        n += 1;
    }
    file.flush().expect("flush");
}

/// Whether two files hold the same bytes, read a block at a time.
fn same_files(a: &Path, b: &Path) -> bool {
    let (mut a, mut b) = (std::fs::File::open(a).expect("a"), std::fs::File::open(b).expect("b"));
    let (mut x, mut y) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = a.read(&mut x).expect("read a");
        if n == 0 {
            return b.read(&mut y).expect("read b") == 0;
        }
        if b.read_exact(&mut y[..n]).is_err() || x[..n] != y[..n] {
            return false;
        }
    }
}

/// Runs the probe and returns its peak RSS in KiB.
fn probe(root: &str, mode: &str, file: &Path, name: &str) -> u64 {
    let output = Command::new(env!("CARGO_BIN_EXE_media_probe"))
        .args([root, mode, &file.display().to_string(), name])
        .output()
        .expect("the probe runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "probe {mode} failed: {}{}", stdout, String::from_utf8_lossy(&output.stderr));
    eprintln!("{mode}: {}", stdout.trim());
    stdout
        .split_whitespace()
        .find_map(|f| f.strip_prefix("peak_rss_kib="))
        .and_then(|v| v.parse().ok())
        .expect("the probe reports its peak")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "moves 1 GiB three times; run with --ignored (see the module docs)"]
async fn a_gibibyte_goes_up_and_down_in_flat_memory() {
    let len = env_u64("MEDIA_MEMORY_BYTES", 1 << 30);
    let limit_kib = env_u64("MEDIA_MEMORY_LIMIT_MIB", 100) * 1024;
    let dir = std::env::temp_dir().join(format!("discogen-media-memory-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let source = dir.join("source.bin");
    write_source(&source, len);
    let server = MediaServer::start(dir.join("server")).await.expect("server");
    let root = server.uri();

    let mut peaks = Vec::new();
    let simple = tokio::task::spawn_blocking({
        let (root, source) = (root.clone(), source.clone());
        move || probe(&root, "upload", &source, "simple")
    });
    peaks.push(("simple upload", simple.await.expect("probe")));
    assert!(same_files(&source, &server.object_path("simple")), "the simple upload stored other bytes");

    let resumable = tokio::task::spawn_blocking({
        let (root, source) = (root.clone(), source.clone());
        move || probe(&root, "resumable", &source, "resumed")
    });
    peaks.push(("resumable upload", resumable.await.expect("probe")));
    assert!(same_files(&source, &server.object_path("resumed")), "the resumable upload stored other bytes");

    let target = dir.join("downloaded.bin");
    let download = tokio::task::spawn_blocking({
        let (root, target) = (root.clone(), target.clone());
        move || probe(&root, "download", &target, "resumed")
    });
    peaks.push(("download_to", download.await.expect("probe")));
    assert!(same_files(&source, &target), "the download differs from the source");

    let _ = std::fs::remove_dir_all(&dir);
    for (what, kib) in &peaks {
        assert!(
            *kib <= limit_kib,
            "{what} of {len} bytes peaked at {} MiB of RSS (limit {} MiB)",
            kib / 1024,
            limit_kib / 1024
        );
    }
}
