//! Shapes of well-known messages, recorded as typed facts on a struct when
//! it is resolved: `google.longrunning.Operation`, `google.rpc.Status` and
//! list pages. Each fact lists only the parts the struct really has, so the
//! emitters never reach for a field that is not there.

use crate::ir::{Field, OperationShape, PageShape, StatusEnum, StatusShape, Ty, TypeId};
use std::collections::HashSet;

fn field<'a>(fields: &'a [Field], json: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.json_name == json)
}

/// A part of a shape: absent, present with the expected type, or present
/// with another type (which disqualifies the shape).
enum Part {
    Absent,
    Found(String),
    Wrong,
}

fn part(fields: &[Field], json: &str, fits: impl Fn(&Ty) -> bool) -> Part {
    match field(fields, json) {
        None => Part::Absent,
        Some(f) if fits(&f.ty) => Part::Found(f.name.clone()),
        Some(_) => Part::Wrong,
    }
}

fn any_object(ty: &Ty) -> bool {
    *ty == Ty::Map(Box::new(Ty::Any))
}

/// `google.longrunning.Operation`: `done` (a boolean) and at least one of
/// `error` (an object), `response` and `metadata` (objects of any members);
/// `name` (a string) is used where present. A part with another type means
/// the struct is something else. `structs` are the handles of every struct
/// type, resolved or still to come.
pub(super) fn operation(fields: &[Field], structs: &HashSet<TypeId>) -> Option<OperationShape> {
    let done = part(fields, "done", |t| *t == Ty::Bool);
    let name = part(fields, "name", |t| *t == Ty::String);
    let response = part(fields, "response", any_object);
    let metadata = part(fields, "metadata", any_object);
    let error = match field(fields, "error") {
        None => None,
        Some(f) => match &f.ty {
            Ty::Named(id) | Ty::Boxed(id) if structs.contains(id) => Some((f.name.clone(), *id)),
            _ => return None,
        },
    };
    let found = |p: Part| match p {
        Part::Found(n) => Ok(Some(n)),
        Part::Absent => Ok(None),
        Part::Wrong => Err(()),
    };
    let shape = OperationShape {
        done: found(done).ok()?,
        name: found(name).ok()?,
        error,
        // Known once every schema is resolved (see `mark_rpc_status_errors`).
        error_is_rpc_status: false,
        response: found(response).ok()?,
        metadata: found(metadata).ok()?,
        status: None,
        http_error_status_code: None,
        http_error_message: None,
        // Known once every schema is resolved (see `mark_rpc_status_errors`).
        is_longrunning: false,
    };
    let outcome = shape.error.is_some() || shape.response.is_some() || shape.metadata.is_some();
    (shape.done.is_some() && outcome).then_some(shape)
}

/// An operation that reports its state in a `status` enum rather than
/// `done`: the enum (`status_values`, as the document lists them) has a
/// value meaning finished (`DONE`, in any case) and one meaning not yet
/// (`PENDING` or `RUNNING`), and the struct has a `name`, an `error` object
/// or an `httpErrorStatusCode` besides. The error may be a list of
/// `errors[]` (Compute, Cloud SQL) or a status (GKE); the runtime reads
/// either (`lro::status_from_operation_error`).
pub(super) fn status_operation(
    fields: &[Field],
    status_values: &[String],
    structs: &HashSet<TypeId>,
) -> Option<OperationShape> {
    if field(fields, "done").is_some() {
        return None;
    }
    let status = field(fields, "status")?;
    let is_text = match &status.ty {
        Ty::String => true,
        Ty::Named(_) => false,
        _ => return None,
    };
    let done_value = status_values.iter().find(|v| v.eq_ignore_ascii_case("DONE"))?.clone();
    if !status_values.iter().any(|v| v.eq_ignore_ascii_case("PENDING") || v.eq_ignore_ascii_case("RUNNING")) {
        return None;
    }
    let named = |json: &str, ty: Ty| field(fields, json).filter(|f| f.ty == ty).map(|f| f.name.clone());
    let error = field(fields, "error").and_then(|f| match &f.ty {
        Ty::Named(id) | Ty::Boxed(id) if structs.contains(id) => Some((f.name.clone(), *id)),
        Ty::RpcStatus => None,
        _ => None,
    });
    let shape = OperationShape {
        done: None,
        // Cloud DNS names its operations by `id`.
        name: named("name", Ty::String).or_else(|| named("id", Ty::String)),
        error,
        error_is_rpc_status: false,
        response: None,
        metadata: None,
        status: Some(StatusEnum { field: status.name.clone(), done_value, is_text }),
        http_error_status_code: named("httpErrorStatusCode", Ty::I32),
        http_error_message: named("httpErrorMessage", Ty::String),
        is_longrunning: false,
    };
    let identified = shape.name.is_some() || shape.error.is_some() || shape.http_error_status_code.is_some();
    identified.then_some(shape)
}

