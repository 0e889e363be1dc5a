//! One insta snapshot per generated file, of exactly the file that `cargo
//! xtask regen` writes and the crates compile: every document in `specs/`
//! (→ `generated/src/apis/`) and every edge-case fixture in
//! `tests/fixtures/` (→ `tests/src/fixtures/`). A change to the generator
//! shows up as a snapshot diff (`cargo insta review`) and as a diff of the
//! committed files (`cargo xtask regen`); the last test here fails if the
//! two copies ever say different things.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The snapshots stay in `tests/tests/snapshots/`, beside this module's
/// directory, where `cargo insta review` has always found them.
const SNAPSHOT_DIR: &str = "../snapshots";

/// A directory of documents and the committed tree `regen` makes of it,
/// generated the way `xtask/src/regen.rs` does (its `TARGETS`); should the
/// two ways part, the committed files stop matching and these tests fail.
struct Target {
    specs: &'static str,
    out: &'static str,
    prefix: &'static str,
    example_path: &'static str,
    module_from_stem: bool,
}

const SPECS: Target = Target {
    specs: "specs",
    out: "generated/src/apis",
    prefix: "spec",
    example_path: "discogen_apis::{module}",
    module_from_stem: false,
};

const FIXTURES: Target = Target {
    specs: "tests/fixtures",
    out: "tests/src/fixtures",
    prefix: "fixture",
    example_path: "discogen_tests::fixtures::{module}",
    module_from_stem: true,
};

fn documents(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join(dir))
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn options(target: &Target, path: &Path) -> discogen::Options {
    let stem = path.file_stem().expect("a file name").to_string_lossy().replace(['-', '.'], "_");
    let options = discogen::Options::new().example_path(target.example_path);
    if target.module_from_stem {
        options.module_name(stem)
    } else {
        options
    }
}

/// A generated file: its snapshot's name and its path in the committed tree.
struct Generated {
    snapshot: String,
    committed: PathBuf,
    contents: String,
    document: String,
}

fn generate_all(target: &Target) -> Vec<Generated> {
    let mut all = Vec::new();
    for path in documents(target.specs) {
        let source = std::fs::read_to_string(&path).expect("readable document");
        let out =
            discogen::generate(&source, &options(target, &path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for file in out.files() {
            all.push(Generated {
                snapshot: format!("{}__{}__{}", target.prefix, out.module_name(), file.path().trim_end_matches(".rs")),
                committed: workspace().join(target.out).join(out.module_name()).join(file.path()),
                contents: file.contents().to_string(),
                document: path.file_name().unwrap().to_string_lossy().into_owned(),
            });
        }
    }
    all
}

fn snapshot_all(target: &Target) -> usize {
    let files = generate_all(target);
    for file in &files {
        insta::with_settings!({ snapshot_path => SNAPSHOT_DIR, prepend_module_to_snapshot => false, omit_expression => true, description => file.document.clone() }, {
            insta::assert_snapshot!(file.snapshot.clone(), file.contents);
        });
    }
    files.len()
}

#[test]
fn every_spec_file_matches_its_snapshot() {
    let n = snapshot_all(&SPECS);
    assert_eq!(n, 3 * documents(SPECS.specs).len(), "three files per spec");
}

#[test]
fn every_fixture_file_matches_its_snapshot() {
    let n = snapshot_all(&FIXTURES);
    assert_eq!(n, 3 * documents(FIXTURES.specs).len(), "three files per fixture");
}

/// The body of an insta snapshot file: what follows its metadata header.
fn snapshot_body(text: &str) -> &str {
    let rest = text.strip_prefix("---\n").expect("a snapshot starts with its header");
    let end = rest.find("\n---\n").expect("the header ends");
    &rest[end + "\n---\n".len()..]
}

#[test]
fn every_snapshot_is_the_committed_file_byte_for_byte() {
    let dir = workspace().join("tests/tests/snapshots");
    let mut expected = BTreeSet::new();
    for file in generate_all(&SPECS).into_iter().chain(generate_all(&FIXTURES)) {
        let committed = std::fs::read_to_string(&file.committed).unwrap_or_else(|e| {
            panic!("{} (from {}): {e}; run `cargo xtask regen`", file.committed.display(), file.document)
        });
        assert!(committed == file.contents, "{} is stale; run `cargo xtask regen`", file.committed.display());
        let snap_path = dir.join(format!("{}.snap", file.snapshot));
        let snap = std::fs::read_to_string(&snap_path).unwrap_or_else(|e| panic!("{}: {e}", snap_path.display()));
        // insta trims the final newline of what it stores.
        assert!(
            snapshot_body(&snap).trim_end() == committed.trim_end(),
            "{} differs from {}",
            snap_path.display(),
            file.committed.display()
        );
        expected.insert(format!("{}.snap", file.snapshot));
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("the snapshot directory")
        .map(|e| e.expect("directory entry").file_name().to_string_lossy().into_owned())
        .collect();
    let orphans: Vec<&String> = on_disk.difference(&expected).collect();
    assert!(orphans.is_empty(), "snapshots no document generates (delete them): {orphans:?}");
}

#[test]
fn generation_is_deterministic() {
    for (target, path) in documents(SPECS.specs)
        .into_iter()
        .map(|p| (&SPECS, p))
        .chain(documents(FIXTURES.specs).into_iter().map(|p| (&FIXTURES, p)))
    {
        let source = std::fs::read_to_string(&path).expect("readable document");
        let a = discogen::generate(&source, &options(target, &path)).expect("generates");
        let b = discogen::generate(&source, &options(target, &path)).expect("generates");
        assert_eq!(a.files(), b.files(), "{} gave different output on a second run", path.display());
    }
}
