//! `cargo xtask corpus DIR [--compile]`: the generator against many real
//! documents.
//!
//! Snapshot tests pin the output for a handful of inputs; this command asks a
//! broader question: does every document in a directory generate, does each
//! generated file parse as Rust, and (with `--compile`) does the generated
//! crate build without errors or warnings? It prints one row per document so
//! that a regression points at the document that shows it, then the failures
//! grouped by their first message.
//!
//! Documents are generated in parallel on plain threads. The generator is
//! CPU-bound and each document is independent, so a shared work counter is
//! all the scheduling needed; the largest documents start first so that one
//! huge document does not finish alone at the end.

mod compile;
mod known;
mod progress;
mod report;

use anyhow::anyhow;
use compile::CrateResult;
use known::KnownFailures;
use progress::Progress;
use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How many rendered compiler messages to echo per failing crate; the rest
/// are only counted, since one bad construct tends to repeat hundreds of
/// times.
const MESSAGES_SHOWN_PER_CRATE: usize = 3;

/// How many generator warnings to echo per document.
const WARNINGS_SHOWN_PER_DOCUMENT: usize = 5;

/// A `discovery#directoryList` (the Discovery service's `apis.list`
/// response) often sits beside the documents it lists; it is not one.
const DIRECTORY_LIST_KIND: &str = "\"discovery#directoryList\"";

