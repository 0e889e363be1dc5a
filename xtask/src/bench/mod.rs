//! `cargo xtask bench`: how fast the generator is, how fast its output
//! compiles, how big it is and what it costs at run time, measured in one
//! run on one machine and written to `BENCHMARKS.md`.
//!
//! In-process timings only mean something in an optimized build, while the
//! `cargo xtask` alias builds xtask in debug mode. So a debug build of this
//! command does not measure anything itself: it re-runs itself as
//! `cargo run --release -p xtask -- bench ...` with the same arguments.
//!
//! Nothing here asserts on time. The report states what was measured, how,
//! and how busy the (shared) machine was meanwhile; judging is left to the
//! targets table, which compares against the figures in DESIGN.md.

mod compile;
pub mod compute;
mod fake_gcs;
mod generation;
mod generation_ab;
mod machine;
pub mod media;
mod report;
mod runtime;
mod stats;

use crate::output::{self, workspace_root};
use crate::Failure;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// Far fewer repetitions, to try the command out. Writes
    /// target/bench/BENCHMARKS.md unless --out is given.
    #[arg(long)]
    quick: bool,
    /// Skip the generation timings.
    #[arg(long)]
    skip_generation: bool,
    /// Skip the compile-time and size measurements (the slow part).
    #[arg(long)]
    skip_compile: bool,
    /// Skip the runtime (decode, build_request) timings.
    #[arg(long)]
    skip_runtime: bool,
    /// Compile only these subjects: ours-full, google-vision1,
    /// google-cloud-vision-v1, ours-only, ours-pruned.
    #[arg(long, value_delimiter = ',')]
    subjects: Option<Vec<String>>,
    /// Builds of each API crate alone (median reported).
    #[arg(long)]
    api_reps: Option<usize>,
    /// Clean builds of each scratch program (median reported).
    #[arg(long)]
    clean_reps: Option<usize>,
    /// Directory of discovery documents (relative to the workspace root).
    #[arg(long, default_value = "../shared/discovery")]
    corpus: PathBuf,
    /// Where to write the report (default: BENCHMARKS.md at the workspace root).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Measure even in a debug build (the generation figures are then
    /// meaningless; only useful to test this command).
    #[arg(long)]
    allow_debug: bool,
}

/// How many repetitions each part gets.
pub struct Reps {
    pub vision: usize,
    pub compute: usize,
    pub corpus: usize,
    pub api_builds: usize,
    pub clean_builds: usize,
    pub runtime_samples: usize,
}

pub fn run(args: BenchArgs) -> Result<ExitCode, Failure> {
    if cfg!(debug_assertions) && !args.allow_debug {
        return rerun_in_release();
    }
    let root = workspace_root();
    let corpus = if args.corpus.is_absolute() { args.corpus.clone() } else { root.join(&args.corpus) };
    let corpus = corpus.canonicalize().map_err(|e| Failure(format!("{}: {e}", corpus.display())))?;
    let out = args.out.clone().unwrap_or_else(|| {
        if args.quick {
            root.join("target/bench/BENCHMARKS.md")
        } else {
            root.join("BENCHMARKS.md")
        }
    });
    let reps = if args.quick {
        Reps { vision: 5, compute: 2, corpus: 1, api_builds: 1, clean_builds: 1, runtime_samples: 11 }
    } else {
        Reps { vision: 50, compute: 10, corpus: 5, api_builds: 5, clean_builds: 2, runtime_samples: 51 }
    };
    let reps = Reps {
        api_builds: args.api_reps.unwrap_or(reps.api_builds).max(1),
        clean_builds: args.clean_reps.unwrap_or(reps.clean_builds).max(1),
        ..reps
    };
    let all_subjects = compile::subjects();
    let subjects: Vec<compile::Subject> = match &args.subjects {
        None => all_subjects,
        Some(keys) => {
            for k in keys {
                if !all_subjects.iter().any(|s| s.key == k) {
                    return Err(Failure(format!("unknown subject `{k}`")));
                }
            }
            all_subjects.into_iter().filter(|s| keys.iter().any(|k| k == s.key)).collect()
        }
    };

    let machine = machine::Machine::probe();
    let load = machine::LoadSampler::start();
    let mut report = report::Report::new(machine, reps, cfg!(debug_assertions));
    report.load_start = machine::loadavg_text();
    let started = Instant::now();
    let scratch = root.join("target/bench/generated");

    if !args.skip_generation {
        let t0 = Instant::now();
        eprintln!("bench: generation of vision.v1 ({} runs)", report.reps.vision);
        report.vision = Some(generation::bench_document(&corpus.join("vision.v1.json"), report.reps.vision, &scratch)?);
        eprintln!("bench: generation of compute.v1 ({} runs)", report.reps.compute);
        report.compute =
            Some(generation::bench_document(&corpus.join("compute.v1.json"), report.reps.compute, &scratch)?);
        let files = output::json_files(&corpus)?;
        eprintln!("bench: generation of {} documents ({} passes each way)", files.len(), report.reps.corpus);
        report.corpus = Some(generation::bench_corpus(&files, report.reps.corpus, 2, &scratch)?);
        // Odd, so that each generator goes first as often as second but one.
        let passes = if args.quick { 1 } else { 9 };
        report.generation_ab =
            Some(generation_ab::run(&root, &files, passes, &root.join("target/bench")).map_err(|e| e.0));
        report.load_generation = load.window(t0, Instant::now());
    }
    if !args.skip_runtime {
        let t0 = Instant::now();
        report.runtime = Some(runtime::run(report.reps.runtime_samples).map_err(|e| e.0));
        report.load_runtime = load.window(t0, Instant::now());
    }
    if !args.skip_compile {
        let t0 = Instant::now();
        report.compile =
            Some(compile::run(&subjects, &corpus, report.reps.api_builds, report.reps.clean_builds, &load));
        report.load_compile = load.window(t0, Instant::now());
    }
    report.load_end = machine::loadavg_text();
    report.load_all = load.window(started, Instant::now());
    report.elapsed = started.elapsed();

    report.write(&out)?;
    eprintln!("bench: wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Re-runs this command from an optimized build of xtask.
fn rerun_in_release() -> Result<ExitCode, Failure> {
    eprintln!(
        "bench: re-running as `cargo run --release -p xtask -- bench` (in-process timings need an optimized build)"
    );
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(workspace_root())
        .args(["run", "--release", "--quiet", "-p", "xtask", "--"])
        .args(std::env::args_os().skip(1))
        .status()
        .map_err(|e| Failure(format!("cannot run cargo: {e}")))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::from(1),
    })
}
