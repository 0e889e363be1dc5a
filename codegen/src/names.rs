//! Turning discovery names into Rust identifiers.
//!
//! Every identifier in the output goes through [`sanitize`], so the rules for
//! keywords, non-identifier characters and leading digits live in one place.
//! [`Namer`] then makes names unique inside one scope, in document order, so
//! the same input always yields the same names.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// The case a Rust identifier should take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// `UpperCamelCase`, for types and enum variants.
    Pascal,
    /// `snake_case`, for fields, functions and modules.
    Snake,
}

/// Keywords of every edition up to 2024, strict and reserved.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait",
    "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be written as raw identifiers (`r#self` is invalid).
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Turns any discovery name into a valid Rust identifier in the given case.
///
/// Characters that cannot appear in an identifier (`$`, `@`, `.`, `-`, spaces,
/// control characters, ...) act as word breaks. A name with nothing usable
/// left becomes `unnamed`/`Unnamed`; a leading digit gets a prefix; keywords
/// become raw identifiers where Rust allows it and get a trailing `_` where it
/// does not.
pub fn sanitize(name: &str, case: Case) -> String {
    let words: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    let mut out = match case {
        Case::Pascal => words.to_upper_camel_case(),
        Case::Snake => words.to_snake_case(),
    };
    if out.is_empty() {
        out = match case {
            Case::Pascal => "Unnamed".into(),
            Case::Snake => "unnamed".into(),
        };
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, if case == Case::Pascal { "V" } else { "n" });
    }
    if KEYWORDS.contains(&out.as_str()) {
        if NOT_RAW.contains(&out.as_str()) {
            out.push('_');
        } else {
            out.insert_str(0, "r#");
        }
    }
    out
}

/// The identifier without a raw prefix, for building longer names from it.
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Hands out unique identifiers inside one scope.
///
/// The first claimant of a name keeps it; later ones get `2`, `3`, ... A
/// comparison ignores the raw prefix, since `r#type` and `type_` are both
/// spelled from `type` but are different identifiers, while `r#move` and
/// `move` would be the same one.
#[derive(Debug, Default, Clone)]
pub struct Namer {
    taken: HashSet<String>,
}

