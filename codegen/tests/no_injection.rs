//! Text from a document can never become code.
//!
//! Each hostile payload is put into every slot of a document that ends up in
//! the output: descriptions, titles, names of schemas, properties, methods,
//! resources and parameters, enum values, URLs, patterns and scopes. The
//! output must parse, and its shape (items, fields, variants, impl members,
//! attributes, macro calls) must be exactly that of a twin document with
//! harmless text in the same slots. On top of that: no `fn evil`, no inner
//! attribute but the generator's `#![allow]` and `#![doc]`, no raw bidi,
//! zero-width, CR or NUL character anywhere, doc-test fences always `text`,
//! and no build script or proc-macro.

mod common;

use std::collections::BTreeMap;

use common::{generate_ok, identifiers, string_literals};
use discogen::Output;
use quote::ToTokens;
use serde_json::{json, Value};

/// Text that tries to end a comment, string or attribute, or to hide.
const PAYLOADS: &[&str] = &[
    "*/",
    "/*",
    "*/ fn evil() {} /*",
    "\"#",
    "\"## fn evil() {} r##\"",
    "#[",
    "#![deny(warnings)]",
    "\n#![deny(warnings)]\nfn evil() {}\n",
    "#[cfg(any())] #[path = \"/etc/passwd\"]",
    "} fn evil() {} {",
    "{",
    "}",
    "`",
    "``` fn evil() {} ```",
    "```rust\nfn evil() {}\n```",
    "```\nfn main() { evil() }\n",
    "~~~\nfn evil() {}\n~~~",
    "    fn evil() {} // indented code block",
    "<script>alert(1)</script>",
    "<!-- fn evil() {} -->",
    "[evil](javascript:alert(1)) [`evil`] <evil>",
    "before\u{202e}evil\u{202c}after",
    "\u{2066}isolate\u{2069}\u{2067}\u{2068}\u{200e}\u{200f}\u{61c}",
    "zero\u{200b}width\u{200c}\u{200d}\u{2060}\u{feff}",
    "carriage\rreturn",
    "windows\r\nline",
    "line\nbreak",
    "nul\u{0}byte",
    "bell\u{7}del\u{7f}nel\u{85}",
    "line\u{2028}separator\u{2029}",
    "back\\slash \\\" \\n \\u{0}",
    "r#\"raw\"#",
    "'quote' 'c",
    "/// outer doc",
    "//! inner doc",
    "// plain comment",
    "$crate::evil!()",
    "include!(\"/etc/passwd\")",
    "env!(\"HOME\") concat!(\"a\")",
    "\t\ttabs",
    "😈 é 日本 \u{10ffff}",
];

/// Characters that must never appear raw in a generated file.
fn is_hidden(c: char) -> bool {
    matches!(c as u32,
        0x202A..=0x202E | 0x2066..=0x2069 | 0x200B..=0x200F | 0x2060 | 0xFEFF | 0x061C | 0x0000 | 0x000D)
}

