//! The runtime's modules form strict layers: a module's code names only
//! modules of lower layers, so the graph has no cycle and nothing reaches
//! up. ARCHITECTURE.md ("The runtime's layers") says why and how.
//!
//! The check reads `runtime/src` as text. A file belongs to the top-level
//! module it sits in (`retry/options.rs` is `retry`); every `crate::name`
//! and `$crate::name` path in its code (including `use crate::{a, b::c}`
//! groups) is an edge to `name`. Doc and other comments are not edges:
//! docs may link to the layer that uses a module (`retry` documents
//! `ClientBuilder::retry_policy`), but they too must name items by their
//! real module, never through the crate root's re-exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first: the one table of the order. A module may use
/// modules of the layers before its own, never its own layer or a later
/// one. Every top-level module must appear exactly once.
const LAYERS: &[&[&str]] = &[
    &["encode", "endpoint", "host", "text"],
    &["redact", "wire"],
    &["rpc"],
    &["error"],
    &["body", "path", "retry", "universe"],
    &["transport"],
    &["auth"],
    &["client"],
    &["request"],
    &["lro", "media", "paging", "params"],
    // The short paths generated code uses, so it may name everything.
    &["__private"],
];

/// Root names that are other crates, re-exported for generated code
/// (`$crate::serde` in macros): not modules of this crate, so not edges.
const EXTERNAL: &[&str] = &["bytes", "http", "serde", "serde_json"];

/// One `crate::` path found in a file.
#[derive(Debug)]
struct Use {
    file: String,
    line: usize,
    /// The first segment after `crate::`.
    name: String,
    /// In a comment (docs included) rather than in code.
    comment: bool,
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read runtime/src") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file under `src` belongs to (`None` for `lib.rs`).
fn module_of(relative: &str) -> Option<String> {
    let first = relative.split('/').next().expect("a path segment");
    match first.strip_suffix(".rs") {
        Some("lib") => None,
        Some(stem) => Some(stem.to_owned()),
        None => Some(first.to_owned()),
    }
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first segment of every path `text` names after `crate::`, with the
/// byte offset it starts at; for a group `crate::{a, b::{c}}`, `a` and `b`.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("crate::") {
        let start = from + at;
        from = start + "crate::".len();
        // `pub(crate)` cannot reach here; `foo_crate::` must not count.
        if text[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &text[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => item_start = true,
                    c if item_start && depth == 1 && is_ident(c) => {
                        let name: String = group[i..].chars().take_while(|&c| is_ident(c)).collect();
                        found.push((from + 1 + i, name));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
            if !name.is_empty() {
                found.push((from, name));
            }
        }
    }
    found
}

/// Every `crate::` path in `source`, marked as code or comment.
fn uses_in(file: &str, source: &str) -> Vec<Use> {
    // Blank out comments (keeping offsets and line breaks), so that a
    // multi-line `use crate::{..}` group is read as one piece of code.
    let mut code = String::with_capacity(source.len());
    let mut comments = String::with_capacity(source.len());
    for line in source.split_inclusive('\n') {
        let is_comment = line.trim_start().starts_with("//");
        let blank: String = line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
        if is_comment {
            code.push_str(&blank);
            comments.push_str(line);
        } else {
            code.push_str(line);
            comments.push_str(&blank);
        }
    }
    let line_of = |offset: usize| source[..offset].matches('\n').count() + 1;
    let mut uses = Vec::new();
    for (text, comment) in [(&code, false), (&comments, true)] {
        for (offset, name) in crate_paths(text) {
            uses.push(Use { file: file.to_owned(), line: line_of(offset), name, comment });
        }
    }
    uses
}

/// The names `lib.rs` re-exports from a module (`pub use error::{Error, ..}`),
/// mapped to that module, and the `#[macro_export]` macros of every file,
/// mapped to the module that defines them.
fn root_names(lib: &str, files: &[(String, String)]) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut reexports = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else { continue };
        let Some((module, names)) = rest.trim_end_matches(';').split_once("::") else { continue };
        if module == "crate" {
            continue;
        }
        for name in names.trim_matches(|c| c == '{' || c == '}').split(',') {
            reexports.insert(name.trim().to_owned(), module.to_owned());
        }
    }
    let mut macros = BTreeMap::new();
    for (relative, source) in files {
        let Some(module) = module_of(relative) else { continue };
        let mut exported = false;
        for line in source.lines() {
            let line = line.trim();
            if line.starts_with("#[macro_export") {
                exported = true;
            } else if let Some(rest) = line.strip_prefix("macro_rules!") {
                if exported {
                    let name: String = rest.trim().chars().take_while(|&c| is_ident(c)).collect();
                    macros.insert(name, module.clone());
                }
                exported = false;
            }
        }
    }
    (reexports, macros)
}

