//! Shortening untrusted text before it goes into messages.
//!
//! Error messages quote values and response bodies. Those can be huge or
//! contain line breaks, so they are cut to a bounded size and, where a message
//! must stay on one line, flattened.

/// Longest value quoted inside a message, in characters.
const QUOTE_CHARS: usize = 64;
/// Longest body excerpt kept on an error, in characters.
pub(crate) const EXCERPT_CHARS: usize = 512;

/// `value` in double quotes with escapes, cut to a short prefix.
pub(crate) fn quoted(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(QUOTE_CHARS).collect();
    if chars.next().is_some() {
        format!("{head:?}…")
    } else {
        format!("{head:?}")
    }
}

/// The start of a body as text; invalid UTF-8 becomes U+FFFD.
pub(crate) fn excerpt(body: &[u8]) -> String {
    // Four bytes per character is the most UTF-8 needs, so this prefix always
    // holds enough characters; a character cut at the end becomes U+FFFD.
    let prefix = &body[..body.len().min(EXCERPT_CHARS * 4)];
    String::from_utf8_lossy(prefix).chars().take(EXCERPT_CHARS).collect()
}

/// `text` with every run of whitespace or control characters turned into one
/// space, cut to `max_chars` characters.
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars));
    let mut count = 0;
    let mut pending_space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = true;
            continue;
        }
        if count >= max_chars {
            out.push('…');
            return out;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_and_truncates() {
        assert_eq!(quoted("a\"b\n"), r#""a\"b\n""#);
        let long = "x".repeat(100);
        let q = quoted(&long);
        assert!(q.ends_with('…'));
        assert_eq!(q.chars().filter(|&c| c == 'x').count(), QUOTE_CHARS);
    }

    #[test]
    fn excerpt_is_bounded_and_lossy() {
        let body = "é".repeat(2000);
        assert_eq!(excerpt(body.as_bytes()).chars().count(), EXCERPT_CHARS);
        assert_eq!(excerpt(b"ok\xff"), "ok\u{fffd}");
    }

    #[test]
    fn one_line_flattens() {
        assert_eq!(one_line("  <h1>\r\n Error\t\t500 </h1>\n", 100), "<h1> Error 500 </h1>");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }
}
