//! Which methods page, and where their next request carries the token: the
//! rule of Google's Python client (`discovery.py`, `_add_next_methods`). A
//! method pages when its response has a `pageToken` or `nextPageToken` and
//! its request takes one, as a query parameter or, failing that, as a field
//! of its body.

use super::shapes::PAGE_TOKEN_NAMES;
use crate::ir::{Location, PageShape, PageToken, Paging, Param, RequestBody};
use std::collections::HashSet;

/// Where a method's request takes the token, found before the builder's
/// names are given out.
pub(super) enum TokenSource {
    /// `params[index]`.
    Query { index: usize, required: bool },
    /// The body struct's token field.
    Body { field: String, json_name: String },
}

/// The request's token: a parameter with one of the names (in the Python
/// client's order), else the body's. A parameter of that name that is not
/// a single string in the query cannot carry the token, and the body is not
/// looked at then, as Python would not.
pub(super) fn token_source(
    params: &[Param],
    required_json: &HashSet<String>,
    body: Option<&PageShape>,
) -> Option<TokenSource> {
    let by_name = PAGE_TOKEN_NAMES.iter().find_map(|n| params.iter().position(|p| p.json_name == *n));
    if let Some(index) = by_name {
        let p = &params[index];
        let fits = p.location == Location::Query && p.ty == crate::ir::Ty::String && !p.repeated;
        return fits.then(|| TokenSource::Query { index, required: required_json.contains(&p.json_name) });
    }
    body.map(|b| TokenSource::Body { field: b.token_field.clone(), json_name: b.token_json.clone() })
}

/// The method's paging, once its parameters and body have their Rust names.
pub(super) fn paging(
    source: TokenSource,
    params: &[Param],
    request: Option<&RequestBody>,
    page: PageShape,
    with_items: bool,
) -> Option<Paging> {
    let token = match source {
        TokenSource::Query { index, required } => {
            let p = params.get(index)?;
            PageToken::Query { field: p.rust_name.clone(), json_name: p.json_name.clone(), required }
        }
        TokenSource::Body { field, json_name } => {
            PageToken::Body { request: request?.arg_name.clone(), field, json_name }
        }
    };
    Some(Paging {
        token,
        next_token_json: page.token_json,
        item: page.items.map(|(_, item)| item).filter(|_| with_items),
        lists: page.lists,
    })
}

#[cfg(test)]
mod tests {
    use crate::ir::{Method, PageToken, Resource};

    fn methods() -> Vec<Method> {
        let source = include_str!("../../../tests/fixtures/paging-token-names.json");
        let doc = crate::parse(source).expect("fixture parses");
        let (api, _) = super::super::resolve(&doc, &Default::default()).expect("fixture resolves");
        let mut out = Vec::new();
        fn walk(r: Resource, out: &mut Vec<Method>) {
            out.extend(r.methods);
            r.children.into_iter().for_each(|c| walk(c, out));
        }
        walk(api.root, &mut out);
        out
    }

    fn method<'a>(all: &'a [Method], id: &str) -> &'a Method {
        all.iter().find(|m| m.id == id).unwrap_or_else(|| panic!("{id} is in the fixture"))
    }

    #[test]
    fn a_response_page_token_pages_with_the_query_parameter() {
        let all = methods();
        let p = method(&all, "tokens.tables.rows").paging.as_ref().expect("pages");
        assert_eq!(p.next_token_json, "pageToken");
        assert!(matches!(&p.token, PageToken::Query { json_name, required: false, .. } if json_name == "pageToken"));
        assert!(p.item.is_some() && p.lists.is_empty());
    }

    #[test]
    fn a_body_token_is_set_in_the_body() {
        let all = methods();
        let p = method(&all, "tokens.tables.search").paging.as_ref().expect("pages");
        assert!(matches!(&p.token, PageToken::Body { request, field, json_name }
            if request == "request" && field == "page_token" && json_name == "pageToken"));
    }

    #[test]
    fn a_required_token_parameter_still_pages() {
        let all = methods();
        let p = method(&all, "tokens.tables.changes").paging.as_ref().expect("pages");
        assert!(matches!(&p.token, PageToken::Query { required: true, .. }));
    }

    #[test]
    fn several_lists_leave_no_items_and_are_named() {
        let all = methods();
        let m = method(&all, "tokens.tables.results");
        let p = m.paging.as_ref().expect("pages");
        assert!(p.item.is_none() && m.members.items.is_none());
        assert_eq!(p.lists, ["rows", "notes"]);
    }

    #[test]
    fn a_token_that_is_not_a_string_does_not_page() {
        let all = methods();
        let m = method(&all, "tokens.tables.odd");
        assert!(m.paging.is_none() && m.members.pages.is_none());
    }
}
