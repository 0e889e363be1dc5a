//! Property tests: whatever document comes in, `discogen::generate` does
//! not panic, and every file of every `Ok` output parses as Rust.
//!
//! Two sources of documents:
//! - random documents: schema graphs with refs, cycles, enums, nested
//!   arrays and maps, names with keywords, punctuation and unicode, and
//!   resources with methods, path templates and parameters;
//! - the real documents in `../shared/discovery`, mutated: a key deleted, a
//!   value replaced by one of the wrong type, a schema renamed, a method
//!   duplicated, a string made hostile, the text truncated.
//!
//! A normal `cargo test` runs 64 cases of each and mutates only documents
//! under 200 KB, to stay within seconds in a debug build. For a long run,
//! raise the case count and the size limit, preferably in release mode:
//!
//! ```text
//! PROPTEST_CASES=5000 DISCOGEN_PROPTEST_MAX_BYTES=6000000 \
//!     cargo test -p discogen --release --test proptest_generator -- --nocapture
//! ```
//!
//! A failing case is shrunk and printed; proptest also saves its seed under
//! `proptest-regressions/` so that the next run tries it first.

mod common;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::Config;
use serde_json::{json, Map, Value};

/// Cases per property: `PROPTEST_CASES`, or 64.
fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64);
    Config { cases, ..Config::default() }
}

/// Generates `source` and checks the property; `Err` describes a violation.
fn check(source: &str) -> Result<(), TestCaseError> {
    match common::generate_caught(source) {
        Err(panic) => Err(TestCaseError::fail(format!("the generator panicked: {panic}"))),
        Ok(Err(_)) => Ok(()),
        Ok(Ok(output)) => check_output(&output).map_err(TestCaseError::fail),
    }
}

/// Every file parses and defines no name twice. Runs on a thread with a
/// large stack: syn recurses once per level of nested types, and the
/// generator allows more levels than a debug test thread's stack holds.
fn check_output(output: &discogen::Output) -> Result<(), String> {
    let verdict = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(256 << 20).spawn_scoped(scope, || {
            for f in output.files() {
                let file = syn::parse_file(f.contents()).map_err(|e| format!("{} does not parse: {e}", f.path()))?;
                if let Some(clash) = common::duplicate_name(&file) {
                    return Err(format!("{}: {clash}", f.path()));
                }
            }
            Ok(())
        });
        worker.map(|handle| handle.join())
    });
    match verdict {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => Err("checking the output panicked".into()),
        Err(e) => Err(format!("no thread to check on: {e}")),
    }
}

/// Names that stress the naming rules.
const ODD_NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "move",
    "return",
    "use",
    "fn",
    "async",
    "gen",
    "_",
    "r#type",
    "Option",
    "Result",
    "Box",
    "String",
    "Vec",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "extra",
    "Extra",
    "UnknownValue",
    "client",
    "params",
    "builder",
    "new",
    "send",
    "wait",
    "poller",
    "build_request",
    "runtime",
    "from_runtime",
    "scopes",
    "model",
    "resources",
    "Client",
    "StandardParams",
    "WithStandardParams",
    "ROOT_URL",
    "get_operation",
    "getOperation",
    "wait_operation",
    "operation_poller",
    "getOperations",
    "operations",
    "request",
    "path",
    "upload_path",
    "request_builder",
    "upload",
    "download",
    "pages",
    "items",
    "pageToken",
    "nextPageToken",
    "done",
    "error",
    "response",
    "metadata",
    "code",
    "message",
    "details",
    "standard_params_mut",
    "call_options",
    "retry_policy",
    "idempotent",
    "apply",
    "inner",
    "clone",
    "fmt",
    "key",
    "fields",
    "$.xgafv",
    "$ref",
    "@type",
    "a.b",
    "x-y",
    "1abc",
    "9",
    "foo",
    "Foo",
    "FOO",
    "foo_",
    "foo__",
    "FooBar",
    "foo_bar",
    "fooBar",
    "é",
    "日本",
    "a b",
    "",
    " ",
    "\u{202e}rtl",
    "zero\u{200b}width",
    "tab\t",
    "nl\n",
    "nul\u{0}",
];

