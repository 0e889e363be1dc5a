//! Fact checks for the hand-written discovery documents in `specs/`. They
//! test the documents, not the generator, so they live here rather than
//! among the generator's tests.
//!
//! `specs/vision.v1.json` and `specs/workspaceevents.v1beta.json` are written
//! by this project. Their facts (paths, patterns, scopes, schema shapes,
//! standard parameters) must agree with the published discovery documents
//! and with the product brief in `shared/seeds/`, while every description
//! must be written in our own words.
//!
//! The published documents live in `<workspace>/../shared/discovery/` and the
//! seed pages in `<workspace>/../shared/seeds/`. The checks that read them
//! are `#[ignore]`d, so that a plain `cargo test` needs only the clone;
//! `.ci/run` runs them with `--ignored`, and there a missing input fails the
//! check: it never passes without having looked.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const VISION_SPEC: &str = "vision.v1.json";
const EVENTS_SPEC: &str = "workspaceevents.v1beta.json";
const VISION_REAL: &str = "vision.v1.json";
const EVENTS_V1_REAL: &str = "workspaceevents.v1.json";
/// The newest seed page about Workspace Events `operations.get` (updated
/// 2025-07-25); its scope list is the one the v1beta spec uses.
const EVENTS_SCOPE_SEED: &str = "001_317ac3613388a4d3.txt";
const SCOPE_PREFIX: &str = "https://www.googleapis.com/auth/";

// ---------------------------------------------------------------------------
// Loading helpers
// ---------------------------------------------------------------------------

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lies in the workspace").to_path_buf()
}

fn shared_dir() -> PathBuf {
    workspace_root().join("../shared")
}

fn spec_path(name: &str) -> PathBuf {
    workspace_root().join("specs").join(name)
}

fn parse(path: &Path, text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()))
}

fn load_spec(name: &str) -> Value {
    let path = spec_path(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read our spec {}: {e}", path.display()));
    parse(&path, &text)
}

/// Loads a published discovery document; its absence fails the check.
fn load_real(name: &str, what: &str) -> Value {
    let path = shared_dir().join("discovery").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{what} needs the published document {}: {e}", path.display()));
    parse(&path, &text)
}

/// All seed pages as (file name, text), sorted by name. A missing seed
/// directory fails the check.
fn load_seeds() -> Vec<(String, String)> {
    let dir = shared_dir().join("seeds");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("the seed pages {} are missing: {e}", dir.display()));
    let mut out: Vec<(String, String)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read seed {}: {e}", p.display()));
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    out.sort();
    out
}

#[track_caller]
fn fail_if_any(what: &str, errors: &[String]) {
    if !errors.is_empty() {
        panic!("{what}: {} problem(s)\n  - {}", errors.len(), errors.join("\n  - "));
    }
}

