//! `cargo xtask bench`: how long a small program takes to compile against
//! our generated clients and against their peers on crates.io
//! (google-vision1, google-cloud-vision-v1, google-compute1,
//! google-cloud-compute-v1), all in one run on one machine.
//!
//! Each subject is a directory of `xtask/bench-programs/`: a `Cargo.toml.in`
//! template, whose `[package.metadata.bench]` says which API crate is
//! measured, how to generate ours (`spec`, `only`, `features`) and which
//! subject the ratios are against (`compare`), and the program's source.
//! The scratch crates go to `target/bench/<subject>/{app,api}`. Downloads happen in an
//! untimed `cargo fetch`; timed builds run `--offline`, in the debug profile
//! with `CARGO_INCREMENTAL=0` (a path dependency would otherwise be built
//! incrementally and a registry one not).
//!
//! Per subject: clean builds of the whole program (a fresh target directory
//! each), then, with the dependencies built, the API crate alone (`cargo
//! clean -p` and `cargo build -p`). The figures go to a JSON file, and a
//! table of them replaces the part of BENCHMARKS.md between its markers.
//! Nothing here judges them: the targets are a table in BENCHMARKS.md.
//! Wall time only: the machine is shared, so compare ratios within one run.

use crate::output::workspace_root;
use anyhow::anyhow;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const BEGIN: &str = "<!-- cargo xtask bench: results begin -->";
const END: &str = "<!-- cargo xtask bench: results end -->";

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Only these subjects (directories of xtask/bench-programs); default all.
    #[arg(long, value_delimiter = ',')]
    subjects: Option<Vec<String>>,
    /// Clean builds of each program (median reported).
    #[arg(long, default_value_t = 1)]
    clean_reps: usize,
    /// Builds of each API crate alone, dependencies built (median reported).
    #[arg(long, default_value_t = 3)]
    api_reps: usize,
    /// Directory of the discovery documents our crates are generated from.
    #[arg(long, default_value = "../shared/discovery")]
    corpus: PathBuf,
    /// Where the figures go, as JSON.
    #[arg(long, default_value = "target/bench/compile.json")]
    json: PathBuf,
    /// The Markdown file whose results section is rewritten.
    #[arg(long, default_value = "BENCHMARKS.md")]
    report: PathBuf,
    /// Keep the scratch target directories (several GB for compute).
    #[arg(long)]
    keep: bool,
}

/// What `[package.metadata.bench]` of a template says.
#[derive(serde::Deserialize)]
struct Meta {
    api: String,
    spec: Option<String>,
    only: Option<Vec<String>>,
    features: Option<Vec<String>>,
    compare: Option<String>,
}

/// One subject's figures, as the JSON holds them.
#[derive(serde::Serialize)]
struct Measured {
    subject: String,
    api: String,
    version: Option<String>,
    compare: Option<String>,
    clean_build_s: Vec<f64>,
    units: Option<usize>,
    api_alone_s: Vec<f64>,
    error: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = workspace_root();
    let programs = root.join("xtask/bench-programs");
    let at_root = |p: &Path| if p.is_absolute() { p.to_path_buf() } else { root.join(p) };
    let corpus = at_root(&args.corpus);
    let mut subjects = Vec::new();
    for entry in fs::read_dir(&programs)? {
        // A subject is a template with bench metadata (the media program's
        // has none: `bench-media` builds it).
        let dir = entry?.path();
        let template = fs::read_to_string(dir.join("Cargo.toml.in")).unwrap_or_default();
        if template.contains("[package.metadata.bench]") {
            subjects.push(dir.file_name().unwrap_or_default().to_string_lossy().into_owned());
        }
    }
    subjects.sort();
    if let Some(asked) = &args.subjects {
        if let Some(unknown) = asked.iter().find(|a| !subjects.contains(a)) {
            return Err(anyhow!("no subject `{unknown}`; there are: {}", subjects.join(", ")));
        }
        subjects.retain(|s| asked.contains(s));
    }
    let started = Instant::now();
    let mut results = Vec::new();
    for subject in &subjects {
        eprintln!("bench: {subject}");
        let dir = root.join("target/bench").join(subject);
        let result = measure(&args, subject, &programs, &corpus, &dir);
        if !args.keep {
            let _ = fs::remove_dir_all(dir.join("target"));
        }
        match result {
            Ok(m) => results.push(m),
            Err(e) => {
                eprintln!("bench: {subject} failed: {e:#}");
                results.push(Measured {
                    subject: subject.clone(),
                    api: String::new(),
                    version: None,
                    compare: None,
                    clean_build_s: Vec::new(),
                    units: None,
                    api_alone_s: Vec::new(),
                    error: Some(format!("{e:#}")),
                })
            }
        }
    }
    let mut commit = git(&root, &["log", "-1", "--format=%h"]).unwrap_or_default();
    if git(&root, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty()) {
        commit.push_str(" with uncommitted changes");
    }
    let rustc = Command::new("rustc").arg("--version").output().ok();
    let rustc = rustc.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let when = git(&root, &["log", "-1", "--format=%cs"]).unwrap_or_default();
    let doc = json!({
        "commit": commit, "commit_date": when, "rustc": rustc, "cores": cores,
        "minutes": started.elapsed().as_secs_f64() / 60.0, "subjects": results,
    });
    let json_path = at_root(&args.json);
    if let Some(parent) = json_path.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::write(&json_path, serde_json::to_string_pretty(&doc)? + "\n")?;
    let report = at_root(&args.report);
    let text = fs::read_to_string(&report).unwrap_or_else(|_| format!("{BEGIN}\n{END}\n"));
    let (Some(a), Some(b)) = (text.find(BEGIN), text.find(END)) else {
        return Err(anyhow!("{}: no `{BEGIN}` … `{END}` markers to write between", report.display()));
    };
    let section = table(&doc, &results, &args.json);
    fs::write(&report, format!("{}{BEGIN}\n{section}{}", &text[..a], &text[b..]))?;
    eprintln!("bench: wrote {} and the results in {}", json_path.display(), report.display());
    let failed: Vec<&str> = results.iter().filter(|m| m.error.is_some()).map(|m| m.subject.as_str()).collect();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(anyhow!("bench: not measured: {}", failed.join(", ")))
    }
}

