//! Descriptions → `#[doc]` attributes that are always valid and warning-free.
//!
//! Descriptions are untrusted text. Each line becomes its own `#[doc]`
//! string literal, so nothing in them can end the comment or add an item.
//! Beyond that, the text is tamed for rustdoc and rustc lints: Markdown
//! brackets and HTML are escaped (no broken intra-doc links or unknown
//! tags), bare URLs are wrapped, code fences become `text` (never doctests),
//! leading indentation is dropped (no accidental code blocks), and control,
//! bidirectional and zero-width characters are written out as `U+XXXX`.

use crate::ir::Docs;
use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc]` attributes for an item.
pub fn attrs(docs: &Docs) -> TokenStream {
    lines_to_attrs(&lines(docs), false)
}

/// `#![doc]` attributes for a module.
pub fn inner_attrs(lines: &[String]) -> TokenStream {
    lines_to_attrs(lines, true)
}

/// Attributes from plain lines the generator wrote itself (still escaped).
pub fn plain(text: &str) -> TokenStream {
    attrs(&Docs { description: Some(text.to_string()), notes: Vec::new() })
}

/// Attributes from lines the generator wrote whole, such as an example:
/// printed as they are, since escaping would break the code in them.
pub fn verbatim(lines: &[String]) -> TokenStream {
    lines_to_attrs(lines, false)
}

/// Inner attributes from lines the generator wrote whole.
pub fn inner_verbatim(lines: &[String]) -> TokenStream {
    lines_to_attrs(lines, true)
}

fn lines_to_attrs(lines: &[String], inner: bool) -> TokenStream {
    lines
        .iter()
        .map(|line| {
            // A leading space keeps `///` + text from turning into `////`.
            let text = if line.is_empty() { String::new() } else { format!(" {line}") };
            if inner {
                quote!(#![doc = #text])
            } else {
                quote!(#[doc = #text])
            }
        })
        .collect()
}

/// The escaped lines of a description plus its notes, paragraphs apart.
pub fn lines(docs: &Docs) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(d) = &docs.description {
        out.extend(escape(d));
    }
    for note in &docs.notes {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(escape(note));
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Escapes one description into doc lines.
pub fn escape(text: &str) -> Vec<String> {
    let text = visible(text.replace("\r\n", "\n").replace('\r', "\n").trim());
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in text.split('\n') {
        let line = raw.trim();
        if line.starts_with("```") || line.starts_with("~~~") {
            out.push(if in_fence { "```".to_string() } else { "```text".to_string() });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
        } else {
            out.push(escape_markdown(line));
        }
    }
    if in_fence {
        out.push("```".to_string());
    }
    // Trim blank lines at both ends.
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Replaces characters that lints reject or that hide text.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = matches!(c as u32,
            0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0x061C | 0x00AD);
        if c == '\n' {
            out.push('\n');
        } else if c == '\t' {
            out.push(' ');
        } else if c.is_control() || hidden {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes Markdown outside inline code spans and wraps bare URLs.
fn escape_markdown(line: &str) -> String {
    let segments: Vec<&str> = line.split('`').collect();
    // An odd count of backticks leaves the last one unpaired: treat the text
    // after it as prose and escape the backtick itself.
    let balanced = segments.len() % 2 == 1;
    let mut out = String::with_capacity(line.len() + 8);
    for (i, seg) in segments.iter().enumerate() {
        let is_code = i % 2 == 1 && (balanced || i + 1 < segments.len());
        if i > 0 {
            if !balanced && i + 1 == segments.len() {
                out.push_str("\\`");
            } else {
                out.push('`');
            }
        }
        if is_code {
            out.push_str(seg);
        } else {
            out.push_str(&escape_prose(seg));
        }
    }
    out
}

fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let next_url = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min();
        let Some(start) = next_url else {
            push_escaped(&mut out, rest);
            break;
        };
        push_escaped(&mut out, &rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| {
                c.is_whitespace()
                    || matches!(c, '<' | '>' | '"' | '`' | '[' | ']' | '(' | ')' | '{' | '}' | '|' | '\\' | '^')
            })
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '*', '_']);
        if url.len() > "https://".len() {
            out.push('<');
            out.push_str(url);
            out.push('>');
        } else {
            push_escaped(&mut out, url);
        }
        rest = &tail[url.len()..];
    }
    out
}

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' => out.push_str("\\\\"),
            '`' => out.push_str("\\`"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markdown_and_html() {
        assert_eq!(escape("See [Foo] and <b>bold</b>."), vec!["See \\[Foo\\] and &lt;b&gt;bold&lt;/b&gt;."]);
        assert_eq!(escape("Use `projects/[ID]` here"), vec!["Use `projects/[ID]` here"]);
        assert_eq!(escape("odd ` tick"), vec!["odd \\` tick"]);
    }

    #[test]
    fn wraps_urls() {
        assert_eq!(escape("Docs at https://example.com/x."), vec!["Docs at <https://example.com/x>."]);
        assert_eq!(escape("(https://a.b/c)"), vec!["(<https://a.b/c>)"]);
    }

    #[test]
    fn fences_become_text_and_indent_is_dropped() {
        assert_eq!(escape("a\n```\nfn x() {}\n"), vec!["a", "```text", "fn x() {}", "```"]);
        assert_eq!(escape("    indented"), vec!["indented"]);
    }

    #[test]
    fn hidden_and_control_characters_are_spelled_out() {
        assert_eq!(escape("a\u{202E}b\u{200B}c\u{7}"), vec!["aU+202EbU+200BcU+0007"]);
        assert_eq!(escape("x\r\ny\rz"), vec!["x", "y", "z"]);
    }

    #[test]
    fn comment_terminators_stay_text() {
        assert_eq!(escape("*/ \"# #[x]"), vec!["*/ \"# #\\[x\\]"]);
    }
}
