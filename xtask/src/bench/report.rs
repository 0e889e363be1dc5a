//! The Markdown report. Everything above the notes marker is rewritten on
//! each run; what follows the marker is written by hand and kept.

use super::compile::{SubjectResult, Timed, OPERATIONS_GET};
use super::generation::{CorpusBench, DocBench, STAGES};
use super::generation_ab::{GenerationAb, BASELINE_COMMIT};
use super::machine::{LoadWindow, Machine};
use super::runtime::RuntimeBench;
use super::Reps;
use crate::output::workspace_root;
use crate::Failure;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::Duration;

/// Issue 15's Vision target for the API crate alone, deps prebuilt.
const VISION_ALONE: &str = "our Vision crate alone ≤ 0.7× google-vision1 (deps prebuilt)";

const NOTES_MARKER: &str = "<!-- Hand-written notes follow; `cargo xtask bench` keeps everything below this line. -->";

pub struct Report {
    pub machine: Machine,
    pub reps: Reps,
    pub debug_build: bool,
    pub load_start: String,
    pub load_end: String,
    pub load_all: Option<LoadWindow>,
    pub load_generation: Option<LoadWindow>,
    pub load_runtime: Option<LoadWindow>,
    pub load_compile: Option<LoadWindow>,
    pub elapsed: Duration,
    pub vision: Option<DocBench>,
    pub compute: Option<DocBench>,
    pub corpus: Option<CorpusBench>,
    /// `gen` of the corpus by this generator against issue 15's baseline.
    pub generation_ab: Option<Result<GenerationAb, String>>,
    pub runtime: Option<Result<RuntimeBench, String>>,
    pub compile: Option<Vec<SubjectResult>>,
}

/// Status of one target.
enum Status {
    Met,
    NotMet,
    Unknown,
}

impl Status {
    fn text(&self) -> &'static str {
        match self {
            Status::Met => "**met**",
            Status::NotMet => "**not met**",
            Status::Unknown => "not measured",
        }
    }
    fn from(ok: Option<bool>) -> Status {
        match ok {
            Some(true) => Status::Met,
            Some(false) => Status::NotMet,
            None => Status::Unknown,
        }
    }
}

fn load_text(w: &Option<LoadWindow>) -> String {
    w.map(|w| w.text()).unwrap_or_else(|| "unknown".into())
}

fn kib(bytes: u64) -> String {
    format!("{:.0}", bytes as f64 / 1024.0)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "–".into())
}

impl Report {
    pub fn new(machine: Machine, reps: Reps, debug_build: bool) -> Report {
        Report {
            machine,
            reps,
            debug_build,
            load_start: String::new(),
            load_end: String::new(),
            load_all: None,
            load_generation: None,
            load_runtime: None,
            load_compile: None,
            elapsed: Duration::ZERO,
            vision: None,
            compute: None,
            corpus: None,
            generation_ab: None,
            runtime: None,
            compile: None,
        }
    }

    fn subject(&self, key: &str) -> Option<&SubjectResult> {
        self.compile.as_ref()?.iter().find(|s| s.key == key)
    }

