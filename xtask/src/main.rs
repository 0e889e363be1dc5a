//! `cargo xtask`: the project's command line.
//!
//! Every command reports bad input as one line naming the file and the place
//! in it, and exits with code 1; it never ends in a panic.

mod bench;
mod corpus;
#[cfg(feature = "fetch")]
mod fetch;
mod gen;
mod media;
mod output;
mod regen;

use clap::{Parser, Subcommand};
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
    Gen(gen::Args),
    /// Generate every *.json in a directory and check that each output parses
    /// (and, with --compile, builds without errors or warnings).
    Corpus(corpus::Args),
    /// Download discovery documents into specs/, or refresh the ones there.
    #[cfg(feature = "fetch")]
    Fetch(fetch::Args),
    /// Compile time of a small program against our generated clients and
    /// their crates.io peers (xtask/bench-programs), in one run; writes JSON
    /// and the results table of BENCHMARKS.md.
    Bench(bench::Args),
    /// Media done-when check on the crate generated from the real
    /// storage.v1.json: 1 GiB resumable upload and download_to (peak RSS
    /// under 100 MiB), 80 MiB download(), curl for comparison, and the same
    /// through fake-gcs-server when given; writes docs/benchmarks/media.md.
    BenchMedia(media::MediaArgs),
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
        Ok(Err(e)) => {
            // The chain, outermost first, on one line: every message is
            // already phrased for the user.
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
        Err(_) => ExitCode::from(1),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Regen { check } => regen::run(check),
        Command::Gen(args) => gen::run(args),
        Command::Corpus(args) => corpus::run(args),
        #[cfg(feature = "fetch")]
        Command::Fetch(args) => fetch::run(args),
        Command::Bench(args) => bench::run(args),
        Command::BenchMedia(args) => media::run(args),
    }
}
