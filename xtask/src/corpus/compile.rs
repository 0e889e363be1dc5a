//! Building the generated crates of a corpus run: one cargo workspace, one
//! target directory, crates built a batch at a time.
//!
//! One workspace builds the runtime and its dependencies once instead of
//! once per document. Batches bound what one cargo invocation may cost: each
//! has a deadline, after which its whole process group is killed and the
//! crates it had not finished count as timed out, while the next batch
//! starts from what the shared target directory already holds.

use super::progress::Progress;
use crate::gen::{self, Manifest, RuntimeDep};
use crate::output::{self, Tree};
use anyhow::anyhow;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Where the compile workspace lives by default, below the main workspace
/// root.
pub const DEFAULT_WORK_DIR: &str = "target/corpus";

/// How much of cargo's own stderr to keep per batch; it is shown only when a
/// batch fails without a compiler message that explains why.
const STDERR_KEPT_BYTES: usize = 16 * 1024;

pub struct Options {
    /// `cargo check` instead of `cargo build`: type checking finds every
    /// error and warning the generated code can have, and skips code
    /// generation, which is most of the time and memory for large crates.
    pub check_only: bool,
    /// Cargo's `--jobs`: how many rustc processes run at once.
    pub jobs: usize,
    /// Crates per cargo invocation.
    pub batch_size: usize,
    /// How long one batch may take.
    pub batch_timeout: Option<Duration>,
    /// How long all batches together may take; batches that would start
    /// later are not run, and their crates count as timed out.
    pub total_timeout: Option<Duration>,
    /// Holds `workspace/` (the crates) and `target/` (what cargo builds).
    pub work_dir: PathBuf,
}

/// What became of one crate.
pub enum CrateResult {
    Ok,
    /// Rendered compiler errors and warnings (warnings fail a crate too:
    /// generated code must compile without any).
    Failed {
        errors: Vec<String>,
        warnings: Vec<String>,
    },
    /// Its batch ended without building it or reporting a problem in it,
    /// typically because a dependency failed.
    NotBuilt,
    /// Its batch ran out of time first.
    TimedOut,
}

pub struct Report {
    /// Row index → result, for every crate given.
    pub results: BTreeMap<usize, CrateResult>,
    /// Problems no generated crate accounts for: the runtime failing to
    /// build, a manifest error, cargo not starting.
    pub unattributed: Vec<String>,
}

/// Writes each generated module as a crate of one workspace and builds them
/// batch by batch. `crates` pairs a row index with its generator output.
pub fn compile_all(crates: Vec<(usize, discogen::Output)>, options: &Options) -> anyhow::Result<Report> {
    let root = output::workspace_root();
    let corpus = &options.work_dir;
    let workspace = corpus.join("workspace");
    let runtime = root.join("runtime");
    let runtime =
        runtime.canonicalize().map_err(|e| anyhow!("cannot find the runtime crate at {}: {e}", runtime.display()))?;
    let runtime = RuntimeDep::Path(runtime.display().to_string().replace('\\', "/"));

    let mut tree = Tree::new();
    // Crate directory name → row index, in name order.
    let mut members: BTreeMap<String, usize> = BTreeMap::new();
    for (index, generated) in crates {
        let crate_name = unique_crate_name(generated.module_name(), &members);
        let manifest =
            Manifest { crate_name: &crate_name, runtime: &runtime, own_workspace: false, default_features: None };
        for (rel, contents) in gen::crate_tree(&generated, &manifest) {
            tree.insert(Path::new(&crate_name).join(rel), contents);
        }
        members.insert(crate_name, index);
    }
    let mut report = Report { results: BTreeMap::new(), unattributed: Vec::new() };
    if members.is_empty() {
        return Ok(report);
    }
    tree.insert(PathBuf::from("Cargo.toml"), workspace_manifest(members.keys()));
    // Start from the main workspace's lock file: the runtime's dependencies
    // then resolve to the versions the project already builds and tests, and
    // no registry index update is needed. Cargo drops the unused entries.
    if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
        tree.insert(PathBuf::from("Cargo.lock"), lock);
    }
    let kept: BTreeSet<PathBuf> = tree.keys().cloned().collect();
    sync_dir(&workspace, &tree).map_err(|e| anyhow!("writing {}: {e}", workspace.display()))?;
    drop(tree);
    remove_stale(&workspace, &kept);

    let names: Vec<&String> = members.keys().collect();
    let progress = Progress::new(if options.check_only { "checking" } else { "building" }, names.len());
    let target_dir = corpus.join("target");
    let end_of_all = options.total_timeout.map(|t| Instant::now() + t);
    for batch in names.chunks(options.batch_size.max(1)) {
        let started = Instant::now();
        let deadline = match (options.batch_timeout.map(|t| started + t), end_of_all) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let build = if deadline.is_some_and(|d| d <= started) {
            Build { timed_out: true, ..Build::default() }
        } else {
            run_cargo(&workspace, &target_dir, batch, options.check_only, options.jobs, deadline, &progress)?
        };
        let mut attributed = false;
        for name in batch {
            let crate_dir = workspace.join(name);
            if !build.built.contains(&crate_dir) {
                progress.step(name);
            }
            let problems = build.problems.get(&crate_dir);
            let result = match problems {
                Some(p) => {
                    attributed = true;
                    CrateResult::Failed { errors: p.errors.clone(), warnings: p.warnings.clone() }
                }
                None if build.built.contains(&crate_dir) => CrateResult::Ok,
                None if build.timed_out => CrateResult::TimedOut,
                None => CrateResult::NotBuilt,
            };
            report.results.insert(members[*name], result);
        }
        for (dir, problems) in &build.problems {
            if !members.contains_key(&dir_name(dir)) {
                let first = problems.errors.first().or(problems.warnings.first()).map(String::as_str).unwrap_or("");
                report.unattributed.push(format!("{}: {first}", dir.display()));
            }
        }
        if !build.success && !build.timed_out && !attributed && report.unattributed.is_empty() {
            report.unattributed.push(format!(
                "cargo failed without a compiler message for a batch starting at {}; its output:\n{}",
                batch[0],
                build.stderr.trim_end()
            ));
        }
        if build.timed_out {
            progress.println(&format!(
                "error: the batch starting at {} ran out of time after {:.0} s (--batch-timeout/--total-timeout); \
                 its unfinished crates count as timed out",
                batch[0],
                started.elapsed().as_secs_f64()
            ));
        }
    }
    progress.finish();
    Ok(report)
}