#[derive(clap::Args)]
pub struct Args {
    /// Directory of discovery documents.
    dir: PathBuf,
    /// Also build all generated crates; a crate with an error or a warning fails.
    #[arg(long)]
    compile: bool,
    /// With --compile: `cargo check` instead of `cargo build` (finds the same
    /// errors and warnings at a fraction of the time and memory).
    #[arg(long)]
    check: bool,
    /// Documents generated at once, and rustc processes at once (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Compile only documents up to this size in bytes.
    #[arg(long)]
    max_compile_bytes: Option<u64>,
    /// Crates per cargo invocation (default: all in one).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seconds one cargo invocation may take; crates it has not finished by
    /// then fail as timed out.
    #[arg(long)]
    batch_timeout: Option<u64>,
    /// Seconds all cargo invocations together may take; batches that would
    /// start later are skipped and their crates fail as timed out.
    #[arg(long)]
    total_timeout: Option<u64>,
    /// A list of documents expected to fail, each with its cause: the run
    /// then fails only on failures not listed, and on listed documents that
    /// pass or are missing.
    #[arg(long)]
    known_failures: Option<PathBuf>,
    /// Where --compile writes the crates and builds them (default:
    /// target/corpus). Two runs at once need two directories.
    #[arg(long)]
    work_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let known = args.known_failures.as_deref().map(KnownFailures::load).transpose()?;
    let files = documents(&args.dir)?;
    if files.is_empty() {
        return Err(anyhow!("{}: no *.json documents found", args.dir.display()));
    }
    let jobs = match args.jobs {
        Some(0) => return Err(anyhow!("--jobs must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    if args.batch_size == Some(0) {
        return Err(anyhow!("--batch-size must be at least 1"));
    }
    let started = Instant::now();
    // What becomes of a document that parses: decided by its size alone.
    let plan = |size: u64| match (args.compile, args.max_compile_bytes) {
        (false, _) => Compile::NotRequested,
        (true, Some(max)) if size > max => Compile::TooLarge,
        (true, _) => Compile::Pending,
    };
    let mut rows = generate_all(&files, jobs, &plan)?;
    let generate_wall = started.elapsed();
    report_warnings(&rows);

    let mut unattributed = Vec::new();
    let compile_wall = if args.compile {
        let compile_started = Instant::now();
        let crates: Vec<(usize, discogen::Output)> =
            rows.iter_mut().enumerate().filter_map(|(i, row)| row.output.take().map(|o| (i, o))).collect();
        let options = compile::Options {
            check_only: args.check,
            jobs,
            batch_size: args.batch_size.unwrap_or(crates.len().max(1)),
            batch_timeout: args.batch_timeout.map(Duration::from_secs),
            total_timeout: args.total_timeout.map(Duration::from_secs),
            work_dir: args
                .work_dir
                .clone()
                .unwrap_or_else(|| crate::output::workspace_root().join(compile::DEFAULT_WORK_DIR)),
        };
        let compiled = compile::compile_all(crates, &options)?;
        for (index, result) in compiled.results {
            record_compile(&mut rows[index], result);
        }
        unattributed = compiled.unattributed;
        Some(compile_started.elapsed())
    } else {
        None
    };

    report::print_table(&rows, known.as_ref());
    report::print_failure_groups(&rows);
    let summary = report::summarize(&rows, args.compile);
    let mut failed = match &known {
        None => summary.failed > 0,
        Some(known) => !judge(known, &rows),
    };
    for problem in &unattributed {
        failed = true;
        eprintln!("error: outside the corpus crates: {problem}");
    }
    let mut line = summary.text;
    write!(line, " ({:.1} s generating with {jobs} jobs", generate_wall.as_secs_f64()).ok();
    if cfg!(debug_assertions) {
        // Timings of an unoptimized generator say little about the real one.
        line.push_str(", debug build");
    }
    if let Some(elapsed) = compile_wall {
        let what = if args.check { "checking" } else { "compiling" };
        write!(line, ", {:.1} s {what}", elapsed.as_secs_f64()).ok();
    }
    line.push(')');
    println!("{line}");
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The `*.json` files of `dir` that are discovery documents.
fn documents(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = crate::output::json_files(dir)?;
    files.retain(|path| {
        // The kind is near the top; reading a little is enough to tell.
        let head = fs::read(path).map(|b| String::from_utf8_lossy(&b[..b.len().min(512)]).into_owned());
        let is_list = head.is_ok_and(|h| h.contains(DIRECTORY_LIST_KIND));
        if is_list {
            eprintln!("note: {} is a directory list, not a discovery document; skipped", path.display());
        }
        !is_list
    });
    Ok(files)
}

/// Compares the results with the known-failures list, printing what differs.
/// Returns whether the run passes.
fn judge(known: &KnownFailures, rows: &[Row]) -> bool {
    let results = rows.iter().filter_map(|row| row.passed().map(|passed| (row.name.as_str(), passed)));
    let verdict = known.judge(results);
    let list = known.path().display();
    for name in &verdict.unexpected {
        eprintln!("error: {name} failed and is not in {list}");
    }
    for name in &verdict.now_passing {
        eprintln!("error: {name} passes now; remove it from {list}");
    }
    for name in &verdict.absent {
        eprintln!("error: {name} is in {list} but not in the corpus; remove it");
    }
    eprintln!(
        "known failures: {} as listed in {list}, {} new, {} now passing, {} absent",
        verdict.expected,
        verdict.unexpected.len(),
        verdict.now_passing.len(),
        verdict.absent.len()
    );
    verdict.is_clean()
}

/// One document's way through the command.
struct Row {
    /// The file name without `.json`, as shown in the table.
    name: String,
    size: u64,
    schemas: usize,
    methods: usize,
    lines: usize,
    generate_time: Duration,
    warnings: Vec<String>,
    outcome: Outcome,
    /// The generator's output, kept only for documents that will be compiled.
    output: Option<discogen::Output>,
}

impl Row {
    /// Whether the document passed every step asked for; `None` when it was
    /// not compiled because of its size, which says nothing either way.
    fn passed(&self) -> Option<bool> {
        match &self.outcome {
            Outcome::GenerateError(_) | Outcome::ParseError(_) => Some(false),
            Outcome::Parsed { compile: Compile::TooLarge } => None,
            Outcome::Parsed { compile: Compile::Ok | Compile::NotRequested } => Some(true),
            Outcome::Parsed { .. } => Some(false),
        }
    }
}

enum Outcome {
    GenerateError(String),
    ParseError(String),
    /// Generated and parsed; `compile` says what the build made of it.
    Parsed {
        compile: Compile,
    },
}

enum Compile {
    /// `--compile` was not given.
    NotRequested,
    /// Over `--max-compile-bytes`.
    TooLarge,
    /// Waiting for the workspace build.
    Pending,
    Ok,
    Failed {
        errors: usize,
        warnings: usize,
        first: String,
    },
    /// The build ended without building this crate or reporting an error in
    /// it, typically because a dependency failed.
    NotBuilt,
    TimedOut,
}

/// Files a crate's build result under its row, echoing its first messages.
fn record_compile(row: &mut Row, result: CrateResult) {
    let Outcome::Parsed { compile } = &mut row.outcome else { return };
    *compile = match result {
        CrateResult::Ok => Compile::Ok,
        CrateResult::NotBuilt => Compile::NotBuilt,
        CrateResult::TimedOut => Compile::TimedOut,
        CrateResult::Failed { errors, warnings } => {
            let shown = errors.iter().chain(&warnings);
            for message in shown.clone().take(MESSAGES_SHOWN_PER_CRATE) {
                eprintln!("{}: {message}", row.name);
            }
            let total = errors.len() + warnings.len();
            if total > MESSAGES_SHOWN_PER_CRATE {
                eprintln!("{}: ... and {} more messages", row.name, total - MESSAGES_SHOWN_PER_CRATE);
            }
            let first = shown.map(|m| report::first_line(m)).next().unwrap_or_default();
            Compile::Failed { errors: errors.len(), warnings: warnings.len(), first }
        }
    };
}

fn generate_all(files: &[PathBuf], jobs: usize, plan: &(dyn Fn(u64) -> Compile + Sync)) -> anyhow::Result<Vec<Row>> {
    let mut order: Vec<(usize, u64)> = files
        .iter()
        .enumerate()
        .map(|(i, path)| fs::metadata(path).map(|m| (i, m.len())).map_err(|e| anyhow!("{}: {e}", path.display())))
        .collect::<Result<_, _>>()?;
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let next = AtomicUsize::new(0);
    let progress = Progress::new("generating", files.len());
    let mut rows: Vec<Option<Row>> = files.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, Row)>();
        for _ in 0..jobs.min(files.len()) {
            let sender = sender.clone();
            let (next, order) = (&next, &order);
            scope.spawn(move || {
                while let Some(&(index, size)) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let row = check_document(&files[index], size, plan(size));
                    if sender.send((index, row)).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the workers hold senders now, so the loop below ends when the
        // last of them finishes.
        drop(sender);
        for (index, row) in receiver {
            progress.step(&row.name);
            rows[index] = Some(row);
        }
    });
    progress.finish();
    let rows: Vec<Row> = rows.into_iter().flatten().collect();
    if rows.len() != files.len() {
        return Err(anyhow!("a worker thread stopped before its documents were done"));
    }
    Ok(rows)
}

/// Generates one document and parses each file it produced.
fn check_document(path: &Path, size: u64, compile: Compile) -> Row {
    let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut row = Row {
        name,
        size,
        schemas: 0,
        methods: 0,
        lines: 0,
        generate_time: Duration::ZERO,
        warnings: Vec::new(),
        outcome: Outcome::GenerateError(String::new()),
        output: None,
    };
    let source = match fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) => {
            row.outcome = Outcome::GenerateError(format!("cannot read {}: {e}", path.display()));
            return row;
        }
    };
    // As `gen` makes it, the `other-versions` feature included.
    let options = discogen::Options::new()
        .regen_command(format!("cargo xtask gen --spec {}", path.display()))
        .other_versions(true);
    // A panic in the generator is a bug to report against this document, not
    // a reason to lose the rows of all the others. The panic hook installed
    // in main has already printed the message.
    let started = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| discogen::generate(&source, &options)));
    row.generate_time = started.elapsed();
    let generated = match result {
        Ok(Ok(generated)) => generated,
        Ok(Err(e)) => {
            row.outcome = Outcome::GenerateError(e.to_string());
            return row;
        }
        Err(_) => {
            row.outcome = Outcome::GenerateError("the generator panicked (message above)".into());
            return row;
        }
    };
    row.schemas = generated.stats().schemas;
    row.methods = generated.stats().methods;
    row.lines = generated.stats().lines;
    row.warnings = generated.warnings().to_vec();
    // The generator formats through syn already, but parsing the final text
    // also covers what it adds after formatting (the header) and what the
    // printer may render differently from the token stream it was given.
    for file in generated.files() {
        if let Err(e) = syn::parse_file(file.contents()) {
            row.outcome = Outcome::ParseError(format!("{}: {e}", file.path()));
            return row;
        }
    }
    if matches!(compile, Compile::Pending) {
        row.output = Some(generated);
    }
    row.outcome = Outcome::Parsed { compile };
    row
}

/// Echoes the generator's warnings, a few per document, after the progress
/// line is gone so that the two do not interleave.
fn report_warnings(rows: &[Row]) {
    for row in rows {
        for w in row.warnings.iter().take(WARNINGS_SHOWN_PER_DOCUMENT) {
            eprintln!("warning: {}: {w}", row.name);
        }
        if row.warnings.len() > WARNINGS_SHOWN_PER_DOCUMENT {
            eprintln!("warning: {}: ... and {} more", row.name, row.warnings.len() - WARNINGS_SHOWN_PER_DOCUMENT);
        }
    }
}
