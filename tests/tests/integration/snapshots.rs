//! One insta snapshot per generated file: every document in `specs/` and
//! every edge-case fixture in `tests/fixtures/`. A change to the generator
//! shows up here as a snapshot diff; review it with `cargo insta review`.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The snapshots stay in `tests/tests/snapshots/`, beside this module's
/// directory, where `cargo insta review` has always found them.
const SNAPSHOT_DIR: &str = "../snapshots";

fn documents(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join(dir))
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn snapshot_all(dir: &str, prefix: &str) -> usize {
    let mut count = 0;
    for path in documents(dir) {
        let source = std::fs::read_to_string(&path).expect("readable document");
        let out = discogen::generate(&source, &discogen::Options::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for file in &out.files {
            let name = format!("{prefix}__{}__{}", out.module_name, file.path.trim_end_matches(".rs"));
            insta::with_settings!({ snapshot_path => SNAPSHOT_DIR, prepend_module_to_snapshot => false, omit_expression => true, description => path.file_name().unwrap().to_string_lossy() }, {
                insta::assert_snapshot!(name, file.contents);
            });
            count += 1;
        }
    }
    count
}

#[test]
fn every_spec_file_matches_its_snapshot() {
    let n = snapshot_all("specs", "spec");
    assert_eq!(n, 9, "three specs with three files each");
}

#[test]
fn every_fixture_file_matches_its_snapshot() {
    let n = snapshot_all("tests/fixtures", "fixture");
    assert!(n >= 3, "fixtures were found ({n} files)");
}

#[test]
fn generation_is_deterministic() {
    for path in documents("specs").into_iter().chain(documents("tests/fixtures")) {
        let source = std::fs::read_to_string(&path).expect("readable document");
        let a = discogen::generate(&source, &discogen::Options::default()).expect("generates");
        let b = discogen::generate(&source, &discogen::Options::default()).expect("generates");
        assert_eq!(a.files, b.files, "{} gave different output on a second run", path.display());
    }
}
