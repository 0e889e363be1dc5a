//! `cargo xtask check-features`: generates a document with
//! `--resource-features` and type-checks the crate with warnings denied
//! under no features, each feature alone and all of them, so that no gate
//! leaves a dangling name or an unused item in any of those builds.
//!
//! The checks share a target directory per thread, so the runtime and its
//! dependencies build once per thread; `RUSTFLAGS=-D warnings` is set for
//! all of them alike, so that it never invalidates what an earlier check
//! built. Clippy runs for the two ends (no features, all features); the
//! combinations in between differ only in which gated items exist.

use crate::output::workspace_root;
use crate::Failure;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The discovery document.
    #[arg(long)]
    spec: PathBuf,
    /// Where the crate and its target directory go.
    #[arg(long, default_value = "target/check-features")]
    out: PathBuf,
    /// Check only these features alone (besides none and all), for a quick run.
    #[arg(long, value_delimiter = ',')]
    only_features: Option<Vec<String>>,
    /// Builds at a time, each in a target directory of its own (default:
    /// the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
}

/// How check number `.0` went: seconds taken, and cargo's last lines of
/// output on failure.
type Outcome = (usize, f64, Result<(), String>);

/// One build to run: its label and its cargo arguments.
struct Check {
    label: String,
    args: Vec<String>,
}

pub fn run(args: Args) -> Result<ExitCode, Failure> {
    if !args.spec.is_file() {
        return Err(Failure(format!("{}: no such document; check-features needs it", args.spec.display())));
    }
    let root = workspace_root();
    let out = if args.out.is_absolute() { args.out.clone() } else { root.join(&args.out) };
    let dir = out.join("api");
    crate::gen::run(crate::gen::Args {
        spec: args.spec.clone(),
        out: dir.clone(),
        crate_name: None,
        only: None,
        force: true,
        runtime_version: None,
        standalone: true,
        resource_features: true,
        default_features: None,
    })?;
    // The workspace's lock file: the versions the runtime is tested with,
    // and no registry index to consult.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let features = declared_features(&dir)?;
    if features.is_empty() {
        return Err(Failure(format!(
            "{}: the document has no top-level resources to make features of",
            args.spec.display()
        )));
    }
    let alone: Vec<&String> = match &args.only_features {
        None => features.iter().collect(),
        Some(asked) => {
            if let Some(unknown) = asked.iter().find(|a| !features.contains(a)) {
                return Err(Failure(format!("--only-features: the crate has no feature `{unknown}`")));
            }
            features.iter().filter(|f| asked.contains(f)).collect()
        }
    };

    let no_default = |features: &str| -> Vec<String> {
        let mut a: Vec<String> = vec!["--no-default-features".into()];
        if !features.is_empty() {
            a.extend(["--features".into(), features.to_string()]);
        }
        a
    };
    // Clippy (which reports rustc's warnings too) at the two ends; plain
    // checks for the features alone, which are many and each small. The
    // longest build goes first, so that the others run beside it.
    let mut checks = vec![
        Check { label: "all features (clippy)".into(), args: with(&["clippy"], vec!["--all-features".into()]) },
        Check { label: "no features (clippy)".into(), args: with(&["clippy"], no_default("")) },
    ];
    checks.extend(alone.iter().map(|f| Check { label: format!("{f} alone"), args: with(&["check"], no_default(f)) }));

    // Checks run on `jobs` threads, each with a target directory of its
    // own (cargo locks one per build), taking the next check as they free
    // up: a check of one crate keeps about one core busy.
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).clamp(1, 8);
    eprintln!("check-features: {} builds on {jobs} thread(s)", checks.len());
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for worker in 0..jobs {
            let (checks, next, results, dir) = (&checks, &next, &results, &dir);
            let target = out.join(format!("target-{worker}"));
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(check) = checks.get(i) else { return };
                let t0 = Instant::now();
                let result = match cargo(dir, &target, &check.args) {
                    Ok(output) if output.status.success() => Ok(()),
                    Ok(output) => {
                        let stderr = String::from_utf8_lossy(&output.stderr);
                        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
                        Err(lines[lines.len().saturating_sub(20)..].join("\n"))
                    }
                    Err(Failure(e)) => Err(e),
                };
                let secs = t0.elapsed().as_secs_f64();
                eprintln!(
                    "[{}/{}] {}: {} ({secs:.1} s)",
                    i + 1,
                    checks.len(),
                    check.label,
                    if result.is_ok() { "ok" } else { "FAILED" }
                );
                if let Ok(mut r) = results.lock() {
                    r.push((i, secs, result));
                }
            });
        }
    });
    let mut results = results.into_inner().map_err(|_| Failure("a check thread failed".into()))?;
    results.sort_by_key(|r| r.0);
    if results.len() != checks.len() {
        return Err(Failure(format!("only {} of {} builds ran", results.len(), checks.len())));
    }
    let failures: Vec<String> = results
        .iter()
        .filter_map(|(i, _, r)| r.as_ref().err().map(|e| format!("{}:\n{e}", checks[*i].label)))
        .collect();
    let mut times: Vec<(f64, &String)> = results.iter().map(|(i, secs, _)| (*secs, &checks[*i].label)).collect();
    let total = started.elapsed().as_secs_f64();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!(
        "check-features: {} builds of {} ({} features) in {total:.0} s on {jobs} thread(s); slowest: {}",
        checks.len(),
        dir.display(),
        features.len(),
        times.iter().take(3).map(|(s, l)| format!("{l} {s:.1} s")).collect::<Vec<_>>().join(", ")
    );
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Failure(format!("{} of {} builds failed:\n\n{}", failures.len(), checks.len(), failures.join("\n\n"))))
    }
}

fn with(first: &[&str], rest: Vec<String>) -> Vec<String> {
    let mut args: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    args.extend(["--offline".into(), "--quiet".into(), "--message-format".into(), "short".into()]);
    args.extend(rest);
    args
}

/// The resource features of the generated manifest, in its order.
fn declared_features(dir: &Path) -> Result<Vec<String>, Failure> {
    let path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    Ok(table
        .get("features")
        .and_then(toml::Value::as_table)
        .map(|t| t.keys().filter(|k| *k != "default").cloned().collect())
        .unwrap_or_default())
}

fn cargo(dir: &Path, target: &Path, args: &[String]) -> Result<std::process::Output, Failure> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    cmd.output().map_err(|e| Failure(format!("cannot run cargo: {e}")))
}
