//! `gen` writes a crate that joins the workspace around `--out`, or stands
//! alone outside any workspace; both build.

use super::{gen, scratch, xtask, GOOD};
use std::path::Path;
use std::process::Output;

/// `cargo check` in `dir`, in the scratch target directory every nested
/// build of the tests shares, pinned to the main workspace's lock file.
fn cargo_check(dir: &Path) -> Output {
    discogen_test_support::cargo_in(dir, &["check", "--quiet"])
}

#[test]
#[ignore = "nested cargo build; .ci/run runs it"]
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
#[ignore = "nested cargo build; .ci/run runs it"]
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
fn standalone_keeps_a_crate_inside_a_workspace_out_of_it() {
    let dir = scratch("standalone");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("Cargo.toml"), "[workspace]\nresolver = \"2\"\nmembers = []\n").unwrap();

    let out_dir = ws.join("scratch/tiny");
    let out =
        xtask(&["gen", "--spec", spec.to_str().unwrap(), "--out", out_dir.to_str().unwrap(), "--standalone"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("members"), "nothing to add to the enclosing workspace: {stderr}");
    let manifest = std::fs::read_to_string(ws.join("scratch/tiny/Cargo.toml")).unwrap();
    assert!(manifest.contains("\n[workspace]\n"), "its own workspace:\n{manifest}");
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
