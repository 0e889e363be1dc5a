//! The `no_run` examples in the docs of call builders and of the module
//! root: a client, the call with a value for each required argument, and
//! `send()`, then what else the builder offers (pages, polling, media).
//!
//! Every name comes from the IR; values are placeholders of the right type,
//! so each example compiles as a doc test. Strings are written with Rust's
//! own escaping, since path patterns come from the document.

use crate::ir::{Api, ArgKind, Method, Param, Ty, TypeDef};

/// The lines of an `# Example` section for the builder of `m`, reached from
/// the client through the resource accessors `chain`.
pub fn call_example(api: &Api, chain: &[&str], m: &Method) -> Vec<String> {
    let call = call_expr(api, chain, m);
    let members = &m.members;
    let mut body = sent(&call, m);
    if let Some(pages) = &members.pages {
        body.push(format!("let mut pages = {call}.{pages}();"));
        body.push("while let Some(page) = pages.next_page().await {".to_string());
        body.push("    println!(\"{:?}\", page?);".to_string());
        body.push("}".to_string());
    }
    if let Some(wait) = &members.wait {
        body.push(format!("let done = {call}.{wait}({RUNTIME}::lro::PollPolicy::default()).await?;"));
        body.push("println!(\"{:?}\", done.result());".to_string());
    }
    if let Some(download) = &members.download {
        body.push(format!("let bytes = {call}.{download}().await?;"));
        body.push("println!(\"{} bytes\", bytes.len());".to_string());
    }
    if let Some(upload) = &members.upload {
        body.push(format!("let uploaded = {call}.{upload}(b\"hello\".to_vec(), \"text/plain\").await?;"));
        body.push("println!(\"{uploaded:?}\");".to_string());
    }
    if let Some(resumable) = &members.upload_resumable {
        body.push(format!("let file = {RUNTIME}::Body::from(b\"a large file\".to_vec());"));
        body.push(format!("let uploaded = {call}.{resumable}(file, \"application/octet-stream\").await?;"));
        body.push("println!(\"{uploaded:?}\");".to_string());
    }
    wrap(api, body)
}

/// The lines of an `# Example` section for the module root: the first
/// method of the document, sent; and that method, whose builder may sit
/// behind a resource feature.
pub fn module_example(api: &Api) -> Option<(Vec<String>, &Method)> {
    let mut chain = Vec::new();
    let m = first_method(&api.root, &mut chain)?;
    let call = call_expr(api, &chain, m);
    Some((wrap(api, sent(&call, m)), m))
}

/// The call sent, and its response printed.
fn sent(call: &str, m: &Method) -> Vec<String> {
    vec![format!("let response = {call}.{}().await?;", m.members.send), "println!(\"{response:?}\");".to_string()]
}

fn first_method<'a>(r: &'a crate::ir::Resource, chain: &mut Vec<&'a str>) -> Option<&'a Method> {
    if let Some(m) = r.methods.first() {
        return Some(m);
    }
    for c in &r.children {
        chain.push(&c.accessor);
        if let Some(m) = first_method(c, chain) {
            return Some(m);
        }
        chain.pop();
    }
    None
}

/// How the examples name the runtime: through the module's re-export, so
/// that a program copied from them depends on the generated crate alone.
const RUNTIME: &str = "api::runtime";

fn wrap(api: &Api, body: Vec<String>) -> Vec<String> {
    let module = &api.example_path;
    let client = &api.client_members.builder;
    let mut lines = vec![
        "# Example".to_string(),
        String::new(),
        "```no_run".to_string(),
        format!("# async fn example() -> {module}::runtime::Result<()> {{"),
        format!("use {module} as api;"),
        String::new(),
        "// Credentials, root URL and transport are set on the builder.".to_string(),
        format!("let client = api::Client::{client}().build()?;"),
    ];
    lines.extend(body);
    lines.push("# Ok(())".to_string());
    lines.push("# }".to_string());
    lines.push("```".to_string());
    lines
}

