//! `--resource-features` and `other-versions` on
//! `tests/fixtures/resource-features.json`: which feature gates which item,
//! and that the crate builds without warnings with no features, with each
//! feature alone and with all of them.

use std::path::{Path, PathBuf};

const FEATURES: [&str; 4] = ["gardens", "sheds", "tools", "other-versions"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().expect("the workspace root")
}

fn generate() -> discogen::Output {
    generate_with(true)
}

fn generate_with(resource_features: bool) -> discogen::Output {
    let source = std::fs::read_to_string(workspace().join("tests/fixtures/resource-features.json"))
        .expect("the fixture is part of the repository");
    let options = discogen::Options::new()
        .module_name("yard")
        .resource_features(resource_features)
        .other_versions(true)
        .regen_command("cargo test -p discogen-tests --test integration resource_features");
    discogen::generate(&source, &options).expect("the fixture generates")
}

fn file<'a>(out: &'a discogen::Output, name: &str) -> &'a str {
    out.file(name).expect("file is generated").contents()
}

/// The attribute line right above the first line that starts with `start`,
/// with the doc comments and other attributes between them skipped.
fn gate_of<'a>(text: &'a str, start: &str) -> &'a str {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("`{start}` is generated"));
    let above = lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.starts_with("///") && !l.starts_with("#[") || l.starts_with("#[cfg"));
    match above {
        Some(l) if l.starts_with("#[cfg") => l,
        _ => "",
    }
}

#[test]
fn each_item_is_gated_on_the_features_that_reach_it() {
    let out = generate();
    assert_eq!(out.features(), FEATURES);
    assert_eq!(out.default_features(), &FEATURES[..3], "other-versions is off unless asked for");
    let model = file(&out, "model.rs");
    let any_two = r#"#[cfg(any(feature = "gardens", feature = "sheds"))]"#;
    assert_eq!(gate_of(model, "pub struct Plant "), any_two, "shared by two features");
    assert_eq!(gate_of(model, "pub enum PlantSeason "), any_two, "an enum follows its struct");
    assert_eq!(gate_of(model, "pub type Operation "), any_two, "both LRO resources reach it");
    assert_eq!(gate_of(model, "pub type Status "), any_two, "named by Operation::result()");
    assert_eq!(gate_of(model, "pub struct Garden "), r#"#[cfg(feature = "gardens")]"#);
    assert_eq!(gate_of(model, "pub struct ShedList "), r#"#[cfg(feature = "sheds")]"#);
    assert_eq!(
        gate_of(model, "pub struct Tool "),
        r#"#[cfg(any(feature = "tools", feature = "other-versions"))]"#,
        "a sibling version's schema names it"
    );
    let sibling = r#"#[cfg(feature = "other-versions")]"#;
    assert_eq!(gate_of(model, "pub struct YardV1beta1Inventory "), sibling);
    assert_eq!(gate_of(model, "pub struct Soil "), sibling, "only the sibling's schema uses it");
    assert_eq!(gate_of(model, "pub struct LegacyV1beta1Note "), "", "another API's version: always there");
    assert_eq!(gate_of(model, "pub struct Pong "), "", "a top-level method's type is always there");
    assert_eq!(gate_of(model, "pub struct Leftover "), "", "a type no method reaches is always there");
    // The serde impls are laid out as text; they carry the gate too.
    assert!(model.contains(&format!("{any_two}\n__rt::object! {{\n    Plant(")), "{model}");

    let resources = file(&out, "resources.rs");
    assert_eq!(gate_of(resources, "pub struct GardensOperationsResource"), r#"#[cfg(feature = "gardens")]"#);
    assert_eq!(gate_of(resources, "pub struct ShedsListCall"), r#"#[cfg(feature = "sheds")]"#);
    assert_eq!(gate_of(resources, "pub struct PingCall"), "", "a top-level method has no feature");

    let root = file(&out, "mod.rs");
    assert_eq!(gate_of(root, "pub fn tools("), r#"#[cfg(feature = "tools")]"#);
    assert!(
        root.contains(&format!(
            "{any_two}\n    #[allow(clippy::needless_return)]\n    #[inline]\n    pub async fn get_operation"
        )),
        "{root}"
    );
}

/// Without resource features, `other-versions` is the crate's one feature,
/// and everything a method reaches is always there.
#[test]
fn sibling_versions_are_gated_without_resource_features_too() {
    let out = generate_with(false);
    assert_eq!(out.features(), ["other-versions"]);
    assert!(out.default_features().is_empty());
    let model = file(&out, "model.rs");
    let sibling = r#"#[cfg(feature = "other-versions")]"#;
    assert_eq!(gate_of(model, "pub struct YardV1beta1Inventory "), sibling);
    assert_eq!(gate_of(model, "pub struct Soil "), sibling);
    assert_eq!(gate_of(model, "pub struct Tool "), "", "a method reaches it");
    assert_eq!(gate_of(model, "pub struct Leftover "), "");
    assert!(
        model.contains("belongs to version `v1beta1` of the API")
            && model.contains("just the schemas of other versions of the API use this type"),
        "the gated types say why: {model}"
    );
    assert_eq!(gate_of(file(&out, "resources.rs"), "pub struct ToolsGetCall"), "", "no resource features");
}

/// Writes the crate once and checks each combination in the shared scratch
/// target directory, so the runtime's dependencies build once.
/// `#![deny(warnings)]` in `lib.rs` rather than `RUSTFLAGS`, which would
/// rebuild them.
#[test]
#[ignore = "nested cargo build; .ci/run runs it"]
fn every_combination_builds_without_warnings() {
    let out = generate();
    let krate = discogen_test_support::ScratchCrate::new("resource-features-check");
    for f in out.files() {
        krate.write(format!("src/yard/{}", f.path()), f.contents());
    }
    krate.write("src/lib.rs", "#![deny(warnings)]\npub mod yard;\n");
    krate.manifest("yard", &FEATURES);

    let mut combinations: Vec<String> = vec![String::new()];
    combinations.extend(FEATURES.iter().map(|f| f.to_string()));
    combinations.push(FEATURES.join(","));
    let mut failures = Vec::new();
    for features in &combinations {
        for tool in ["check", "clippy"] {
            let mut args = vec![tool, "--quiet", "--message-format", "short", "--features", features];
            if tool == "clippy" {
                args.extend(["--", "-D", "warnings"]);
            }
            let result = krate.cargo(&args);
            if !result.status.success() {
                failures.push(format!(
                    "cargo {tool} --features '{features}':\n{}",
                    String::from_utf8_lossy(&result.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "the crate in {} fails:\n{}", krate.dir().display(), failures.join("\n"));
}
