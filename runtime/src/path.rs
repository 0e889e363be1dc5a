//! Expanding path template variables (RFC 6570, as Google uses it).
//!
//! Generated code expands a template such as `v1/{+name}:cancel` by pushing
//! the literal parts itself and each variable through [`push_param`], which
//! checks the value against the parameter's `pattern` and encodes it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use regex_lite::Regex;

use crate::encode::{percent_encode_into, PATH_RESERVED, PATH_SLASH, UNRESERVED};
use crate::error::Error;
use crate::text::quoted;

/// How a template variable is expanded, from its spelling in the template
/// and the document's `fullyEncodeReservedExpansion` flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expansion {
    /// `{name}`: everything but `A-Z a-z 0-9 - . _ ~` is percent-encoded,
    /// `/` included, so the value is one path segment.
    Simple,
    /// `{+name}` in a document with `fullyEncodeReservedExpansion: true`
    /// (most current ones): `/` is kept, so that resource names like
    /// `projects/p/operations/o` read naturally, and every other reserved
    /// character is encoded, which is what that flag asks of clients.
    KeepSlash,
    /// `{+name}` without that flag: RFC 6570's reserved characters are kept,
    /// except `?` and `#`, which would end the path, `[` and `]`, which are
    /// not allowed in a path, and `%`, which would let a value smuggle in
    /// its own escapes.
    KeepReserved,
}

impl Expansion {
    /// Whether `/` passes through, so the value may span several segments.
    fn keeps_slash(self) -> bool {
        self != Expansion::Simple
    }
}

/// Appends the expansion of one template variable to `out`.
///
/// - `pattern`: the regular expression from the discovery document. The raw
///   value must match it, or nothing is appended and an
///   [`crate::error::ErrorKind::InvalidArgument`] error names the parameter, the
///   value and the pattern. Patterns are used as written (Google's are
///   anchored with `^…$`).
/// - `expansion`: which characters are kept as they are; see [`Expansion`].
///
/// In every mode control characters, spaces and non-ASCII text are
/// percent-encoded as UTF-8. Empty values and the path segments `.` and `..`
/// are refused: URL normalisation (in clients, proxies and servers) would
/// otherwise let `..` climb out of the template. Because `%` is always
/// encoded, a value cannot spell `..` as `%2e%2e` either.
///
/// A `{+name}` expansion that would start the path (`out` is empty, as for
/// `{+resource}:getIamPolicy`) must not begin with `/`: the request builder
/// reads a leading `/` as "relative to the root URL", so the value would
/// otherwise move the request out from under the API's service path.
pub fn push_param(
    out: &mut String,
    name: &str,
    value: &str,
    expansion: Expansion,
    pattern: Option<&'static str>,
) -> Result<(), Error> {
    if let Some(pattern) = pattern {
        check_pattern(name, value, pattern)?;
    }
    let reserved = expansion.keeps_slash();
    check_segments(name, value, reserved)?;
    if reserved && out.is_empty() && value.starts_with('/') {
        return Err(Error::invalid_argument(format!(
            "path parameter {name:?} value {} must not start with \"/\" at the start of the path",
            quoted(value)
        )));
    }
    let set = match expansion {
        Expansion::Simple => UNRESERVED,
        Expansion::KeepSlash => PATH_SLASH,
        Expansion::KeepReserved => PATH_RESERVED,
    };
    percent_encode_into(out, value, set);
    Ok(())
}

/// Refuses empty values and dot segments.
fn check_segments(name: &str, value: &str, reserved: bool) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_argument(format!("path parameter {name:?} must not be empty")));
    }
    let is_dot_segment = |segment: &str| segment == "." || segment == "..";
    // A simple expansion encodes `/`, so its value is one segment at most.
    let has_dot_segment = if reserved { value.split('/').any(is_dot_segment) } else { is_dot_segment(value) };
    if has_dot_segment {
        return Err(Error::invalid_argument(format!(
            "path parameter {name:?} value {} must not contain a \".\" or \"..\" segment",
            quoted(value)
        )));
    }
    Ok(())
}

/// Compiled patterns, so each pattern is compiled once per process. The key
/// is the `&'static str` from generated code, so the map stays as small as
/// the set of patterns in the program.
///
/// Matching happens outside the lock: a lookup takes the read lock only to
/// clone the `Arc` out, so many callers (say, a thousand pollers picking
/// methods by resource name) match at once. The write lock is taken only
/// the first time a pattern is seen, after it was compiled.
fn compiled() -> &'static RwLock<HashMap<&'static str, Arc<Regex>>> {
    static CACHE: OnceLock<RwLock<HashMap<&'static str, Arc<Regex>>>> = OnceLock::new();
    CACHE.get_or_init(|| RwLock::new(HashMap::new()))
}

