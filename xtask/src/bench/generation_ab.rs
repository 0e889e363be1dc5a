//! Issue 15's generation target, measured within one run: `gen` over every
//! document of the corpus, by the generator as it was when the issue was
//! filed and by this one, in alternating passes.
//!
//! A figure kept from an earlier run cannot stand in for the baseline: this
//! machine's speed drifts by a quarter within minutes, so only passes taken
//! side by side compare. The baseline is built from its commit in this
//! repository's history, into a target directory of its own.

use super::machine::children_cpu;
use super::stats::Summary;
use crate::Failure;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The commit that was `main` when issue 15 was filed.
pub const BASELINE_COMMIT: &str = "da6bd01e592474abacb031909d0f97cfb5e17ea3";

/// CPU seconds of one pass over the corpus, per generator.
pub struct GenerationAb {
    pub documents: usize,
    pub baseline: Summary,
    pub ours: Summary,
    /// Baseline over ours in each pair of passes, taken in turn.
    pub ratios: Summary,
}

/// Builds the baseline generator (once; later runs reuse it) and times
/// `passes` alternating passes of each over `files`.
pub fn run(root: &Path, files: &[PathBuf], passes: usize, scratch: &Path) -> Result<GenerationAb, Failure> {
    let baseline = build_baseline(root, &scratch.join("baseline"))?;
    let ours = std::env::current_exe().map_err(|e| Failure(format!("cannot find this xtask binary: {e}")))?;
    let passes = passes.max(1);
    let out = scratch.join("ab-out");
    let time = |bin: &Path| one_pass(bin, root, files, &out);
    let (mut base_cpu, mut our_cpu, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for pass in 0..passes {
        eprintln!("bench: generation against {} pass {}/{passes}", &BASELINE_COMMIT[..7], pass + 1);
        // Which one goes first alternates, so neither always meets a
        // machine that the other has just warmed or loaded.
        let (b, o) = if pass % 2 == 0 {
            let b = time(&baseline)?;
            (b, time(&ours)?)
        } else {
            let o = time(&ours)?;
            (time(&baseline)?, o)
        };
        base_cpu.push(b);
        our_cpu.push(o);
        ratios.push(o / b);
    }
    Ok(GenerationAb {
        documents: files.len(),
        baseline: Summary::of(&base_cpu),
        ours: Summary::of(&our_cpu),
        ratios: Summary::of(&ratios),
    })
}

/// CPU seconds the generator takes for `gen` of every file, one at a time.
fn one_pass(bin: &Path, root: &Path, files: &[PathBuf], out: &Path) -> Result<f64, Failure> {
    let before = children_cpu().ok_or_else(|| Failure("no child CPU time on this system".into()))?;
    for file in files {
        let status = Command::new(bin)
            .current_dir(root)
            .args(["gen", "--force", "--spec"])
            .arg(file)
            .arg("--out")
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| Failure(format!("cannot run {}: {e}", bin.display())))?;
        if !status.success() {
            return Err(Failure(format!("{} gen --spec {} failed ({status})", bin.display(), file.display())));
        }
    }
    let after = children_cpu().ok_or_else(|| Failure("no child CPU time on this system".into()))?;
    Ok((after - before).as_secs_f64())
}

/// The baseline's source from git, and its xtask built in release mode.
fn build_baseline(root: &Path, dir: &Path) -> Result<PathBuf, Failure> {
    let src = dir.join("src");
    let bin = dir.join("target/release/xtask");
    if !src.join("Cargo.toml").is_file() {
        eprintln!("bench: unpacking {} into {}", &BASELINE_COMMIT[..7], src.display());
        let _ = std::fs::remove_dir_all(&src);
        std::fs::create_dir_all(&src)?;
        let archive = Command::new("git")
            .current_dir(root)
            .args(["archive", "--format=tar", BASELINE_COMMIT])
            .output()
            .map_err(|e| Failure(format!("cannot run git: {e}")))?;
        if !archive.status.success() {
            return Err(Failure(format!(
                "git archive {BASELINE_COMMIT} failed (a clone without that commit in its history cannot \
                 measure the baseline): {}",
                String::from_utf8_lossy(&archive.stderr).trim()
            )));
        }
        let mut tar = Command::new("tar")
            .current_dir(&src)
            .args(["-x", "-f", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| Failure(format!("cannot run tar: {e}")))?;
        if let Some(mut stdin) = tar.stdin.take() {
            std::io::Write::write_all(&mut stdin, &archive.stdout)?;
        }
        if !tar.wait()?.success() {
            return Err(Failure(format!("unpacking {BASELINE_COMMIT} into {} failed", src.display())));
        }
    }
    eprintln!("bench: building the generator of {} (release)", &BASELINE_COMMIT[..7]);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&src)
        .args(["build", "--release", "--quiet", "-p", "xtask", "--no-default-features"])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .map_err(|e| Failure(format!("cannot run cargo: {e}")))?;
    if !status.success() || !bin.is_file() {
        return Err(Failure(format!("building the baseline generator in {} failed", src.display())));
    }
    Ok(bin)
}