/// A document with `text` in every slot. With `names`, `text` is also part
/// of names and values; otherwise those get harmless stand-ins, so the two
/// documents differ only in the text. With `head`, the title, API name and
/// version get it too (see `the_title_name_and_version_cannot_inject`).
fn document(text: &str, names: bool, head: bool) -> Value {
    let name = |plain: &str| if names { format!("{plain}{text}") } else { plain.to_string() };
    let raw_name = |fallback: &str| if names { text.to_string() } else { fallback.to_string() };
    let schema = name("Thing");
    let enum_values: Vec<String> = if names {
        vec![text.to_string(), format!("{text}x"), "plain".into()]
    } else {
        vec!["v0".into(), "v1".into(), "plain".into()]
    };
    let mut props = serde_json::Map::new();
    props.insert("id".into(), json!({"type": "string", "description": text}));
    props.insert(raw_name("odd"), json!({"type": "string", "description": text}));
    props.insert(name("prop"), json!({"type": "string", "format": "int64", "description": text}));
    props.insert(
        "mood".into(),
        json!({"type": "string", "description": text, "enum": enum_values, "enumDescriptions": [text, text, text]}),
    );
    props.insert("self".into(), json!({"$ref": schema.clone(), "description": text}));
    props.insert(
        "nested".into(),
        json!({"type": "object", "description": text, "properties": {"inner": {"type": "boolean", "description": text}}}),
    );
    let scope = format!("https://www.googleapis.com/auth/{}", name("scope"));
    let method = json!({
        "id": name("hostile.things.get"),
        "path": "v1/{+name}",
        "flatPath": name("v1/things/"),
        "httpMethod": "GET",
        "description": text,
        "parameters": {
            "name": {"type": "string", "location": "path", "required": true, "description": text,
                     "pattern": if names { format!("^{}$", text) } else { "^x$".to_string() }},
            raw_name("q"): {"type": "string", "location": "query", "description": text, "default": text},
            "mode": {"type": "string", "location": "query", "enum": enum_values, "enumDescriptions": [text, text, text]}
        },
        "parameterOrder": ["name"],
        "response": {"$ref": schema.clone()},
        "scopes": [scope.clone()]
    });
    json!({
        "kind": "discovery#restDescription",
        "id": name("hostile:v1"),
        "name": if head { format!("hostile{text}") } else { "hostile".to_string() },
        "version": if head { format!("v1{text}") } else { "v1".to_string() },
        "title": if head { text } else { "Hostile API" },
        "description": text,
        "documentationLink": format!("https://example.com/{text}"),
        "rootUrl": format!("https://hostile.example.com/{}", if names { text } else { "" }),
        "mtlsRootUrl": format!("https://hostile.mtls.example.com/{text}"),
        "servicePath": name("v1/"),
        "batchPath": name("batch"),
        "fullyEncodeReservedExpansion": true,
        "auth": {"oauth2": {"scopes": {scope: {"description": text}}}},
        "endpoints": [{"endpointUrl": format!("https://eu.example.com/{text}"), "location": text, "description": text}],
        "parameters": {
            "fields": {"type": "string", "location": "query", "description": text},
            raw_name("std"): {"type": "string", "location": "query", "description": text}
        },
        "schemas": {
            schema.clone(): {"id": schema, "type": "object", "description": text, "properties": props},
            "Empty": {"type": "object", "description": text}
        },
        "resources": {
            name("things"): {"methods": {name("get"): method}}
        }
    })
}

/// The shape of a file: one line per item, impl member and attribute,
/// without names or doc text, which legitimately differ between twins.
fn shape(file: &syn::File) -> Vec<String> {
    let mut out = vec![format!("inner attrs {:?}", attr_paths(&file.attrs))];
    for item in &file.items {
        item_shape(item, &mut out, 0);
    }
    out
}

fn attr_paths(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| !a.path().is_ident("doc") || !matches!(a.meta, syn::Meta::NameValue(_)))
        .map(|a| a.meta.to_token_stream().to_string())
        .collect()
}

fn item_shape(item: &syn::Item, out: &mut Vec<String>, depth: usize) {
    let pad = "  ".repeat(depth);
    let line = match item {
        syn::Item::Struct(s) => {
            format!("struct fields={} {:?}", s.fields.len(), attr_paths(&s.attrs))
                + &s.fields.iter().map(|f| format!(" field{:?}", attr_paths(&f.attrs).len())).collect::<String>()
        }
        syn::Item::Enum(e) => format!("enum variants={} {:?}", e.variants.len(), attr_paths(&e.attrs)),
        syn::Item::Impl(i) => {
            let trait_name = i.trait_.as_ref().map(|(_, p, _)| p.to_token_stream().to_string());
            let members: Vec<String> = i
                .items
                .iter()
                .map(|m| match m {
                    syn::ImplItem::Fn(f) => format!("fn({} args) {:?}", f.sig.inputs.len(), attr_paths(&f.attrs)),
                    syn::ImplItem::Const(c) => format!("const {:?}", attr_paths(&c.attrs)),
                    syn::ImplItem::Type(_) => "type".to_string(),
                    other => format!("other {}", other.to_token_stream()),
                })
                .collect();
            format!("impl {trait_name:?} {:?} {members:?}", attr_paths(&i.attrs))
        }
        syn::Item::Mod(m) => {
            out.push(format!("{pad}mod inline={} {:?}", m.content.is_some(), attr_paths(&m.attrs)));
            if let Some((_, items)) = &m.content {
                for inner in items {
                    item_shape(inner, out, depth + 1);
                }
            }
            return;
        }
        syn::Item::Trait(t) => format!("trait items={} {:?}", t.items.len(), attr_paths(&t.attrs)),
        syn::Item::Const(c) => format!("const {:?}", attr_paths(&c.attrs)),
        syn::Item::Type(t) => format!("type {:?}", attr_paths(&t.attrs)),
        syn::Item::Use(u) => format!("use {}", u.to_token_stream()),
        syn::Item::Fn(f) => format!("fn {}", f.sig.ident),
        syn::Item::Macro(m) if m.mac.path.to_token_stream().to_string() == "__rt :: object" => {
            object_macro_shape(m.mac.tokens.clone())
        }
        other => format!("other item {}", other.to_token_stream()),
    };
    out.push(format!("{pad}{line}"));
}

