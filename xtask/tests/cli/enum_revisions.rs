//! A user program built against two revisions of one document, the second
//! listing a new enum value in the middle, compiles against both and prints
//! the same thing: regenerating a crate after such a change is safe.

use super::{gen, scratch};
use std::path::Path;

fn spec(values: &str) -> String {
    format!(
        r#"{{
  "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "tiny:v1", "name": "tiny", "version": "v1",
  "title": "Tiny", "rootUrl": "https://tiny.example.com/", "servicePath": "", "protocol": "rest",
  "schemas": {{"Thing": {{"id": "Thing", "type": "object", "properties": {{
    "kind": {{"type": "string", "enum": [{values}]}}}}}}}}
}}"#
    )
}

/// Written once, never edited between the two revisions. The `_` arm is
/// what `#[non_exhaustive]` asks of code outside the generated crate.
const PROGRAM: &str = r##"#![deny(warnings)]
use tiny_v1::model::{Thing, ThingKind};

fn describe(kind: &ThingKind) -> String {
    match kind {
        ThingKind::Small => "small".to_string(),
        ThingKind::Large => "large".to_string(),
        other if other.as_str() == "MEDIUM" => "medium, by its wire name".to_string(),
        other => format!("something else: {other}"),
    }
}

fn main() {
    for value in ["SMALL", "MEDIUM", "LARGE", "HUGE"] {
        println!("{value}: {}", describe(&ThingKind::from(value)));
    }
    let thing: Thing = serde_json::from_str(r#"{"kind":"MEDIUM"}"#).expect("decodes");
    println!("decoded: {}", describe(thing.kind.as_ref().expect("kind is set")));
    println!("encoded: {}", serde_json::to_string(&thing).expect("encodes"));
}
"##;

const EXPECTED: &str = "SMALL: small
MEDIUM: medium, by its wire name
LARGE: large
HUGE: something else: HUGE
decoded: medium, by its wire name
encoded: {\"kind\":\"MEDIUM\"}
";

fn run_program(ws: &Path) -> String {
    let out = discogen_test_support::cargo_in(ws, &["run", "--quiet", "-p", "discogen-enum-revisions-app"]);
    assert!(out.status.success(), "the user program builds and runs: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
#[ignore = "nested cargo build; .ci/run runs it"]
fn a_new_enum_value_does_not_break_a_user_program() {
    let dir = scratch("enum-revisions");
    let ws = dir.join("ws");
    std::fs::create_dir_all(ws.join("app/src")).unwrap();
    std::fs::write(ws.join("Cargo.toml"), "[workspace]\nresolver = \"2\"\nmembers = [\"apis/tiny\", \"app\"]\n")
        .unwrap();
    std::fs::write(
        ws.join("app/Cargo.toml"),
        "[package]\nname = \"discogen-enum-revisions-app\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\ntiny-v1 = { path = \"../apis/tiny\" }\nserde_json = \"1\"\n",
    )
    .unwrap();
    std::fs::write(ws.join("app/src/main.rs"), PROGRAM).unwrap();
    let spec_path = dir.join("tiny.json");
    let model = ws.join("apis/tiny/src/model.rs");

    std::fs::write(&spec_path, spec(r#""SMALL", "LARGE""#)).unwrap();
    let out = gen(&spec_path, &ws.join("apis/tiny"), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!std::fs::read_to_string(&model).unwrap().contains("Medium"));
    assert_eq!(run_program(&ws), EXPECTED, "against the first revision");

    std::fs::write(&spec_path, spec(r#""SMALL", "MEDIUM", "LARGE""#)).unwrap();
    let out = super::xtask(
        &["gen", "--spec", spec_path.to_str().unwrap(), "--out", ws.join("apis/tiny").to_str().unwrap(), "--force"],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&model).unwrap().contains("Medium,"), "the second revision lists MEDIUM");
    assert_eq!(run_program(&ws), EXPECTED, "against the second revision");
}
