//! The override table beside a document: `NAME.enum-names.toml` names the
//! enums that several fields share.

use super::{gen, scratch};

const SPEC: &str = r#"{
  "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "tiny:v1", "name": "tiny", "version": "v1",
  "title": "Tiny", "rootUrl": "https://tiny.example.com/", "servicePath": "", "protocol": "rest",
  "schemas": {
    "Thing": {"id": "Thing", "type": "object", "properties": {"name": {"type": "string"}}},
    "Paint": {"id": "Paint", "type": "object", "properties": {"color": {"type": "string", "enum": ["RED", "GREEN"]}}},
    "Ink": {"id": "Ink", "type": "object", "properties": {"color": {"type": "string", "enum": ["RED", "GREEN"]}}}
  }
}"#;

/// Generates `SPEC` with `overrides` beside it (none when `None`).
fn generate(name: &str, overrides: Option<&str>) -> (std::process::Output, String) {
    let dir = scratch(name);
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, SPEC).unwrap();
    if let Some(text) = overrides {
        std::fs::write(dir.join("tiny.enum-names.toml"), text).unwrap();
    }
    let out = gen(&spec, &dir.join("out"), &[]);
    let model = std::fs::read_to_string(dir.join("out/src/model.rs")).unwrap_or_default();
    (out, model)
}

#[test]
fn the_rule_names_a_shared_enum_without_a_table() {
    let (out, model) = generate("enum-names-rule", None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(model.contains("pub enum Color {"), "{model}");
    assert!(model.contains("pub type PaintColor = Color;") && model.contains("pub type InkColor = Color;"));
}

#[test]
fn the_table_names_a_shared_enum_by_any_field_type_name() {
    let (out, model) = generate("enum-names-table", Some("InkColor = \"Hue\"\nNothingHere = \"Whatever\"\n"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(model.contains("pub enum Hue {"), "{model}");
    assert!(model.contains("pub type PaintColor = Hue;") && model.contains("pub type InkColor = Hue;"), "{model}");
    assert!(!model.contains("pub enum Color"), "{model}");
    assert!(
        stderr.contains("NothingHere") && stderr.contains("no enum or inline object shared by several fields"),
        "{stderr}"
    );
}

#[test]
fn a_table_entry_that_cannot_be_used_fails_naming_the_table() {
    for (table, expected) in [
        ("PaintColor = \"Thing\"\n", "already called `Thing`"),
        ("PaintColor = \"not a name\"\n", "not a CamelCase Rust identifier"),
        ("PaintColor = [\n", "tiny.enum-names.toml"),
    ] {
        let (out, _) = generate("enum-names-bad", Some(table));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{table}: {stderr}");
        assert!(stderr.contains("tiny.enum-names.toml") && stderr.contains(expected), "{table}: {stderr}");
    }
}
