//! The command line against broken documents and interrupted writes: exit
//! code 1 with the file and the place of the problem, never a panic (101),
//! and the previous output left whole.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("discogen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("xtask runs")
}

fn gen(spec: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    xtask(&["gen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()], env)
}

const GOOD: &str = r#"{
  "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "tiny:v1", "name": "tiny", "version": "v1",
  "title": "Tiny", "rootUrl": "https://tiny.example.com/", "servicePath": "", "protocol": "rest",
  "schemas": {"Thing": {"id": "Thing", "type": "object", "properties": {"name": {"type": "string"}}}},
  "resources": {"things": {"methods": {"get": {"id": "tiny.things.get", "path": "v1/{+name}", "httpMethod": "GET",
    "parameters": {"name": {"type": "string", "location": "path", "required": true}}, "parameterOrder": ["name"],
    "response": {"$ref": "Thing"}}}}}
}"#;

/// Each broken document with the text its error must contain.
fn broken() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("truncated", GOOD[..GOOD.len() / 2].to_string(), ":"),
        ("syntax", "{\n  \"name\": \"x\",\n  oops\n}".to_string(), "3:3"),
        ("wrong-type", GOOD.replace(r#""parameterOrder": ["name"]"#, r#""parameterOrder": "name""#), "invalid type"),
        (
            "missing-ref",
            GOOD.replace(r#""$ref": "Thing""#, r#""$ref": "Nothing""#),
            "resources.things.methods.get.response.$ref",
        ),
        (
            "missing-property-ref",
            GOOD.replace(r#""name": {"type": "string"}"#, r#""name": {"$ref": "Gone"}"#),
            "schemas.Thing.properties.name.$ref",
        ),
        ("self-only", GOOD.replace(r#""Thing": {"id""#, r#""Loop": {"$ref": "Loop"}, "Thing": {"id""#), "schemas.Loop"),
        ("unclosed-brace", GOOD.replace("v1/{+name}", "v1/{+name"), "unclosed"),
        ("unknown-placeholder", GOOD.replace("v1/{+name}", "v1/{+other}"), "placeholder"),
        (
            "bad-parameter-order",
            GOOD.replace(r#""parameterOrder": ["name"]"#, r#""parameterOrder": ["nope"]"#),
            "parameterOrder",
        ),
        (
            "deep-nesting",
            format!(
                r#"{{"name": "x", "version": "v1", "rootUrl": "https://x.example.com/", "schemas": {{"A": {}{{}}{}}}}}"#,
                r#"{"properties": {"p": "#.repeat(10_000),
                "}}".repeat(10_000)
            ),
            "recursion limit",
        ),
    ]
}

#[test]
fn broken_documents_exit_1_with_a_location() {
    let dir = scratch("broken");
    for (label, text, expected) in broken() {
        let spec = dir.join(format!("{label}.json"));
        std::fs::write(&spec, text).unwrap();
        let out = gen(&spec, &dir.join(format!("out-{label}")), &[]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{label}: exit code, stderr: {stderr}");
        assert!(stderr.contains(&format!("{label}.json")), "{label}: the message names the file: {stderr}");
        assert!(stderr.contains(expected), "{label}: expected `{expected}` in: {stderr}");
        assert!(!stderr.contains("panicked"), "{label}: {stderr}");
        assert!(!dir.join(format!("out-{label}")).exists(), "{label}: nothing is written for a broken document");
    }
}

#[test]
fn duplicate_method_ids_are_refused() {
    let dir = scratch("dup");
    let text = GOOD.replace(
        r#""response": {"$ref": "Thing"}}}}}"#,
        r#""response": {"$ref": "Thing"}}, "list": {"id": "tiny.things.get", "path": "v1/things", "httpMethod": "GET"}}}}"#,
    );
    let spec = dir.join("dup.json");
    std::fs::write(&spec, text).unwrap();
    let out = gen(&spec, &dir.join("out"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("used twice"), "{stderr}");
}

#[test]
fn an_interrupted_write_leaves_the_previous_output_whole() {
    let dir = scratch("atomic");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let out_dir = dir.join("out");
    let first = gen(&spec, &out_dir, &[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let before = std::fs::read_to_string(out_dir.join("src/tiny_v1/model.rs")).unwrap();

    // A changed document, but the write fails halfway.
    std::fs::write(&spec, GOOD.replace("\"name\": {\"type\": \"string\"}", "\"label\": {\"type\": \"string\"}"))
        .unwrap();
    for point in ["before-write", "mid-write"] {
        let failed = gen(&spec, &out_dir, &[("DISCOGEN_FAIL_AT", point)]);
        assert_eq!(failed.status.code(), Some(1), "{point}: {}", String::from_utf8_lossy(&failed.stderr));
        let after = std::fs::read_to_string(out_dir.join("src/tiny_v1/model.rs")).unwrap();
        assert_eq!(before, after, "{point}: the previous output changed");
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(".out"))
            .collect();
        assert!(leftovers.is_empty(), "{point}: staging directories were left behind");
    }

    // Without the fault the new output replaces the old one.
    let ok = gen(&spec, &out_dir, &[]);
    assert!(ok.status.success());
    let after = std::fs::read_to_string(out_dir.join("src/tiny_v1/model.rs")).unwrap();
    assert!(after.contains("pub label"), "the new output is in place");
}

#[test]
fn gen_refuses_a_foreign_non_empty_directory() {
    let dir = scratch("foreign");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let out_dir = dir.join("mine");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("precious.txt"), "keep me").unwrap();
    let out = gen(&spec, &out_dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(out_dir.join("precious.txt")).unwrap(), "keep me");
}

/// Where the crates written by `gen` in these tests are checked: one
/// directory for all of them, the one `corpus --compile` uses, so that the
/// runtime is built once (same profile, same flags) for every such build.
fn shared_build_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/corpus/target")
}

/// `cargo check` in `dir`, offline and pinned to the main workspace's
/// lock file so that the runtime's dependencies come from the local cache.
fn cargo_check(dir: &Path) -> Output {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).expect("copy Cargo.lock");
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["check", "--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_build_dir())
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn a_crate_generated_inside_a_workspace_joins_it_as_a_member() {
    let dir = scratch("member");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let workspace_manifest = |members: &str| format!("[workspace]\nresolver = \"2\"\nmembers = [{members}]\n");
    std::fs::write(ws.join("Cargo.toml"), workspace_manifest("")).unwrap();

    let out = gen(&spec, &ws.join("apis/tiny"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("\"apis/tiny\""), "gen says what to add to `members`: {stderr}");
    let manifest = std::fs::read_to_string(ws.join("apis/tiny/Cargo.toml")).unwrap();
    assert!(!manifest.contains("[workspace]"), "a member declares no workspace of its own:\n{manifest}");
    assert!(manifest.contains("discogen-runtime = { path = \"../../"), "the runtime by a relative path:\n{manifest}");

    // Added as the message says, the crate builds within the workspace.
    std::fs::write(ws.join("Cargo.toml"), workspace_manifest("\"apis/tiny\"")).unwrap();
    let check = cargo_check(&ws);
    assert!(check.status.success(), "cargo check in the workspace: {}", String::from_utf8_lossy(&check.stderr));

    // Once listed, regenerating says so instead of asking again.
    let again = xtask(
        &["gen", "--spec", spec.to_str().unwrap(), "--out", ws.join("apis/tiny").to_str().unwrap(), "--force"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(stderr.contains("already listed"), "{stderr}");
}

#[test]
fn a_crate_generated_outside_any_workspace_stands_alone() {
    let dir = scratch("alone");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let crate_dir = dir.join("tiny");
    let out = gen(&spec, &crate_dir, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("members"), "no workspace to join: {stderr}");
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("\n[workspace]\n"), "a standalone crate is its own workspace:\n{manifest}");
    let runtime_path = manifest.lines().find(|l| l.starts_with("discogen-runtime")).unwrap_or_default();
    assert!(runtime_path.contains("path = \"../"), "relative, not absolute: {runtime_path}");
    let check = cargo_check(&crate_dir);
    assert!(check.status.success(), "cargo check: {}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn runtime_version_replaces_the_path_dependency() {
    let dir = scratch("version");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let crate_dir = dir.join("tiny");
    let args = ["gen", "--spec", spec.to_str().unwrap(), "--out", crate_dir.to_str().unwrap(), "--runtime-version"];
    let out = xtask(&[&args[..], &["0.1"]].concat(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("discogen-runtime = \"0.1\"\n"), "{manifest}");

    let bad = xtask(&[&args[..], &["0.1\"\n[patch]"]].concat(), &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a version requirement"));
}
