//! Runtime costs of the generated code: decoding an `Operation` and building
//! a request.
//!
//! The measurement runs in a scratch crate (`target/bench/runtime/`) that
//! depends on `discogen-apis`, so that xtask itself does not have to depend
//! on the runtime and its HTTP stack. xtask builds it in release mode, runs
//! it and reads its `RESULT` lines.

use super::stats::Summary;
use crate::output::workspace_root;
use crate::Failure;
use std::fs;
use std::process::Command;

const PROBE: &str = include_str!("runtime_probe.rs");

/// One measurement, in nanoseconds per call.
pub struct Measurement {
    pub name: String,
    pub ns: Summary,
    pub calls: u64,
}

pub struct RuntimeBench {
    pub body_bytes: usize,
    pub results: Vec<Measurement>,
}

impl RuntimeBench {
    pub fn get(&self, name: &str) -> Option<&Measurement> {
        self.results.iter().find(|m| m.name == name)
    }
}

pub fn run(samples: usize) -> Result<RuntimeBench, Failure> {
    let root = workspace_root();
    let dir = root.join("target/bench/runtime");
    fs::create_dir_all(dir.join("src"))?;
    let generated = root.join("generated").canonicalize()?;
    fs::write(
        dir.join("Cargo.toml"),
        format!(
            "# Scratch program written by `cargo xtask bench`.\n[package]\nname = \"bench-runtime\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\ndiscogen-apis = {{ path = \"{}\" }}\nserde_json = \"1\"\n\n[workspace]\n",
            generated.display().to_string().replace('\\', "/")
        ),
    )?;
    fs::write(dir.join("src/main.rs"), PROBE)?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    eprintln!("bench: building the runtime probe (release)");
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .current_dir(&dir)
        .args(["run", "--release", "--quiet", "--", &samples.to_string()])
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().collect();
        return Err(Failure(format!("runtime probe failed:\n{}", tail[tail.len().saturating_sub(15)..].join("\n"))));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut bench = RuntimeBench { body_bytes: 0, results: Vec::new() };
    for line in stdout.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["INFO", "bytes", n] => bench.body_bytes = n.parse().unwrap_or(0),
            ["RESULT", name, median, p10, p90, min, max, calls] => {
                let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
                bench.results.push(Measurement {
                    name: name.to_string(),
                    ns: Summary {
                        n: samples,
                        median: num(median),
                        min: num(min),
                        max: num(max),
                        p10: num(p10),
                        p90: num(p90),
                    },
                    calls: calls.parse().unwrap_or(0),
                });
            }
            _ => {}
        }
    }
    if bench.results.is_empty() {
        return Err(Failure(format!("runtime probe printed no results:\n{stdout}")));
    }
    Ok(bench)
}