/// The shape of a struct's `__rt::object!` field list, which the emitter
/// lays out as text: `Name("schema") { "json" => field [as Rule], ... }`.
/// Names and literals are left out, so a hostile document and its clean twin
/// must give the same line; anything else in the body shows up as
/// `unexpected`.
fn object_macro_shape(tokens: proc_macro2::TokenStream) -> String {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let single_literal = |g: &proc_macro2::Group| {
        let inner: Vec<TokenTree> = g.stream().into_iter().collect();
        matches!(inner.as_slice(), [TokenTree::Literal(l)] if l.to_string().starts_with('"'))
    };
    let [TokenTree::Ident(_), TokenTree::Group(schema), TokenTree::Group(body)] = trees.as_slice() else {
        return format!("unexpected object! head {trees:?}");
    };
    if schema.delimiter() != Delimiter::Parenthesis || !single_literal(schema) || body.delimiter() != Delimiter::Brace {
        return "unexpected object! head".to_string();
    }
    let mut entries = Vec::new();
    let body: Vec<TokenTree> = body.stream().into_iter().collect();
    for entry in body.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        match entry {
            [] => {}
            [TokenTree::Literal(json), TokenTree::Punct(eq), TokenTree::Punct(gt), TokenTree::Ident(_), rest @ ..]
                if json.to_string().starts_with('"') && eq.as_char() == '=' && gt.as_char() == '>' =>
            {
                match rest {
                    [] => entries.push("field".to_string()),
                    [TokenTree::Ident(kw), rule @ ..] if kw == "as" => {
                        let rule: proc_macro2::TokenStream = rule.iter().cloned().collect();
                        entries.push(format!("field as {rule}"));
                    }
                    other => entries.push(format!("unexpected {other:?}")),
                }
            }
            other => entries.push(format!("unexpected {other:?}")),
        }
    }
    format!("object! {entries:?}")
}

