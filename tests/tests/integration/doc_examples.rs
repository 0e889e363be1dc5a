//! Every call builder of the generated crate and of the fixtures carries a
//! `no_run` example in its docs, and so does every API module's root. The
//! examples themselves compile as doc tests of those crates.

use std::path::{Path, PathBuf};

fn modules() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = Vec::new();
    for parent in ["generated/src/apis", "tests/src/fixtures"] {
        let entries = std::fs::read_dir(root.join(parent)).unwrap_or_else(|e| panic!("{parent}: {e}"));
        dirs.extend(entries.map(|e| e.expect("a directory entry").path()).filter(|p| p.is_dir()));
    }
    dirs.sort();
    dirs
}

/// The doc lines right above each `pub struct ...` with `must_use`, the
/// mark of a call builder.
fn builder_docs(text: &str) -> Vec<(String, Vec<&str>)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.starts_with("pub struct ") || i < 2 || !lines[i - 1].starts_with("#[must_use") {
            continue;
        }
        let mut start = i - 1;
        while start > 0 && (lines[start - 1].starts_with("///") || lines[start - 1].starts_with("#[")) {
            start -= 1;
        }
        out.push((line.to_string(), lines[start..i].to_vec()));
    }
    out
}

#[test]
fn every_call_builder_and_module_root_has_an_example() {
    let mut builders = 0;
    for dir in modules() {
        let resources = std::fs::read_to_string(dir.join("resources.rs")).expect("resources.rs");
        for (item, docs) in builder_docs(&resources) {
            builders += 1;
            assert!(docs.iter().any(|l| l.trim() == "/// ```no_run"), "{}: {item} has no example", dir.display());
            assert!(docs.iter().any(|l| l.contains("let client = api::Client::")), "{}: {item}", dir.display());
        }
        let root = std::fs::read_to_string(dir.join("mod.rs")).expect("mod.rs");
        let has_methods = resources.contains("#[must_use");
        assert_eq!(root.contains("//! ```no_run"), has_methods, "{}: module example", dir.display());
    }
    assert!(builders > 50, "only {builders} call builders found: are the generated files there?");
}