/// Whether an operation of `shape` with these `fields` is exactly
/// `google.longrunning.Operation`, so that the runtime's `lro::Operation`
/// reads and writes the same JSON and has the same Rust fields: the five
/// members under their own names, each of the type `operation` checked,
/// and an `error` that is the runtime's status.
pub(super) fn is_longrunning(fields: &[Field], shape: &OperationShape) -> bool {
    const MEMBERS: [&str; 5] = ["done", "error", "metadata", "name", "response"];
    let own_names = fields.iter().all(|f| MEMBERS.contains(&f.json_name.as_str()) && f.name == f.json_name);
    let complete = shape.done.is_some()
        && shape.name.is_some()
        && shape.response.is_some()
        && shape.metadata.is_some()
        && shape.error.is_some();
    fields.len() == MEMBERS.len() && own_names && complete && shape.error_is_rpc_status && shape.status.is_none()
}

/// `google.rpc.Status`: at least two of `code` (int32), `message` (a
/// string) and `details` (a list of objects), none with another type.
pub(super) fn status(fields: &[Field]) -> Option<StatusShape> {
    let details_ty = Ty::Vec(Box::new(Ty::Map(Box::new(Ty::Any))));
    let parts = [
        part(fields, "code", |t| *t == Ty::I32),
        part(fields, "message", |t| *t == Ty::String),
        part(fields, "details", |t| *t == details_ty),
    ];
    let mut names = Vec::with_capacity(3);
    for p in parts {
        names.push(match p {
            Part::Found(n) => Some(n),
            Part::Absent => None,
            Part::Wrong => return None,
        });
    }
    if names.iter().flatten().count() < 2 {
        return None;
    }
    Some(StatusShape { code: names.into_iter().next().flatten() })
}

/// Exactly `google.rpc.Status`: `code` (int32), `message` (a string) and
/// `details` (a list of objects), and nothing else, so that the runtime's
/// `rpc::Status` reads and writes the same JSON.
pub(super) fn is_rpc_status(fields: &[Field]) -> bool {
    let details_ty = Ty::Vec(Box::new(Ty::Map(Box::new(Ty::Any))));
    let fits = |json: &str, ty: &Ty| field(fields, json).is_some_and(|f| f.ty == *ty);
    fields.len() == 3 && fits("code", &Ty::I32) && fits("message", &Ty::String) && fits("details", &details_ty)
}

/// The names a page token goes by, in the order Google's Python client
/// (`discovery.py`, `_PAGE_TOKEN_NAMES`) looks for them.
pub(super) const PAGE_TOKEN_NAMES: [&str; 2] = ["pageToken", "nextPageToken"];

/// A struct that carries a page token: the first of `PAGE_TOKEN_NAMES` it
/// has, which must be a string (a token of another type cannot be sent
/// back), and as items the single array field (leaving out `unreachable`,
/// which lists locations, not results). The same fact serves a response,
/// whose token points at the next page, and a request body, which takes it.
pub(super) fn page(fields: &[Field]) -> Option<PageShape> {
    let token = PAGE_TOKEN_NAMES.iter().find_map(|n| field(fields, n))?;
    if token.ty != Ty::String {
        return None;
    }
    let arrays: Vec<&Field> =
        fields.iter().filter(|f| matches!(f.ty, Ty::Vec(_)) && f.json_name != "unreachable").collect();
    let (items, lists) = match arrays.as_slice() {
        [only] => match &only.ty {
            Ty::Vec(item) => (Some((only.name.clone(), (**item).clone())), Vec::new()),
            _ => (None, Vec::new()),
        },
        [] => (None, Vec::new()),
        several => (None, several.iter().map(|f| f.json_name.clone()).collect()),
    };
    Some(PageShape { token_field: token.name.clone(), token_json: token.json_name.clone(), items, lists })
}