/// Characters random names are built from.
const NAME_CHARS: &[char] = &[
    'a', 'b', 'x', 'Z', 'Q', '_', '0', '7', '.', '-', '$', '@', ' ', '/', ':', '{', '}', '"', '\\', '#', '*', '`',
    '\n', '\r', '\t', '\u{0}', '\u{1b}', 'é', '日', '\u{202e}', '\u{200b}', '😈',
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(ODD_NAMES).prop_map(str::to_string),
        2 => proptest::collection::vec(select(NAME_CHARS), 0..8).prop_map(|cs| cs.into_iter().collect()),
        2 => "[a-z][a-zA-Z0-9]{0,6}",
    ]
}

/// A schema as a tree, with `$ref`s as indexes into the document's schemas.
#[derive(Clone, Debug)]
enum Tree {
    Scalar(&'static str, Option<&'static str>),
    Enum(Vec<String>),
    Ref(Index),
    Array(Option<Box<Tree>>),
    Map(Option<Box<Tree>>),
    Object(Vec<(String, Tree)>),
    Junk(Value),
}

const SCALARS: &[(&str, Option<&str>)] = &[
    ("string", None),
    ("string", Some("int64")),
    ("string", Some("uint64")),
    ("string", Some("byte")),
    ("string", Some("date-time")),
    ("string", Some("google-datetime")),
    ("string", Some("date")),
    ("string", Some("google-duration")),
    ("string", Some("google-fieldmask")),
    ("string", Some("uuid")),
    ("integer", None),
    ("integer", Some("int32")),
    ("integer", Some("uint32")),
    ("integer", Some("int128")),
    ("number", Some("double")),
    ("number", Some("float")),
    ("number", None),
    ("boolean", None),
    ("any", None),
    ("null", None),
    ("fancy", Some("weird")),
];

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        4 => select(SCALARS).prop_map(|(t, f)| Tree::Scalar(t, f)),
        2 => proptest::collection::vec(name(), 0..5).prop_map(Tree::Enum),
        3 => any::<Index>().prop_map(Tree::Ref),
        1 => select(vec![json!({}), json!({"type": "object"}), json!({"items": {}}), json!({"type": "array"})]).prop_map(Tree::Junk),
    ];
    // Five levels per schema; chained through `$ref`s between schemas they
    // can pass the generator's nesting limit, which must then be an error.
    leaf.prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            proptest::option::of(inner.clone()).prop_map(|t| Tree::Array(t.map(Box::new))),
            proptest::option::of(inner.clone()).prop_map(|t| Tree::Map(t.map(Box::new))),
            proptest::collection::vec((name(), inner), 0..4).prop_map(Tree::Object),
        ]
    })
}

fn tree_json(tree: &Tree, schema_names: &[String], description: &str) -> Value {
    let mut v = match tree {
        Tree::Scalar(t, f) => {
            let mut v = json!({"type": t});
            if let Some(f) = f {
                v["format"] = json!(f);
            }
            v
        }
        Tree::Enum(values) => json!({"type": "string", "enum": values, "enumDescriptions": values}),
        Tree::Ref(i) => json!({"$ref": schema_names[i.index(schema_names.len())]}),
        Tree::Array(items) => {
            let mut v = json!({"type": "array"});
            if let Some(t) = items {
                v["items"] = tree_json(t, schema_names, description);
            }
            v
        }
        Tree::Map(value) => {
            let mut v = json!({"type": "object"});
            if let Some(t) = value {
                v["additionalProperties"] = tree_json(t, schema_names, description);
            }
            v
        }
        Tree::Object(props) => {
            let props: Map<String, Value> =
                props.iter().map(|(n, t)| (n.clone(), tree_json(t, schema_names, description))).collect();
            json!({"type": "object", "properties": props})
        }
        Tree::Junk(v) => v.clone(),
    };
    if let Value::Object(map) = &mut v {
        map.insert("description".into(), json!(description));
    }
    v
}

#[derive(Clone, Debug)]
struct Param {
    name: String,
    location: &'static str,
    ty: Tree,
    required: bool,
    repeated: bool,
    pattern: Option<&'static str>,
}

