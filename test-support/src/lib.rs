//! Helpers shared by the workspace's tests.
//!
//! [`ScratchCrate`] is the one way a test builds generated code with a
//! nested cargo. Every such crate builds into one target directory, so the
//! runtime and its dependencies are compiled once for all of them, with
//! the workspace's lock file (no index update, `--offline` works) and the
//! same flags (so no test's artifacts invalidate another's).
//!
//! These tests are slow by nature (a nested cargo, a cold dependency tree
//! on a fresh clone), so they are `#[ignore]`d in a plain `cargo test` and
//! run by `.ci/run` with `--ignored`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (this crate sits directly below it).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent().unwrap_or(here).to_path_buf()
}

/// The target directory every scratch crate shares.
pub fn scratch_target_dir() -> PathBuf {
    workspace_root().join("target/scratch/target")
}

/// A crate written by a test under `target/scratch/<name>`, outside the
/// workspace (its manifest gets a `[workspace]` table of its own).
pub struct ScratchCrate {
    dir: PathBuf,
}

impl ScratchCrate {
    /// An empty crate directory `target/scratch/<name>`; a `src` left by an
    /// earlier run is removed so that no stale module is built.
    pub fn new(name: &str) -> ScratchCrate {
        let dir = workspace_root().join("target/scratch").join(name);
        let _ = std::fs::remove_dir_all(dir.join("src"));
        std::fs::create_dir_all(dir.join("src")).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        ScratchCrate { dir }
    }

    /// The crate's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes `contents` to `rel` inside the crate, creating directories.
    pub fn write(&self, rel: impl AsRef<Path>, contents: impl AsRef<[u8]>) {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// Writes `Cargo.toml` for a library depending on this checkout's
    /// runtime, with `features` (each `name = []`, none on by default).
    pub fn manifest(&self, package: &str, features: &[&str]) {
        let runtime = workspace_root().join("runtime");
        let mut text = format!(
            "[package]\nname = {package:?}\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\ndiscogen-runtime = {{ path = {:?} }}\n",
            runtime.display().to_string()
        );
        if !features.is_empty() {
            text.push_str("\n[features]\ndefault = []\n");
            for f in features {
                text.push_str(&format!("{f} = []\n"));
            }
        }
        text.push_str("\n[workspace]\n");
        self.write("Cargo.toml", text);
    }

    /// Runs `cargo <args>` in the crate (see [`cargo_in`]).
    pub fn cargo(&self, args: &[&str]) -> Output {
        cargo_in(&self.dir, args)
    }
}

/// Runs `cargo <args>` in `dir`, a crate or workspace a test wrote: with the
/// workspace's lock file copied in, offline, into the shared scratch target
/// directory, without debug info, and without the `RUSTFLAGS` of the outer
/// run (which would rebuild every dependency).
pub fn cargo_in(dir: &Path, args: &[&str]) -> Output {
    let lock = workspace_root().join("Cargo.lock");
    std::fs::copy(&lock, dir.join("Cargo.lock")).unwrap_or_else(|e| panic!("{}: {e}", lock.display()));
    let cargo: OsString = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        // Before the subcommand, where it cannot end up behind a `--`.
        .arg("--offline")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", scratch_target_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap_or_else(|e| panic!("cargo could not run in {}: {e}", dir.display()))
}