/// Writes the scratch crate of one subject, then times its builds.
fn measure(args: &Args, subject: &str, programs: &Path, corpus: &Path, dir: &Path) -> anyhow::Result<Measured> {
    let template = fs::read_to_string(programs.join(subject).join("Cargo.toml.in"))?;
    let meta = metadata(subject, &template)?;
    // The program and the generated crate side by side, each a workspace
    // of its own.
    let (app, api_dir) = (dir.join("app"), dir.join("api"));
    fs::create_dir_all(&app)?;
    if let Some(spec) = &meta.spec {
        let spec = corpus.join(spec);
        if !spec.is_file() {
            return Err(anyhow!("{} is missing (../shared beside the checkout)", spec.display()));
        }
        crate::gen::run(crate::gen::Args {
            spec,
            out: api_dir.clone(),
            crate_name: Some(meta.api.clone()),
            only: meta.only.clone(),
            force: true,
            runtime_version: None,
            standalone: true,
            resource_features: meta.features.is_some(),
            default_features: meta.features.clone(),
        })?;
        // The versions the runtime's own tests ran with.
        fs::copy(workspace_root().join("Cargo.lock"), app.join("Cargo.lock"))?;
    } else {
        // A registry crate resolves afresh, as a new user gets it.
        let _ = fs::remove_file(app.join("Cargo.lock"));
    }
    let slash = |p: &Path| p.display().to_string().replace('\\', "/");
    let manifest = template.replace("{programs}", &slash(programs)).replace("{api}", &slash(&api_dir));
    fs::write(app.join("Cargo.toml"), manifest)?;
    let target = dir.join("target");
    cargo(&app, &target, &["fetch"])?;

    let mut clean_build_s = Vec::new();
    let mut units = None;
    for rep in 1..=args.clean_reps.max(1) {
        eprintln!("bench: {subject}: clean build {rep}/{}", args.clean_reps.max(1));
        let _ = fs::remove_dir_all(&target);
        let t0 = Instant::now();
        let out = cargo(&app, &target, &["build", "--offline", "--message-format=json"])?;
        clean_build_s.push(t0.elapsed().as_secs_f64());
        units = Some(out.lines().filter(|l| l.contains(r#""reason":"compiler-artifact""#)).count());
    }
    let mut api_alone_s = Vec::new();
    for rep in 1..=args.api_reps {
        eprintln!("bench: {subject}: {} alone {rep}/{}", meta.api, args.api_reps);
        cargo(&app, &target, &["clean", "--offline", "-p", &meta.api])?;
        let t0 = Instant::now();
        cargo(&app, &target, &["build", "--offline", "-p", &meta.api])?;
        api_alone_s.push(t0.elapsed().as_secs_f64());
    }
    Ok(Measured {
        subject: subject.to_string(),
        version: locked_version(&app.join("Cargo.lock"), &meta.api),
        api: meta.api,
        compare: meta.compare,
        clean_build_s,
        units,
        api_alone_s,
        error: None,
    })
}

/// The `[package.metadata.bench]` of a subject's template.
fn metadata(subject: &str, template: &str) -> anyhow::Result<Meta> {
    let parsed: toml::Table = toml::from_str(template).map_err(|e| anyhow!("{subject}: {e}"))?;
    parsed
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("bench"))
        .cloned()
        .ok_or_else(|| anyhow!("{subject}: no [package.metadata.bench]"))?
        .try_into()
        .map_err(|e| anyhow!("{subject}: [package.metadata.bench]: {e}"))
}

/// The Markdown between the markers: when and where, then one row a subject.
fn table(doc: &Value, results: &[Measured], json: &Path) -> String {
    let median = |v: &[f64]| -> Option<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        (!v.is_empty()).then(|| v[v.len() / 2])
    };
    let by_name = |name: &Option<String>| name.as_ref().and_then(|n| results.iter().find(|m| &m.subject == n));
    let ratio = |ours: Option<f64>, theirs: Option<f64>| match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "—".to_string(),
    };
    let secs = |s: Option<f64>| s.map_or("—".to_string(), |s| format!("{s:.1}"));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nWritten by `cargo xtask bench` at {} ({}), {}, {} cores, {:.0} min; figures in `{}`. Seconds, median; \
         *alone*: the API crate rebuilt with its dependencies built; ratios against the subject named.\n",
        doc["commit"].as_str().unwrap_or("?"),
        doc["commit_date"].as_str().unwrap_or("?"),
        doc["rustc"].as_str().unwrap_or("?"),
        doc["cores"],
        doc["minutes"].as_f64().unwrap_or(0.0),
        json.display()
    );
    out.push_str("| subject | API crate | clean build | units | alone | against | clean | alone |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: |\n");
    for m in results {
        if let Some(e) = &m.error {
            let first = e.lines().next().unwrap_or_default();
            let _ = writeln!(out, "| {} | not measured: {first} | | | | | | |", m.subject);
            continue;
        }
        let peer = by_name(&m.compare);
        let (clean, alone) = (median(&m.clean_build_s), median(&m.api_alone_s));
        let _ = writeln!(
            out,
            "| {} | `{}` {} | {} | {} | {} | {} | {} | {} |",
            m.subject,
            m.api,
            m.version.as_deref().unwrap_or(""),
            secs(clean),
            m.units.map_or(String::new(), |u| u.to_string()),
            secs(alone),
            m.compare.as_deref().unwrap_or(""),
            ratio(clean, peer.and_then(|p| median(&p.clean_build_s))),
            ratio(alone, peer.and_then(|p| median(&p.api_alone_s))),
        );
    }
    out
}

