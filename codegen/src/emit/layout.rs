//! Lays out the `__rt::object!` invocation of a struct as text, in place of
//! syn and prettyplease, which would take longer to pour its field list into
//! one paragraph. The emitter hands over tokens like for any other item, so
//! document text can reach the output only as a literal or an identifier.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// `__rt::object! { Name("schema") { "json" => field as Rule, ... } }`, one
/// line per field.
pub(crate) fn object_list(tokens: TokenStream) -> String {
    let mut head = String::new();
    let mut body = TokenStream::new();
    for tt in tokens {
        match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                body = g.stream();
                break;
            }
            other => head.push_str(&other.to_string()),
        }
    }
    let mut out = format!("{head} {{\n    ");
    let mut entries = Vec::new();
    for tt in body {
        match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => entries = split_entries(g.stream()),
            TokenTree::Group(g) => out.push_str(&format!("({})", g.stream())),
            other => out.push_str(&other.to_string()),
        }
    }
    out.push_str(" {");
    if !entries.is_empty() {
        out.push('\n');
        for entry in entries {
            out.push_str("        ");
            out.push_str(&entry);
            out.push_str(",\n");
        }
        out.push_str("    ");
    }
    out.push_str("}\n}\n");
    out
}

/// The comma-separated entries, each as `"json" => field` or
/// `"json" => field as Rule`. Commas inside a rule's angle brackets stay.
fn split_entries(tokens: TokenStream) -> Vec<String> {
    let mut entries = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut after_arrow_start = false;
    for tt in tokens {
        match &tt {
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                entries.push(std::mem::take(&mut current));
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == Spacing::Joint => {
                current.push_str(" =");
                after_arrow_start = true;
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '>' && after_arrow_start => {
                current.push_str("> ");
                after_arrow_start = false;
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        match &tt {
            TokenTree::Ident(i) if i == "as" => current.push_str(" as "),
            TokenTree::Punct(p) if p.as_char() == ',' => current.push_str(", "),
            other => current.push_str(&other.to_string()),
        }
    }
    if !current.is_empty() {
        entries.push(current);
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn fields_one_per_line_with_rules_kept_compact() {
        let tokens = quote! {
            __rt::object! {
                Thing("Thing") {
                    "a" => a,
                    "@type" => r#type as __rt::BTreeMap<__rt::String, __rt::Vec<__rt::wire::I64>>,
                }
            }
        };
        assert_eq!(
            object_list(tokens),
            "__rt::object! {\n    Thing(\"Thing\") {\n        \"a\" => a,\n        \"@type\" => r#type as __rt::BTreeMap<__rt::String, __rt::Vec<__rt::wire::I64>>,\n    }\n}\n"
        );
    }

    #[test]
    fn no_fields() {
        let tokens = quote!(__rt::object! { Empty("Empty") {} });
        assert_eq!(object_list(tokens), "__rt::object! {\n    Empty(\"Empty\") {}\n}\n");
    }
}
