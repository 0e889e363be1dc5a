//! Broken and hostile discovery documents: the generator must answer each
//! with an error that says where the problem is (`line:column` for JSON,
//! a JSON path for meaning), or with code that parses, and never panic.
//!
//! Cases that once overflowed the stack run in a child process of their
//! own (rusty-fork), so that a regression that aborts the process, or
//! hangs, fails its test with a message instead of killing the binary.

mod common;

use std::time::Instant;

use common::{
    assert_error_at, assert_parses_deep, base_doc, generate_ok, generate_str, generate_value, parse_all, simple_method,
    string_literals, Want,
};
use rusty_fork::rusty_fork_test;
use serde_json::{json, Value};

/// A small but complete document: schemas of every kind, a nested resource
/// with methods, parameters and scopes. Truncating it anywhere must fail.
fn rich_doc() -> Value {
    let mut doc = base_doc();
    doc["auth"] =
        json!({"oauth2": {"scopes": {"https://www.googleapis.com/auth/cloud-platform": {"description": "all"}}}});
    doc["parameters"] = json!({"fields": {"type": "string", "location": "query"}});
    doc["schemas"] = json!({
        "Thing": {
            "id": "Thing", "type": "object", "description": "A thing \u{e9} with \"quotes\".",
            "properties": {
                "name": {"type": "string"},
                "size": {"type": "string", "format": "int64"},
                "kind": {"type": "string", "enum": ["A", "B"], "enumDescriptions": ["a", "b"]},
                "parts": {"type": "array", "items": {"$ref": "Thing"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        },
        "Empty": {"id": "Empty", "type": "object"}
    });
    doc["resources"] = json!({"projects": {"resources": {"things": {"methods": {
        "get": {
            "id": "hostile.projects.things.get", "path": "v1/{+name}", "httpMethod": "GET",
            "parameters": {"name": {"type": "string", "location": "path", "required": true, "pattern": "^things/[^/]+$"}},
            "parameterOrder": ["name"], "response": {"$ref": "Thing"},
            "scopes": ["https://www.googleapis.com/auth/cloud-platform"]
        },
        "delete": {
            "id": "hostile.projects.things.delete", "path": "v1/{+name}", "httpMethod": "DELETE",
            "parameters": {"name": {"type": "string", "location": "path", "required": true}},
            "parameterOrder": ["name"], "response": {"$ref": "Empty"}
        }
    }}}}});
    doc
}

#[test]
fn the_rich_document_itself_generates() {
    let (output, files) = generate_ok(&rich_doc());
    assert_eq!(files.len(), output.files().len());
    assert!(output.warnings().is_empty(), "{:?}", output.warnings());
}

#[test]
fn every_truncation_gives_a_line_and_column() {
    let text = serde_json::to_string_pretty(&rich_doc()).expect("serializes");
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).filter(|&i| i < text.len()).collect();
    for &cut in &boundaries {
        let prefix = &text[..cut];
        assert_error_at(&format!("prefix of {cut} bytes"), generate_str(prefix), Want::AnyLineColumn, "");
    }
}

#[test]
#[ignore = "needs ../shared/discovery; .ci/run runs it"]
fn truncated_real_documents_give_a_line_and_column() {
    for (name, text) in common::real_documents(300_000) {
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        assert_error_at(&name, generate_str(&text[..cut]), Want::AnyLineColumn, "EOF");
    }
}

#[test]
fn invalid_json_gives_a_line_and_column() {
    let cases = [
        "",
        "   \n\t ",
        "\u{feff}{}",
        "{",
        "}",
        "{\"name\": }",
        "{\"name\": \"t\",}",
        "{\"name\" \"t\"}",
        "{'name': 't'}",
        "{} trailing",
        "{\"name\": \"unterminated}",
        "{\"name\": \"bad escape \\x\"}",
        "{\"name\": \"lone surrogate \\ud800\"}",
        "{\"name\": \"raw control \u{1} character\"}",
        "{\"name\": \"raw newline \n in a string\"}",
        "{\"version\": 1e999999}",
        "{\"name\": NaN}",
        "{\"name\": nul}",
        "\u{0}",
        "null",
        "[1]",
        "42",
        "\"a string\"",
    ];
    for case in cases {
        assert_error_at(&format!("{case:?}"), generate_str(case), Want::AnyLineColumn, "");
    }
    // serde reads a struct from an array too (field by field, in order), so
    // an array is a document with nothing in it: no discovery document.
    assert_error_at("[]", generate_str("[]"), Want::Whole, "not a discovery document");
    let positional = r#"["not", "a", "description"]"#;
    assert_error_at(positional, generate_str(positional), Want::Whole, "not a discovery document");
    // The error is on the line of the problem, not at the start of the text.
    let text = "{\n  \"name\": \"t\",\n  \"version\": \"v1\",\n  \"schemas\": {,}\n}";
    assert_error_at("a comma on line 4", generate_str(text), Want::Line(4), "");
}

/// Pretty-prints `doc`, then replaces the string `"@@BAD@@"` by `raw` JSON
/// text, so that the wrong value sits on a known line.
fn with_raw_value(doc: &Value, raw: &str) -> (String, usize) {
    let pretty = serde_json::to_string_pretty(doc).expect("serializes");
    let line = pretty.lines().position(|l| l.contains("\"@@BAD@@\"")).expect("placeholder present") + 1;
    (pretty.replace("\"@@BAD@@\"", raw), line)
}

#[test]
fn wrong_json_types_for_known_fields_give_their_line() {
    type Setter = fn(&mut Value);
    let cases: Vec<(&str, Setter, &str)> = vec![
        ("schemas as an array", |d| d["schemas"] = json!("@@BAD@@"), "[1, 2]"),
        ("schemas as a string", |d| d["schemas"] = json!("@@BAD@@"), "\"Thing\""),
        ("resources as a number", |d| d["resources"] = json!("@@BAD@@"), "7"),
        ("rootUrl as a number", |d| d["rootUrl"] = json!("@@BAD@@"), "443"),
        ("name as an object", |d| d["name"] = json!("@@BAD@@"), "{\"a\": 1}"),
        ("parameters as an array", |d| d["parameters"] = json!("@@BAD@@"), "[]"),
        ("scopes as an array", |d| d["auth"]["oauth2"]["scopes"] = json!("@@BAD@@"), "[\"x\"]"),
        ("properties as a string", |d| d["schemas"]["Thing"]["properties"] = json!("@@BAD@@"), "\"name\""),
        ("type as a list", |d| d["schemas"]["Thing"]["type"] = json!("@@BAD@@"), "[\"object\", \"null\"]"),
        ("enum as a string", |d| d["schemas"]["Thing"]["properties"]["kind"]["enum"] = json!("@@BAD@@"), "\"A\""),
        (
            "items as a string",
            |d| d["schemas"]["Thing"]["properties"]["parts"]["items"] = json!("@@BAD@@"),
            "\"Thing\"",
        ),
        (
            "additionalProperties as a boolean",
            |d| d["schemas"]["Thing"]["properties"]["labels"]["additionalProperties"] = json!("@@BAD@@"),
            "true",
        ),
        (
            "$ref as an object",
            |d| d["schemas"]["Thing"]["properties"]["parts"]["items"]["$ref"] = json!("@@BAD@@"),
            "{}",
        ),
        ("required as a string", |d| things(d)["get"]["parameters"]["name"]["required"] = json!("@@BAD@@"), "\"yes\""),
        ("parameterOrder as a string", |d| things(d)["get"]["parameterOrder"] = json!("@@BAD@@"), "\"name\""),
        ("httpMethod as a number", |d| things(d)["get"]["httpMethod"] = json!("@@BAD@@"), "1"),
        ("path as null is fine, as a list is not", |d| things(d)["get"]["path"] = json!("@@BAD@@"), "[\"v1\"]"),
        (
            "methods as an array",
            |d| d["resources"]["projects"]["resources"]["things"]["methods"] = json!("@@BAD@@"),
            "[]",
        ),
        ("scopes of a method as a string", |d| things(d)["get"]["scopes"] = json!("@@BAD@@"), "\"x\""),
        ("response as a string", |d| things(d)["get"]["response"] = json!("@@BAD@@"), "\"Thing\""),
    ];
    for (label, set, raw) in cases {
        let mut doc = rich_doc();
        set(&mut doc);
        let (text, line) = with_raw_value(&doc, raw);
        assert_error_at(label, generate_str(&text), Want::Line(line), "invalid type");
    }
}

fn things(doc: &mut Value) -> &mut Value {
    &mut doc["resources"]["projects"]["resources"]["things"]["methods"]
}

#[test]
fn a_ref_to_a_missing_schema_names_the_ref() {
    type Setter = fn(&mut Value);
    let cases: Vec<(Setter, &str)> = vec![
        (
            |d| d["schemas"]["Thing"]["properties"]["ghost"] = json!({"$ref": "Ghost"}),
            "schemas.Thing.properties.ghost.$ref",
        ),
        (
            |d| d["schemas"]["Thing"]["properties"]["parts"]["items"]["$ref"] = json!("Ghost"),
            "schemas.Thing.properties.parts.items.$ref",
        ),
        (
            |d| d["schemas"]["Thing"]["properties"]["labels"]["additionalProperties"] = json!({"$ref": "Ghost"}),
            "schemas.Thing.properties.labels.additionalProperties.$ref",
        ),
        (|d| d["schemas"]["Alias"] = json!({"$ref": "Ghost"}), "schemas.Alias.$ref"),
        (
            |d| things(d)["get"]["response"]["$ref"] = json!("Ghost"),
            "resources.projects.resources.things.methods.get.response.$ref",
        ),
        (
            |d| things(d)["get"]["request"] = json!({"$ref": "Ghost"}),
            "resources.projects.resources.things.methods.get.request.$ref",
        ),
    ];
    for (set, path) in cases {
        let mut doc = rich_doc();
        set(&mut doc);
        assert_error_at(path, generate_value(&doc), Want::Path(path), "`Ghost`");
    }
}

#[test]
fn a_schema_that_only_refers_to_itself_is_refused() {
    let cases = [
        json!({"Loop": {"$ref": "Loop"}}),
        json!({"Loop": {"type": "array", "items": {"$ref": "Loop"}}}),
        json!({"Loop": {"type": "object", "additionalProperties": {"$ref": "Loop"}}}),
        json!({"Loop": {"type": "array", "items": {"type": "array", "items": {"$ref": "Loop"}}}}),
        json!({"Loop": {"$ref": "Other"}, "Other": {"type": "array", "items": {"$ref": "Loop"}}}),
    ];
    for schemas in cases {
        let mut doc = base_doc();
        doc["schemas"] = schemas.clone();
        assert_error_at(
            &schemas.to_string(),
            generate_value(&doc),
            Want::PathPrefix("schemas."),
            "refers only to itself",
        );
    }
}

#[test]
fn a_struct_that_contains_itself_is_boxed_not_refused() {
    let mut doc = base_doc();
    doc["schemas"] = json!({
        "Node": {"type": "object", "properties": {"next": {"$ref": "Node"}, "kids": {"type": "array", "items": {"$ref": "Node"}}}},
        "A": {"type": "object", "properties": {"b": {"$ref": "B"}}},
        "B": {"type": "object", "properties": {"a": {"$ref": "A"}}}
    });
    let (output, _) = generate_ok(&doc);
    let model = output.file("model.rs").expect("model.rs");
    let text: String = model.contents().split_whitespace().collect();
    assert!(text.contains("Option<__rt::Box<Node>>"), "{}", model.contents());
    assert!(text.contains("Option<__rt::Box<B>>"), "{}", model.contents());
    assert!(text.contains("Option<__rt::Box<A>>"), "{}", model.contents());
}

#[test]
fn duplicate_method_ids_are_taken_with_a_warning() {
    let mut doc = base_doc();
    doc["resources"] = json!({
        "a": {"methods": {"get": simple_method("hostile.same")}},
        "b": {"methods": {"get": simple_method("hostile.same")}}
    });
    let (output, _) = generate_ok(&doc);
    let resources = output.file("resources.rs").expect("resources.rs");
    assert!(resources.contents().contains("pub struct AGetCall"), "the first keeps its builder");
    assert!(resources.contents().contains("pub struct BGetCall"), "the second keeps its builder");
    assert!(
        output.warnings().iter().any(|w| w.starts_with("at resources.b.methods.get.id:") && w.contains("hostile.same")),
        "{:?}",
        output.warnings()
    );

    // One id at the top level and again in a resource.
    let mut doc = base_doc();
    doc["methods"] = json!({"get": simple_method("hostile.top")});
    doc["resources"] = json!({"r": {"methods": {"list": simple_method("hostile.top")}}});
    let (output, _) = generate_ok(&doc);
    assert!(
        output.warnings().iter().any(|w| w.starts_with("at resources.r.methods.list.id:")),
        "{:?}",
        output.warnings()
    );
    assert_eq!(output.stats().methods, 2);
}

#[test]
fn duplicate_json_keys_keep_the_last_one() {
    // JSON allows a repeated key; serde (like most readers) keeps the last.
    // The generator follows that rather than failing, and the output is the
    // same as for the document without the first copy.
    let text = r#"{"name": "hostile", "version": "v1", "rootUrl": "https://h.example.com/",
        "schemas": {"A": {"type": "object", "properties": {"x": {"type": "string"}}},
                    "A": {"type": "object", "properties": {"y": {"type": "integer", "format": "int32"}}}}}"#;
    let output = generate_str(text).expect("generates");
    parse_all(&output);
    let model = output.file("model.rs").expect("model.rs");
    assert!(model.contents().contains("pub y:"), "{}", model.contents());
    assert!(!model.contents().contains("pub x:"), "{}", model.contents());
}

fn doc_with_method(method: Value) -> Value {
    let mut doc = base_doc();
    doc["resources"] = json!({"r": {"methods": {"m": method}}});
    doc
}

#[test]
fn broken_path_templates_are_refused() {
    let cases = [
        ("v1/{+name", "unclosed"),
        ("v1/{name", "unclosed"),
        ("{", "unclosed"),
        ("v1/name}", "stray"),
        ("v1/{}", "not a single variable"),
        ("v1/{+}", "not a single variable"),
        ("v1/{a,b}", "not a single variable"),
        ("v1/{a/b}", "not a single variable"),
        ("v1/{{name}}", "not a single variable"),
    ];
    for (template, needle) in cases {
        let mut method = simple_method("hostile.r.m");
        method["path"] = json!(template);
        let doc = doc_with_method(method);
        assert_error_at(template, generate_value(&doc), Want::Path("resources.r.methods.m.path"), needle);
    }
}

#[test]
fn a_placeholder_without_a_parameter_becomes_a_required_path_string() {
    let mut method = simple_method("hostile.r.m");
    method["path"] = json!("v1/things/{name}/parts/{+part}");
    let (output, files) = generate_ok(&doc_with_method(method));
    assert!(
        output.warnings().iter().any(|w| w.contains("resources.r.methods.m.path") && w.contains("{part}")),
        "the warning names the placeholder and its place: {:?}",
        output.warnings()
    );
    let resources = files.iter().find(|(path, _)| path == "resources.rs").map(|(_, f)| f).expect("resources.rs");
    let text = quote::ToTokens::to_token_stream(resources).to_string();
    assert!(
        text.contains("name : impl __rt :: Into < __rt :: String > , part : impl __rt :: Into < __rt :: String >"),
        "{text}"
    );
    assert!(
        text.contains(
            "\"part\" , & __rt :: wire :: QueryValue :: to_query (& self . part) , __rt :: path :: Expansion :: Keep"
        ),
        "reserved expansion kept: {text}"
    );

    // A placeholder whose parameter says it sits in the query goes in the path.
    let mut method = simple_method("hostile.r.m");
    method["parameters"]["name"]["location"] = json!("query");
    let (output, _) = generate_ok(&doc_with_method(method));
    assert!(output.warnings().iter().any(|w| w.contains("parameters.name")), "{:?}", output.warnings());
}

#[test]
fn parameter_order_naming_nothing_is_dropped_with_a_warning() {
    let mut method = simple_method("hostile.r.m");
    method["parameterOrder"] = json!(["ghost", "name"]);
    let (output, _) = generate_ok(&doc_with_method(method));
    assert!(
        output
            .warnings()
            .iter()
            .any(|w| w.starts_with("at resources.r.methods.m.parameterOrder[0]:") && w.contains("`ghost`")),
        "{:?}",
        output.warnings()
    );
    let resources = output.file("resources.rs").expect("resources.rs");
    assert!(!resources.contents().contains("ghost"), "the entry leaves no trace in the code");
}

#[test]
fn a_rest_path_stands_in_for_a_missing_path() {
    let mut method = simple_method("hostile.r.m");
    let template = method.as_object_mut().and_then(|o| o.remove("path")).expect("the method has a path");
    method["restPath"] = template;
    let (output, _) = generate_ok(&doc_with_method(method));
    assert!(
        output.warnings().iter().any(|w| w.starts_with("at resources.r.methods.m.restPath:")),
        "{:?}",
        output.warnings()
    );
    let resources = output.file("resources.rs").expect("resources.rs");
    assert!(resources.contents().contains("things/"), "the restPath is expanded: {}", resources.contents());

    let mut method = simple_method("hostile.r.m");
    method.as_object_mut().map(|o| o.remove("path"));
    assert_error_at(
        "neither",
        generate_value(&doc_with_method(method)),
        Want::Path("resources.r.methods.m"),
        "restPath",
    );
}

#[test]
fn an_api_version_that_is_no_header_value_is_dropped_with_a_warning() {
    for bad in ["v1\r\nX-Evil: 1", "", "v\u{0}", "versi\u{f3}n"] {
        let mut method = simple_method("hostile.r.m");
        method["apiVersion"] = json!(bad);
        let (output, _) = generate_ok(&doc_with_method(method));
        assert!(
            output.warnings().iter().any(|w| w.starts_with("at resources.r.methods.m.apiVersion:")),
            "{bad}: {:?}",
            output.warnings()
        );
        let resources = output.file("resources.rs").expect("resources.rs");
        assert!(!resources.contents().contains("api_version("), "{bad}: no header is sent");
    }
    let mut method = simple_method("hostile.r.m");
    method["apiVersion"] = json!("2024-06-01");
    let (output, _) = generate_ok(&doc_with_method(method));
    let resources = output.file("resources.rs").expect("resources.rs");
    assert!(resources.contents().contains("request.api_version(\"2024-06-01\");"), "{}", resources.contents());

    // Quotes and backslashes are valid in a header value; they stay inside
    // the string literal.
    let mut method = simple_method("hostile.r.m");
    method["apiVersion"] = json!(r#"v1"); panic!("\"#);
    let (output, files) = generate_ok(&doc_with_method(method));
    assert!(output.warnings().is_empty(), "{:?}", output.warnings());
    let literals: Vec<String> = files.iter().flat_map(|(_, f)| string_literals(f)).collect();
    assert!(literals.iter().any(|l| l == r#"v1"); panic!("\"#), "the value is one literal");
    assert!(!files.iter().any(|(_, f)| quote::ToTokens::to_token_stream(f).to_string().contains("panic !")));
}

#[test]
fn a_json_file_that_is_no_discovery_document_is_refused() {
    let not_discovery = [
        ("{}", "{}"),
        ("[]", "[]"),
        (
            "a JSON Schema",
            r#"{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://example.com/x.json", "type": "object", "properties": {"a": {"type": "string"}}}"#,
        ),
        ("another kind", r#"{"kind": "discovery#directoryList", "name": "x", "version": "v1", "items": []}"#),
        ("named, but empty", r#"{"name": "x", "version": "v1", "rootUrl": "https://x.example.com/"}"#),
    ];
    for (label, text) in not_discovery {
        assert_error_at(label, generate_str(text), Want::Whole, "not a discovery document");
    }
    let shown = generate_str(r#"{"kind": "discovery#directoryList"}"#).expect_err("refused").to_string();
    assert!(shown.contains("`discovery#directoryList`"), "the message names the kind it found: {shown}");
    // Either mark is enough: the kind, or something to generate.
    let kind_only =
        r#"{"kind": "discovery#restDescription", "name": "x", "version": "v1", "rootUrl": "https://x.example.com/"}"#;
    generate_str(kind_only).expect("the kind alone makes it one");
    let schemas_only =
        r#"{"name": "x", "version": "v1", "rootUrl": "https://x.example.com/", "schemas": {"A": {"type": "object"}}}"#;
    generate_str(schemas_only).expect("schemas without a kind");
}

#[test]
fn broken_methods_are_refused() {
    type Setter = fn(&mut Value);
    let cases: Vec<(&str, Setter, &str, &str)> = vec![
        (
            "no httpMethod",
            |m| drop(m.as_object_mut().map(|o| o.remove("httpMethod"))),
            "resources.r.methods.m",
            "httpMethod",
        ),
        ("no path", |m| drop(m.as_object_mut().map(|o| o.remove("path"))), "resources.r.methods.m", "path"),
        (
            "lower-case verb",
            |m| m["httpMethod"] = json!("get"),
            "resources.r.methods.m.httpMethod",
            "not an HTTP method",
        ),
        ("empty verb", |m| m["httpMethod"] = json!(""), "resources.r.methods.m.httpMethod", "not an HTTP method"),
        (
            "verb with a space",
            |m| m["httpMethod"] = json!("GET X"),
            "resources.r.methods.m.httpMethod",
            "not an HTTP method",
        ),
        (
            "verb with a newline",
            |m| m["httpMethod"] = json!("GET\r\nX-Evil: 1"),
            "resources.r.methods.m.httpMethod",
            "not an HTTP method",
        ),
    ];
    for (label, set, path, needle) in cases {
        let mut method = simple_method("hostile.r.m");
        set(&mut method);
        assert_error_at(label, generate_value(&doc_with_method(method)), Want::Path(path), needle);
    }
    // Request and response bodies without a `$ref` are inline schemas, not errors.
    let mut method = simple_method("hostile.r.m");
    method["request"] = json!({});
    method["response"] = json!({"type": "object", "properties": {"a": {"type": "string"}}});
    generate_ok(&doc_with_method(method));
}

#[test]
fn broken_top_level_fields_are_refused() {
    type Setter = fn(&mut Value);
    let cases: Vec<(Setter, &str)> = vec![
        (|d| drop(d.as_object_mut().map(|o| o.remove("name"))), "name"),
        (|d| d["rootUrl"] = json!("javascript:alert(1)"), "rootUrl"),
        (|d| d["rootUrl"] = json!("file:///etc/passwd"), "rootUrl"),
        (|d| d["rootUrl"] = json!(""), "rootUrl"),
    ];
    for (set, path) in cases {
        let mut doc = base_doc();
        set(&mut doc);
        assert_error_at(path, generate_value(&doc), Want::Path(path), "");
    }
    let unnamed = r#"{"kind": "discovery#restDescription"}"#;
    assert_error_at("no name", generate_str(unnamed), Want::Path("name"), "name");
}

#[test]
fn missing_identity_fields_are_derived_with_a_warning() {
    let mut doc = base_doc();
    doc.as_object_mut().map(|o| o.remove("version"));
    doc["id"] = json!("hostile:v7");
    let (output, _) = generate_ok(&doc);
    assert_eq!(output.module_name(), "hostile_v7");
    assert!(output.warnings().iter().any(|w| w.starts_with("at version:")), "{:?}", output.warnings());

    let mut doc = base_doc();
    doc.as_object_mut().map(|o| o.remove("version"));
    doc["servicePath"] = json!("hostile/v2beta/");
    assert_eq!(generate_ok(&doc).0.module_name(), "hostile_v2beta");

    let mut doc = base_doc();
    doc.as_object_mut().map(|o| o.remove("version"));
    assert_eq!(generate_ok(&doc).0.module_name(), "hostile_unversioned");

    let mut doc = base_doc();
    doc.as_object_mut().map(|o| o.remove("name"));
    doc["id"] = json!("fromid:v1");
    assert_eq!(generate_ok(&doc).0.module_name(), "fromid_v1");

    let mut doc = base_doc();
    doc.as_object_mut().map(|o| o.remove("rootUrl"));
    let (output, files) = generate_ok(&doc);
    assert!(output.warnings().iter().any(|w| w.starts_with("at rootUrl:")), "{:?}", output.warnings());
    let root = files.iter().find(|(path, _)| path == "mod.rs").map(|(_, f)| f).expect("mod.rs");
    let text = quote::ToTokens::to_token_stream(root).to_string();
    assert!(text.contains("pub const ROOT_URL : & str = \"\" ;"), "{text}");
}

/// `open` repeated `depth` times, then `middle`, then `close` repeated.
fn nested(open: &str, middle: &str, close: &str, depth: usize) -> String {
    let mut text = String::with_capacity((open.len() + close.len()) * depth + middle.len());
    for _ in 0..depth {
        text.push_str(open);
    }
    text.push_str(middle);
    for _ in 0..depth {
        text.push_str(close);
    }
    text
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused_without_overflow() {
    const DEPTH: usize = 10_000;
    let head = r#"{"kind": "discovery#restDescription", "name": "hostile", "version": "v1", "rootUrl": "https://h.example.com/", "#;
    // Built as text: a serde_json::Value this deep would itself recurse when dropped.
    let cases = [
        (
            "inline objects",
            format!(
                "{head}\"schemas\": {{\"S\": {}}}}}",
                nested(r#"{"type": "object", "properties": {"p": "#, r#"{"type": "string"}"#, "}}", DEPTH)
            ),
        ),
        (
            "arrays",
            format!("{head}\"schemas\": {{\"S\": {}}}}}", nested(r#"{"type": "array", "items": "#, "{}", "}", DEPTH)),
        ),
        (
            "maps",
            format!(
                "{head}\"schemas\": {{\"S\": {}}}}}",
                nested(r#"{"type": "object", "additionalProperties": "#, "{}", "}", DEPTH)
            ),
        ),
        ("resources", format!("{head}\"resources\": {}}}", nested(r#"{"r": {"resources": "#, "{}", "}}", DEPTH))),
        (
            "a default value",
            format!("{head}\"schemas\": {{\"S\": {{\"default\": {}}}}}}}", nested("[", "1", "]", DEPTH)),
        ),
    ];
    for (label, text) in cases {
        let error = assert_error_at(label, generate_str(&text), Want::AnyLineColumn, "");
        assert!(error.message().contains("recursion limit"), "{label}: {error:?}");
    }
    // A document that is only nested arrays fails on its first element.
    assert_error_at("the whole document", generate_str(&nested("[", "", "]", DEPTH)), Want::Line(1), "");
    // An unknown field is skipped without being built, so its depth does not
    // matter; it must still not overflow anything.
    let text = format!("{head}\"x-extension\": {}}}", nested("[", "1", "]", DEPTH * 10));
    let output = generate_str(&text).expect("an unknown member is ignored");
    parse_all(&output);
}

#[test]
fn empty_blank_and_control_character_names() {
    // For each kind of name: does the generator refuse it (with its path)
    // or turn it into code that parses and still carries the JSON name?
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Outcome {
        Refused,
        Generated,
    }
    use Outcome::{Generated, Refused};
    let names: [&str; 9] = ["", " ", "\t", "\n", "\u{1}", "\u{0}", "\u{200b}", "\u{202e}", "\u{7f}"];
    let blank = |name: &str| name.trim().is_empty();
    // Paths in messages show control characters as escapes (they are printed
    // to terminals), so the expected path spells them the same way.
    let shown = |name: &str| -> String {
        name.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect()
    };
    for name in names {
        let printed = shown(name);
        let kinds: [(&str, Value, Outcome, String); 5] = [
            (
                "schema",
                {
                    let mut d = base_doc();
                    d["schemas"][name] = json!({"type": "object", "properties": {"a": {"type": "string"}}});
                    d
                },
                if blank(name) { Refused } else { Generated },
                format!("schemas.{printed}"),
            ),
            (
                "property",
                {
                    let mut d = base_doc();
                    d["schemas"]["S"] = json!({"type": "object", "properties": {name: {"type": "string"}}});
                    d
                },
                // Empty and blank property names are allowed: the JSON name survives in `rename`.
                Generated,
                format!("schemas.S.properties.{printed}"),
            ),
            (
                "method",
                {
                    let mut d = base_doc();
                    d["resources"]["r"] = json!({"methods": {name: simple_method("hostile.r.m")}});
                    d
                },
                if blank(name) { Refused } else { Generated },
                format!("resources.r.methods.{printed}"),
            ),
            (
                "resource",
                {
                    let mut d = base_doc();
                    d["resources"][name] = json!({"methods": {"get": simple_method("hostile.r.m")}});
                    d
                },
                if blank(name) { Refused } else { Generated },
                format!("resources.{printed}"),
            ),
            (
                "parameter",
                {
                    let mut m = simple_method("hostile.r.m");
                    m["parameters"][name] = json!({"type": "string", "location": "query"});
                    doc_with_method(m)
                },
                if name.is_empty() { Refused } else { Generated },
                format!("resources.r.methods.m.parameters.{printed}"),
            ),
        ];
        for (kind, doc, expected, path) in kinds {
            let label = format!("{kind} named {name:?}");
            match expected {
                Refused => {
                    assert_error_at(&label, generate_value(&doc), Want::Path(&path), "empty");
                }
                Generated => {
                    let (_, files) = generate_ok(&doc);
                    // The name reaches the output only as an escaped string
                    // literal (serde rename, query name, docs), never raw.
                    if matches!(kind, "property" | "parameter") {
                        let found = files.iter().any(|(_, f)| string_literals(f).iter().any(|s| s == name));
                        assert!(found, "{label}: the JSON name is lost");
                    }
                }
            }
        }
    }
}

#[test]
fn unknown_types_and_formats_fall_back_with_a_warning_naming_the_path() {
    let mut doc = base_doc();
    doc["schemas"] = json!({"S": {"type": "object", "properties": {
        "a": {"type": "fancy"},
        "b": {"type": "string", "format": "uuid-ish"},
        "c": {"type": "integer", "format": "int128"},
        "d": {"type": "number", "format": "decimal"},
        "e": {"type": "array", "items": {"type": "string", "format": "\u{202e}evil"}},
        "f": {"type": "string", "format": "*/ #[evil]"}
    }}});
    let mut method = simple_method("hostile.r.m");
    method["parameters"]["q"] = json!({"type": "complex", "location": "query"});
    doc["resources"] = json!({"r": {"methods": {"m": method}}});
    let (output, _) = generate_ok(&doc);
    for (path, needle) in [
        ("schemas.S.properties.a", "`fancy`"),
        ("schemas.S.properties.b", "`uuid-ish`"),
        ("schemas.S.properties.c", "`int128`"),
        ("schemas.S.properties.d", "`decimal`"),
        ("schemas.S.properties.e.items", "evil"),
        ("schemas.S.properties.f", "#[evil]"),
        ("resources.r.methods.m.parameters.q", "`complex`"),
    ] {
        let found = output.warnings().iter().any(|w| w.contains(&format!("at {path}:")) && w.contains(needle));
        assert!(found, "no warning for {path} mentioning {needle}: {:#?}", output.warnings());
    }
    // The fallback types are the documented ones.
    let model = output.file("model.rs").expect("model.rs").contents();
    let squeezed: String = model.split_whitespace().collect();
    assert!(squeezed.contains("puba:__rt::Option<__rt::Value>"), "{model}");
    assert!(squeezed.contains("pubb:__rt::Option<__rt::String>"), "{model}");
    assert!(squeezed.contains("pubc:__rt::Option<i64>"), "{model}");
    assert!(squeezed.contains("pubd:__rt::Option<f64>"), "{model}");
}

#[test]
fn hostile_but_valid_pieces_generate() {
    // Things that look dangerous but are legal: each must give code that parses.
    let mut doc = base_doc();
    doc["schemas"] = json!({
        "Option": {"type": "object", "properties": {"Some": {"type": "string"}, "None": {"type": "string"}}},
        "Result": {"type": "object", "properties": {"Ok": {"$ref": "Option"}}},
        "self": {"type": "object", "properties": {"self": {"type": "string"}, "super": {"type": "string"}, "crate": {"type": "string"}}},
        "extra": {"type": "object", "properties": {"extra": {"type": "string"}, "Extra": {"type": "string"}}},
        "E": {"type": "string", "enum": ["", " ", "UnknownValue", "Self", "self", "1", "a-b", "a_b", "A B"]},
        "123": {"type": "object", "properties": {"456": {"type": "string"}}},
        "r#type": {"type": "object", "properties": {"r#type": {"type": "string"}}}
    });
    doc["resources"] = json!({
        "self": {"methods": {"move": simple_method("hostile.self.move"), "self": simple_method("hostile.self.self")},
                  "resources": {"self": {"methods": {"r#use": simple_method("hostile.self.self.use")}}}}
    });
    generate_ok(&doc);
}

/// Errors and warnings are printed to a terminal by the CLI. Text from the
/// document inside them (keys in the JSON path, a `$ref`, a format) must
/// not carry control characters, or a document could move the cursor,
/// retitle the window or hide the message with escape sequences.
#[test]
fn messages_carry_no_control_characters() {
    const ESC: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\r";
    let is_control = |c: char| c.is_control() && c != ' ';
    let mut doc = base_doc();
    doc["schemas"] =
        json!({"S": {"type": "object", "properties": {format!("p{ESC}"): {"$ref": format!("Ghost{ESC}")}}}});
    let error = generate_value(&doc).expect_err("a missing schema");
    let shown = error.to_string();
    assert!(!shown.chars().any(is_control), "{shown:?}");

    let mut doc = base_doc();
    doc["schemas"] =
        json!({"S": {"type": "object", "properties": {"p": {"type": "string", "format": format!("f{ESC}")}}}});
    let (output, _) = generate_ok(&doc);
    for warning in output.warnings() {
        assert!(!warning.chars().any(is_control), "{warning:?}");
    }
}

/// A document with a pollable `operations.get` (an Operation and a Status
/// schema) and more in its root, named by the caller.
fn pollable_doc(root_methods: Value, root_resources: Value) -> Value {
    let mut doc = base_doc();
    doc["schemas"] = json!({
        "Status": {"type": "object", "properties": {
            "code": {"type": "integer", "format": "int32"}, "message": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "any"}}}}},
        "Operation": {"type": "object", "properties": {
            "name": {"type": "string"}, "done": {"type": "boolean"}, "error": {"$ref": "Status"},
            "metadata": {"type": "object", "additionalProperties": {"type": "any"}},
            "response": {"type": "object", "additionalProperties": {"type": "any"}}}}
    });
    let mut get = simple_method("hostile.operations.get");
    get["path"] = json!("v1/{+name}");
    get["response"] = json!({"$ref": "Operation"});
    let mut resources = json!({"operations": {"methods": {"get": get}}});
    if let (Some(all), Value::Object(more)) = (resources.as_object_mut(), root_resources) {
        all.extend(more);
    }
    doc["resources"] = resources;
    doc["methods"] = root_methods;
    doc
}

#[test]
fn client_names_do_not_clash_with_the_generators_own() {
    // Names the generated `Client` uses for itself, as methods and resources of the document.
    let mut methods = serde_json::Map::new();
    for (i, name) in ["builder", "runtime", "clone", "fmt"].iter().enumerate() {
        let mut m = simple_method(&format!("hostile.top{i}"));
        m["path"] = json!(format!("v1/top{i}/{{name}}"));
        methods.insert((*name).to_string(), m);
    }
    let (_, files) = generate_ok(&pollable_doc(Value::Object(methods), json!({"inner": {"methods": {}}})));
    for (path, file) in &files {
        assert_eq!(common::duplicate_name(file), None, "{path}");
    }
}

/// The root `Client` gets `get_operation`, `operation_poller` and
/// `wait_operation` when the document has a pollable `operations.get`; a
/// top-level method or resource of the same name must get another name
/// (it used to be emitted next to them: E0592).
#[test]
fn operation_dispatch_names_do_not_clash() {
    let mut top = simple_method("hostile.getOperation");
    top["path"] = json!("v1/top/{name}");
    let mut wait = simple_method("hostile.waitOperation");
    wait["path"] = json!("v1/wait/{name}");
    let doc = pollable_doc(
        json!({"getOperation": top, "wait_operation": wait}),
        json!({"operationPoller": {"methods": {"list": simple_method("hostile.operationPoller.list")}}}),
    );
    let (_, files) = generate_ok(&doc);
    for (path, file) in &files {
        assert_eq!(common::duplicate_name(file), None, "{path}");
    }
}

rusty_fork_test! {
    #![rusty_fork(timeout_ms = 120000)]
    /// An inline array nested 60 deep is well inside the JSON reader's
    /// recursion limit (128) and the generator's nesting limit (64). It used to
    /// overflow the stack in `syn::parse2`; the pipeline now runs on a thread
    /// with a large stack. It still runs in a child process, so that a
    /// regression fails this test instead of aborting the whole binary.
    #[test]
    fn deep_but_legal_inline_nesting_generates() {
        for (open, close) in
            [(r#"{"type": "array", "items": "#, "}"), (r#"{"type": "object", "additionalProperties": "#, "}")]
        {
            let schema = nested(open, r#"{"type": "string"}"#, close, 60);
            let text = format!(
                r#"{{"name": "h", "version": "v1", "rootUrl": "https://h.example.com/", "schemas": {{"S": {schema}}}}}"#
            );
            let output = generate_str(&text).expect("generates");
            assert_parses_deep(&output);
        }
    }
}

/// Schemas that are aliases of the next one, `S0 → S1 → … → Sn`. Each
/// alias is expanded in place, so a chain of `n` array aliases makes types
/// nested `n` deep and `n²` type nodes.
fn alias_chain(n: usize, arrays: bool) -> String {
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        let next = format!("S{}", i + 1);
        let schema = if arrays { json!({"type": "array", "items": {"$ref": next}}) } else { json!({"$ref": next}) };
        schemas.insert(format!("S{i}"), schema);
    }
    schemas.insert(format!("S{n}"), json!({"type": "string"}));
    let mut doc = base_doc();
    doc["schemas"] = Value::Object(schemas);
    doc.to_string()
}

#[test]
fn short_alias_chains_generate() {
    for arrays in [false, true] {
        let output = generate_str(&alias_chain(30, arrays)).expect("generates");
        assert_parses_deep(&output);
    }
}

rusty_fork_test! {
    #![rusty_fork(timeout_ms = 120000)]
    /// A chain of 100 array aliases is a 5 KB document whose types would nest
    /// 100 deep: past the generator's limit of 64, so it is refused with the
    /// place where the limit is crossed, rather than crashing or emitting types
    /// rustc cannot cope with.
    #[test]
    fn long_array_alias_chain_is_refused_clearly() {
        let error = generate_str(&alias_chain(100, true)).expect_err("nesting over the limit");
        let shown = error.to_string();
        assert!(shown.contains("at schemas.S0") && shown.contains("nest 100 levels"), "{shown}");
        // Just under the limit still generates.
        let output = generate_str(&alias_chain(64, true)).expect("generates");
        assert_parses_deep(&output);
    }
}

rusty_fork_test! {
    #![rusty_fork(timeout_ms = 60000)]
    /// A chain of 3,000 `$ref` aliases is a 100 KB document.
    #[test]
    fn long_ref_alias_chain_generates_quickly() {
        // Each alias is expanded once and remembered; before that this chain took
        // cubic time and overflowed the stack. No timing is asserted here (shared
        // machines are noisy): the isolated run's own time limit bounds it.
        let output = generate_str(&alias_chain(3_000, false)).expect("generates");
        assert_parses_deep(&output);
    }
}

/// The design names an inline object or enum after its parent and field
/// (`ParentField`). Many schemas with a property of the same name must not
/// make naming slow either: each clash used to cost a scan for a free number.
#[test]
fn inline_types_are_named_after_their_parent() {
    let mut schemas = serde_json::Map::new();
    for i in 0..3 {
        schemas.insert(
            format!("Thing{i}"),
            json!({"type": "object", "properties": {
                "state": {"type": "string", "enum": ["ON", "OFF"]},
                "address": {"type": "object", "properties": {"city": {"type": "string"}}}
            }}),
        );
    }
    let mut doc = base_doc();
    doc["schemas"] = Value::Object(schemas);
    let (_, files) = generate_ok(&doc);
    let model = &files.iter().find(|(p, _)| p == "model.rs").expect("model.rs").1;
    let idents = common::identifiers(model);
    for i in 0..3 {
        for inline in [format!("Thing{i}State"), format!("Thing{i}Address")] {
            assert!(idents.contains(&inline), "no type {inline}; types: {:?}", type_names(model));
        }
    }
}

fn type_names(file: &syn::File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// A synthetic document of about 100 MB: many schemas of every shape, with
/// long descriptions, and resources with the usual methods.
fn hundred_megabyte_document() -> String {
    // `DISCOGEN_BIG_SCHEMAS` scales the document, to see how time grows with size.
    let schemas_wanted = std::env::var("DISCOGEN_BIG_SCHEMAS").ok().and_then(|v| v.parse().ok());
    let big = |n: usize| schemas_wanted.unwrap_or(n);
    let schema_count = big(16_000);
    let sentence = "Describes the value in some detail, with a link https://example.com/docs and `code`. ";
    let description: String = sentence.repeat(4);
    let mut schemas = serde_json::Map::new();
    for i in 0..schema_count {
        let next = format!("Schema{}", (i + 1) % schema_count);
        let mut props = serde_json::Map::new();
        for p in 0..12 {
            let prop = match p % 6 {
                0 => json!({"type": "string", "description": description}),
                1 => json!({"type": "string", "format": "int64", "description": description}),
                2 => {
                    json!({"type": "string", "enum": ["A", "B", "C", "D"], "enumDescriptions": ["a", "b", "c", "d"], "description": description})
                }
                3 => json!({"type": "array", "items": {"$ref": next}, "description": description}),
                4 => {
                    json!({"type": "object", "additionalProperties": {"type": "string", "format": "google-datetime"}, "description": description})
                }
                _ => json!({"type": "object", "description": description, "properties": {
                    "inner": {"type": "number", "format": "double"}, "when": {"type": "string", "format": "google-duration"}}}),
            };
            props.insert(format!("field{p}"), prop);
        }
        schemas.insert(
            format!("Schema{i}"),
            json!({"id": format!("Schema{i}"), "type": "object", "description": description, "properties": props}),
        );
    }
    let mut resources = serde_json::Map::new();
    for r in 0..schema_count / 4 {
        let schema = format!("Schema{r}");
        let id = |verb: &str| format!("big.res{r}.{verb}");
        let method = |verb: &str, http: &str| {
            json!({
                "id": id(verb), "path": format!("v1/{{+name}}/res{r}:{verb}"), "httpMethod": http,
                "description": description,
                "parameters": {
                    "name": {"type": "string", "location": "path", "required": true, "pattern": "^projects/[^/]+$"},
                    "pageSize": {"type": "integer", "format": "int32", "location": "query"},
                    "filter": {"type": "string", "location": "query", "description": description}
                },
                "parameterOrder": ["name"],
                "request": {"$ref": schema}, "response": {"$ref": schema},
                "scopes": ["https://www.googleapis.com/auth/cloud-platform"]
            })
        };
        resources.insert(
            format!("res{r}"),
            json!({"methods": {"get": method("get", "GET"), "create": method("create", "POST"), "patch": method("patch", "PATCH")}}),
        );
    }
    let mut doc = base_doc();
    doc["schemas"] = Value::Object(schemas);
    doc["resources"] = Value::Object(resources);
    doc.to_string()
}

/// Run by hand, ideally in release mode and under `/usr/bin/time -v` for
/// the peak memory (`DISCOGEN_BIG_PARSE=1` also parses the output):
///
/// ```text
/// cargo test -p discogen --release --test hostile_documents long_100mb_document -- --ignored --nocapture
/// ```
///
/// Measured on 2 shared cores: 104 MB in, 299 MB of Rust out, 59 s and
/// 1.4 GB peak RSS (document text included).
#[test]
#[ignore = "long-running: generates a synthetic 100 MB document"]
fn long_100mb_document() {
    let started = Instant::now();
    let text = hundred_megabyte_document();
    let built = started.elapsed();
    let started = Instant::now();
    let output = generate_str(&text).expect("generates");
    let generated = started.elapsed();
    let peak_after_generation = peak_rss();
    let bytes: usize = output.files().iter().map(|f| f.contents().len()).sum();
    eprintln!(
        "document: {} bytes (built in {built:?}); generated {} files, {bytes} bytes, {} lines, {} types in {generated:?}; {} warnings",
        text.len(),
        output.files().len(),
        output.stats().lines,
        output.stats().types,
        output.warnings().len()
    );
    eprintln!("peak RSS after generation (document text included): {peak_after_generation}");
    if std::env::var("DISCOGEN_BIG_SCHEMAS").is_err() {
        assert!(text.len() > 90_000_000, "the document is only {} bytes", text.len());
    }
    // Parsing 300 MB of output with syn takes about 9 GB, far more than the
    // generator; so it is only done on request, and `/usr/bin/time -v` then
    // measures the generator alone.
    if std::env::var("DISCOGEN_BIG_PARSE").is_ok() {
        let started = Instant::now();
        parse_all(&output);
        eprintln!("parsed the output with syn in {:?}; peak RSS now {}", started.elapsed(), peak_rss());
    }
}

/// `VmHWM` from `/proc/self/status`: the peak resident set so far.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