/// `corpus-` and the module name with dashes, made unique among `taken`.
fn unique_crate_name(module: &str, taken: &BTreeMap<String, usize>) -> String {
    let base: String =
        module.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let base = format!("corpus-{base}");
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains_key(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

fn workspace_manifest<'a>(members: impl Iterator<Item = &'a String>) -> String {
    let mut text = String::from(
        "# Written by `cargo xtask corpus --compile`; rewritten on every run.\n\
         [workspace]\nresolver = \"2\"\nmembers = [\n",
    );
    for m in members {
        writeln!(text, "    \"{m}\",").ok();
    }
    text.push_str("]\n");
    text
}

/// Writes `tree` below `dir`, leaving files whose contents are unchanged
/// alone.
///
/// Unlike `output::replace_dir`, this keeps modification times: cargo decides
/// what to rebuild by them, and rewriting every file would rebuild every
/// crate on each run. The directory is scratch space, so the atomic swap
/// `replace_dir` offers buys nothing here.
fn sync_dir(dir: &Path, tree: &Tree) -> std::io::Result<()> {
    for (rel, contents) in tree {
        let path = dir.join(rel);
        if fs::read(&path).is_ok_and(|old| old == contents.as_bytes()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&path, contents)?;
    }
    Ok(())
}

/// Removes files below `dir` that are not in `kept`, such as crates of
/// documents that are no longer compiled. Cargo would otherwise keep
/// `Cargo.lock` entries and directories around for them; failures here only
/// leave litter, so they are ignored.
fn remove_stale(dir: &Path, kept: &BTreeSet<PathBuf>) {
    for rel in output::read_tree(dir).into_keys() {
        if !kept.contains(&rel) {
            let _ = fs::remove_file(dir.join(&rel));
        }
    }
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !kept.iter().any(|k| k.starts_with(entry.file_name())) {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
}

#[derive(Default)]
struct Problems {
    errors: Vec<String>,
    warnings: Vec<String>,
}

/// What one cargo invocation produced, by crate directory.
#[derive(Default)]
struct Build {
    success: bool,
    timed_out: bool,
    /// Crates whose library was built (or checked).
    built: BTreeSet<PathBuf>,
    problems: BTreeMap<PathBuf, Problems>,
    /// The end of cargo's own stderr.
    stderr: String,
}

/// Runs cargo over one batch and reads its JSON messages to tell which crate
/// each diagnostic belongs to.
///
/// `--keep-going` lets every crate be tried even after one fails. Warnings
/// are not denied through RUSTFLAGS but collected: a crate with warnings then
/// still shows all of them, and its errors are not hidden behind the first
/// denied lint.
fn run_cargo(
    workspace: &Path,
    target_dir: &Path,
    batch: &[&String],
    check_only: bool,
    jobs: usize,
    deadline: Option<Instant>,
    progress: &Progress,
) -> anyhow::Result<Build> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg(if check_only { "check" } else { "build" })
        // Every feature on: a gated item is type-checked only when its
        // feature is. With none on, what remains is closed under the names
        // it uses (see the generator's `features`), which the fixtures'
        // feature checks cover.
        .args(["--all-features", "--keep-going", "--message-format", "json-diagnostic-short", "--jobs"])
        .arg(jobs.to_string())
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target_dir)
        // An outer cargo or the user may have set flags (such as
        // `-D warnings`) that would change what counts as a failure here.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        // Debug info is most of the disk and link time for large crates, and
        // nothing here is ever debugged.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for name in batch {
        command.arg("-p").arg(name.as_str());
    }
    // Its own process group, so that a timeout can stop cargo and every
    // rustc it started. If xtask itself is interrupted, cargo stops at its
    // next message, when writing to the closed pipe fails.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|e| anyhow!("cannot run cargo: {e}"))?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(anyhow!("cargo started without its output pipes"));
    };
    let mut build = Build::default();
    std::thread::scope(|scope| {
        let stderr_reader = scope.spawn(move || {
            let mut text = Vec::new();
            let _ = stderr.read_to_end(&mut text);
            let cut = text.len().saturating_sub(STDERR_KEPT_BYTES);
            String::from_utf8_lossy(&text[cut..]).into_owned()
        });
        let (sender, receiver) = mpsc::channel::<Value>();
        scope.spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        loop {
            let wait = match deadline {
                Some(d) if !build.timed_out => d.saturating_duration_since(Instant::now()),
                _ => Duration::from_secs(3600),
            };
            match receiver.recv_timeout(wait) {
                Ok(message) => {
                    if let Some(built) = record_message(&mut build, &message) {
                        if built.parent() == Some(workspace) {
                            progress.step(&dir_name(&built));
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) && !build.timed_out {
                        build.timed_out = true;
                        kill_group(&mut child);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        build.stderr = stderr_reader.join().unwrap_or_default();
    });
    let status = child.wait().map_err(|e| anyhow!("waiting for cargo: {e}"))?;
    build.success = status.success();
    Ok(build)
}

/// Stops cargo and the compilers it started.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    {
        // The group id is cargo's pid (it leads its own group); `kill` with a
        // negative id reaches the whole group without an FFI dependency.
        let group = format!("-{}", child.id());
        if Command::new("kill").args(["-KILL", "--", &group]).status().is_ok_and(|s| s.success()) {
            return;
        }
    }
    let _ = child.kill();
}

/// Files one cargo JSON message under the crate it names; returns the crate
/// directory when the message says its library is done.
fn record_message(build: &mut Build, message: &Value) -> Option<PathBuf> {
    let manifest = message.get("manifest_path").and_then(Value::as_str)?;
    let crate_dir = Path::new(manifest).parent()?;
    match message.get("reason").and_then(Value::as_str) {
        Some("compiler-artifact") => {
            let is_lib = message
                .pointer("/target/kind")
                .and_then(Value::as_array)
                .is_some_and(|kinds| kinds.iter().any(|k| k.as_str().is_some_and(|k| k.ends_with("lib"))));
            if is_lib {
                build.built.insert(crate_dir.to_path_buf());
                return Some(crate_dir.to_path_buf());
            }
        }
        Some("compiler-message") => {
            let level = message.pointer("/message/level").and_then(Value::as_str);
            let text = message
                .pointer("/message/rendered")
                .or_else(|| message.pointer("/message/message"))
                .and_then(Value::as_str)
                .unwrap_or("(no message)");
            // rustc closes with "aborting due to N previous errors" or "N
            // warnings emitted": those summarize, they are not diagnostics.
            let plain = message.pointer("/message/message").and_then(Value::as_str).unwrap_or_default();
            let summary = plain.starts_with("aborting due to")
                || (plain.ends_with("emitted") && (plain.contains(" warning") || plain.contains(" error")));
            if summary {
                return None;
            }
            let text = text.trim_end().to_string();
            match level {
                Some("error") => build.problems.entry(crate_dir.to_path_buf()).or_default().errors.push(text),
                Some("warning") => build.problems.entry(crate_dir.to_path_buf()).or_default().warnings.push(text),
                _ => {}
            }
        }
        _ => {}
    }
    None
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