/// Whether `value` matches the discovery `pattern`, compiled once per
/// process. Generated code uses it to pick the method whose path fits a
/// resource name. A pattern that does not compile matches nothing.
pub fn matches(pattern: &'static str, value: &str) -> bool {
    is_match(pattern, value).unwrap_or(false)
}

/// `pattern` compiled, from the cache or compiled now and cached.
fn regex(pattern: &'static str) -> Result<Arc<Regex>, regex_lite::Error> {
    // A panic elsewhere while holding the lock leaves the map intact (an
    // insert either happened or did not), so a poisoned lock is still safe
    // to use.
    let cached = compiled().read().unwrap_or_else(PoisonError::into_inner).get(pattern).cloned();
    if let Some(regex) = cached {
        return Ok(regex);
    }
    // Compiled without any lock held; two threads meeting a new pattern at
    // once both compile it, and the first to insert wins.
    let fresh = Arc::new(Regex::new(pattern)?);
    let mut cache = compiled().write().unwrap_or_else(PoisonError::into_inner);
    Ok(Arc::clone(cache.entry(pattern).or_insert(fresh)))
}

/// Matches `value` against `pattern`, or returns the compile error.
fn is_match(pattern: &'static str, value: &str) -> Result<bool, regex_lite::Error> {
    Ok(regex(pattern)?.is_match(value))
}