/// Names of all macros invoked anywhere (`name!`), with counts.
fn macro_calls(file: &syn::File) -> BTreeMap<String, usize> {
    fn walk(tokens: proc_macro2::TokenStream, out: &mut BTreeMap<String, usize>) {
        let trees: Vec<proc_macro2::TokenTree> = tokens.into_iter().collect();
        for (i, tree) in trees.iter().enumerate() {
            match tree {
                proc_macro2::TokenTree::Group(g) => walk(g.stream(), out),
                proc_macro2::TokenTree::Ident(id) => {
                    if let Some(proc_macro2::TokenTree::Punct(p)) = trees.get(i + 1) {
                        if p.as_char() == '!'
                            && !matches!(trees.get(i + 2), Some(proc_macro2::TokenTree::Punct(q)) if q.as_char() == '=')
                        {
                            *out.entry(id.to_string()).or_default() += 1;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(file.to_token_stream(), &mut out);
    out
}

/// The text of every doc attribute, item by item.
fn doc_blocks(file: &syn::File) -> Vec<Vec<String>> {
    fn docs(attrs: &[syn::Attribute]) -> Vec<String> {
        attrs
            .iter()
            .filter_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                    other => panic!("a doc attribute that is not a string: {}", other.to_token_stream()),
                },
                _ => None,
            })
            .collect()
    }
    // Every attribute list in the file, by walking the tokens: `#` followed by a bracket group.
    let mut blocks = vec![docs(&file.attrs)];
    fn walk_items(items: &[syn::Item], blocks: &mut Vec<Vec<String>>) {
        for item in items {
            match item {
                syn::Item::Struct(s) => {
                    blocks.push(docs(&s.attrs));
                    blocks.extend(s.fields.iter().map(|f| docs(&f.attrs)));
                }
                syn::Item::Enum(e) => {
                    blocks.push(docs(&e.attrs));
                    blocks.extend(e.variants.iter().map(|v| docs(&v.attrs)));
                }
                syn::Item::Impl(i) => {
                    for m in &i.items {
                        if let syn::ImplItem::Fn(f) = m {
                            blocks.push(docs(&f.attrs));
                        } else if let syn::ImplItem::Const(c) = m {
                            blocks.push(docs(&c.attrs));
                        }
                    }
                }
                syn::Item::Trait(t) => {
                    blocks.push(docs(&t.attrs));
                    for m in &t.items {
                        if let syn::TraitItem::Fn(f) = m {
                            blocks.push(docs(&f.attrs));
                        }
                    }
                }
                syn::Item::Mod(m) => {
                    blocks.push(docs(&m.attrs));
                    if let Some((_, inner)) = &m.content {
                        walk_items(inner, blocks);
                    }
                }
                syn::Item::Const(c) => blocks.push(docs(&c.attrs)),
                syn::Item::Type(t) => blocks.push(docs(&t.attrs)),
                _ => {}
            }
        }
    }
    walk_items(&file.items, &mut blocks);
    blocks
}

/// Attributes the generator may write on anything. Everything else (`cfg`,
/// `path`, `deny`, `no_mangle`, `export_name`, `link`, proc-macro attributes)
/// would be an injection.
const ALLOWED_ATTRS: &[&str] = &["doc", "derive", "serde", "allow", "must_use", "non_exhaustive", "inline"];

fn check_attrs(label: &str, file: &syn::File) {
    fn check(label: &str, attrs: &[syn::Attribute], inner: bool) {
        for a in attrs {
            let path = a.path().to_token_stream().to_string();
            assert!(ALLOWED_ATTRS.contains(&path.as_str()), "{label}: unexpected attribute {}", a.to_token_stream());
            if inner {
                assert!(
                    path == "doc" || path == "allow",
                    "{label}: unexpected inner attribute {}",
                    a.to_token_stream()
                );
            }
            if path == "allow" {
                let text = a.meta.to_token_stream().to_string();
                assert!(!text.contains("deny") && !text.contains("forbid"), "{label}: {text}");
            }
        }
    }
    check(label, &file.attrs, true);
    fn walk(label: &str, items: &[syn::Item]) {
        for item in items {
            let attrs: &[syn::Attribute] = match item {
                syn::Item::Struct(s) => {
                    for f in &s.fields {
                        check(label, &f.attrs, false);
                    }
                    &s.attrs
                }
                syn::Item::Enum(e) => {
                    for v in &e.variants {
                        check(label, &v.attrs, false);
                    }
                    &e.attrs
                }
                syn::Item::Impl(i) => {
                    for m in &i.items {
                        if let syn::ImplItem::Fn(f) = m {
                            check(label, &f.attrs, false);
                        }
                    }
                    &i.attrs
                }
                syn::Item::Mod(m) => {
                    if let Some((_, inner)) = &m.content {
                        walk(label, inner);
                    }
                    &m.attrs
                }
                syn::Item::Trait(t) => &t.attrs,
                syn::Item::Const(c) => &c.attrs,
                syn::Item::Type(t) => &t.attrs,
                syn::Item::Use(u) => &u.attrs,
                _ => &[],
            };
            check(label, attrs, false);
        }
    }
    walk(label, &file.items);
}

fn check_docs(label: &str, file: &syn::File) {
    for block in doc_blocks(file) {
        let mut fence: Option<Vec<String>> = None;
        for line in &block {
            assert!(!line.chars().any(is_hidden), "{label}: hidden character in doc line {line:?}");
            let trimmed = line.trim();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                match fence.take() {
                    Some(example) => {
                        assert_eq!(trimmed, "```", "{label}: odd closing fence in {block:#?}");
                        check_example(label, &example);
                    }
                    None => {
                        // Only the generator's own examples may be compiled as doc tests;
                        // text from the document is always fenced as `text`.
                        assert!(
                            trimmed == "```text" || trimmed == "```no_run",
                            "{label}: a fence that rustdoc would run: {block:#?}"
                        );
                        fence = Some(Vec::new());
                    }
                }
            } else if let Some(example) = &mut fence {
                example.push(line.clone());
            } else {
                // Four leading spaces (after the one the generator adds) would start an indented code block.
                assert!(!line.starts_with("     "), "{label}: indented line {line:?} would become code");
            }
        }
        assert!(fence.is_none(), "{label}: a fence left open in {block:#?}");
    }
}

/// A fenced block is a generator's example only when it is Rust that calls
/// no macro but `println!` and `todo!` and names nothing called `evil`:
/// names from the document reach it only as identifiers the generator
/// sanitized, and values only as escaped string literals.
fn check_example(label: &str, lines: &[String]) {
    if lines.iter().all(|l| !l.contains("fn example")) {
        // A `text` block: prose, never compiled.
        return;
    }
    let code: String = lines
        .iter()
        .map(|l| {
            let l = l.strip_prefix(' ').unwrap_or(l);
            let l = l.strip_prefix("# ").unwrap_or(l);
            format!("{l}\n")
        })
        .collect();
    let parsed: syn::File =
        syn::parse_str(&code).unwrap_or_else(|e| panic!("{label}: the example is not Rust ({e}):\n{code}"));
    let tokens: Vec<proc_macro2::TokenTree> = flatten(quote::quote!(#parsed));
    for (i, t) in tokens.iter().enumerate() {
        if let proc_macro2::TokenTree::Ident(ident) = t {
            assert_ne!(ident.to_string(), "evil", "{label}: `evil` in an example:\n{code}");
            let is_macro = matches!(tokens.get(i + 1), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '!');
            if is_macro {
                assert!(
                    ["println", "todo"].contains(&ident.to_string().as_str()),
                    "{label}: macro `{ident}!` in an example"
                );
            }
        }
    }
}

fn flatten(tokens: proc_macro2::TokenStream) -> Vec<proc_macro2::TokenTree> {
    let mut out = Vec::new();
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Group(g) => {
                out.push(proc_macro2::TokenTree::Group(g.clone()));
                out.extend(flatten(g.stream()));
            }
            other => out.push(other),
        }
    }
    out
}

fn check_text(label: &str, output: &Output) {
    assert_eq!(
        output.files().len(),
        3,
        "{label}: files {:?}",
        output.files().iter().map(|f| f.path()).collect::<Vec<_>>()
    );
    for f in output.files() {
        assert!(f.path().ends_with(".rs") && !f.path().contains("build.rs"), "{label}: file {}", f.path());
        assert!(!f.path().contains(['/', '\\']) && !f.path().contains(".."), "{label}: file {}", f.path());
        let file_label = format!("{label} in {}", f.path());
        for c in f.contents().chars() {
            assert!(!is_hidden(c), "{file_label}: raw U+{:04X} in the output", c as u32);
        }
        // The header is the only plain comment: two lines, then code.
        let lines: Vec<&str> = f.contents().lines().collect();
        assert!(lines[0].starts_with("// @generated by discogen from the `"), "{file_label}: {}", lines[0]);
        assert!(lines[1].starts_with("// run `"), "{file_label}: {}", lines[1]);
        for line in &lines[2..] {
            let t = line.trim_start();
            if t.starts_with("//") {
                assert!(t.starts_with("///") || t.starts_with("//!"), "{file_label}: a plain comment {line:?}");
            }
        }
    }
}

fn check_payload(text: &str, head: bool) {
    let label = format!("payload {text:?}");
    let (hostile, hostile_files) = generate_ok(&document(text, true, head));
    let (clean, clean_files) = generate_ok(&document("plain words", false, false));
    let (_, text_only_files) = generate_ok(&document(text, false, head));
    check_text(&label, &hostile);
    check_text("the clean twin", &clean);
    for (((path, file), (_, twin)), (_, text_only)) in hostile_files.iter().zip(&clean_files).zip(&text_only_files) {
        let file_label = format!("{label} in {path}");
        // Hostile names and text change no item, member, attribute or macro call.
        assert_eq!(shape(file), shape(twin), "{file_label}: the shape differs from the clean twin");
        assert_eq!(shape(text_only), shape(twin), "{file_label}: text alone changes the shape");
        assert_eq!(macro_calls(file), macro_calls(twin), "{file_label}: macro calls differ");
        check_attrs(&file_label, file);
        check_docs(&file_label, file);
        let idents = identifiers(file);
        assert!(!idents.iter().any(|i| i == "evil"), "{file_label}: an identifier `evil` appeared");
        // No build-time code: no proc-macro crate, no `extern crate`, no file inclusion.
        for banned in ["proc_macro", "extern", "include", "include_str", "include_bytes", "env"] {
            assert!(!idents.iter().any(|i| i == banned), "{file_label}: the identifier `{banned}` appeared");
        }
    }
    // Names and values survive as data: the JSON name of the odd property, the
    // enum values and the query parameter name are string literals, unchanged.
    let literals: Vec<String> = hostile_files.iter().flat_map(|(_, f)| string_literals(f)).collect();
    for wanted in [text.to_string(), format!("{text}x")] {
        assert!(literals.contains(&wanted), "{label}: {wanted:?} is not kept as a string literal");
    }
}

/// Checks every payload and reports all failures together.
fn check_all(head: bool) {
    let failures: Vec<String> = PAYLOADS
        .iter()
        .filter_map(|text| {
            std::panic::catch_unwind(|| check_payload(text, head))
                .err()
                .map(|e| e.downcast_ref::<String>().cloned().unwrap_or_else(|| format!("payload {text:?}: a panic")))
        })
        .collect();
    assert!(failures.is_empty(), "{} payload(s) failed:\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn no_payload_becomes_code() {
    check_all(false);
}

#[test]
fn combined_payloads_become_no_code() {
    let all: String = PAYLOADS.concat();
    check_payload(&all, false);
    let lines = PAYLOADS.join("\n");
    check_payload(&lines, false);
}

/// The first line of the module docs, `{title} ({name} {version})`, gets
/// the same escaping as every other description (it once had none: a CR
/// broke parsing and a ```` ```rust ```` title became a doc test).
#[test]
fn the_title_name_and_version_cannot_inject() {
    check_all(true);
}

#[test]
fn enum_values_and_property_names_with_quotes_backslashes_and_newlines_round_trip() {
    let values =
        ["with \"quote\"", "back\\slash", "new\nline", "tab\there", "\"#", "\\\"", "\\", "\"", "a\r\nb", "\u{0}"];
    let mut doc = common::base_doc();
    let mut props = serde_json::Map::new();
    for (i, v) in values.iter().enumerate() {
        props.insert((*v).to_string(), json!({"type": "string", "description": format!("property {i}")}));
    }
    props.insert("e".into(), json!({"type": "string", "enum": values}));
    doc["schemas"]["S"] = json!({"type": "object", "properties": props});
    let (_, files) = generate_ok(&doc);
    let model = &files.iter().find(|(p, _)| p == "model.rs").expect("model.rs").1;
    let literals = string_literals(model);
    for v in values {
        // Once as a serde rename, once in the enum's `as_str`, once in `From<&str>`.
        let count = literals.iter().filter(|l| l.as_str() == v).count();
        assert!(count >= 3, "{v:?} appears {count} times as a literal");
    }
}
