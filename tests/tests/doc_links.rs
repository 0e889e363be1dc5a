//! Every relative link and every `{{#include}}` of the project's Markdown
//! (README, ARCHITECTURE, CONTRIBUTING, CHANGELOG, BENCHMARKS and
//! everything under `docs/`) points at something that exists: the file,
//! the heading a `#fragment` names, and the `ANCHOR:` an include names.
//! External links (`https://...`) are not fetched: the machines this runs
//! on reach package registries only. `.ci/run` runs this beside
//! `mdbook build docs/guide`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate sits in the repository").to_path_buf()
}

/// The Markdown files checked: the top-level documents and `docs/**/*.md`.
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["README.md", "ARCHITECTURE.md", "CONTRIBUTING.md", "CHANGELOG.md", "BENCHMARKS.md"]
        .iter()
        .map(|name| root.join(name))
        .collect();
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("docs/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The id mdbook (and GitHub) gives a heading: lower case, letters, digits,
/// `-` and `_` kept, spaces made `-`, everything else dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The ids of the headings of `markdown`, outside code blocks.
fn heading_ids(markdown: &str) -> BTreeSet<String> {
    prose_lines(markdown).filter_map(|line| line.strip_prefix('#')).map(|h| slug(h.trim_start_matches('#'))).collect()
}

/// The lines of `markdown` outside fenced code blocks.
fn prose_lines(markdown: &str) -> impl Iterator<Item = &str> {
    let mut in_fence = false;
    markdown.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            return false;
        }
        !in_fence
    })
}

/// `line` with its inline code spans removed.
fn without_code_spans(line: &str) -> String {
    line.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// The targets of the links `[text](target)` in `markdown` (outside code).
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(markdown) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// The `{{#include path[:anchor]}}` directives of `markdown`, code blocks
/// included (that is where they sit).
fn includes(markdown: &str) -> Vec<(String, Option<String>)> {
    let mut found = Vec::new();
    let mut rest = markdown;
    while let Some(at) = rest.find("{{#include ") {
        let after = &rest[at + "{{#include ".len()..];
        let Some(end) = after.find("}}") else { break };
        let spec = after[..end].trim();
        let (path, anchor) = match spec.split_once(':') {
            Some((path, anchor)) if !anchor.chars().all(|c| c.is_ascii_digit()) => (path, Some(anchor.to_string())),
            Some((path, _)) => (path, None),
            None => (spec, None),
        };
        found.push((path.to_string(), anchor));
        rest = &after[end..];
    }
    found
}

/// The problems with the links and includes of the file `file`, whose
/// text is `markdown`; `read` gives the text of other files (None when one
/// does not exist). Also returns how many references were checked.
fn check(file: &Path, markdown: &str, read: &dyn Fn(&Path) -> Option<String>) -> (Vec<String>, usize) {
    let dir = file.parent().expect("a file has a directory");
    let mut problems = Vec::new();
    let mut checked = 0;
    for target in link_targets(markdown) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        checked += 1;
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target.as_str(), None),
        };
        let (resolved, text) = if path.is_empty() {
            (file.to_path_buf(), Some(markdown.to_string()))
        } else {
            let resolved = dir.join(path);
            let text = if resolved.is_dir() { Some(String::new()) } else { read(&resolved) };
            (resolved, text)
        };
        match (text, fragment) {
            (None, _) => {
                problems.push(format!("{}: link to {target}: {} does not exist", file.display(), resolved.display()))
            }
            (Some(text), Some(fragment))
                if resolved.extension().is_some_and(|e| e == "md") && !heading_ids(&text).contains(fragment) =>
            {
                problems.push(format!("{}: link to {target}: no heading #{fragment}", file.display()));
            }
            _ => {}
        }
    }
    for (path, anchor) in includes(markdown) {
        checked += 1;
        let resolved = dir.join(&path);
        match (read(&resolved), anchor) {
            (None, _) => {
                problems.push(format!("{}: include {path}: {} does not exist", file.display(), resolved.display()))
            }
            (Some(text), Some(anchor)) => {
                let start = format!("ANCHOR: {anchor}");
                let end = format!("ANCHOR_END: {anchor}");
                if !text.lines().any(|l| l.trim_end().ends_with(&start))
                    || !text.lines().any(|l| l.trim_end().ends_with(&end))
                {
                    problems
                        .push(format!("{}: include {path}:{anchor}: no `{start}` ... `{end}` there", file.display()));
                }
            }
            (Some(_), None) => {}
        }
    }
    (problems, checked)
}

#[test]
fn every_relative_link_and_include_of_the_docs_resolves() {
    let root = repo();
    let read = |path: &Path| std::fs::read_to_string(path).ok();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in markdown_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let (found, count) = check(&file, &text, &read);
        problems.extend(found);
        checked += count;
    }
    assert!(problems.is_empty(), "{} broken references:\n{}", problems.len(), problems.join("\n"));
    // The README and the guide's SUMMARY alone link to more than this.
    assert!(checked > 40, "only {checked} links and includes were found; is the parser still reading them?");
}

#[test]
fn the_checker_reports_what_is_broken_and_passes_what_is_not() {
    let file = Path::new("/book/src/page.md");
    let other = "# Other page\n\n## The section\n\n```rust\n// ANCHOR: part\nfn f() {}\n// ANCHOR_END: part\n```\n";
    let read = |path: &Path| (path == Path::new("/book/src/other.md")).then(|| other.to_string());
    let good = "# Page\n\n[x](other.md) [y](other.md#the-section) [z](#page) [w](https://example.com/nope)\n\n```rust\n{{#include other.md:part}}\n```\n";
    let (problems, checked) = check(file, good, &read);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(checked, 4, "three relative links and one include; the external link is skipped");

    let bad = "# Page\n\n[a](gone.md) [b](other.md#no-such) [c](#nowhere) `[d](in-code.md)`\n\n```text\n[e](in-a-block.md)\n{{#include gone.rs}}\n{{#include other.md:missing}}\n```\n";
    let (problems, _) = check(file, bad, &read);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    for (problem, mark) in problems.iter().zip(["gone.md", "#no-such", "#nowhere", "gone.rs", "missing"]) {
        assert!(problem.contains(mark), "{problem} should name {mark}");
    }
}

#[test]
fn slugs_follow_mdbook() {
    assert_eq!(slug("Media: download, upload, resumable"), "media-download-upload-resumable");
    assert_eq!(slug(" TLS: `tls-aws-lc` and `tls-ring`"), "tls-tls-aws-lc-and-tls-ring");
    assert_eq!(slug("The runtime's layers"), "the-runtimes-layers");
}
