//! `cargo xtask corpus DIR [--compile]`: the generator against many real
//! documents.
//!
//! Snapshot tests pin the output for a handful of inputs; this command asks a
//! broader question: does every document in a directory generate, does each
//! generated file parse as Rust, and (with `--compile`) does the generated
//! crate build with warnings denied? It prints one row per document so that
//! a regression points at the document that shows it.
//!
//! Documents are generated in parallel on plain threads. The generator is
//! CPU-bound and each document is independent, so a shared work counter is
//! all the scheduling needed; the largest documents start first so that one
//! huge document does not finish alone at the end.

use crate::output::{self, Tree};
use crate::{gen, Failure};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, IsTerminal, Write as _};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Where the compile workspace lives, below the main workspace root.
const CORPUS_DIR: &str = "target/corpus";

/// How many rendered compiler errors to echo per failing crate; the rest are
/// only counted, since one bad construct tends to repeat hundreds of times.
const ERRORS_SHOWN_PER_CRATE: usize = 3;

/// How many generator warnings to echo per document.
const WARNINGS_SHOWN_PER_DOCUMENT: usize = 5;

pub fn run(
    dir: &Path,
    compile: bool,
    jobs: Option<usize>,
    max_compile_bytes: Option<u64>,
) -> Result<ExitCode, Failure> {
    let files = output::json_files(dir)?;
    if files.is_empty() {
        return Err(Failure(format!("{}: no *.json documents found", dir.display())));
    }
    let jobs = match jobs {
        Some(0) => return Err(Failure("--jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
    };
    let started = Instant::now();
    // What becomes of a document that parses: decided by its size alone.
    let plan = |size: u64| match (compile, max_compile_bytes) {
        (false, _) => Compile::NotRequested,
        (true, Some(max)) if size > max => Compile::TooLarge,
        (true, _) => Compile::Pending,
    };
    let mut rows = generate_all(&files, jobs, &plan)?;
    let generate_wall = started.elapsed();
    report_warnings(&rows);

    let compile_report = if compile {
        let compile_started = Instant::now();
        let report = compile_all(&mut rows)?;
        Some((report, compile_started.elapsed()))
    } else {
        None
    };

    print_table(&rows);
    let summary = summarize(&rows, compile);
    let mut failed = summary.failed > 0;
    let mut line = summary.text;
    write!(line, " ({} ms generating with {jobs} jobs", generate_wall.as_millis()).ok();
    if cfg!(debug_assertions) {
        // Timings of an unoptimized generator say little about the real one.
        line.push_str(", debug build");
    }
    if let Some((report, elapsed)) = &compile_report {
        write!(line, ", {:.1} s compiling", elapsed.as_secs_f64()).ok();
        if let Some(problem) = &report.unattributed {
            failed = true;
            eprintln!("error: {problem}");
        }
    }
    line.push(')');
    println!("{line}");
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
        first: String,
    },
    /// The build ended without building this crate or reporting an error in
    /// it, typically because a dependency failed.
    NotBuilt,
}

/// Generates and parses every document on `jobs` threads, largest first,
/// returning rows in file-name order.
fn generate_all(files: &[PathBuf], jobs: usize, plan: &(dyn Fn(u64) -> Compile + Sync)) -> Result<Vec<Row>, Failure> {
    let mut order: Vec<(usize, u64)> = files
        .iter()
        .enumerate()
        .map(|(i, path)| {
            fs::metadata(path).map(|m| (i, m.len())).map_err(|e| Failure(format!("{}: {e}", path.display())))
        })
        .collect::<Result<_, _>>()?;
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));

    let next = AtomicUsize::new(0);
    let progress = Progress::new(files.len());
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
        return Err(Failure("a worker thread stopped before its documents were done".into()));
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
    let options =
        discogen::Options { regen_command: format!("cargo xtask gen --spec {}", path.display()), ..Default::default() };
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
    row.schemas = generated.stats.schemas;
    row.methods = generated.stats.methods;
    row.lines = generated.stats.lines;
    row.warnings.clone_from(&generated.warnings);
    // The generator formats through syn already, but parsing the final text
    // also covers what it adds after formatting (the header) and what the
    // printer may render differently from the token stream it was given.
    for file in &generated.files {
        if let Err(e) = syn::parse_file(&file.contents) {
            row.outcome = Outcome::ParseError(format!("{}: {e}", file.path));
            return row;
        }
    }
    if matches!(compile, Compile::Pending) {
        row.output = Some(generated);
    }
    row.outcome = Outcome::Parsed { compile };
    row
}

