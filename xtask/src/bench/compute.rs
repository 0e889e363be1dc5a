//! `cargo xtask bench-compute`: compile time of Compute Engine v1 clients,
//! side by side in one run: ours with every resource feature, ours with
//! `instances` and `projects`, google-compute1 6 and google-cloud-compute-v1
//! 4.1 with its default features. It builds on `compile` (scratch crates,
//! interleaved repetitions, `--offline` timed builds) and only adds the
//! subjects and the report, `BENCHMARKS-compute.md`.
//!
//! A separate command from `bench` because each compute crate takes a
//! minute or more to build: the whole run is about half an hour here.

use super::compile::{self, Subject, SubjectResult, Timed};
use super::machine::{self, LoadSampler};
use crate::output::workspace_root;
use crate::Failure;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args, Debug, Clone)]
pub struct ComputeArgs {
    /// Builds of each crate alone and of crate + program (median reported).
    #[arg(long, default_value_t = 3)]
    api_reps: usize,
    /// Clean builds of each program (median reported).
    #[arg(long, default_value_t = 1)]
    clean_reps: usize,
    /// Only these subjects: ours-all, ours-two, google-compute1,
    /// google-cloud-compute-v1.
    #[arg(long, value_delimiter = ',')]
    subjects: Option<Vec<String>>,
    /// Directory of discovery documents (relative to the workspace root).
    #[arg(long, default_value = "../shared/discovery")]
    corpus: PathBuf,
    /// Where to write the report (default: BENCHMARKS-compute.md at the workspace root).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Our program: one `instances.get`, the instance printed.
const MAIN_OURS: &str = r#"#[tokio::main]
async fn main() {
    let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default();
    let client = match api::Client::builder().bearer_token(token).build() {
        Ok(client) => client,
        Err(e) => return eprintln!("error: {e}"),
    };
    match client.instances().get("p1", "us-central1-a", "vm1").send().await {
        Ok(instance) => println!("{instance:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
"#;

/// The same call on google-compute1, set up as for google-vision1 in `bench`.
const MAIN_GOOGLE_COMPUTE1: &str = r#"use google_compute1::{hyper_rustls, hyper_util, Compute};

#[tokio::main]
async fn main() {
    let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default();
    let connector = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(builder) => builder.https_only().enable_http2().build(),
        Err(e) => return eprintln!("error: {e}"),
    };
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
    let hub = Compute::new(client, token);
    match hub.instances().get("p1", "us-central1-a", "vm1").doit().await {
        Ok((_response, instance)) => println!("{instance:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
"#;

/// The same call on google-cloud-compute-v1 (credentials from Application
/// Default Credentials).
const MAIN_GOOGLE_CLOUD: &str = r#"use google_cloud_compute_v1::client::Instances;

#[tokio::main]
async fn main() {
    let client = match Instances::builder().build().await {
        Ok(client) => client,
        Err(e) => return eprintln!("error: {e}"),
    };
    match client.get().set_project("p1").set_zone("us-central1-a").set_instance("vm1").send().await {
        Ok(instance) => println!("{instance:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
"#;

const COMPUTE: &str = "compute.v1.json";

fn subjects() -> Vec<Subject> {
    vec![
        Subject::with_features(
            "ours-all",
            "discogen, compute v1, all features",
            "discogen-compute1",
            "discogen_compute1",
            COMPUTE,
            &["all"],
            MAIN_OURS,
        ),
        Subject::with_features(
            "ours-two",
            "discogen, compute v1, `instances` + `projects`",
            "discogen-compute1-two",
            "discogen_compute1_two",
            COMPUTE,
            &["instances", "projects"],
            MAIN_OURS,
        ),
        Subject::registry(
            "google-compute1",
            "google-compute1 (everything)",
            "google-compute1",
            "google_compute1",
            r#"google-compute1 = "6""#,
            MAIN_GOOGLE_COMPUTE1,
        ),
        Subject::registry(
            "google-cloud-compute-v1",
            "google-cloud-compute-v1 (default features)",
            "google-cloud-compute-v1",
            "google_cloud_compute_v1",
            r#"google-cloud-compute-v1 = "4.1""#,
            MAIN_GOOGLE_CLOUD,
        ),
    ]
}

pub fn run(args: ComputeArgs) -> Result<ExitCode, Failure> {
    let root = workspace_root();
    let corpus = if args.corpus.is_absolute() { args.corpus.clone() } else { root.join(&args.corpus) };
    let spec = corpus.join(COMPUTE);
    if !spec.is_file() {
        return Err(Failure(format!("{} is needed and was not found", spec.display())));
    }
    let all = subjects();
    let selected: Vec<Subject> = match &args.subjects {
        None => all,
        Some(keys) => {
            if let Some(k) = keys.iter().find(|k| !all.iter().any(|s| s.key == k.as_str())) {
                return Err(Failure(format!("unknown subject `{k}`")));
            }
            all.into_iter().filter(|s| keys.iter().any(|k| k == s.key)).collect()
        }
    };
    let out = args.out.clone().unwrap_or_else(|| root.join("BENCHMARKS-compute.md"));
    let machine = machine::Machine::probe();
    let load = LoadSampler::start();
    let load_start = machine::loadavg_text();
    let started = Instant::now();
    let results = compile::run(&selected, &corpus, args.api_reps.max(1), args.clean_reps.max(1), &load);
    let elapsed = started.elapsed();
    let report = Report {
        machine,
        results,
        args: &args,
        load_start,
        load_end: machine::loadavg_text(),
        load_all: load.window(started, Instant::now()).map(|w| w.text()).unwrap_or_else(|| "–".into()),
        minutes: elapsed.as_secs_f64() / 60.0,
    };
    std::fs::write(&out, report.markdown()).map_err(|e| Failure(format!("{}: {e}", out.display())))?;
    eprintln!("bench-compute: wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

struct Report<'a> {
    machine: machine::Machine,
    results: Vec<SubjectResult>,
    args: &'a ComputeArgs,
    load_start: String,
    load_end: String,
    load_all: String,
    minutes: f64,
}

impl Report<'_> {
    fn get(&self, key: &str) -> Option<&SubjectResult> {
        self.results.iter().find(|r| r.key == key)
    }

    fn markdown(&self) -> String {
        let m = &self.machine;
        let mut md = String::from("# Compute Engine v1: compile time\n\n");
        let _ = writeln!(
            md,
            "Written by `cargo xtask bench-compute` on {} ({:.0} min run, commit {}). Debug builds, `CARGO_INCREMENTAL=0`, \
             `--offline` after an untimed `cargo fetch` and warm-up build, repetitions of the subjects interleaved; \
             {} build(s) of each crate alone and {} clean build(s) of each program, medians shown. The scratch program \
             makes one `instances.get` call with `#[tokio::main]`.\n",
            m.date,
            self.minutes,
            m.commit.replace('|', "\\|"),
            self.args.api_reps.max(1),
            self.args.clean_reps.max(1)
        );
        let _ = writeln!(
            md,
            "Machine: {} cores ({}), {}; `/proc/loadavg` at start `{}`, at end `{}`; 1-min load over the run: {}. \
             The machine is shared with another engineer's builds, so wall times come with CPU times (user + system of \
             cargo and rustc), which contention inflates less.\n",
            m.nproc, m.cpu, m.rustc, self.load_start, self.load_end, self.load_all
        );
        self.targets(&mut md);
        self.table(&mut md);
        md
    }

    fn targets(&self, md: &mut String) {
        md.push_str("## Targets (issue 15)\n\n| target | figure | status |\n| --- | --- | --- |\n");
        let targets = [
            ("compute, all features, crate alone ≤ 0.5× google-compute1", "ours-all", "google-compute1", 0.5),
            (
                "compute, `instances` + `projects`, crate alone ≤ 0.5× google-cloud-compute-v1 (defaults)",
                "ours-two",
                "google-cloud-compute-v1",
                0.5,
            ),
        ];
        for (what, ours, theirs, limit) in targets {
            let (figure, status) = match (self.crate_alone(ours), self.crate_alone(theirs)) {
                (Some(a), Some(b)) => {
                    let ratio = a.wall.median / b.wall.median;
                    let cpu = match (a.cpu, b.cpu) {
                        (Some(x), Some(y)) => {
                            format!("; CPU {:.1} s / {:.1} s = {:.2}×", x.median, y.median, x.median / y.median)
                        }
                        _ => String::new(),
                    };
                    (
                        format!("{:.1} s / {:.1} s = **{ratio:.2}×** wall{cpu}", a.wall.median, b.wall.median),
                        if ratio <= limit { "met" } else { "not met" },
                    )
                }
                _ => (self.missing(&[ours, theirs]), "not measured"),
            };
            let _ = writeln!(md, "| {what} | {figure} | {status} |");
        }
        md.push('\n');
    }

    fn crate_alone(&self, key: &str) -> Option<&Timed> {
        self.get(key)?.api_build.as_ref()
    }

    fn missing(&self, keys: &[&str]) -> String {
        let reasons: Vec<String> = keys
            .iter()
            .filter_map(|k| self.get(k))
            .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {}", r.key, e.lines().next().unwrap_or(""))))
            .collect();
        if reasons.is_empty() {
            "not run".into()
        } else {
            reasons.join("; ").replace('|', "\\|")
        }
    }

    fn table(&self, md: &mut String) {
        md.push_str(
            "## All figures\n\nWall seconds, median (min–max); CPU seconds (median); ratios against google-compute1 \
             in the same run. *Crate alone*: the API crate rebuilt with its dependencies built. *+ program*: the API \
             crate and the program rebuilt. *Clean program*: everything from an empty target directory, sources \
             already downloaded.\n\n\
             | subject | version | crate alone | CPU | ratio | + program | clean program | CPU | ratio | rlib MB | lines |\n\
             | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        );
        let base_alone = self.crate_alone("google-compute1").map(|t| t.wall.median);
        let base_clean = self.get("google-compute1").and_then(|r| r.clean_build.as_ref()).map(|t| t.wall.median);
        for r in &self.results {
            let wall = |t: &Option<Timed>| t.as_ref().map_or("–".into(), |t| t.wall.short(1));
            let cpu =
                |t: &Option<Timed>| t.as_ref().and_then(|t| t.cpu).map_or("–".into(), |c| format!("{:.1}", c.median));
            let ratio = |t: &Option<Timed>, base: Option<f64>| match (t, base) {
                (Some(t), Some(b)) => format!("{:.2}×", t.wall.median / b),
                _ => "–".into(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.title,
                r.version.as_deref().unwrap_or("–"),
                wall(&r.api_build),
                cpu(&r.api_build),
                ratio(&r.api_build, base_alone),
                wall(&r.api_and_program_build),
                wall(&r.clean_build),
                cpu(&r.clean_build),
                ratio(&r.clean_build, base_clean),
                r.rlib_bytes.map_or("–".into(), |b| format!("{:.0}", b as f64 / 1e6)),
                r.lines.map_or("–".into(), |l| l.to_string()),
            );
        }
        let errors: Vec<String> = self
            .results
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| format!("- {}: {}", r.key, e.replace('\n', "\n  "))))
            .collect();
        if !errors.is_empty() {
            let _ = writeln!(md, "\nNot (fully) measured:\n\n{}", errors.join("\n"));
        }
    }
}