fn show(v: Option<&Value>) -> String {
    match v {
        None => "<absent>".to_string(),
        Some(v) => v.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Walking a discovery document
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct FoundMethod {
    /// Dotted path of the resource holding the method, e.g. `projects.operations`.
    resource: String,
    /// Key of the method inside its resource, e.g. `get`.
    name: String,
    body: Value,
}

/// Every method in the document, keyed by its `id`.
fn collect_methods(doc: &Value) -> BTreeMap<String, FoundMethod> {
    fn walk(node: &Value, prefix: &str, out: &mut BTreeMap<String, FoundMethod>) {
        let Some(resources) = node.get("resources").and_then(Value::as_object) else {
            return;
        };
        for (rname, rbody) in resources {
            let resource = if prefix.is_empty() { rname.clone() } else { format!("{prefix}.{rname}") };
            if let Some(methods) = rbody.get("methods").and_then(Value::as_object) {
                for (mname, mbody) in methods {
                    let id = mbody
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_else(|| panic!("method {resource}.{mname} has no string id"))
                        .to_string();
                    let prev = out.insert(
                        id.clone(),
                        FoundMethod { resource: resource.clone(), name: mname.clone(), body: mbody.clone() },
                    );
                    assert!(prev.is_none(), "method id {id} appears twice");
                }
            }
            walk(rbody, &resource, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(doc, "", &mut out);
    out
}

/// Only the `get` methods of resources named `operations`.
fn operations_gets(doc: &Value) -> BTreeMap<String, FoundMethod> {
    collect_methods(doc)
        .into_iter()
        .filter(|(_, m)| m.name == "get" && m.resource.rsplit('.').next() == Some("operations"))
        .collect()
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().map(|s| s.as_str().expect("expected an array of strings").to_string()).collect())
        .unwrap_or_default()
}

fn scope_set(v: Option<&Value>) -> BTreeSet<String> {
    str_list(v).into_iter().collect()
}

fn declared_scopes(doc: &Value) -> BTreeSet<String> {
    doc.pointer("/auth/oauth2/scopes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every `description` string and every `enumDescriptions` entry, with the
/// JSON path it was found at.
fn collect_descriptions(doc: &Value) -> Vec<(String, String)> {
    fn walk(v: &Value, path: &str, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    let here = format!("{path}/{k}");
                    match (k.as_str(), child) {
                        ("description", Value::String(s)) => out.push((here, s.clone())),
                        ("enumDescriptions", Value::Array(items)) => {
                            for (i, item) in items.iter().enumerate() {
                                if let Value::String(s) = item {
                                    out.push((format!("{here}/{i}"), s.clone()));
                                }
                            }
                        }
                        _ => walk(child, &here, out),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}

/// Lower-case, punctuation-free form of a sentence, so that trivial edits
/// (a changed comma, a trailing period, backticks) do not count as rewording.
fn normalize(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compares two JSON values while ignoring human-readable text
/// (`description`, `enumDescriptions`). Differences are reported with the
/// path where they occur.
fn compare_shape(ctx: &str, ours: Option<&Value>, real: Option<&Value>, errors: &mut Vec<String>) {
    const IGNORED: [&str; 2] = ["description", "enumDescriptions"];
    match (ours, real) {
        (Some(Value::Object(o)), Some(Value::Object(r))) => {
            let keys: BTreeSet<&String> = o.keys().chain(r.keys()).collect();
            for k in keys {
                if IGNORED.contains(&k.as_str()) {
                    continue;
                }
                compare_shape(&format!("{ctx}.{k}"), o.get(k), r.get(k), errors);
            }
        }
        (o, r) if o == r => {}
        (o, r) => errors.push(format!("{ctx}: ours = {}, real = {}", show(o), show(r))),
    }
}

// ---------------------------------------------------------------------------
// Seed parsing
// ---------------------------------------------------------------------------

/// Scope URLs listed one per line in a seed page (optionally after a bullet).
/// Scopes buried in the page's embedded JSON blob are ignored.
fn seed_scopes(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let Some(at) = line.find(SCOPE_PREFIX) else {
            continue;
        };
        if line[..at].chars().any(|c| c.is_alphanumeric()) {
            continue;
        }
        let scope: String = line[at..].chars().take_while(|c| !c.is_whitespace() && *c != '`').collect();
        out.insert(scope);
    }
    out
}

/// `GET https://host/vX/{name=...}` lines in a seed page, as (full url).
fn seed_http_gets(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("GET "))
        .map(|u| u.trim().to_string())
        .filter(|u| u.starts_with("https://"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Turns a gRPC transcoding template such as `projects/*/operations/**` into
/// the regular expression discovery documents use for the parameter.
fn template_to_pattern(template: &str) -> String {
    let parts: Vec<&str> = template
        .split('/')
        .map(|seg| match seg {
            "*" => "[^/]+",
            "**" => ".*",
            lit => lit,
        })
        .collect();
    format!("^{}$", parts.join("/"))
}

// ---------------------------------------------------------------------------
// Checks that only need our own specs
// ---------------------------------------------------------------------------

const TOP_LEVEL_KEYS: [&str; 22] = [
    "auth",
    "baseUrl",
    "batchPath",
    "description",
    "discoveryVersion",
    "documentationLink",
    "fullyEncodeReservedExpansion",
    "id",
    "kind",
    "mtlsRootUrl",
    "name",
    "ownerDomain",
    "ownerName",
    "parameters",
    "protocol",
    "resources",
    "revision",
    "rootUrl",
    "schemas",
    "servicePath",
    "title",
    "version",
];

const METHOD_KEYS: [&str; 9] =
    ["description", "flatPath", "httpMethod", "id", "parameterOrder", "parameters", "path", "response", "scopes"];

const STANDARD_PARAMS: [&str; 11] = [
    "$.xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "prettyPrint",
    "quotaUser",
    "uploadType",
    "upload_protocol",
];

fn check_keys_sorted(v: &Value, path: &str, errors: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            let keys: Vec<&String> = map.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            if keys != sorted {
                errors.push(format!("{path}: keys are not in alphabetical order: {keys:?}"));
            }
            for (k, child) in map {
                check_keys_sorted(child, &format!("{path}/{k}"), errors);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_keys_sorted(item, &format!("{path}/{i}"), errors);
            }
        }
        _ => {}
    }
}

fn check_refs(v: &Value, path: &str, schemas: &BTreeSet<String>, errors: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref" {
                    match child.as_str() {
                        Some(r) if schemas.contains(r) => {}
                        _ => errors.push(format!("{path}/$ref: {child} is not a schema of this document")),
                    }
                } else {
                    check_refs(child, &format!("{path}/{k}"), schemas, errors);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_refs(item, &format!("{path}/{i}"), schemas, errors);
            }
        }
        _ => {}
    }
}

/// Structural checks every spec must pass, real documents or not.
fn check_well_formed(file: &str) -> Vec<String> {
    let path = spec_path(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read our spec {}: {e}", path.display()));
    let doc = parse(&path, &text);
    let mut errors = Vec::new();

    // Layout: alphabetical keys, two-space pretty printing, trailing newline.
    check_keys_sorted(&doc, "", &mut errors);
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    if text != pretty {
        errors.push(
            "file is not pretty-printed with 2-space indentation, sorted keys and a trailing newline".to_string(),
        );
    }

    for key in TOP_LEVEL_KEYS {
        if doc.get(key).is_none() {
            errors.push(format!("top-level key `{key}` is missing"));
        }
    }
    let expect_str = |key: &str, want: &str, errors: &mut Vec<String>| {
        if doc.get(key).and_then(Value::as_str) != Some(want) {
            errors.push(format!("`{key}` should be {want:?}, found {}", show(doc.get(key))));
        }
    };
    expect_str("kind", "discovery#restDescription", &mut errors);
    expect_str("discoveryVersion", "v1", &mut errors);
    expect_str("protocol", "rest", &mut errors);
    expect_str("batchPath", "batch", &mut errors);
    expect_str("servicePath", "", &mut errors);
    if doc.get("fullyEncodeReservedExpansion") != Some(&Value::Bool(true)) {
        errors.push("`fullyEncodeReservedExpansion` should be true".into());
    }
    let root = doc.get("rootUrl").and_then(Value::as_str).unwrap_or_default();
    let service = doc.get("servicePath").and_then(Value::as_str).unwrap_or_default();
    if doc.get("baseUrl").and_then(Value::as_str) != Some(&format!("{root}{service}")) {
        errors.push(format!(
            "`baseUrl` should be rootUrl + servicePath ({root}{service}), found {}",
            show(doc.get("baseUrl"))
        ));
    }
    let name = doc.get("name").and_then(Value::as_str).unwrap_or_default();
    let version = doc.get("version").and_then(Value::as_str).unwrap_or_default();
    if doc.get("id").and_then(Value::as_str) != Some(&format!("{name}:{version}")) {
        errors.push(format!("`id` should be `{name}:{version}`, found {}", show(doc.get("id"))));
    }

    // Standard query parameters.
    let params = doc.get("parameters").and_then(Value::as_object);
    let names: BTreeSet<&str> = params.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
    let want: BTreeSet<&str> = STANDARD_PARAMS.into_iter().collect();
    if names != want {
        errors.push(format!("standard parameters should be exactly {want:?}, found {names:?}"));
    }
    for (pname, p) in params.into_iter().flatten() {
        if p.get("location").and_then(Value::as_str) != Some("query") {
            errors.push(format!("parameters.{pname}: location should be `query`"));
        }
        if let Some(en) = p.get("enum").and_then(Value::as_array) {
            let descs = p.get("enumDescriptions").and_then(Value::as_array);
            if descs.map(Vec::len) != Some(en.len()) {
                errors.push(format!("parameters.{pname}: needs one enumDescriptions entry per enum value"));
            }
        }
    }

    // Schemas: exactly Operation and Status, each fully described.
    let schemas = doc.get("schemas").and_then(Value::as_object);
    let schema_names: BTreeSet<String> = schemas.map(|s| s.keys().cloned().collect()).unwrap_or_default();
    let want_schemas: BTreeSet<String> = ["Operation", "Status"].map(String::from).into();
    if schema_names != want_schemas {
        errors.push(format!("schemas should be exactly {want_schemas:?}, found {schema_names:?}"));
    }
    for (sname, s) in schemas.into_iter().flatten() {
        if s.get("id").and_then(Value::as_str) != Some(sname) {
            errors.push(format!("schemas.{sname}: `id` should equal the schema name"));
        }
        if s.get("type").and_then(Value::as_str) != Some("object") {
            errors.push(format!("schemas.{sname}: `type` should be `object`"));
        }
        if s.get("description").is_none() {
            errors.push(format!("schemas.{sname}: missing description"));
        }
        match s.get("properties").and_then(Value::as_object) {
            None => errors.push(format!("schemas.{sname}: missing properties")),
            Some(props) => {
                for (prop, body) in props {
                    if body.get("description").is_none() {
                        errors.push(format!("schemas.{sname}.properties.{prop}: missing description"));
                    }
                }
            }
        }
    }
    check_refs(&doc, "", &schema_names, &mut errors);

    // Methods: all of them operations `get`s, complete and self-consistent.
    let declared = declared_scopes(&doc);
    let all = collect_methods(&doc);
    if all.is_empty() {
        errors.push("no methods found under `resources`".into());
    }
    for (id, m) in &all {
        if m.name != "get" || !m.resource.ends_with("operations") {
            errors.push(format!(
                "{id}: only `get` methods of `operations` resources belong here (found {}.{})",
                m.resource, m.name
            ));
        }
        let want_id = format!("{name}.{}.{}", m.resource, m.name);
        if id != &want_id {
            errors.push(format!("{id}: id does not match its place in the tree ({want_id})"));
        }
        for key in METHOD_KEYS {
            if m.body.get(key).is_none() {
                errors.push(format!("{id}: missing `{key}`"));
            }
        }
        let path = m.body.get("path").and_then(Value::as_str).unwrap_or_default();
        if !path.starts_with(&format!("{version}/")) {
            errors.push(format!("{id}: path {path:?} should start with `{version}/`"));
        }
        let params = m.body.get("parameters").and_then(Value::as_object);
        let order = str_list(m.body.get("parameterOrder"));
        for p in &order {
            let body = params.and_then(|ps| ps.get(p));
            match body {
                None => errors.push(format!("{id}: parameterOrder names unknown parameter `{p}`")),
                Some(b) => {
                    if b.get("required") != Some(&Value::Bool(true)) {
                        errors.push(format!("{id}: parameter `{p}` should be required"));
                    }
                    if b.get("location").and_then(Value::as_str) != Some("path") {
                        errors.push(format!("{id}: parameter `{p}` should be a path parameter"));
                    }
                    if !path.contains(&format!("{{+{p}}}")) && !path.contains(&format!("{{{p}}}")) {
                        errors.push(format!("{id}: path {path:?} does not use parameter `{p}`"));
                    }
                    if b.get("description").is_none() {
                        errors.push(format!("{id}: parameter `{p}` has no description"));
                    }
                }
            }
        }
        for scope in scope_set(m.body.get("scopes")) {
            if !declared.contains(&scope) {
                errors.push(format!("{id}: scope {scope} is not declared in auth.oauth2.scopes"));
            }
        }
        if m.body.get("response") != Some(&serde_json::json!({"$ref": "Operation"})) {
            errors.push(format!("{id}: response should be {{\"$ref\": \"Operation\"}}"));
        }
    }
    for (scope, body) in doc.pointer("/auth/oauth2/scopes").and_then(Value::as_object).into_iter().flatten() {
        if body.get("description").and_then(Value::as_str).is_none() {
            errors.push(format!("auth scope {scope} has no description"));
        }
    }

    for (where_, text) in collect_descriptions(&doc) {
        if text.trim().is_empty() {
            errors.push(format!("{where_}: empty description"));
        }
    }
    errors
}

#[test]
fn specs_are_well_formed() {
    for file in [VISION_SPEC, EVENTS_SPEC] {
        fail_if_any(&format!("specs/{file}"), &check_well_formed(file));
    }
}

#[test]
fn vision_method_tree_is_as_expected() {
    let doc = load_spec(VISION_SPEC);
    let got: BTreeMap<String, (String, String, String)> = collect_methods(&doc)
        .into_iter()
        .map(|(id, m)| {
            let field = |k: &str| m.body.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let pattern = m.body.pointer("/parameters/name/pattern").and_then(Value::as_str).unwrap_or("").to_string();
            (id, (m.resource, field("flatPath"), pattern))
        })
        .collect();
    let want: BTreeMap<String, (String, String, String)> = [
        ("vision.operations.get", "operations", "v1/operations/{operationsId}", "^operations/[^/]+$"),
        (
            "vision.locations.operations.get",
            "locations.operations",
            "v1/locations/{locationsId}/operations/{operationsId}",
            "^locations/[^/]+/operations/[^/]+$",
        ),
        (
            "vision.projects.operations.get",
            "projects.operations",
            "v1/projects/{projectsId}/operations/{operationsId}",
            "^projects/[^/]+/operations/[^/]+$",
        ),
        (
            "vision.projects.locations.operations.get",
            "projects.locations.operations",
            "v1/projects/{projectsId}/locations/{locationsId}/operations/{operationsId}",
            "^projects/[^/]+/locations/[^/]+/operations/[^/]+$",
        ),
    ]
    .into_iter()
    .map(|(id, r, f, p)| (id.to_string(), (r.to_string(), f.to_string(), p.to_string())))
    .collect();

    let mut errors = Vec::new();
    for (id, w) in &want {
        match got.get(id) {
            None => errors.push(format!("{id}: missing")),
            Some(g) if g != w => errors.push(format!("{id}: (resource, flatPath, pattern) = {g:?}, expected {w:?}")),
            Some(_) => {}
        }
    }
    for id in got.keys().filter(|id| !want.contains_key(*id)) {
        errors.push(format!("{id}: unexpected method"));
    }
    let want_scopes: BTreeSet<String> =
        ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/cloud-vision"]
            .map(String::from)
            .into();
    for (id, m) in collect_methods(&doc) {
        let scopes = scope_set(m.body.get("scopes"));
        if scopes != want_scopes {
            errors.push(format!("{id}: scopes {scopes:?}, expected {want_scopes:?}"));
        }
        if m.body.get("path").and_then(Value::as_str) != Some("v1/{+name}") {
            errors.push(format!("{id}: path should be `v1/{{+name}}`"));
        }
    }
    fail_if_any("specs/vision.v1.json method tree", &errors);
}

// ---------------------------------------------------------------------------
// Comparison against the published documents
// ---------------------------------------------------------------------------

/// Compares one of our methods with the published one. `rewrite` maps the
/// published path/flatPath onto ours (used for v1 -> v1beta).
fn compare_method(
    id: &str,
    ours: &FoundMethod,
    real: &FoundMethod,
    rewrite: &dyn Fn(&str) -> String,
    compare_scopes: bool,
    errors: &mut Vec<String>,
) {
    if ours.resource != real.resource {
        errors.push(format!("{id}: nested under resource `{}`, real document has `{}`", ours.resource, real.resource));
    }
    for key in ["path", "flatPath"] {
        let o = ours.body.get(key).and_then(Value::as_str);
        let r = real.body.get(key).and_then(Value::as_str).map(rewrite);
        if o != r.as_deref() {
            errors.push(format!("{id}: {key} = {o:?}, real = {r:?}"));
        }
    }
    for key in ["httpMethod", "parameterOrder", "response"] {
        if ours.body.get(key) != real.body.get(key) {
            errors.push(format!("{id}: {key} = {}, real = {}", show(ours.body.get(key)), show(real.body.get(key))));
        }
    }
    let op = ours.body.get("parameters").and_then(Value::as_object);
    let rp = real.body.get("parameters").and_then(Value::as_object);
    let on: BTreeSet<&String> = op.map(|m| m.keys().collect()).unwrap_or_default();
    let rn: BTreeSet<&String> = rp.map(|m| m.keys().collect()).unwrap_or_default();
    if on != rn {
        errors.push(format!("{id}: parameter names {on:?}, real = {rn:?}"));
    }
    for pname in on.intersection(&rn) {
        let o = &op.unwrap()[pname.as_str()];
        let r = &rp.unwrap()[pname.as_str()];
        for key in ["type", "location", "required", "pattern", "format", "repeated", "enum"] {
            if o.get(key) != r.get(key) {
                errors.push(format!(
                    "{id}: parameter `{pname}` {key} = {}, real = {}",
                    show(o.get(key)),
                    show(r.get(key))
                ));
            }
        }
    }
    if compare_scopes {
        let os = scope_set(ours.body.get("scopes"));
        let rs = scope_set(real.body.get("scopes"));
        if os != rs {
            let missing: Vec<_> = rs.difference(&os).collect();
            let extra: Vec<_> = os.difference(&rs).collect();
            errors.push(format!("{id}: scopes differ; missing {missing:?}, extra {extra:?}"));
        }
    }
}

fn compare_schemas(ours: &Value, real: &Value, errors: &mut Vec<String>) {
    for name in ["Operation", "Status"] {
        let o = ours.pointer(&format!("/schemas/{name}"));
        let r = real.pointer(&format!("/schemas/{name}"));
        if r.is_none() {
            errors.push(format!("real document has no `{name}` schema to compare with"));
            continue;
        }
        compare_shape(&format!("schemas.{name}"), o, r, errors);
    }
}

fn compare_top_level(keys: &[&str], ours: &Value, real: &Value, errors: &mut Vec<String>) {
    for key in keys {
        if ours.get(key) != real.get(key) {
            errors.push(format!("`{key}` = {}, real = {}", show(ours.get(key)), show(real.get(key))));
        }
    }
}

#[test]
#[ignore = "needs ../shared"]
fn vision_matches_published_document() {
    let real = load_real(VISION_REAL, "Vision fact check");
    let ours = load_spec(VISION_SPEC);
    let mut errors = Vec::new();

    compare_top_level(
        &[
            "basePath",
            "baseUrl",
            "batchPath",
            "canonicalName",
            "discoveryVersion",
            "documentationLink",
            "fullyEncodeReservedExpansion",
            "id",
            "kind",
            "mtlsRootUrl",
            "name",
            "ownerDomain",
            "ownerName",
            "protocol",
            "revision",
            "rootUrl",
            "servicePath",
            "title",
            "version",
        ],
        &ours,
        &real,
        &mut errors,
    );
    compare_shape("parameters", ours.get("parameters"), real.get("parameters"), &mut errors);

    let om = operations_gets(&ours);
    let rm = operations_gets(&real);
    let oid: BTreeSet<&String> = om.keys().collect();
    let rid: BTreeSet<&String> = rm.keys().collect();
    for id in rid.difference(&oid) {
        errors.push(format!("{id}: real document has it, our spec does not"));
    }
    for id in oid.difference(&rid) {
        errors.push(format!("{id}: our spec has it, real document does not"));
    }
    let other: Vec<String> = collect_methods(&ours).into_keys().filter(|id| !om.contains_key(id)).collect();
    if !other.is_empty() {
        errors.push(format!("our spec has methods other than operations gets: {other:?}"));
    }
    for id in oid.intersection(&rid) {
        compare_method(id, &om[*id], &rm[*id], &|s| s.to_string(), true, &mut errors);
    }

    let real_scopes = declared_scopes(&real);
    for scope in declared_scopes(&ours) {
        if !real_scopes.contains(&scope) {
            errors.push(format!("auth scope {scope} is not declared by the real document"));
        }
    }
    compare_schemas(&ours, &real, &mut errors);
    fail_if_any("specs/vision.v1.json vs published vision.v1.json", &errors);
}

#[test]
fn workspace_events_method_facts() {
    let doc = load_spec(EVENTS_SPEC);
    let mut errors = Vec::new();
    for (key, want) in [
        ("id", "workspaceevents:v1beta"),
        ("name", "workspaceevents"),
        ("version", "v1beta"),
        ("rootUrl", "https://workspaceevents.googleapis.com/"),
        ("baseUrl", "https://workspaceevents.googleapis.com/"),
        ("servicePath", ""),
        ("batchPath", "batch"),
    ] {
        if doc.get(key).and_then(Value::as_str) != Some(want) {
            errors.push(format!("`{key}` = {}, expected {want:?}", show(doc.get(key))));
        }
    }
    let methods = collect_methods(&doc);
    let ids: Vec<&String> = methods.keys().collect();
    if ids != ["workspaceevents.operations.get"] {
        errors.push(format!("methods should be exactly [workspaceevents.operations.get], found {ids:?}"));
    }
    if let Some(m) = methods.get("workspaceevents.operations.get") {
        if m.resource != "operations" {
            errors.push(format!("operations.get is nested under `{}`", m.resource));
        }
        let b = &m.body;
        for (ptr, want) in [
            ("/path", serde_json::json!("v1beta/{+name}")),
            ("/flatPath", serde_json::json!("v1beta/operations/{operationsId}")),
            ("/httpMethod", serde_json::json!("GET")),
            ("/parameterOrder", serde_json::json!(["name"])),
            ("/response", serde_json::json!({"$ref": "Operation"})),
            ("/parameters/name/pattern", serde_json::json!("^operations/.*$")),
            ("/parameters/name/required", serde_json::json!(true)),
            ("/parameters/name/location", serde_json::json!("path")),
            ("/parameters/name/type", serde_json::json!("string")),
        ] {
            if b.pointer(ptr) != Some(&want) {
                errors.push(format!(
                    "workspaceevents.operations.get{}: {}, expected {want}",
                    ptr.replace('/', "."),
                    show(b.pointer(ptr))
                ));
            }
        }
        let method_scopes = scope_set(b.get("scopes"));
        if method_scopes.len() != 17 {
            errors.push(format!("method should list 17 scopes, lists {}", method_scopes.len()));
        }
        if method_scopes != declared_scopes(&doc) {
            errors.push("method scopes and auth.oauth2.scopes should be the same set".into());
        }
    }
    fail_if_any("specs/workspaceevents.v1beta.json", &errors);
}

#[test]
#[ignore = "needs ../shared"]
fn workspace_events_scopes_match_seed() {
    let seeds = load_seeds();
    let Some((_, text)) = seeds.iter().find(|(name, _)| name == EVENTS_SCOPE_SEED) else {
        panic!("Workspace Events scope check: seed {EVENTS_SCOPE_SEED} not found");
    };
    let doc = load_spec(EVENTS_SPEC);
    let want = seed_scopes(text);
    assert_eq!(want.len(), 17, "seed {EVENTS_SCOPE_SEED} should list 17 scopes, parsed {want:?}");
    let mut errors = Vec::new();
    let method = doc.pointer("/resources/operations/methods/get/scopes");
    for (what, got) in [("operations.get scopes", scope_set(method)), ("auth.oauth2.scopes", declared_scopes(&doc))] {
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        if !missing.is_empty() || !extra.is_empty() {
            errors.push(format!("{what} differ from seed {EVENTS_SCOPE_SEED}: missing {missing:?}, extra {extra:?}"));
        }
    }
    // Every other seed page about the v1beta method must list a subset of
    // those scopes (older pages list fewer).
    let ours = declared_scopes(&doc);
    for (name, text) in &seeds {
        if !text.contains("workspaceevents.googleapis.com/v1beta/") {
            continue;
        }
        let extra: Vec<_> = seed_scopes(text).into_iter().filter(|s| !ours.contains(s)).collect();
        if !extra.is_empty() {
            errors.push(format!("seed {name} lists scopes our spec lacks: {extra:?}"));
        }
    }
    fail_if_any("Workspace Events scopes vs seed pages", &errors);
}

#[test]
#[ignore = "needs ../shared"]
fn workspace_events_matches_v1_sibling() {
    let real = load_real(EVENTS_V1_REAL, "Workspace Events v1 sibling check");
    let ours = load_spec(EVENTS_SPEC);
    let mut errors = Vec::new();
    compare_top_level(
        &[
            "basePath",
            "baseUrl",
            "batchPath",
            "canonicalName",
            "discoveryVersion",
            "documentationLink",
            "fullyEncodeReservedExpansion",
            "kind",
            "mtlsRootUrl",
            "name",
            "ownerDomain",
            "ownerName",
            "protocol",
            "rootUrl",
            "servicePath",
            "title",
        ],
        &ours,
        &real,
        &mut errors,
    );
    compare_shape("parameters", ours.get("parameters"), real.get("parameters"), &mut errors);
    compare_schemas(&ours, &real, &mut errors);

    let om = operations_gets(&ours);
    let rm = operations_gets(&real);
    match (om.get("workspaceevents.operations.get"), rm.get("workspaceevents.operations.get")) {
        (Some(o), Some(r)) => {
            // Scopes are not compared: v1beta and v1 publish different lists.
            let to_beta = |s: &str| match s.strip_prefix("v1/") {
                Some(rest) => format!("v1beta/{rest}"),
                None => s.to_string(),
            };
            compare_method("workspaceevents.operations.get", o, r, &to_beta, false, &mut errors);
            let os = scope_set(o.body.get("scopes"));
            let rs = scope_set(r.body.get("scopes"));
            let only_beta: Vec<_> = os.difference(&rs).collect();
            if !only_beta.is_empty() {
                eprintln!("note: v1beta scopes not used by v1 operations.get: {only_beta:?}");
            }
        }
        (o, r) => errors.push(format!(
            "workspaceevents.operations.get present in ours: {}, in v1: {}",
            o.is_some(),
            r.is_some()
        )),
    }
    fail_if_any("specs/workspaceevents.v1beta.json vs published workspaceevents.v1.json", &errors);
}

#[test]
#[ignore = "needs ../shared"]
fn seed_http_templates_match_specs() {
    let seeds = load_seeds();
    assert!(!seeds.is_empty(), "seed HTTP template check: no seed pages found");
    let specs = [load_spec(VISION_SPEC), load_spec(EVENTS_SPEC)];
    let mut errors = Vec::new();
    let mut checked = 0;
    for (name, text) in &seeds {
        for url in seed_http_gets(text) {
            let Some(spec) = specs
                .iter()
                .find(|s| s.get("rootUrl").and_then(Value::as_str).is_some_and(|root| url.starts_with(root)))
            else {
                errors.push(format!("seed {name}: no spec has a rootUrl for {url}"));
                continue;
            };
            let root = spec["rootUrl"].as_str().unwrap();
            let rest = &url[root.len()..];
            // rest looks like `v1/{name=projects/*/operations/*}`
            let Some((prefix, template)) = rest.strip_suffix('}').and_then(|r| r.split_once("{name=")) else {
                errors.push(format!("seed {name}: cannot read template in {url}"));
                continue;
            };
            let path = format!("{prefix}{{+name}}");
            let pattern = template_to_pattern(template);
            let hit = collect_methods(spec).into_values().any(|m| {
                m.body.get("path").and_then(Value::as_str) == Some(path.as_str())
                    && m.body.get("httpMethod").and_then(Value::as_str) == Some("GET")
                    && m.body.pointer("/parameters/name/pattern").and_then(Value::as_str) == Some(pattern.as_str())
            });
            if !hit {
                errors.push(format!(
                    "seed {name}: no GET method with path {path:?} and pattern {pattern:?} (from {url})"
                ));
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no `GET https://...` lines found in the seed pages");
    fail_if_any("seed HTTP templates", &errors);
}

// ---------------------------------------------------------------------------
// Own-words guard
// ---------------------------------------------------------------------------

#[test]
#[ignore = "needs ../shared"]
fn descriptions_are_in_our_own_words() {
    let reals: Vec<(&str, Value)> =
        [VISION_REAL, EVENTS_V1_REAL].into_iter().map(|name| (name, load_real(name, "own-words check"))).collect();
    let seeds = load_seeds();
    let mut errors = Vec::new();

    // Published sentences, normalized, remembering where each came from.
    let mut published: BTreeMap<String, String> = BTreeMap::new();
    for (name, doc) in &reals {
        for (path, text) in collect_descriptions(doc) {
            published.entry(normalize(&text)).or_insert_with(|| format!("{name}{path}"));
        }
    }
    let seed_texts: Vec<(String, String)> = seeds.iter().map(|(n, t)| (n.clone(), normalize(t))).collect();

    for spec in [VISION_SPEC, EVENTS_SPEC] {
        let doc = load_spec(spec);
        for (path, text) in collect_descriptions(&doc) {
            let norm = normalize(&text);
            if let Some(source) = published.get(&norm) {
                errors.push(format!("{spec}{path}: {text:?} repeats the published description at {source}"));
            }
            // Longer sentences must not be lifted word for word from the
            // seed pages either.
            if norm.len() >= 30 {
                for (seed, seed_norm) in &seed_texts {
                    if seed_norm.contains(&norm) {
                        errors.push(format!("{spec}{path}: {text:?} appears verbatim in seed {seed}"));
                    }
                }
            }
        }
    }
    fail_if_any("own-words rule for descriptions", &errors);
}