/// A `[done/total] name` line on stderr, redrawn in place; silent unless
/// stderr is a terminal, so that logs and pipes get no carriage returns.
struct Progress {
    total: usize,
    done: AtomicUsize,
    enabled: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress { total, done: AtomicUsize::new(0), enabled: std::io::stderr().is_terminal() }
    }

    fn step(&self, name: &str) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled {
            // `\x1b[K` clears what a longer previous name left behind.
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r[{done}/{}] {name}\x1b[K", self.total);
            let _ = err.flush();
        }
    }

    fn finish(&self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
        }
    }
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

/// What the workspace build said beyond the per-crate results.
struct CompileReport {
    /// A failure that no corpus crate accounts for: the runtime failing to
    /// build, a manifest error, or cargo not starting at all.
    unattributed: Option<String>,
}

/// Writes every pending document as a member of one cargo workspace and
/// builds them all at once, then attributes the outcome to each crate.
///
/// One workspace with one target directory builds the runtime and its
/// dependencies once instead of once per document.
fn compile_all(rows: &mut [Row]) -> Result<CompileReport, Failure> {
    let root = output::workspace_root();
    let corpus = root.join(CORPUS_DIR);
    let workspace = corpus.join("workspace");
    let runtime = root.join("runtime");
    let runtime = runtime
        .canonicalize()
        .map_err(|e| Failure(format!("cannot find the runtime crate at {}: {e}", runtime.display())))?;

    let mut tree = Tree::new();
    // Crate directory name → row index.
    let mut members: BTreeMap<String, usize> = BTreeMap::new();
    for (index, row) in rows.iter().enumerate() {
        let Some(generated) = &row.output else { continue };
        let crate_name = unique_crate_name(&generated.module_name, &members);
        for (rel, contents) in gen::crate_tree(generated, &crate_name, &runtime) {
            let contents = if rel == Path::new("Cargo.toml") { without_workspace_table(&contents) } else { contents };
            tree.insert(Path::new(&crate_name).join(rel), contents);
        }
        members.insert(crate_name, index);
    }
    if members.is_empty() {
        return Ok(CompileReport { unattributed: None });
    }
    tree.insert(PathBuf::from("Cargo.toml"), workspace_manifest(members.keys()));
    // Start from the main workspace's lock file: the runtime's dependencies
    // then resolve to the versions the project already builds and tests, and
    // no registry index update is needed. Cargo drops the unused entries.
    if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
        tree.insert(PathBuf::from("Cargo.lock"), lock);
    }
    let kept: BTreeSet<PathBuf> = tree.keys().cloned().collect();
    sync_dir(&workspace, &tree).map_err(|e| Failure(format!("writing {}: {e}", workspace.display())))?;
    remove_stale(&workspace, &kept);

    let build = run_cargo_build(&workspace, &corpus.join("target"))?;
    for (crate_name, &index) in &members {
        let Outcome::Parsed { compile } = &mut rows[index].outcome else { continue };
        let crate_dir = workspace.join(crate_name);
        *compile = match build.errors.get(&crate_dir) {
            Some(errors) => {
                show_errors(&rows[index].name, errors);
                Compile::Failed {
                    errors: errors.len(),
                    first: errors.first().map(|e| first_line(e)).unwrap_or_default(),
                }
            }
            None if build.built.contains(&crate_dir) => Compile::Ok,
            None => Compile::NotBuilt,
        };
        rows[index].output = None;
    }
    let mut unattributed = None;
    let foreign: Vec<&PathBuf> = build.errors.keys().filter(|dir| !members.contains_key(&dir_name(dir))).collect();
    for dir in &foreign {
        show_errors(&dir.display().to_string(), build.errors.get(*dir).map(Vec::as_slice).unwrap_or_default());
    }
    if !foreign.is_empty() {
        let names: Vec<String> = foreign.iter().map(|d| d.display().to_string()).collect();
        unattributed = Some(format!("the build failed in crates outside the corpus: {}", names.join(", ")));
    } else if !build.success && build.errors.is_empty() {
        unattributed = Some("cargo build failed without a compiler error (see its output above)".into());
    }
    Ok(CompileReport { unattributed })
}