fn check_pattern(name: &str, value: &str, pattern: &'static str) -> Result<(), Error> {
    match is_match(pattern, value) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::invalid_argument(format!(
            "path parameter {name:?} value {} does not match the pattern {pattern}",
            quoted(value)
        ))),
        Err(e) => Err(Error::invalid_argument(format!(
            "path parameter {name:?} has a pattern that does not compile: {pattern}"
        ))
        .with_source(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::Expansion::{KeepReserved, KeepSlash, Simple};
    use super::*;
    use crate::error::ErrorKind;

    fn expand(value: &str, expansion: Expansion) -> Result<String, Error> {
        let mut out = String::from("v1/");
        push_param(&mut out, "name", value, expansion, None)?;
        Ok(out)
    }

    fn ok(value: &str, expansion: Expansion) -> String {
        match expand(value, expansion) {
            Ok(out) => out,
            Err(e) => panic!("{value:?} was refused: {e}"),
        }
    }

    fn refused(value: &str, expansion: Expansion) -> Error {
        match expand(value, expansion) {
            Ok(out) => panic!("{value:?} was accepted as {out}"),
            Err(e) => e,
        }
    }

    #[test]
    fn simple_expansion_encodes_everything_but_unreserved() {
        assert_eq!(ok("a b", Simple), "v1/a%20b");
        assert_eq!(ok("50%", Simple), "v1/50%25");
        assert_eq!(ok("a?b#c", Simple), "v1/a%3Fb%23c");
        assert_eq!(ok("x/y", Simple), "v1/x%2Fy");
        assert_eq!(ok("a:b+c", Simple), "v1/a%3Ab%2Bc");
        assert_eq!(ok("A-z.0_9~", Simple), "v1/A-z.0_9~");
    }

    #[test]
    fn reserved_expansion_keeps_slash() {
        assert_eq!(ok("projects/p/operations/123", KeepSlash), "v1/projects/p/operations/123");
    }

    #[test]
    fn fully_encoded_reserved_expansion() {
        assert_eq!(ok("a:b@c,d=e+f", KeepSlash), "v1/a%3Ab%40c%2Cd%3De%2Bf");
        assert_eq!(ok("a?b#c", KeepSlash), "v1/a%3Fb%23c");
        assert_eq!(ok("p/50%", KeepSlash), "v1/p/50%25");
    }

    #[test]
    fn plain_reserved_expansion_keeps_reserved_but_not_query_or_fragment() {
        assert_eq!(ok("a:b@c,d=e+f", KeepReserved), "v1/a:b@c,d=e+f");
        assert_eq!(ok("a?b#c", KeepReserved), "v1/a%3Fb%23c");
        assert_eq!(ok("50%2e", KeepReserved), "v1/50%252e");
        assert_eq!(ok("[x]", KeepReserved), "v1/%5Bx%5D");
    }

    #[test]
    fn unicode_and_controls_are_encoded() {
        assert_eq!(ok("é", Simple), "v1/%C3%A9");
        assert_eq!(ok("日本/é", KeepReserved), "v1/%E6%97%A5%E6%9C%AC/%C3%A9");
        assert_eq!(ok("a\r\nb", KeepReserved), "v1/a%0D%0Ab");
        assert_eq!(ok("a\tb\u{7f}", Simple), "v1/a%09b%7F");
    }

    #[test]
    fn dot_segments_are_refused() {
        for value in ["..", ".", "a/../b", "../x", "a/.", "./a"] {
            let e = refused(value, KeepSlash);
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.to_string().contains("segment"), "{e}");
        }
        refused("..", Simple);
        refused(".", Simple);
        // Dots inside a segment are ordinary characters.
        assert_eq!(ok("a..b/.c", KeepSlash), "v1/a..b/.c");
        // In a simple expansion `/` is encoded, so this is one harmless segment.
        assert_eq!(ok("../x", Simple), "v1/..%2Fx");
        // An encoded dot cannot be smuggled in.
        assert_eq!(ok("%2e%2e", KeepReserved), "v1/%252e%252e");
    }

    #[test]
    fn a_reserved_value_cannot_start_the_path_with_a_slash() {
        let mut out = String::new();
        let err = push_param(&mut out, "resource", "/upload/x", KeepSlash, None).err().map(|e| e.kind());
        assert_eq!(err, Some(ErrorKind::InvalidArgument));
        assert!(out.is_empty());
        // After a literal, or in a simple expansion, a leading slash is harmless.
        assert_eq!(ok("/x", KeepSlash), "v1//x");
        let mut out = String::new();
        push_param(&mut out, "id", "/x", Simple, None).expect("encoded");
        assert_eq!(out, "%2Fx");
    }

    #[test]
    fn empty_values_are_refused() {
        assert_eq!(refused("", Simple).kind(), ErrorKind::InvalidArgument);
        assert_eq!(refused("", KeepSlash).kind(), ErrorKind::InvalidArgument);
    }

    #[test]
    fn pattern_mismatch_names_parameter_value_and_pattern() {
        const PATTERN: &str = "^projects/[^/]+/operations/[^/]+$";
        let mut out = String::new();
        let ok = push_param(&mut out, "name", "projects/p/operations/1", KeepSlash, Some(PATTERN));
        assert!(ok.is_ok());
        let mut out = String::new();
        let err = push_param(&mut out, "name", "projects/p", KeepSlash, Some(PATTERN)).err();
        let err = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("\"name\""), "{err}");
        assert!(err.contains("\"projects/p\""), "{err}");
        assert!(err.contains(PATTERN), "{err}");
        assert!(out.is_empty());
    }

    #[test]
    fn pattern_is_checked_against_the_raw_value() {
        let mut out = String::new();
        let result = push_param(&mut out, "id", "a b", Simple, Some("^[a-z ]+$"));
        assert!(result.is_ok());
        assert_eq!(out, "a%20b");
    }

    #[test]
    fn matches_uses_the_pattern_as_written() {
        assert!(matches("^operations/[^/]+$", "operations/1"));
        assert!(!matches("^operations/[^/]+$", "projects/p/operations/1"));
        assert!(!matches("([", "anything"));
    }

    #[test]
    fn broken_pattern_is_an_error_not_a_panic() {
        let mut out = String::new();
        let result = push_param(&mut out, "id", "x", Simple, Some("(["));
        assert_eq!(result.err().map(|e| e.kind()), Some(ErrorKind::InvalidArgument));
    }

    #[test]
    fn a_pattern_is_compiled_once_and_shared() {
        const PATTERN: &str = "^projects/[^/]+/shared$";
        let first = regex(PATTERN).expect("compiles");
        let second = regex(PATTERN).expect("compiles");
        // The second lookup hands out the cached regex (matched outside
        // the lock), not a fresh compile.
        assert!(Arc::ptr_eq(&first, &second));
        assert!(matches(PATTERN, "projects/p/shared"));
        assert!(!matches(PATTERN, "projects/p/q/shared"));
        // Many threads at once agree with one another.
        let answers: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> =
                (0..8).map(|i| scope.spawn(move || matches(PATTERN, &format!("projects/{i}/shared")))).collect();
            handles.into_iter().map(|h| h.join().expect("no panic")).collect()
        });
        assert_eq!(answers, [true; 8]);
    }
}