impl Namer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks names the generator itself uses in this scope.
    pub fn reserve(&mut self, names: &[&str]) {
        for n in names {
            self.taken.insert(bare(n).to_string());
        }
    }

    /// Whether `ident` is still free in this scope.
    pub fn is_free(&self, ident: &str) -> bool {
        !self.taken.contains(bare(ident))
    }

    /// Returns a unique identifier for `name` in `case`.
    pub fn claim(&mut self, name: &str, case: Case) -> String {
        self.claim_ident(sanitize(name, case))
    }

    /// Claims names for a whole scope at once. Names that are already valid
    /// identifiers in `case` are claimed first, so an exact `foo_bar` keeps
    /// its name even when a `fooBar` comes before it in the document.
    pub fn claim_all<'a>(&mut self, names: impl IntoIterator<Item = &'a str>, case: Case) -> Vec<String> {
        let names: Vec<&str> = names.into_iter().collect();
        let mut out: Vec<Option<String>> = vec![None; names.len()];
        for (slot, name) in out.iter_mut().zip(&names) {
            let ident = sanitize(name, case);
            if bare(&ident) == *name && self.is_free(&ident) {
                *slot = Some(self.claim_ident(ident));
            }
        }
        out.into_iter().zip(&names).map(|(slot, name)| slot.unwrap_or_else(|| self.claim(name, case))).collect()
    }

    /// Returns `ident` (already a valid identifier) or a numbered variant of it.
    pub fn claim_ident(&mut self, ident: String) -> String {
        if self.taken.insert(bare(&ident).to_string()) {
            return ident;
        }
        let base = bare(&ident).trim_end_matches('_').to_string();
        let sep = if base.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded counter always finds a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_name_starts_with_an_underscore() {
        // Generated structs keep unknown members in `__extra`, a name that
        // must stay out of reach of every document.
        for name in ["__extra", "_extra", "extra", "_", "__", "_9", "r#extra", "$extra"] {
            let snake = sanitize(name, Case::Snake);
            assert!(!snake.starts_with('_'), "{name} -> {snake}");
            assert!(!sanitize(name, Case::Pascal).starts_with('_'), "{name}");
        }
        assert_eq!(sanitize("__extra", Case::Snake), "extra");
    }

    #[test]
    fn cases_and_separators() {
        assert_eq!(sanitize("fooBar", Case::Snake), "foo_bar");
        assert_eq!(sanitize("foo_bar", Case::Pascal), "FooBar");
        assert_eq!(sanitize("$.xgafv", Case::Snake), "xgafv");
        assert_eq!(sanitize("@type", Case::Snake), "r#type");
        assert_eq!(sanitize("a.b", Case::Snake), "a_b");
        assert_eq!(sanitize("x-y", Case::Pascal), "XY");
        assert_eq!(sanitize("upload_protocol", Case::Snake), "upload_protocol");
        assert_eq!(sanitize("GoogleCloudVisionV1p1beta1Foo", Case::Pascal), "GoogleCloudVisionV1p1beta1Foo");
    }

    #[test]
    fn keywords_become_raw_or_suffixed() {
        assert_eq!(sanitize("move", Case::Snake), "r#move");
        assert_eq!(sanitize("return", Case::Snake), "r#return");
        assert_eq!(sanitize("use", Case::Snake), "r#use");
        assert_eq!(sanitize("type", Case::Snake), "r#type");
        assert_eq!(sanitize("self", Case::Snake), "self_");
        assert_eq!(sanitize("Self", Case::Pascal), "Self_");
        assert_eq!(sanitize("super", Case::Snake), "super_");
        assert_eq!(sanitize("crate", Case::Snake), "crate_");
        assert_eq!(sanitize("gen", Case::Snake), "r#gen");
    }

    #[test]
    fn unusable_names_still_give_identifiers() {
        assert_eq!(sanitize("", Case::Snake), "unnamed");
        assert_eq!(sanitize("  \t", Case::Pascal), "Unnamed");
        assert_eq!(sanitize("\u{0}\u{7}", Case::Snake), "unnamed");
        assert_eq!(sanitize("$ref", Case::Snake), "r#ref");
        assert_eq!(sanitize("3d", Case::Snake), "n3d");
        assert_eq!(sanitize("1", Case::Pascal), "V1");
        assert_eq!(sanitize("日本", Case::Pascal), "Unnamed");
    }

    #[test]
    fn namer_resolves_collisions_in_order() {
        let mut n = Namer::new();
        assert_eq!(n.claim("Foo", Case::Pascal), "Foo");
        assert_eq!(n.claim("foo", Case::Pascal), "Foo2");
        assert_eq!(n.claim("FOO", Case::Pascal), "Foo3");
        let mut f = Namer::new();
        f.reserve(&["extra"]);
        assert_eq!(f.claim("extra", Case::Snake), "extra2");
        assert_eq!(f.claim("v1", Case::Snake), "v1");
        assert_eq!(f.claim("v_1", Case::Snake), "v_1");
        assert_eq!(f.claim("V1", Case::Snake), "v1_2");
        assert_eq!(f.claim("type", Case::Snake), "r#type");
        assert_eq!(f.claim("@type", Case::Snake), "type2");
    }

    #[test]
    fn exact_names_win_over_earlier_lookalikes() {
        let mut n = Namer::new();
        assert_eq!(n.claim_all(["fooBar", "foo_bar", "x"], Case::Snake), ["foo_bar2", "foo_bar", "x"]);
        let mut t = Namer::new();
        assert_eq!(t.claim_all(["foo_bar", "FooBar"], Case::Pascal), ["FooBar2", "FooBar"]);
    }
}