/// Echoes the first few compiler errors of one crate on stderr.
fn show_errors(what: &str, errors: &[String]) {
    for e in errors.iter().take(ERRORS_SHOWN_PER_CRATE) {
        eprintln!("{what}: {e}");
    }
    if errors.len() > ERRORS_SHOWN_PER_CRATE {
        eprintln!("{what}: ... and {} more errors", errors.len() - ERRORS_SHOWN_PER_CRATE);
    }
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

/// Drops the `[workspace]` table (and the comment lines just above it) that
/// `gen` writes to keep a standalone crate out of surrounding workspaces: a
/// member of the corpus workspace must not declare a workspace of its own.
fn without_workspace_table(manifest: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut in_workspace = false;
    for line in manifest.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_workspace = trimmed == "[workspace]" || trimmed.starts_with("[workspace.");
            if in_workspace {
                while kept.last().is_some_and(|l| l.trim_start().starts_with('#')) {
                    kept.pop();
                }
                continue;
            }
        }
        if !in_workspace {
            kept.push(line);
        }
    }
    while kept.last().is_some_and(|l| l.trim().is_empty()) {
        kept.pop();
    }
    let mut text = kept.join("\n");
    text.push('\n');
    text
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

/// What one `cargo build` run produced, by crate directory.
struct Build {
    success: bool,
    /// Crates whose library was built.
    built: BTreeSet<PathBuf>,
    /// Rendered compiler errors.
    errors: BTreeMap<PathBuf, Vec<String>>,
}

/// Runs `cargo build --workspace` with warnings denied and reads its JSON
/// messages to tell which crate each error belongs to.
///
/// `--keep-going` lets every crate be tried even after one fails. Cargo's
/// own progress goes to stderr as usual; only the machine-readable stdout is
/// captured.
fn run_cargo_build(workspace: &Path, target_dir: &Path) -> Result<Build, Failure> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args(["build", "--workspace", "--keep-going", "--message-format", "json-diagnostic-short"])
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("RUSTFLAGS", "-D warnings")
        // Cargo prefers this over RUSTFLAGS; an outer cargo may have set it.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        // Debug info is most of the disk and link time for large crates, and
        // nothing here is ever debugged.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Failure(format!("cannot run cargo: {e}")))?;
    let mut build = Build { success: false, built: BTreeSet::new(), errors: BTreeMap::new() };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(message) = serde_json::from_str::<Value>(&line) else { continue };
            record_message(&mut build, &message);
        }
    }
    let status = child.wait().map_err(|e| Failure(format!("waiting for cargo: {e}")))?;
    build.success = status.success();
    Ok(build)
}

