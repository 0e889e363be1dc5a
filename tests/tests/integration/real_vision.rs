//! The generator on the real Vision v1 document (read from
//! `../shared/discovery`) against our own
//! `specs/vision.v1.json`: the `Operation`/`Status` types and, with `--only`
//! on the four `operations.get` methods, the whole surface must be the same
//! code apart from the doc comments.

use std::path::{Path, PathBuf};

const GETS: [&str; 4] = [
    "vision.projects.operations.get",
    "vision.operations.get",
    "vision.locations.operations.get",
    "vision.projects.locations.operations.get",
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tests are ignored by a plain `cargo test`, since their input is not
/// part of a clone (`cargo test` lists them as ignored). `.ci/run` runs them
/// with `--ignored`, and there a missing document fails them.
fn real_vision() -> String {
    let path = workspace().join("../shared/discovery/vision.v1.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is needed by this test: {e}", path.display()))
}

fn generate(source: &str, only: Option<&[&str]>) -> discogen::Output {
    let options = match only {
        Some(ids) => discogen::Options::new().only(ids.iter().copied()),
        None => discogen::Options::new(),
    };
    discogen::generate(source, &options).expect("the document generates")
}

/// The code without comments, so that differently worded descriptions do
/// not count as differences.
fn code_only(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.starts_with("//") && !l.is_empty()).map(str::to_string).collect()
}

fn file<'a>(out: &'a discogen::Output, name: &str) -> &'a str {
    out.file(name).expect("file is generated").contents()
}

/// The lines of one item (`pub struct Name` up to the next top-level item).
fn item(code: &[String], start: &str) -> Vec<String> {
    let begin = code.iter().position(|l| l.starts_with(start)).unwrap_or_else(|| panic!("`{start}` is generated"));
    let end = code[begin + 1..]
        .iter()
        .position(|l| l.starts_with("#[derive") || l.starts_with("pub "))
        .map_or(code.len(), |i| begin + 1 + i);
    code[begin..end].to_vec()
}

#[test]
#[ignore = "needs ../shared/discovery/vision.v1.json; .ci/run runs it"]
fn operation_and_status_match_the_spec() {
    let real = real_vision();
    let spec = std::fs::read_to_string(workspace().join("specs/vision.v1.json")).expect("spec");
    let full = generate(&real, None);
    let ours = generate(&spec, None);
    let full_model = code_only(file(&full, "model.rs"));
    let our_model = code_only(file(&ours, "model.rs"));
    for ty in ["pub type Operation = __rt::lro::Operation;", "pub type Status = __rt::rpc::Status;"] {
        assert_eq!(item(&full_model, ty), item(&our_model, ty), "{ty} differs between the real document and the spec");
    }
}

#[test]
#[ignore = "needs ../shared/discovery/vision.v1.json; .ci/run runs it"]
fn only_the_operation_gets_gives_the_spec_surface() {
    let real = real_vision();
    let spec = std::fs::read_to_string(workspace().join("specs/vision.v1.json")).expect("spec");
    let only = generate(&real, Some(&GETS));
    let ours = generate(&spec, None);
    assert_eq!(only.stats().methods, 4);
    for name in ["mod.rs", "model.rs", "resources.rs"] {
        assert_eq!(code_only(file(&only, name)), code_only(file(&ours, name)), "{name} differs");
    }
}

#[test]
#[ignore = "needs ../shared/discovery/vision.v1.json; .ci/run runs it"]
fn only_refuses_unknown_method_ids() {
    let real = real_vision();
    let options = discogen::Options::new().only(["vision.nothing.get"]);
    let err = discogen::generate(&real, &options).unwrap_err();
    assert!(err.to_string().contains("vision.nothing.get"), "{err}");
}

/// Shared enums are named by the rule of `resolve/enum_names.rs`: the
/// likelihood scale is `Likelihood`, and no field of a v1 type shows a
/// type named after a `V1p1beta1` copy of it.
#[test]
#[ignore = "needs ../shared/discovery/vision.v1.json; .ci/run runs it"]
fn shared_enums_are_named_by_the_rule() {
    let full = generate(&real_vision(), None);
    let model = file(&full, "model.rs");
    let enums: Vec<&str> =
        model.lines().filter_map(|l| l.strip_prefix("pub enum ")).map(|l| l.trim_end_matches(" {")).collect();
    assert!(enums.contains(&"Likelihood"), "{enums:?}");
    assert!(enums.iter().all(|e| !e.contains("V1p")), "{enums:?}");
    assert!(model.contains("pub type FaceAnnotationAngerLikelihood = Likelihood;"), "each field keeps its alias");

    let mut owner = "";
    let mut checked = 0;
    for line in model.lines() {
        if let Some(name) = line.strip_prefix("pub struct ") {
            owner = name.trim_end_matches(" {");
        } else if line.starts_with('}') {
            owner = "";
        } else if !owner.is_empty()
            && !owner.starts_with("GoogleCloudVisionV1p")
            && line.trim_start().starts_with("pub ")
        {
            checked += 1;
            assert!(!line.contains("V1p"), "a field of the v1 type `{owner}` names a versioned type: {line}");
        }
    }
    assert!(checked > 300, "only {checked} fields of v1 types were found");
    // What rustdoc shows for a field's alias is the enum it names.
    for alias in model.lines().filter_map(|l| l.strip_prefix("pub type ")) {
        if !alias.starts_with("GoogleCloudVisionV1p") {
            assert!(!alias.contains("V1p"), "a v1 alias names a versioned type: {alias}");
        }
    }
}