/// What is wrong with the module graph of the sources `files` (paths
/// relative to `src`, and their text), one line a problem.
fn layering_problems(files: &[(String, String)]) -> Vec<String> {
    let mut layer_of = BTreeMap::new();
    let mut problems = Vec::new();
    for (index, layer) in LAYERS.iter().enumerate() {
        for &module in *layer {
            if layer_of.insert(module, index).is_some() {
                problems.push(format!("`{module}` is listed twice in LAYERS"));
            }
        }
    }
    let lib = files.iter().find(|(f, _)| f == "lib.rs").map(|(_, s)| s.as_str()).unwrap_or_default();
    let (reexports, macros) = root_names(lib, files);
    let modules: BTreeSet<String> = files.iter().filter_map(|(f, _)| module_of(f)).collect();
    for module in &modules {
        if !layer_of.contains_key(module.as_str()) {
            problems.push(format!("module `{module}` is in no layer: add it to LAYERS in {}", file!()));
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (relative, source) in files {
        let Some(from) = module_of(relative) else { continue };
        for used in uses_in(relative, source) {
            let Use { file, line, name, comment } = &used;
            let at = format!("runtime/src/{file}:{line}");
            if let Some(real) = reexports.get(name) {
                if from != "__private" {
                    problems
                        .push(format!("{at}: `crate::{name}` is a root re-export; name it `crate::{real}::{name}`"));
                }
                if *comment {
                    continue;
                }
                graph.entry(from.clone()).or_default().insert(real.clone());
                continue;
            }
            if *comment || EXTERNAL.contains(&name.as_str()) {
                continue;
            }
            let to = macros.get(name).cloned().unwrap_or_else(|| name.clone());
            if to == from {
                continue;
            }
            if !modules.contains(&to) {
                problems.push(format!("{at}: `crate::{name}` is neither a module, a re-exported crate nor a macro"));
                continue;
            }
            graph.entry(from.clone()).or_default().insert(to.clone());
            if let (Some(&low), Some(&high)) = (layer_of.get(to.as_str()), layer_of.get(from.as_str())) {
                if low >= high {
                    problems.push(format!(
                        "{at}: `{from}` (layer {high}) uses `crate::{name}` (`{to}`, layer {low}): a module may \
                         only use modules of lower layers"
                    ));
                }
            }
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!("the module graph has a cycle: {}", cycle.join(" -> ")));
    }
    problems
}

/// A cycle in `graph`, as the modules along it, if there is one. The layer
/// rule already rules cycles out; this names one plainly if the table is
/// ever loosened.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

fn runtime_sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    source_files(&src, &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).expect("under src").to_string_lossy().replace('\\', "/");
            let source = std::fs::read_to_string(&path).expect("read a source file");
            (relative, source)
        })
        .collect()
}

#[test]
fn the_runtime_modules_are_in_strict_layers() {
    let files = runtime_sources();
    assert!(files.iter().any(|(f, _)| f == "lib.rs"), "the sources were found");
    let problems = layering_problems(&files);
    assert!(problems.is_empty(), "the runtime's layering is broken:\n{}", problems.join("\n"));
}

/// The check itself: each kind of breakage is reported.
#[test]
fn the_layer_check_reports_what_breaks_the_order() {
    let mut files = runtime_sources();
    let add = |files: &mut Vec<(String, String)>, file: &str, text: &str| {
        let entry = files.iter_mut().find(|(f, _)| f == file).expect("the file exists");
        entry.1.push_str(text);
    };

    // An upward import from a multi-line group, and one in plain code.
    add(&mut files, "retry/mod.rs", "\nuse crate::{\n    text::quoted,\n    client::Client,\n};\n");
    add(&mut files, "host.rs", "\nfn f() { crate::wire::touch(); }\n");
    // Within one layer.
    add(&mut files, "path.rs", "\nuse crate::body::Body;\n");
    // A root re-export, in code and in a doc link.
    add(&mut files, "body.rs", "\n/// [`crate::ErrorKind::Io`]\nfn g() -> crate::Result<()> { Ok(()) }\n");
    // A new module nobody placed.
    files.push(("fresh.rs".to_owned(), "use crate::error::Error;\n".to_owned()));
    let problems = layering_problems(&files).join("\n");

    for expected in [
        "`retry` (layer 4) uses `crate::client` (`client`, layer 7)",
        "`host` (layer 0) uses `crate::wire`",
        "`path` (layer 4) uses `crate::body` (`body`, layer 4)",
        "`crate::ErrorKind` is a root re-export; name it `crate::error::ErrorKind`",
        "`crate::Result` is a root re-export; name it `crate::error::Result`",
        "module `fresh` is in no layer",
        "the module graph has a cycle: ",
    ] {
        assert!(problems.contains(expected), "expected {expected:?} among:\n{problems}");
    }
    assert!(!problems.contains("`crate::text`"), "a downward import is fine:\n{problems}");
}

#[test]
fn group_imports_yield_their_first_segments() {
    let found: Vec<String> =
        crate_paths("use crate::{a::{b, c}, d, e::f};\nx = $crate::g::h!(); pub(crate) y; foo_crate::z")
            .into_iter()
            .map(|(_, name)| name)
            .collect();
    assert_eq!(found, ["a", "d", "e", "g"]);
}
