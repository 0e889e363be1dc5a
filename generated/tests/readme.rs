//! The README's Rust example is `examples/readme.rs`, which `cargo test`
//! compiles. This test holds the copy in the README to that file, byte for
//! byte, so that what a reader copies is what was compiled.

use std::path::Path;

/// The body of the first fenced block of `markdown` that opens with
/// exactly `fence`, or `None` when there is none (or it is never closed).
fn first_block<'a>(markdown: &'a str, fence: &str) -> Option<&'a str> {
    let start = markdown.find(&format!("\n{fence}\n"))? + fence.len() + 2;
    let len = markdown[start..].find("\n```\n")? + 1;
    Some(&markdown[start..start + len])
}

#[test]
fn the_readme_example_is_examples_readme_rs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("README.md");
    let example = std::fs::read_to_string(root.join("examples/readme.rs")).expect("examples/readme.rs");
    let block = first_block(&readme, "```rust").expect("README.md has a ```rust block");
    assert!(
        block == example,
        "README.md's ```rust block differs from generated/examples/readme.rs; copy the file into the README\n--- README\n{block}\n--- examples/readme.rs\n{example}"
    );
}

#[test]
fn first_block_finds_the_body_and_only_a_closed_block() {
    assert_eq!(first_block("a\n```rust\nfn x() {}\n```\nb", "```rust"), Some("fn x() {}\n"));
    assert_eq!(first_block("a\n```sh\nls\n```\n```rust\nlet\n```\n", "```rust"), Some("let\n"));
    assert_eq!(first_block("a\n```rust\nfn x() {}\n", "```rust"), None);
    assert_eq!(first_block("no blocks", "```rust"), None);
}