/// Files one cargo JSON message under the crate it names.
fn record_message(build: &mut Build, message: &Value) {
    let Some(manifest) = message.get("manifest_path").and_then(Value::as_str) else { return };
    let Some(crate_dir) = Path::new(manifest).parent() else { return };
    match message.get("reason").and_then(Value::as_str) {
        Some("compiler-artifact") => {
            let is_lib = message
                .pointer("/target/kind")
                .and_then(Value::as_array)
                .is_some_and(|kinds| kinds.iter().any(|k| k.as_str().is_some_and(|k| k.ends_with("lib"))));
            if is_lib {
                build.built.insert(crate_dir.to_path_buf());
            }
        }
        Some("compiler-message") => {
            let level = message.pointer("/message/level").and_then(Value::as_str);
            if level == Some("error") {
                let text = message
                    .pointer("/message/rendered")
                    .or_else(|| message.pointer("/message/message"))
                    .and_then(Value::as_str)
                    .unwrap_or("(no message)");
                // rustc closes with "aborting due to N previous errors": that
                // summarizes, it is not an error of its own.
                let summary = message
                    .pointer("/message/message")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.starts_with("aborting due to"));
                if !summary {
                    build.errors.entry(crate_dir.to_path_buf()).or_default().push(text.trim_end().to_string());
                }
            }
        }
        _ => {}
    }
}

fn dir_name(dir: &Path) -> String {
    dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The first line of a compiler message, cut to a length that keeps the
/// table readable; the full text is on stderr.
fn first_line(text: &str) -> String {
    const MAX_CHARS: usize = 160;
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_string(),
    }
}

fn print_table(rows: &[Row]) {
    let name_width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max("document".len());
    println!(
        "{:<name_width$} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6}  result",
        "document", "KiB", "schemas", "methods", "lines", "gen ms", "warns"
    );
    for row in rows {
        let generated = !matches!(row.outcome, Outcome::GenerateError(_));
        let dash = |n: usize| if generated { n.to_string() } else { "-".into() };
        println!(
            "{:<name_width$} {:>9} {:>8} {:>8} {:>8} {:>8} {:>6}  {}",
            row.name,
            row.size.div_ceil(1024),
            dash(row.schemas),
            dash(row.methods),
            dash(row.lines),
            row.generate_time.as_millis(),
            dash(row.warnings.len()),
            result_text(&row.outcome)
        );
    }
}

fn result_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::GenerateError(e) => format!("generate error: {e}"),
        Outcome::ParseError(e) => format!("parse error: {e}"),
        Outcome::Parsed { compile } => match compile {
            Compile::NotRequested => "ok".into(),
            Compile::TooLarge => "ok (not compiled: over --max-compile-bytes)".into(),
            Compile::Pending | Compile::NotBuilt => "compile error: not built (a dependency failed?)".into(),
            Compile::Ok => "ok (compiled)".into(),
            Compile::Failed { errors: 1, first } => format!("compile error: {first}"),
            Compile::Failed { errors, first } => format!("compile error: {errors} errors, first: {first}"),
        },
    }
}

struct Summary {
    text: String,
    failed: usize,
}

fn summarize(rows: &[Row], compile: bool) -> Summary {
    let mut generated = 0;
    let mut parsed = 0;
    let mut compiled = 0;
    let mut skipped = 0;
    let mut failed = 0;
    for row in rows {
        match &row.outcome {
            Outcome::GenerateError(_) => failed += 1,
            Outcome::ParseError(_) => {
                generated += 1;
                failed += 1;
            }
            Outcome::Parsed { compile } => {
                generated += 1;
                parsed += 1;
                match compile {
                    Compile::Ok => compiled += 1,
                    Compile::NotRequested => {}
                    Compile::TooLarge => skipped += 1,
                    Compile::Pending | Compile::NotBuilt | Compile::Failed { .. } => failed += 1,
                }
            }
        }
    }
    let mut text = format!("{generated} generated, {parsed} parsed");
    if compile {
        write!(text, ", {compiled} compiled").ok();
        if skipped > 0 {
            write!(text, ", {skipped} not compiled (too large)").ok();
        }
    }
    if failed > 0 {
        write!(text, ", {failed} failed").ok();
    }
    Summary { text, failed }
}