    pub fn write(&self, path: &Path) -> Result<(), Failure> {
        let notes = fs::read_to_string(path)
            .ok()
            .and_then(|old| old.find(NOTES_MARKER).map(|i| old[i + NOTES_MARKER.len()..].to_string()))
            .unwrap_or_else(|| "\n".to_string());
        let mut md = String::new();
        self.header(&mut md);
        self.targets(&mut md);
        self.generation(&mut md);
        self.compile_section(&mut md);
        self.size_section(&mut md);
        self.runtime_section(&mut md);
        self.method(&mut md);
        md.push_str(NOTES_MARKER);
        md.push_str(&notes);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, md).map_err(|e| Failure(format!("{}: {e}", path.display())))
    }

    fn header(&self, md: &mut String) {
        let m = &self.machine;
        md.push_str("# Benchmarks\n\n");
        let _ = writeln!(
            md,
            "Written by `cargo xtask bench` on {} ({:.0} min run). Rerun the command to refresh everything above the \
             notes marker at the end; nothing in the test suite depends on these figures.\n",
            m.date,
            self.elapsed.as_secs_f64() / 60.0
        );
        if self.debug_build {
            md.push_str("> **Debug build of xtask (`--allow-debug`): the generation and runtime figures are not representative.**\n\n");
        }
        md.push_str("**How it was run.** `cargo xtask bench` (the alias builds xtask in debug mode, so the command \
            re-runs itself as `cargo run --release -p xtask -- bench`): all in-process figures (generation, runtime) come \
            from the release build, whose global allocator is mimalloc (as for `cargo xtask gen` and `regen`; the \
            `discogen` library itself leaves the allocator to its caller). Builds of the scratch programs use the debug profile, `CARGO_INCREMENTAL=0`, cargo's \
            default job count and `--offline` after an untimed `cargo fetch`.\n\n");
        md.push_str("## Machine\n\n| | |\n| --- | --- |\n");
        let _ = writeln!(md, "| commit measured | {} |", m.commit.replace('|', "\\|"));
        let _ = writeln!(md, "| cores (`nproc`) | {} |", m.nproc);
        let _ = writeln!(md, "| CPU | {} |", m.cpu);
        let mem =
            m.memory.lines().nth(1).map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default();
        let _ = writeln!(
            md,
            "| memory (`free -h`, Mem: total used free shared buff/cache available) | {} |",
            mem.trim_start_matches("Mem: ")
        );
        let _ = writeln!(md, "| rustc | {} |", m.rustc);
        let _ = writeln!(md, "| cargo | {} |", m.cargo);
        let _ = writeln!(md, "| kernel | {} |", m.kernel);
        let _ = writeln!(md, "| `/proc/loadavg` at start / end | `{}` / `{}` |", self.load_start, self.load_end);
        let _ = writeln!(md, "| 1-min load average over the run: mean (min, max) | {} |", load_text(&self.load_all));
        let _ = writeln!(
            md,
            "| … during generation / runtime / compile sections | {} / {} / {} |",
            load_text(&self.load_generation),
            load_text(&self.load_runtime),
            load_text(&self.load_compile)
        );
        md.push_str(
            "\nThe machine is shared with other engineers' builds; a load average above the core count means \
            our process did not always have a core to itself. Wall times are therefore given next to CPU times \
            (process CPU time for in-process work; user + system time of the cargo and rustc children for builds), which \
            contention inflates far less.\n\n",
        );
    }

    fn targets(&self, md: &mut String) {
        md.push_str("## Targets\n\n| target | measured | status | note |\n| --- | --- | --- | --- |\n");
        // Generation.
        if let Some(v) = &self.vision {
            let cpu = v.cpu.map(|c| format!(", CPU {:.1} ms", c.median)).unwrap_or_default();
            let _ = writeln!(md, "| generate full Vision v1 (315 KB) < 50 ms | median {:.1} ms wall{cpu} | {} | parse → files written; {} runs |",
                v.total.median, Status::from(Some(v.total.median < 50.0)).text(), v.total.n);
        }
        if let Some(c) = &self.compute {
            let cpu = c.cpu.map(|c| format!(", CPU {:.0} ms", c.median)).unwrap_or_default();
            let note =
                if c.total.median < 1000.0 { String::new() } else { format!("slowest stage: {}", slowest_stage(c)) };
            let _ = writeln!(
                md,
                "| generate compute v1 (5 MB) < 1 s | median {:.0} ms wall{cpu} | {} | {note} |",
                c.total.median,
                Status::from(Some(c.total.median < 1000.0)).text()
            );
        }
        if let Some(cb) = &self.corpus {
            let failed = cb.rows.iter().filter(|r| r.error.is_some()).map(|r| r.name.as_str()).collect::<Vec<_>>();
            let note = if failed.is_empty() {
                String::new()
            } else {
                format!(
                    "{} of {} documents fail to generate ({}); the time to the error is included",
                    failed.len(),
                    cb.documents,
                    failed.join(", ")
                )
            };
            let _ = writeln!(md, "| all of `../shared/discovery` ({} documents, {:.1} MB) < 10 s on 2 cores | median {:.2} s, {} documents at a time, each on all cores | {} | {note} |",
                cb.documents, mb(cb.bytes), cb.parallel.median, cb.workers, Status::from(Some(cb.parallel.median < 10.0)).text());
            let _ = match &self.generation_ab {
                Some(Ok(ab)) => writeln!(md, "| `gen` of all of `../shared/discovery` no more than 10 % slower than when issue 15 was filed | CPU per pass {:.1} s against {:.1} s at {} (medians of {}); ratio of each pair {:.3} (range {:.3}–{:.3}) | {} | both generators in this run, in alternating passes: `gen` of each of the {} documents, one at a time |",
                    ab.ours.median, ab.baseline.median, &BASELINE_COMMIT[..7], ab.ours.n, ab.ratios.median, ab.ratios.min, ab.ratios.max, Status::from(Some(ab.ratios.median <= 1.10)).text(), ab.documents),
                Some(Err(why)) => writeln!(md, "| `gen` of all of `../shared/discovery` no more than 10 % slower than when issue 15 was filed | – | {} | {} |", Status::Unknown.text(), why.replace('|', "/")),
                None => Ok(()),
            };
            let s = &cb.scale;
            let linear =
                s.points >= 3 && s.exponent_large.slope < 1.3 && s.largest_ms_per_mb < 2.0 * s.others_median_ms_per_mb;
            let _ = writeln!(md, "| generation time grows linearly with size | exponent {:.2} (documents ≥ 100 KB), {} costs {:.0} ms/MB vs median {:.0} ms/MB | {} | linear means exponent < 1.3 and the largest document under 2× the median cost per MB |",
                s.exponent_large.slope, s.largest, s.largest_ms_per_mb, s.others_median_ms_per_mb, Status::from((s.points >= 3).then_some(linear)).text());
        }
        // Compile.
        let ours = self.subject("ours-full");
        let theirs = self.subject("google-vision1");
        let pair = |f: &dyn Fn(&SubjectResult) -> Option<&Timed>| -> Option<(&Timed, &Timed)> {
            Some((f(ours?)?, f(theirs?)?))
        };
        match pair(&|s| s.api_build.as_ref()) {
            Some((a, b)) => {
                let with_program = match pair(&|s| s.api_and_program_build.as_ref()) {
                    Some((c, d)) => format!("; API crate + program: {:.1} s vs {:.1} s", c.wall.median, d.wall.median),
                    None => String::new(),
                };
                let _ = writeln!(md, "| {VISION_ALONE} | {:.1} s vs {:.1} s wall (ratio {:.2}); CPU {} vs {} s | {} | `cargo build -p` of the API crate after `cargo clean -p`, median of {}{with_program} |",
                    a.wall.median, b.wall.median, a.wall.median / b.wall.median, cpu_text(a), cpu_text(b), Status::from(Some(a.wall.median <= 0.7 * b.wall.median)).text(), a.wall.n);
            }
            None => {
                let _ =
                    writeln!(md, "| {VISION_ALONE} | – | {} | {} |", Status::Unknown.text(), why_missing(ours, theirs));
            }
        }
        match pair(&|s| s.clean_build.as_ref()) {
            Some((a, b)) => {
                let _ = writeln!(md, "| clean build of the scratch program ≤ half of google-vision1's | {:.1} s vs {:.1} s wall (ratio {:.2}); CPU {} vs {} s | {} | fresh target directory, whole program |",
                    a.wall.median, b.wall.median, a.wall.median / b.wall.median, cpu_text(a), cpu_text(b), Status::from(Some(a.wall.median <= 0.5 * b.wall.median)).text());
                let _ = writeln!(md, "| clean build of the scratch program ≤ 0.65× google-vision1's (issue 15) | ratio {:.2} | {} | the same builds as the row above |",
                    a.wall.median / b.wall.median, Status::from(Some(a.wall.median <= 0.65 * b.wall.median)).text());
            }
            None => {
                let _ = writeln!(
                    md,
                    "| clean build of the scratch program ≤ half of google-vision1's | – | {} | {} |",
                    Status::Unknown.text(),
                    why_missing(ours, theirs)
                );
                let _ = writeln!(
                    md,
                    "| clean build of the scratch program ≤ 0.65× google-vision1's (issue 15) | – | {} | {} |",
                    Status::Unknown.text(),
                    why_missing(ours, theirs)
                );
            }
        }
        match self.subject("ours-only").and_then(|s| s.api_build.as_ref()) {
            Some(t) => {
                let _ = writeln!(md, "| `--only` operations.get crate compiles in a few seconds (≤ 5 s) | {:.1} s wall, CPU {} s | {} | the 4 Vision `operations.get` methods; API crate alone |",
                    t.wall.median, cpu_text(t), Status::from(Some(t.wall.median <= 5.0)).text());
            }
            None => {
                let _ = writeln!(
                    md,
                    "| `--only` operations.get crate compiles in a few seconds (≤ 5 s) | – | {} | {} |",
                    Status::Unknown.text(),
                    why_missing(self.subject("ours-only"), None)
                );
            }
        }
        compute_rows(md);
        md.push('\n');
    }

    fn generation(&self, md: &mut String) {
        md.push_str("## 1. Generation (in process, release build)\n\n");
        if self.vision.is_none() && self.corpus.is_none() {
            md.push_str("Not run (`--skip-generation`).\n\n");
            return;
        }
        md.push_str("### Stage by stage\n\nMilliseconds per run, median (p10–p90), after one warm-up run; the document \
            text is already in memory. In `discogen::generate` (`emit::render`) *emit tokens* and *format* are interleaved, item by item, \
            and once a module has 64 items or more, blocks of 16 items from all three files are handed to one thread per core as each thread becomes free. The staged run here uses the single-threaded \
            `emit::tokens` and `emit::format` instead and collects each file's items before formatting them, so that the \
            two can be timed apart; its sum is therefore close to the CPU time of the real pipeline, not to its wall time. \
            *write* is the writer `cargo xtask gen` uses (a fresh directory, then a rename) \
            into `target/bench/generated/`; *drop* frees the discovery model, the IR and the output. \
            The **total** rows are separate runs of the real pipeline, `discogen::generate` followed by the same write, \
            alternating with the staged runs; the targets are judged on them.\n\n");
        let docs: Vec<&DocBench> = [&self.vision, &self.compute].into_iter().flatten().collect();
        md.push_str("| stage |");
        for d in &docs {
            let _ = write!(md, " {} ({} KB, {} runs) | share |", d.name, kib(d.bytes), d.total.n);
        }
        md.push_str("\n| --- |");
        for _ in &docs {
            md.push_str(" ---: | ---: |");
        }
        md.push('\n');
        for (i, stage) in STAGES.iter().enumerate() {
            let _ = write!(md, "| {stage} |");
            for d in &docs {
                let s = d.stages[i];
                let _ = write!(
                    md,
                    " {:.2} ({:.2}–{:.2}) | {:.0} % |",
                    s.median,
                    s.p10,
                    s.p90,
                    100.0 * s.median / d.staged_total.median
                );
            }
            md.push('\n');
        }
        md.push_str("| sum of the staged run |");
        for d in &docs {
            let _ =
                write!(md, " {:.2} ({:.2}–{:.2}) | |", d.staged_total.median, d.staged_total.p10, d.staged_total.p90);
        }
        md.push('\n');
        md.push_str("| **total, real pipeline (wall)** |");
        for d in &docs {
            let _ = write!(
                md,
                " **{:.2}** ({:.2}–{:.2}); min {:.2}, max {:.2} | |",
                d.total.median, d.total.p10, d.total.p90, d.total.min, d.total.max
            );
        }
        md.push_str("\n| total, real pipeline (process CPU) |");
        for d in &docs {
            let _ = write!(
                md,
                " {} | |",
                d.cpu.map(|c| format!("{:.2} ({:.2}–{:.2})", c.median, c.p10, c.p90)).unwrap_or_else(|| "–".into())
            );
        }
        md.push_str("\n| output |");
        for d in &docs {
            let _ = write!(
                md,
                " {} types, {} methods, {} lines, {} KB | |",
                d.produced.types,
                d.produced.methods,
                d.produced.lines,
                d.produced.files_bytes / 1024
            );
        }
        md.push_str("\n| peak RSS of the process after these runs |");
        for d in &docs {
            let _ = write!(md, " {} | |", d.peak_rss_mib.map(|m| format!("{m:.0} MiB")).unwrap_or_else(|| "–".into()));
        }
        md.push_str("\n\n");
        self.format_split(md, &docs);

        let Some(cb) = &self.corpus else { return };
        let _ = writeln!(md, "### Whole corpus\n\nAll {} documents of `../shared/discovery` ({:.2} MB), each pass reading, generating and writing every document; {} passes generating one document at a time (each document still formats on all cores) interleaved with {} passes generating {} documents at a time on worker threads (largest document first, shared work counter).\n",
            cb.documents, mb(cb.bytes), cb.reps, cb.reps, cb.workers);
        md.push_str("| | seconds per pass, median (min–max) | documents/s | MB/s |\n| --- | ---: | ---: | ---: |\n");
        for (label, s) in
            [("1 document at a time", &cb.single), (&*format!("{} documents at a time", cb.workers), &cb.parallel)]
        {
            let _ = writeln!(
                md,
                "| {label} | {} | {:.1} | {:.2} |",
                s.short(2),
                cb.documents as f64 / s.median,
                mb(cb.bytes) / s.median
            );
        }
        if let Some(c) = cb.single_cpu {
            let _ = writeln!(md, "| 1 document at a time, CPU time | {} | | |", c.short(2));
        }
        let _ = writeln!(md, "\nSpeed-up from {} documents at a time: {:.2}×. Compute alone is {:.0} % of the bytes; since each document already formats on all cores, running documents side by side mostly helps the small ones, whose fixed costs are not parallel.\n",
            cb.workers, cb.single.median / cb.parallel.median,
            100.0 * cb.rows.iter().map(|r| r.bytes).max().unwrap_or(0) as f64 / cb.bytes as f64);

        md.push_str(
            "### Time against document size\n\nFrom the one-document-at-a-time passes: median per document. \
            *ms/MB* uses process CPU time, which other processes on the machine do not inflate.\n\n",
        );
        md.push_str("| document | KB | types | methods | lines out | wall ms, median (min–max) | CPU ms | CPU ms/MB |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        let mut rows: Vec<_> = cb.rows.iter().collect();
        rows.sort_by_key(|r| r.bytes);
        for r in rows {
            let cpu = r.cpu_ms.map(|c| c.median);
            match &r.error {
                Some(e) => {
                    let _ = writeln!(
                        md,
                        "| {} | {} | | | | {} | {} | fails: {} |",
                        r.name,
                        kib(r.bytes),
                        r.wall_ms.short(1),
                        opt(cpu.map(|c| format!("{c:.1}"))),
                        e.replace('|', "\\|")
                    );
                }
                None => {
                    let _ = writeln!(
                        md,
                        "| {} | {} | {} | {} | {} | {} | {} | {} |",
                        r.name,
                        kib(r.bytes),
                        r.produced.types,
                        r.produced.methods,
                        r.produced.lines,
                        r.wall_ms.short(1),
                        opt(cpu.map(|c| format!("{c:.1}"))),
                        opt(cpu.map(|c| format!("{:.0}", c / mb(r.bytes))))
                    );
                }
            }
        }
        let s = &cb.scale;
        md.push_str("\n**Is it linear?** Over the documents that generate:\n\n");
        let _ = writeln!(
            md,
            "- least squares, wall time: t = {:.1} ms + {:.0} ms/MB × size (R² = {:.3})",
            s.wall_line.intercept, s.wall_line.slope, s.wall_line.r2
        );
        if let Some(l) = s.cpu_line {
            let _ = writeln!(
                md,
                "- least squares, CPU time: t = {:.1} ms + {:.0} ms/MB × size (R² = {:.3})",
                l.intercept, l.slope, l.r2
            );
        }
        let _ = writeln!(md, "- power law t ∝ size^k fitted in log-log space on CPU time: k = {:.2} over all {} documents (R² = {:.3}), k = {:.2} over those of at least 100 KB (R² = {:.3}); k = 1 is linear, 2 quadratic. Below 100 KB fixed per-document costs flatten the curve.",
            s.exponent.slope, s.points, s.exponent.r2, s.exponent_large.slope, s.exponent_large.r2);
        let _ = writeln!(md, "- ratio check: {} (the largest, ~10× the next) costs {:.0} CPU ms/MB; the median of the others is {:.0} ms/MB (ratio {:.2}). Quadratic growth would put this ratio near 10.\n",
            s.largest, s.largest_ms_per_mb, s.others_median_ms_per_mb, s.largest_ms_per_mb / s.others_median_ms_per_mb);
    }

    fn format_split(&self, md: &mut String, docs: &[&DocBench]) {
        md.push_str("**Inside *emit tokens* and *format*, file by file.** The same item-by-item loop as `emit::format`, \
            each part timed on its own (ms per run, median (p10–p90), summed over the file's items; separate runs, same count). \
            *tokens*: the emitter producing each item's `TokenStream`; *parse2*: `syn::parse2` into a `syn::File`; \
            *unparse*: `prettyplease::unparse`.\n\n");
        md.push_str("| document | file | items | lines | tokens | `syn::parse2` | `prettyplease::unparse` | drop `syn::File` |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        let cell = |s: &super::stats::Summary| format!("{:.2} ({:.2}–{:.2})", s.median, s.p10, s.p90);
        for d in docs {
            for f in &d.format_split {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} | {} | {} | {} | {} | {:.2} |",
                    d.name,
                    f.file,
                    f.items,
                    f.lines,
                    cell(&f.tokens),
                    cell(&f.parse2),
                    cell(&f.unparse),
                    f.drop.median
                );
            }
            let sum = |g: &dyn Fn(&super::generation::FileFormat) -> f64| d.format_split.iter().map(g).sum::<f64>();
            let _ = writeln!(
                md,
                "| {} | **all** | {} | {} | **{:.2}** | **{:.2}** | **{:.2}** | {:.2} |",
                d.name,
                d.format_split.iter().map(|f| f.items).sum::<usize>(),
                d.produced.lines,
                sum(&|f| f.tokens.median),
                sum(&|f| f.parse2.median),
                sum(&|f| f.unparse.median),
                sum(&|f| f.drop.median)
            );
        }
        md.push('\n');
    }

    fn compile_section(&self, md: &mut String) {
        md.push_str("## 2. Compile time (debug profile)\n\n");
        let Some(results) = &self.compile else {
            md.push_str("Not run (`--skip-compile`).\n\n");
            return;
        };
        let _ = writeln!(md, "A scratch program that builds a client, calls `projects.operations.get` once and prints the operation, \
            written once per client (`target/bench/compile/<subject>/app/`, never committed; sources in `xtask/src/bench/compile.rs`). \
            Seconds, median (min–max); CPU is user + system time of cargo and rustc.\n\n\
            *Dependencies prebuilt* ({} runs each, subjects interleaved): after one full build, `cargo clean -p <api crate>` then \
            `cargo build -p <api crate>` (*API crate alone*); and `cargo clean -p <api crate> -p <program>` then `cargo build` \
            (*API crate + program*: a client whose code is generic over its connector, like google-vision1's, leaves most of \
            its code generation to the crate that instantiates it, so the first figure alone flatters it).\n",
            self.reps.api_builds);
        md.push_str("| subject | package, version | API crate alone: wall | CPU | API crate + program: wall | CPU | load |\n| --- | --- | ---: | ---: | ---: | ---: | --- |\n");
        let t = |t: &Option<Timed>| match t {
            Some(t) => (t.wall.short(1), cpu_text(t), load_text(&t.load)),
            None => ("–".into(), "–".into(), "–".into()),
        };
        for r in results {
            let (aw, ac, al) = t(&r.api_build);
            let (pw, pc, _) = t(&r.api_and_program_build);
            let _ = writeln!(
                md,
                "| {} | `{}` {} | {aw} | {ac} | {pw} | {pc} | {al} |",
                r.title,
                r.package,
                opt(r.version.clone())
            );
        }
        let _ = writeln!(md, "\n*Clean build* ({} runs each): the whole program into a fresh target directory, every dependency \
            compiled (sources already downloaded). *Units*: crates, build scripts and the binary that cargo compiled.\n",
            self.reps.clean_builds);
        md.push_str("| subject | wall | CPU | units built | load |\n| --- | ---: | ---: | ---: | --- |\n");
        for r in results {
            let (cw, cc, cl) = t(&r.clean_build);
            let _ = writeln!(md, "| {} | {cw} | {cc} | {} | {cl} |", r.title, opt(r.clean_units));
        }
        let _ = writeln!(md, "\nThe `--only` crate is `cargo xtask gen --only {OPERATIONS_GET}`; the pruned crate passes every \
            method id of the document to `--only`, which keeps all 38 methods but drops the schemas that no method reaches.\n");
        for r in results.iter().filter(|r| r.error.is_some()) {
            let _ = writeln!(
                md,
                "**{}** could not be measured completely:\n\n```text\n{}\n```\n",
                r.title,
                r.error.as_deref().unwrap_or("")
            );
        }
    }

    fn size_section(&self, md: &mut String) {
        md.push_str("## 3. Size\n\n");
        let Some(results) = &self.compile else {
            md.push_str("Not run (`--skip-compile`).\n\n");
            return;
        };
        md.push_str("*Lines*: all `.rs` files below the API crate's `src/`. *Packages*: distinct lines of `cargo tree -e normal --prefix none` (the root included) for the whole program and for the API crate alone. *rlib*: the API crate's `.rlib` in the debug profile.\n\n");
        md.push_str("| subject | lines of Rust | source KB | packages (program) | packages (API crate) | rlib MB |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for r in results {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                r.title,
                opt(r.lines),
                opt(r.source_bytes.map(kib)),
                opt(r.deps_program),
                opt(r.deps_api),
                opt(r.rlib_bytes.map(|b| format!("{:.1}", mb(b))))
            );
        }
        md.push('\n');
    }

    fn runtime_section(&self, md: &mut String) {
        md.push_str("## 4. Runtime (release build)\n\n");
        match &self.runtime {
            None => md.push_str("Not run (`--skip-runtime`).\n\n"),
            Some(Err(e)) => {
                let _ = writeln!(md, "The probe failed:\n\n```text\n{e}\n```\n");
            }
            Some(Ok(rt)) => {
                let _ = writeln!(md, "A scratch program (`target/bench/runtime/`, source in `xtask/src/bench/runtime_probe.rs`) depending on `discogen-apis`, built with `--release`. The body is a finished Vision operation whose response holds label and text annotations, {} bytes. Each figure: nanoseconds per call, median (p10–p90) of {} samples, each sample a batch of calls lasting about 5 ms.\n",
                    rt.body_bytes, self.reps.runtime_samples);
                md.push_str("| measurement | ns per call | calls timed |\n| --- | ---: | ---: |\n");
                let labels = [
                    ("decode_operation", "`serde_json::from_slice::<discogen_apis::vision_v1::Operation>`"),
                    ("decode_value", "`serde_json::from_slice::<serde_json::Value>`"),
                    ("build_request", "`build_request()` on a prepared `projects().operations().get(..)` call"),
                    ("call_and_build_request", "`client.projects().operations().get(name).build_request()`"),
                ];
                for (key, label) in labels {
                    if let Some(m) = rt.get(key) {
                        let _ = writeln!(
                            md,
                            "| {label} | {:.0} ({:.0}–{:.0}) | {} |",
                            m.ns.median, m.ns.p10, m.ns.p90, m.calls
                        );
                    }
                }
                if let (Some(a), Some(b)) = (rt.get("decode_operation"), rt.get("decode_value")) {
                    let _ = writeln!(md, "\nTyped / `Value` decode time: **{:.2}** ({:.0} MB/s vs {:.0} MB/s). `Operation.response` and `.metadata` are maps of `serde_json::Value` (their type depends on the method), so most of the typed decode is the same work as the untyped one.\n",
                        a.ns.median / b.ns.median, rt.body_bytes as f64 / a.ns.median * 1e3, rt.body_bytes as f64 / b.ns.median * 1e3);
                }
            }
        }
    }

    fn method(&self, md: &mut String) {
        let r = &self.reps;
        let _ = writeln!(md, "## Method\n\n\
            - Repetitions: Vision {} runs, compute {} runs, corpus {} passes per thread count, each after one untimed warm-up; API crate builds {}, clean builds {}; runtime {} samples.\n\
            - Spread: median with p10–p90 or min–max as labelled; with few repetitions the extremes are the useful spread.\n\
            - Time is `std::time::Instant` (wall) plus `CLOCK_PROCESS_CPUTIME_ID` for in-process CPU time and the `cutime`/`cstime` of `/proc/self/stat` for builds and for `gen` processes.\n\
            - Issue 15's generation target: the generator of the commit the issue was filed at is unpacked from git (`git archive`) and built in release mode under `target/bench/baseline`; then each pass runs `gen` of every corpus document with one generator and then the other, the order alternating.\n\
            - The load average is sampled every 2 s on a background thread; each section reports the mean (min, max) of the 1-minute figure while it ran.\n\
            - Scratch crates and their target directories live in `target/bench/`, outside version control; downloaded sources stay in cargo's registry cache.\n",
            r.vision, r.compute, r.corpus, r.api_builds, r.clean_builds, r.runtime_samples);
    }
}