#[derive(Clone, Debug)]
struct RandomMethod {
    key: String,
    id: Option<String>,
    verb: &'static str,
    /// Literal path pieces and placeholders (`true` = `{+x}`), by parameter index.
    path: Vec<(String, Option<(Index, bool)>)>,
    params: Vec<Param>,
    order: Vec<Index>,
    ghost_in_order: bool,
    request: Option<Index>,
    response: Option<Index>,
}

#[derive(Clone, Debug)]
struct RandomResource {
    key: String,
    methods: Vec<RandomMethod>,
    children: Vec<RandomResource>,
}

#[derive(Clone, Debug)]
struct RandomDoc {
    name: String,
    version: String,
    title: String,
    root_url: &'static str,
    fully_encode: Option<bool>,
    scopes: Vec<String>,
    schemas: Vec<(String, Tree)>,
    std_params: Vec<Param>,
    top_methods: Vec<RandomMethod>,
    resources: Vec<RandomResource>,
    description: &'static str,
    /// Adds `Operation`/`Status` schemas and pollable `operations.get`
    /// methods, so that the client's operation dispatch is generated too.
    lro: bool,
}

const PATTERNS: &[&str] = &["^projects/[^/]+$", "^[a-z]+$", "([", "^.*$", "\\p{L}+", "(?i)abc", "a{1000}"];
const VERBS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "get", ""];
const DESCRIPTIONS: &[&str] = &[
    "",
    "plain",
    "*/ \"# #![deny(warnings)] } fn evil() {} {",
    "```rust\nfn evil() {}\n```",
    "<b>html</b> [link](x) `code` https://example.com/a?b=c",
    "\u{202e}bidi\u{200b}\r\n\u{0}",
];

