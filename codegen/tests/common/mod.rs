//! Helpers shared by the robustness tests of the generator.
//!
//! Each test binary includes this module with `mod common;`, and not every
//! binary uses every helper.
#![allow(dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use discogen::{Error, Location, Options, Output};
use proc_macro2::{TokenStream, TokenTree};
use serde_json::{json, Value};

/// The smallest document the generator accepts, with empty schemas and
/// resources to fill in.
pub fn base_doc() -> Value {
    json!({
        "kind": "discovery#restDescription",
        "name": "hostile",
        "version": "v1",
        "rootUrl": "https://hostile.example.com/",
        "servicePath": "",
        "schemas": {},
        "resources": {}
    })
}

/// A method that is valid on its own: `GET v1/things/{name}`.
pub fn simple_method(id: &str) -> Value {
    json!({
        "id": id,
        "path": "v1/things/{name}",
        "httpMethod": "GET",
        "parameters": {"name": {"type": "string", "location": "path", "required": true}},
        "parameterOrder": ["name"]
    })
}

/// Runs the generator, turning a panic into `Err` with the panic message,
/// so that a test can report it instead of dying half-way.
pub fn generate_caught(source: &str) -> Result<Result<Output, Error>, String> {
    // The default hook would print every caught panic; the caller reports it.
    catch_unwind(AssertUnwindSafe(|| discogen::generate(source, &Options::default()))).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic with a non-string payload".to_string())
    })
}

/// Generates `doc` and fails the test on a panic.
pub fn generate_value(doc: &Value) -> Result<Output, Error> {
    generate_str(&doc.to_string())
}

/// Generates `source` and fails the test on a panic.
pub fn generate_str(source: &str) -> Result<Output, Error> {
    match generate_caught(source) {
        Ok(result) => result,
        Err(panic) => panic!("the generator panicked: {panic}"),
    }
}

/// Generates `doc`, which must succeed, and parses every file.
pub fn generate_ok(doc: &Value) -> (Output, Vec<(String, syn::File)>) {
    let output = match generate_value(doc) {
        Ok(output) => output,
        Err(e) => panic!("expected generation to succeed, got: {e}"),
    };
    let files = parse_all(&output);
    (output, files)
}

/// Parses each generated file with `syn`, failing with the file's text on error.
pub fn parse_all(output: &Output) -> Vec<(String, syn::File)> {
    output
        .files()
        .iter()
        .map(|f| match syn::parse_file(f.contents()) {
            Ok(file) => (f.path().to_string(), file),
            Err(e) => panic!("generated {} does not parse: {e}\n----\n{}", f.path(), f.contents()),
        })
        .collect()
}

/// Checks that each generated file parses, on a thread with a large stack.
///
/// syn recurses once per level of nested types, and the generator allows
/// 64 levels (`Vec<Vec<…>>`), more than a test thread's 2 MB stack holds in
/// a debug build. (syn's trees are not `Send`, so only the verdict comes back.)
pub fn assert_parses_deep(output: &Output) {
    let verdict = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().stack_size(256 << 20).spawn_scoped(scope, || {
            for f in output.files() {
                if let Err(e) = syn::parse_file(f.contents()) {
                    return Err(format!("generated {} does not parse: {e}", f.path()));
                }
            }
            Ok(())
        });
        worker.map(|handle| handle.join())
    });
    match verdict {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(message))) => panic!("{message}"),
        Ok(Err(_)) => panic!("parsing the output panicked"),
        Err(e) => panic!("no thread to parse on: {e}"),
    }
}

/// What an error location must look like.
#[derive(Debug)]
pub enum Want<'a> {
    /// Any `line:column`.
    AnyLineColumn,
    /// `line:column` on this 1-based line.
    Line(usize),
    /// A JSON path equal to this one.
    Path(&'a str),
    /// A JSON path starting with this prefix.
    PathPrefix(&'a str),
    /// No location: the problem is the document as a whole.
    Whole,
}

/// Asserts that `result` is an error at the wanted place, whose message
/// contains `needle`, and that its `Display` shows the location.
pub fn assert_error_at(label: &str, result: Result<Output, Error>, want: Want<'_>, needle: &str) -> Error {
    let error = match result {
        Ok(_) => panic!("{label}: expected an error, but generation succeeded"),
        Err(e) => e,
    };
    let shown = error.to_string();
    match (&error.location(), &want) {
        (Some(Location::LineColumn { line, column }), Want::AnyLineColumn) => {
            // serde_json counts columns from 1, but reports 0 when nothing
            // of the line was read (empty input, EOF right after a newline).
            assert!(*line >= 1, "{label}: {error:?}");
            assert!(shown.starts_with(&format!("{line}:{column}: ")), "{label}: Display lacks the position: {shown}");
        }
        (Some(Location::LineColumn { line, column }), Want::Line(wanted)) => {
            assert_eq!(line, wanted, "{label}: wrong line in {error:?}");
            assert!(shown.starts_with(&format!("{line}:{column}: ")), "{label}: Display lacks the position: {shown}");
        }
        (Some(Location::Path(path)), Want::Path(wanted)) => {
            assert_eq!(path, wanted, "{label}: wrong path in {error:?}");
            assert!(shown.starts_with(&format!("at {path}: ")), "{label}: Display lacks the path: {shown}");
        }
        (Some(Location::Path(path)), Want::PathPrefix(prefix)) => {
            assert!(path.starts_with(prefix), "{label}: path {path:?} does not start with {prefix:?}");
            assert!(shown.starts_with(&format!("at {path}: ")), "{label}: Display lacks the path: {shown}");
        }
        (None, Want::Whole) => assert_eq!(shown, error.message(), "{label}: Display adds nothing"),
        _ => panic!("{label}: expected a location like {want:?}, got {error:?}"),
    }
    assert!(error.message().contains(needle), "{label}: message {:?} lacks {needle:?}", error.message());
    error
}

/// Every string literal in a file, unescaped, in order.
pub fn string_literals(file: &syn::File) -> Vec<String> {
    let tokens: TokenStream = quote::ToTokens::to_token_stream(file);
    let mut out = Vec::new();
    collect_strings(tokens, &mut out);
    out
}

fn collect_strings(tokens: TokenStream, out: &mut Vec<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Group(g) => collect_strings(g.stream(), out),
            TokenTree::Literal(lit) => {
                if let Ok(s) = syn::parse2::<syn::LitStr>(TokenTree::Literal(lit).into()) {
                    out.push(s.value());
                }
            }
            _ => {}
        }
    }
}

