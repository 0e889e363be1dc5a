//! Parsing of the URI templates in a method's `path`.

/// A piece of a template as written: literal text, or a placeholder by
/// name. Resolution turns it into `ir::PathPart`, which points at the
/// parameter and says how to expand it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    Var { param: String, reserved: bool },
}

/// Splits a discovery path template such as `v1/{+name}:cancel` into literal
/// text and placeholders. `{+x}` is RFC 6570 reserved expansion; the explode
/// modifier `*` is accepted and ignored, as Google's documents only put it on
/// single values.
pub fn parse(template: &str) -> Result<Vec<PathPart>, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = template;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("stray `}}` at byte {} of `{template}`", template.len() - rest.len() + open));
        }
        literal.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| format!("unclosed `{{` in path template `{template}`"))?;
        let inner = &after[..close];
        let (reserved, name) = match inner.strip_prefix('+') {
            Some(n) => (true, n),
            None => (false, inner),
        };
        let name = name.strip_suffix('*').unwrap_or(name);
        if name.is_empty() || name.contains(['{', '/', '+', '?', '#', ',']) {
            return Err(format!("placeholder `{{{inner}}}` in `{template}` is not a single variable"));
        }
        if !literal.is_empty() {
            parts.push(PathPart::Literal(std::mem::take(&mut literal)));
        }
        parts.push(PathPart::Var { param: name.to_string(), reserved });
        rest = &after[close + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(PathPart::Literal(literal));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> PathPart {
        PathPart::Literal(s.into())
    }
    fn var(s: &str, reserved: bool) -> PathPart {
        PathPart::Var { param: s.into(), reserved }
    }

    #[test]
    fn splits_literals_and_vars() {
        assert_eq!(parse("v1/{+name}").unwrap(), vec![lit("v1/"), var("name", true)]);
        assert_eq!(
            parse("v1/{+resource}:getIamPolicy").unwrap(),
            vec![lit("v1/"), var("resource", true), lit(":getIamPolicy")]
        );
        assert_eq!(
            parse("b/{bucket}/o/{object}").unwrap(),
            vec![lit("b/"), var("bucket", false), lit("/o/"), var("object", false)]
        );
        assert_eq!(parse("{+path*}").unwrap(), vec![var("path", true)]);
        assert_eq!(parse("batch").unwrap(), vec![lit("batch")]);
    }

    #[test]
    fn rejects_broken_templates() {
        assert!(parse("v1/{+name").unwrap_err().contains("unclosed"));
        assert!(parse("v1/name}").unwrap_err().contains("stray"));
        assert!(parse("v1/{}").unwrap_err().contains("not a single variable"));
        assert!(parse("v1/{a,b}").unwrap_err().contains("not a single variable"));
    }
}