/// The version `Cargo.lock` holds for `package`.
fn locked_version(lock: &Path, package: &str) -> Option<String> {
    let lock: toml::Table = toml::from_str(&fs::read_to_string(lock).ok()?).ok()?;
    let found = lock
        .get("package")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(toml::Value::as_str) == Some(package))?;
    Some(found.get("version")?.as_str()?.to_string())
}

/// Runs cargo in `dir`, returning its stdout, or its last lines of stderr
/// as the error.
fn cargo(dir: &Path, target: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(dir)
        .args(args)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .map_err(|e| anyhow!("cannot run cargo: {e}"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(anyhow!("`cargo {}` failed:\n{}", args.join(" "), lines[lines.len().saturating_sub(12)..].join("\n")))
}

fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").current_dir(root).args(args).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The templates are data that only a long `cargo xtask bench` run would
    /// read otherwise: each must parse, point at a program that exists, and
    /// compare against a subject that exists.
    #[test]
    fn every_template_names_its_program_and_a_known_peer() {
        let programs = workspace_root().join("xtask/bench-programs");
        let mut subjects = Vec::new();
        for entry in fs::read_dir(&programs).expect("xtask/bench-programs") {
            let dir = entry.expect("entry").path();
            let template = fs::read_to_string(dir.join("Cargo.toml.in")).unwrap_or_default();
            if template.contains("[package.metadata.bench]") {
                let name = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
                let meta = metadata(&name, &template).unwrap_or_else(|e| panic!("{e:#}"));
                let manifest: toml::Table = toml::from_str(&template).expect("parses");
                let bin = manifest["bin"][0]["path"].as_str().expect("a [[bin]] path");
                let main = PathBuf::from(bin.replace("{programs}", &programs.display().to_string()));
                assert!(main.is_file(), "{name}: {} is missing", main.display());
                // A generated crate is the `api` dependency, at `{api}`.
                let path = manifest["dependencies"].get("api").and_then(|d| d.get("path")).and_then(|p| p.as_str());
                assert_eq!(meta.spec.is_some(), path == Some("{api}"), "{name}: spec and the api dependency disagree");
                subjects.push((name, meta));
            }
        }
        assert!(subjects.len() >= 4, "found {} subjects", subjects.len());
        for (name, meta) in &subjects {
            if let Some(peer) = &meta.compare {
                assert!(subjects.iter().any(|(n, _)| n == peer), "{name} compares against unknown `{peer}`");
            }
        }
    }
}
