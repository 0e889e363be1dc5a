//! Broken documents and interrupted writes: exit code 1 with the file and
//! the place of the problem, never a panic (101), and the previous output
//! left whole.

use super::{gen, scratch, GOOD};

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
        // An undeclared placeholder is accepted (with a warning); an
        // unclosed one cannot be generated.
        ("broken-template", GOOD.replace("v1/{+name}", "v1/{+name"), ".path"),
        (
            "json-schema",
            r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/s.json", "type": "object"}"#
                .to_string(),
            "not a discovery document",
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
fn older_document_shapes_generate_with_warnings_naming_their_place() {
    let dir = scratch("older");
    let text = GOOD
        .replace(
            r#""response": {"$ref": "Thing"}}}}}"#,
            r#""response": {"$ref": "Thing"}}, "list": {"id": "tiny.things.get", "path": "v1/things", "httpMethod": "GET"}}}}"#,
        )
        .replace(r#""parameterOrder": ["name"]"#, r#""parameterOrder": ["name", "nope"]"#);
    let spec = dir.join("older.json");
    std::fs::write(&spec, text).unwrap();
    let out = gen(&spec, &dir.join("out"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("at resources.things.methods.list.id:"), "{stderr}");
    assert!(stderr.contains("at resources.things.methods.get.parameterOrder[1]:"), "{stderr}");
}

#[test]
fn an_interrupted_write_leaves_the_previous_output_whole() {
    let dir = scratch("atomic");
    let spec = dir.join("tiny.json");
    std::fs::write(&spec, GOOD).unwrap();
    let out_dir = dir.join("out");
    let first = gen(&spec, &out_dir, &[]);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let before = std::fs::read_to_string(out_dir.join("src/model.rs")).unwrap();

    // A changed document, but the write fails halfway.
    std::fs::write(&spec, GOOD.replace("\"name\": {\"type\": \"string\"}", "\"label\": {\"type\": \"string\"}"))
        .unwrap();
    for point in ["before-write", "mid-write"] {
        let failed = gen(&spec, &out_dir, &[("DISCOGEN_FAIL_AT", point)]);
        assert_eq!(failed.status.code(), Some(1), "{point}: {}", String::from_utf8_lossy(&failed.stderr));
        let after = std::fs::read_to_string(out_dir.join("src/model.rs")).unwrap();
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
    let after = std::fs::read_to_string(out_dir.join("src/model.rs")).unwrap();
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