/// Every identifier in a file, in order (raw identifiers keep their `r#`).
pub fn identifiers(file: &syn::File) -> Vec<String> {
    fn walk(tokens: TokenStream, out: &mut Vec<String>) {
        for tree in tokens {
            match tree {
                TokenTree::Group(g) => walk(g.stream(), out),
                TokenTree::Ident(i) => out.push(i.to_string()),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(quote::ToTokens::to_token_stream(file), &mut out);
    out
}

/// A name defined twice where Rust allows it once: two items of one
/// namespace in a module, two methods of one type across its inherent impl
/// blocks, two fields of a struct, two variants of an enum. Parsing alone
/// would not see these, and each would stop the generated crate compiling.
pub fn duplicate_name(file: &syn::File) -> Option<String> {
    fn first_repeat(names: impl IntoIterator<Item = String>, what: &str) -> Option<String> {
        let mut seen = std::collections::BTreeSet::new();
        names.into_iter().find(|n| !seen.insert(n.clone())).map(|n| format!("{what} `{n}` is defined twice"))
    }
    fn module(items: &[syn::Item]) -> Option<String> {
        let mut types = Vec::new();
        let mut values = Vec::new();
        let mut methods: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    types.push(s.ident.to_string());
                    let fields = s.fields.iter().filter_map(|f| f.ident.as_ref().map(|i| i.to_string()));
                    if let Some(clash) = first_repeat(fields, &format!("field of {}", s.ident)) {
                        return Some(clash);
                    }
                }
                syn::Item::Enum(e) => {
                    types.push(e.ident.to_string());
                    if let Some(clash) = first_repeat(e.variants.iter().map(|v| v.ident.to_string()), "variant") {
                        return Some(clash);
                    }
                }
                syn::Item::Type(t) => types.push(t.ident.to_string()),
                syn::Item::Trait(t) => {
                    types.push(t.ident.to_string());
                    let fns = t.items.iter().filter_map(|i| match i {
                        syn::TraitItem::Fn(f) => Some(f.sig.ident.to_string()),
                        _ => None,
                    });
                    if let Some(clash) = first_repeat(fns, &format!("method of trait {}", t.ident)) {
                        return Some(clash);
                    }
                }
                syn::Item::Mod(m) => {
                    types.push(m.ident.to_string());
                    if let Some((_, inner)) = &m.content {
                        if let Some(clash) = module(inner) {
                            return Some(clash);
                        }
                    }
                }
                syn::Item::Const(c) => values.push(c.ident.to_string()),
                syn::Item::Fn(f) => values.push(f.sig.ident.to_string()),
                syn::Item::Impl(i) if i.trait_.is_none() => {
                    let self_ty = quote::ToTokens::to_token_stream(&i.self_ty).to_string();
                    let entry = methods.entry(self_ty).or_default();
                    for member in &i.items {
                        match member {
                            syn::ImplItem::Fn(f) => entry.push(f.sig.ident.to_string()),
                            syn::ImplItem::Const(c) => entry.push(c.ident.to_string()),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        first_repeat(types, "type")
            .or_else(|| first_repeat(values, "value"))
            .or_else(|| methods.into_iter().find_map(|(ty, names)| first_repeat(names, &format!("member of {ty}"))))
    }
    module(&file.items)
}

/// The stored real documents, `../shared/discovery` from the workspace root,
/// or `None` when this checkout does not have them.
pub fn discovery_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/discovery");
    dir.is_dir().then_some(dir)
}

/// The real documents smaller than `max_bytes`, sorted by name, as
/// `(file name, text)`. Tests that use them are `#[ignore]`d, since a clone
/// does not have them, and run by `.ci/run`; a missing or empty directory
/// fails them there rather than letting them pass having checked nothing.
pub fn real_documents(max_bytes: u64) -> Vec<(String, String)> {
    let dir = discovery_dir().expect("../shared/discovery is missing; this test needs the real documents");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    let mut docs: Vec<(String, String)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter(|e| e.metadata().is_ok_and(|m| m.len() < max_bytes))
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path()).ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), text))
        })
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "no document under {max_bytes} bytes in {}", dir.display());
    docs
}