fn param() -> impl Strategy<Value = Param> {
    (
        name(),
        select(&["path", "query", "header", "body"][..]),
        tree(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(select(PATTERNS)),
    )
        .prop_map(|(name, location, ty, required, repeated, pattern)| Param {
            name,
            location,
            ty,
            required,
            repeated,
            pattern,
        })
}

fn method() -> impl Strategy<Value = RandomMethod> {
    (
        name(),
        proptest::option::of(name()),
        select(VERBS),
        proptest::collection::vec(
            (
                select(&["v1/", "/", "things/", ":cancel", "", "a%20b", "?x=1", "#f"][..]).prop_map(str::to_string),
                proptest::option::of((any::<Index>(), any::<bool>())),
            ),
            0..4,
        ),
        proptest::collection::vec(param(), 0..4),
        proptest::collection::vec(any::<Index>(), 0..3),
        proptest::bool::weighted(0.1),
        proptest::option::of(any::<Index>()),
        proptest::option::of(any::<Index>()),
    )
        .prop_map(|(key, id, verb, path, params, order, ghost_in_order, request, response)| RandomMethod {
            key,
            id,
            verb,
            path,
            params,
            order,
            ghost_in_order,
            request,
            response,
        })
}

fn resource() -> impl Strategy<Value = RandomResource> {
    let leaf = (name(), proptest::collection::vec(method(), 0..3)).prop_map(|(key, methods)| RandomResource {
        key,
        methods,
        children: Vec::new(),
    });
    leaf.prop_recursive(2, 6, 3, |inner| {
        (name(), proptest::collection::vec(method(), 0..3), proptest::collection::vec(inner, 0..3))
            .prop_map(|(key, methods, children)| RandomResource { key, methods, children })
    })
}

fn random_doc() -> impl Strategy<Value = RandomDoc> {
    (
        (name(), name(), name()),
        select(&["https://api.example.com/", "http://localhost:8080/", "https://x/", "ftp://x/"][..]),
        proptest::option::of(any::<bool>()),
        proptest::collection::vec(name(), 0..3),
        proptest::collection::vec((name(), tree()), 1..8),
        proptest::collection::vec(param(), 0..3),
        proptest::collection::vec(method(), 0..2),
        proptest::collection::vec(resource(), 0..3),
        (select(DESCRIPTIONS), proptest::bool::weighted(0.5)),
    )
        .prop_map(
            |(
                (name, version, title),
                root_url,
                fully_encode,
                scopes,
                schemas,
                std_params,
                top_methods,
                resources,
                (description, lro),
            )| {
                RandomDoc {
                    name,
                    version,
                    title,
                    root_url,
                    fully_encode,
                    scopes,
                    schemas,
                    std_params,
                    top_methods,
                    resources,
                    description,
                    lro,
                }
            },
        )
}

fn param_json(p: &Param, schemas: &[String], description: &str) -> Value {
    let mut v = tree_json(&p.ty, schemas, description);
    if let Value::Object(map) = &mut v {
        map.insert("location".into(), json!(p.location));
        map.insert("required".into(), json!(p.required));
        map.insert("repeated".into(), json!(p.repeated));
        if let Some(pattern) = p.pattern {
            map.insert("pattern".into(), json!(pattern));
        }
    }
    v
}

fn method_json(m: &RandomMethod, schemas: &[String], description: &str) -> Value {
    let mut path = String::new();
    for (literal, var) in &m.path {
        path.push_str(literal);
        if let Some((i, reserved)) = var {
            // A placeholder for one of the parameters, or for a name with none.
            let target =
                if m.params.is_empty() { "ghost".to_string() } else { m.params[i.index(m.params.len())].name.clone() };
            path.push('{');
            if *reserved {
                path.push('+');
            }
            path.push_str(&target);
            path.push('}');
        }
    }
    let params: Map<String, Value> =
        m.params.iter().map(|p| (p.name.clone(), param_json(p, schemas, description))).collect();
    let mut order: Vec<String> = if m.params.is_empty() {
        Vec::new()
    } else {
        m.order.iter().map(|i| m.params[i.index(m.params.len())].name.clone()).collect()
    };
    if m.ghost_in_order {
        order.push("ghost".into());
    }
    let mut v = json!({
        "httpMethod": m.verb,
        "path": path,
        "description": description,
        "parameters": params,
        "parameterOrder": order,
        "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
    });
    if let Some(id) = &m.id {
        v["id"] = json!(id);
    }
    if let Some(i) = m.request {
        v["request"] = json!({"$ref": schemas[i.index(schemas.len())]});
    }
    if let Some(i) = m.response {
        v["response"] = json!({"$ref": schemas[i.index(schemas.len())]});
    }
    v
}

fn resource_json(r: &RandomResource, schemas: &[String], description: &str) -> Value {
    let methods: Map<String, Value> =
        r.methods.iter().map(|m| (m.key.clone(), method_json(m, schemas, description))).collect();
    let children: Map<String, Value> =
        r.children.iter().map(|c| (c.key.clone(), resource_json(c, schemas, description))).collect();
    json!({"methods": methods, "resources": children})
}

impl RandomDoc {
    fn to_json(&self) -> String {
        let schema_names: Vec<String> = self.schemas.iter().map(|(n, _)| n.clone()).collect();
        let schemas: Map<String, Value> =
            self.schemas.iter().map(|(n, t)| (n.clone(), tree_json(t, &schema_names, self.description))).collect();
        let scopes: Map<String, Value> = self
            .scopes
            .iter()
            .map(|s| (format!("https://www.googleapis.com/auth/{s}"), json!({"description": self.description})))
            .collect();
        let std_params: Map<String, Value> =
            self.std_params.iter().map(|p| (p.name.clone(), param_json(p, &schema_names, self.description))).collect();
        let methods: Map<String, Value> =
            self.top_methods.iter().map(|m| (m.key.clone(), method_json(m, &schema_names, self.description))).collect();
        let resources: Map<String, Value> =
            self.resources.iter().map(|r| (r.key.clone(), resource_json(r, &schema_names, self.description))).collect();
        let mut doc = json!({
            "kind": "discovery#restDescription",
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "rootUrl": self.root_url,
            "servicePath": "svc/",
            "auth": {"oauth2": {"scopes": scopes}},
            "parameters": std_params,
            "schemas": schemas,
            "methods": methods,
            "resources": resources,
        });
        if let Some(fully) = self.fully_encode {
            doc["fullyEncodeReservedExpansion"] = json!(fully);
        }
        if self.lro {
            add_operations(&mut doc);
        }
        doc.to_string()
    }
}

/// `Operation` and `Status` schemas, and two `operations.get` methods with
/// patterns, as Google's documents have them.
fn add_operations(doc: &mut Value) {
    doc["schemas"]["Status"] = json!({"type": "object", "properties": {
        "code": {"type": "integer", "format": "int32"}, "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "any"}}}}});
    doc["schemas"]["Operation"] = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "done": {"type": "boolean"}, "error": {"$ref": "Status"},
        "metadata": {"type": "object", "additionalProperties": {"type": "any"}},
        "response": {"type": "object", "additionalProperties": {"type": "any"}}}});
    let get = |id: &str, pattern: &str| {
        json!({"id": id, "path": "v1/{+name}", "httpMethod": "GET",
               "parameters": {"name": {"type": "string", "location": "path", "required": true, "pattern": pattern}},
               "parameterOrder": ["name"], "response": {"$ref": "Operation"}})
    };
    let top = json!({"methods": {"get": get("lro.operations.get", "^operations/[^/]+$")}});
    let nested = json!({"resources": {"operations": {"methods": {
        "get": get("lro.projects.operations.get", "^projects/[^/]+/operations/[^/]+$")}}}});
    if let Some(resources) = doc["resources"].as_object_mut() {
        resources.insert("operations".into(), top);
        resources.insert("projects".into(), nested);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_documents_never_panic_and_parse(doc in random_doc()) {
        check(&doc.to_json())?;
    }
}

/// Random documents that are valid by construction, so that the property
/// reaches the emitters instead of stopping at a resolution error.
fn valid_doc() -> impl Strategy<Value = String> {
    (proptest::collection::vec(("[A-Z][a-z]{0,5}", tree()), 1..6), proptest::collection::vec(name(), 0..4)).prop_map(
        |(schemas, prop_names)| {
            // Distinct, non-blank schema names; refs and scalars only.
            let mut seen = BTreeSet::new();
            let schemas: Vec<(String, Tree)> = schemas.into_iter().filter(|(n, _)| seen.insert(n.clone())).collect();
            let names: Vec<String> = schemas.iter().map(|(n, _)| n.clone()).collect();
            let mut map: Map<String, Value> = Map::new();
            for (n, t) in &schemas {
                let mut props = Map::new();
                props.insert("inner".into(), tree_json(t, &names, "d"));
                for p in &prop_names {
                    props.insert(p.clone(), json!({"type": "string", "description": p}));
                }
                map.insert(n.clone(), json!({"type": "object", "properties": props}));
            }
            let mut doc = common::base_doc();
            doc["schemas"] = Value::Object(map);
            let mut methods = Map::new();
            for (i, n) in names.iter().enumerate() {
                let mut m = common::simple_method(&format!("hostile.r.m{i}"));
                m["response"] = json!({"$ref": n});
                m["request"] = json!({"$ref": n});
                m["httpMethod"] = json!("POST");
                methods.insert(format!("m{i}"), m);
            }
            doc["resources"] = json!({"r": {"methods": methods}});
            doc.to_string()
        },
    )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn valid_random_documents_generate_and_parse(doc in valid_doc()) {
        // Every schema is an object with properties, so no alias cycle can
        // make this fail: it must generate.
        match common::generate_caught(&doc) {
            Err(panic) => return Err(TestCaseError::fail(format!("panic: {panic}"))),
            Ok(Err(e)) => return Err(TestCaseError::fail(format!("a valid document was refused: {e}"))),
            Ok(Ok(_)) => {}
        }
        check(&doc)?;
    }
}

// ---------------------------------------------------------------------------
// Mutated real documents
// ---------------------------------------------------------------------------

/// The real documents under the size limit, parsed once.
fn corpus() -> &'static [(String, String, Value)] {
    static CORPUS: OnceLock<Vec<(String, String, Value)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let max = std::env::var("DISCOGEN_PROPTEST_MAX_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
        common::real_documents(max)
            .into_iter()
            .filter_map(|(name, text)| serde_json::from_str(&text).ok().map(|v| (name, text, v)))
            .collect()
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    /// Removes the member at a random position in the tree.
    DeleteKey(Index),
    /// Replaces the value at a random position with one of another type.
    WrongType(Index, Value),
    /// Renames one schema, leaving the `$ref`s to it dangling.
    RenameSchema(Index, String),
    /// Copies a method to a new key in the same resource (same id).
    DuplicateMethod(Index),
    /// Replaces a random string with hostile text.
    HostileString(Index, &'static str),
    /// Cuts the text at a random byte.
    Truncate(Index),
}

fn wrong_value() -> impl Strategy<Value = Value> {
    select(vec![
        Value::Null,
        json!(0),
        json!(-1),
        json!(1e308),
        json!(u64::MAX),
        json!(""),
        json!("x"),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({"$ref": "Nowhere"}),
        json!(true),
        json!({"type": "array", "items": {"type": "array", "items": {"type": "object", "additionalProperties": {}}}}),
    ])
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::DeleteKey),
        3 => (any::<Index>(), wrong_value()).prop_map(|(i, v)| Mutation::WrongType(i, v)),
        1 => (any::<Index>(), name()).prop_map(|(i, n)| Mutation::RenameSchema(i, n)),
        1 => any::<Index>().prop_map(Mutation::DuplicateMethod),
        2 => (any::<Index>(), select(DESCRIPTIONS)).prop_map(|(i, s)| Mutation::HostileString(i, s)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// JSON pointers of every node below the root.
fn pointers(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((at, v)) = stack.pop() {
        let children: Vec<(String, &Value)> = match v {
            Value::Object(map) => {
                map.iter().map(|(k, c)| (format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), c)).collect()
            }
            Value::Array(items) => items.iter().enumerate().map(|(i, c)| (format!("{at}/{i}"), c)).collect(),
            _ => Vec::new(),
        };
        for (p, c) in children {
            out.push(p.clone());
            stack.push((p, c));
        }
    }
    out.sort();
    out
}

/// Every object that looks like a method, as a pointer to its parent map and its key.
fn methods(value: &Value) -> Vec<(String, String)> {
    pointers(value)
        .into_iter()
        .filter(|p| value.pointer(p).is_some_and(|v| v.get("httpMethod").is_some()))
        .filter_map(|p| {
            p.rsplit_once('/').map(|(parent, key)| (parent.to_string(), key.replace("~1", "/").replace("~0", "~")))
        })
        .collect()
}

/// Applies the mutations; `Some(text)` is a truncation that ends the chain.
fn apply(doc: &mut Value, mutation: &Mutation) -> Option<usize> {
    match mutation {
        Mutation::DeleteKey(i) => {
            let all = pointers(doc);
            if all.is_empty() {
                return None;
            }
            let target = &all[i.index(all.len())];
            let (parent, key) = target.rsplit_once('/')?;
            let key = key.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent)? {
                Value::Object(map) => {
                    map.remove(&key);
                }
                Value::Array(items) => {
                    if let Ok(n) = key.parse::<usize>() {
                        if n < items.len() {
                            items.remove(n);
                        }
                    }
                }
                _ => {}
            }
        }
        Mutation::WrongType(i, value) => {
            let all = pointers(doc);
            if !all.is_empty() {
                if let Some(slot) = doc.pointer_mut(&all[i.index(all.len())]) {
                    *slot = value.clone();
                }
            }
        }
        Mutation::RenameSchema(i, new_name) => {
            if let Some(Value::Object(schemas)) = doc.get_mut("schemas") {
                if !schemas.is_empty() {
                    let old = schemas.keys().nth(i.index(schemas.len())).cloned();
                    if let Some(schema) = old.and_then(|old| schemas.remove(&old)) {
                        schemas.insert(new_name.clone(), schema);
                    }
                }
            }
        }
        Mutation::DuplicateMethod(i) => {
            let all = methods(doc);
            if !all.is_empty() {
                let (parent, key) = &all[i.index(all.len())];
                if let Some(Value::Object(map)) = doc.pointer_mut(parent) {
                    if let Some(copy) = map.get(key).cloned() {
                        map.insert(format!("{key}Copy"), copy);
                    }
                }
            }
        }
        Mutation::HostileString(i, text) => {
            let strings: Vec<String> =
                pointers(doc).into_iter().filter(|p| doc.pointer(p).is_some_and(Value::is_string)).collect();
            if !strings.is_empty() {
                if let Some(slot) = doc.pointer_mut(&strings[i.index(strings.len())]) {
                    *slot = json!(text);
                }
            }
        }
        Mutation::Truncate(i) => return Some(i.index(usize::MAX)),
    }
    None
}

proptest! {
    #![proptest_config(config())]

    #[test]
    #[ignore = "needs ../shared/discovery; .ci/run runs it"]
    fn mutated_real_documents_never_panic_and_parse(which in any::<Index>(), mutations in proptest::collection::vec(mutation(), 1..4)) {
        let corpus = corpus();
        let (_, original, value) = &corpus[which.index(corpus.len())];
        let mut doc = value.clone();
        let mut truncate_at = None;
        for m in &mutations {
            if let Some(at) = apply(&mut doc, m) {
                truncate_at = Some(at);
                break;
            }
        }
        let mut text = if mutations.iter().all(|m| matches!(m, Mutation::Truncate(_))) { original.clone() } else { doc.to_string() };
        if let Some(at) = truncate_at {
            let mut cut = at % text.len().max(1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        check(&text)?;
    }
}

// ---------------------------------------------------------------------------
// A fixed sample, compiled
// ---------------------------------------------------------------------------

/// Documents drawn with a fixed seed: `valid` from the valid-by-construction
/// strategy, then random documents until `random` of them generate.
fn fixed_sample(valid: usize, random: usize) -> Vec<String> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut docs = Vec::new();
    for _ in 0..valid {
        docs.push(valid_doc().new_tree(&mut runner).expect("a valid document").current());
    }
    let mut found = 0;
    // Most random documents generate; the bound only keeps a bad strategy
    // from looping forever.
    for _ in 0..50 * random {
        if found == random {
            break;
        }
        let doc = random_doc().new_tree(&mut runner).expect("a random document").current().to_json();
        if discogen::generate(&doc, &discogen::Options::default()).is_ok() {
            docs.push(doc);
            found += 1;
        }
    }
    assert_eq!(found, random, "too few random documents generate");
    docs
}

/// Parsing alone missed output that does not compile (a parameter named
/// like a builder method, a field the code reached for that was not there),
/// so a fixed handful of property documents is also built, as the modules
/// of one crate with warnings denied, in the shared scratch target
/// directory (seconds once the runtime is built there).
#[test]
#[ignore = "nested cargo build; .ci/run runs it"]
fn a_fixed_sample_compiles() {
    let krate = discogen_test_support::ScratchCrate::new("proptest-sample");
    krate.manifest("proptest-sample", &[]);
    let mut lib = String::from("#![deny(warnings)]\n");
    // `DISCOGEN_PROPTEST_COMPILE=N` compiles N of each kind in a long run.
    let n = std::env::var("DISCOGEN_PROPTEST_COMPILE").ok().and_then(|v| v.parse().ok()).unwrap_or(4);
    for (i, doc) in fixed_sample(n, n).iter().enumerate() {
        let module = format!("sample_{i}");
        let options = discogen::Options::new().module_name(module.clone());
        let output = discogen::generate(doc, &options).expect("the sample generates");
        for file in output.files() {
            krate.write(format!("src/{module}/{}", file.path()), file.contents());
        }
        krate.write(format!("src/{module}.json"), doc);
        lib.push_str(&format!("pub mod {module};\n"));
    }
    krate.write("src/lib.rs", lib);
    let out = krate.cargo(&["check", "--quiet", "--message-format", "short"]);
    assert!(
        out.status.success(),
        "the sample in {} does not compile:\n{}",
        krate.dir().display(),
        String::from_utf8_lossy(&out.stderr)
    );
}