/// `client.a().b().method(args...)`.
fn call_expr(api: &Api, chain: &[&str], m: &Method) -> String {
    let mut args: Vec<String> = m.required.iter().map(|p| value(api, p)).collect();
    if let Some(body) = &m.request {
        args.push(default_of(api, &body.ty));
    }
    let mut expr = String::from("client");
    for accessor in chain {
        expr.push_str(&format!(".{accessor}()"));
    }
    expr.push_str(&format!(".{}({})", m.fn_name, args.join(", ")));
    expr
}

/// A placeholder for a required parameter.
fn value(api: &Api, p: &Param) -> String {
    if matches!(p.arg, ArgKind::Values | ArgKind::Strings) {
        return "Vec::new()".to_string();
    }
    match &p.ty {
        Ty::String => format!("{:?}", p.pattern.as_deref().and_then(from_pattern).unwrap_or_else(|| placeholder(p))),
        Ty::Named(id) => match api.types.iter().find(|t| t.id() == *id) {
            Some(TypeDef::Enum(e)) => match e.variants.first() {
                Some(v) => format!("api::model::{}::{}", e.name, v.name),
                None => format!("api::model::{}::from(\"\")", e.name),
            },
            _ => "Default::default()".to_string(),
        },
        other => default_of(api, other),
    }
}

fn default_of(api: &Api, ty: &Ty) -> String {
    match ty {
        Ty::Named(id) => format!("api::model::{}::default()", api.type_names[id.0]),
        Ty::I32 | Ty::U32 | Ty::I64 | Ty::U64 | Ty::Integer => "0".to_string(),
        Ty::F32 | Ty::F64 => "0.0".to_string(),
        Ty::Bool => "false".to_string(),
        Ty::Timestamp => format!("{RUNTIME}::wire::Timestamp::UNIX_EPOCH"),
        // The example's function returns the runtime's `Result`, which a
        // date's `ValueError` converts into.
        Ty::Date => format!("{RUNTIME}::wire::Date::new(2024, 1, 1)?"),
        _ => "Default::default()".to_string(),
    }
}

/// `my-project` for a parameter called `project`.
fn placeholder(p: &Param) -> String {
    let words: String =
        p.json_name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("my-{}", words.trim_matches('-'))
}

/// A value that fits a path pattern such as
/// `^projects/[^/]+/operations/[^/]+$`: each segment pattern becomes a
/// name made from the literal segment before it (`my-project`). Patterns
/// with any other regex syntax give `None`.
fn from_pattern(pattern: &str) -> Option<String> {
    let body = pattern.strip_prefix('^').unwrap_or(pattern);
    let body = body.strip_suffix('$').unwrap_or(body);
    // The segment pattern holds a `/` of its own: mark it before splitting.
    let body = body.replace("[^/]+", "\0").replace("[^/]*", "\0");
    let mut out = Vec::new();
    let mut previous = "value";
    for segment in body.split('/') {
        match segment {
            "\0" => {
                let singular = previous.strip_suffix('s').unwrap_or(previous);
                out.push(format!("my-{}", singular.to_ascii_lowercase()));
            }
            ".*" | ".+" => out.push("my-path".to_string()),
            literal
                if !literal.is_empty() && literal.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)) =>
            {
                out.push(literal.to_string());
                previous = literal;
            }
            _ => return None,
        }
    }
    Some(out.join("/"))
}

#[cfg(test)]
mod tests {
    use super::from_pattern;

    #[test]
    fn path_patterns_give_values_that_fit_them() {
        assert_eq!(
            from_pattern("^projects/[^/]+/operations/[^/]+$").as_deref(),
            Some("projects/my-project/operations/my-operation")
        );
        assert_eq!(from_pattern("^operations/.*$").as_deref(), Some("operations/my-path"));
        assert_eq!(from_pattern("^projects/[a-z]+$"), None);
    }
}
