//! `cargo xtask`: the project's command line.
//!
//! Every command reports bad input as one line naming the file and the place
//! in it, and exits with code 1; it never ends in a panic.

mod bench;
mod corpus;
#[cfg(feature = "fetch")]
mod fetch;
mod gen;
mod output;
mod regen;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Generate Rust clients from Google API Discovery documents")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Rewrite generated/ from specs/ (and the test fixtures crate from tests/fixtures/).
    Regen {
        /// Change nothing; fail with a diff when the generated files are stale.
        #[arg(long)]
        check: bool,
    },
    /// Generate a crate from one discovery document.
    Gen {
        /// The discovery document.
        #[arg(long)]
        spec: PathBuf,
        /// The directory to write the crate into. Inside a cargo workspace
        /// the crate is written as a member of it (no `[workspace]` table of
        /// its own); elsewhere it stands alone.
        #[arg(long)]
        out: PathBuf,
        /// Package name of the crate (default: the module name with dashes).
        #[arg(long)]
        crate_name: Option<String>,
        /// Keep only these comma-separated method ids and the schemas they use.
        #[arg(long, value_delimiter = ',')]
        only: Option<Vec<String>>,
        /// Replace a non-empty directory that this command did not create.
        #[arg(long)]
        force: bool,
        /// Depend on this version of discogen-runtime from a registry instead
        /// of on this checkout's runtime by a path relative to --out.
        #[arg(long)]
        runtime_version: Option<String>,
        /// Give the crate its own [workspace] table even inside another
        /// workspace, which then does not own it.
        #[arg(long)]
        standalone: bool,
        /// One cargo feature per top-level resource, each compiling that
        /// resource's calls and the types they reach.
        #[arg(long)]
        resource_features: bool,
        /// The comma-separated features on by default, `all` or `none`.
        /// Without it: every resource feature, and not `other-versions`.
        #[arg(long, value_delimiter = ',')]
        default_features: Option<Vec<String>>,
    },
    /// Generate every *.json in a directory and check that each output parses
    /// (and, with --compile, builds without errors or warnings).
    Corpus(corpus::Args),
    /// Download discovery documents into specs/, or refresh the ones there.
    #[cfg(feature = "fetch")]
    Fetch(fetch::Args),
    /// Measure generation speed, compile time, size and runtime costs; writes BENCHMARKS.md.
    Bench(bench::BenchArgs),
    /// Media done-when check and benchmarks on the crate generated from the
    /// real storage.v1.json: 1 GiB resumable upload and download_to (peak RSS
    /// under 100 MiB), 80 MiB download(), curl for comparison; writes
    /// BENCHMARKS-media.md.
    BenchMedia(bench::media::MediaArgs),
    /// Compile time of Compute Engine v1 clients side by side (ours with all
    /// and with two resource features, google-compute1, google-cloud-compute-v1);
    /// writes BENCHMARKS-compute.md.
    BenchCompute(bench::compute::ComputeArgs),
}

/// A failure to report: already phrased for the user.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // A panic would be a bug in the generator; still, the user gets exit
    // code 1 and a message, never a backtrace and code 101.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal error in discogen (please report it): {info}");
    }));
    let result = std::panic::catch_unwind(|| run(cli));
    match result {
        Ok(Ok(code)) => code,
        Ok(Err(Failure(message))) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    match cli.command {
        Command::Regen { check } => regen::run(check),
        Command::Gen {
            spec,
            out,
            crate_name,
            only,
            force,
            runtime_version,
            standalone,
            resource_features,
            default_features,
        } => gen::run(gen::Args {
            spec,
            out,
            crate_name,
            only,
            force,
            runtime_version,
            standalone,
            resource_features,
            default_features,
        }),
        Command::Corpus(args) => corpus::run(args),
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => fetch::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BenchMedia(args) => bench::media::run(args),
        Command::BenchCompute(args) => bench::compute::run(args),
    }
}