fn cpu_text(t: &Timed) -> String {
    t.cpu.map(|c| format!("{:.1}", c.median)).unwrap_or_else(|| "–".into())
}

/// The compute targets of issue 15, copied from the last `cargo xtask
/// bench-compute` report: that run takes over an hour, too long to repeat
/// with every `bench`, so this report shows its rows and says where and
/// when they were measured.
fn compute_rows(md: &mut String) {
    let path = workspace_root().join("BENCHMARKS-compute.md");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let written = text
        .lines()
        .find_map(|l| l.strip_prefix("Written by `cargo xtask bench-compute` on "))
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or("an unknown date");
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| compute")).collect();
    if rows.is_empty() {
        let _ = writeln!(
            md,
            "| compute targets of issue 15 | – | {} | no BENCHMARKS-compute.md: run `cargo xtask bench-compute` |",
            Status::Unknown.text()
        );
    }
    for row in rows {
        let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
        if let [what, figure, status] = cells[..] {
            let _ = writeln!(md, "| {what} | {figure} | **{status}** | from BENCHMARKS-compute.md (`cargo xtask bench-compute`, {written}) |");
        }
    }
}

fn why_missing(a: Option<&SubjectResult>, b: Option<&SubjectResult>) -> String {
    let reasons: Vec<String> = [a, b]
        .into_iter()
        .flatten()
        .filter_map(|s| s.error.as_ref().map(|e| format!("{}: {}", s.title, e.lines().next().unwrap_or(""))))
        .collect();
    if reasons.is_empty() {
        "not run (see `--subjects`, `--skip-compile`)".into()
    } else {
        reasons.join("; ").replace('|', "\\|")
    }
}

fn slowest_stage(d: &DocBench) -> String {
    let (i, s) =
        d.stages.iter().enumerate().max_by(|a, b| a.1.median.total_cmp(&b.1.median)).unwrap_or((0, &d.stages[0]));
    format!("{} ({:.0} % of the staged run)", STAGES[i], 100.0 * s.median / d.staged_total.median)
}
