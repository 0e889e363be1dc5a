//! The operation router: which `operations.get` methods the `Client`'s
//! `get_operation`, `operation_poller` and `wait_operation` choose from, by
//! the shape of an operation's name.

use crate::ir::{Api, ArgSource, FieldRoute, FieldRouter, Method, OperationRouter, Resource, Route, Ty, TypeDef};

/// A router exists when every polling `get` that takes only the name
/// returns the same operation type. Routes with a path pattern come first;
/// the first one without a pattern accepts any name and ends the list.
/// `get`s that take more than the name (Compute's `zoneOperations.get`
/// takes the project and zone too) poll from their builders only.
///
/// Operations that report their state in a `status` enum are routed by
/// their fields instead (`field_router`): their `name` is a short id, not
/// a path a `get` by name could take.
pub(super) fn operation_router(api: &Api) -> Option<OperationRouter> {
    let mut gets = Vec::new();
    collect_gets(&api.root, &mut Vec::new(), &mut gets);
    gets.retain(|(_, m)| m.required.len() == 1);
    let operation = gets.first()?.1.response.clone()?;
    if status_shaped(api, &operation) {
        return None;
    }
    if gets.iter().any(|(_, m)| m.response.as_ref() != Some(&operation) || m.required.len() != 1) {
        return None;
    }
    // A stable sort keeps document order among methods of each kind.
    gets.sort_by_key(|(_, m)| m.required[0].pattern.is_none());
    let mut routes = Vec::new();
    for (accessors, m) in gets {
        let pattern = m.required[0].pattern.clone();
        let last = pattern.is_none();
        let poller = m.members.poller.clone()?;
        routes.push(Route {
            accessors,
            method: m.fn_name.clone(),
            send: m.members.send.clone(),
            poller,
            pattern,
            feature: None,
        });
        if last {
            break;
        }
    }
    Some(OperationRouter { operation, routes })
}

fn collect_gets<'a>(r: &'a Resource, chain: &mut Vec<String>, out: &mut Vec<(Vec<String>, &'a Method)>) {
    for m in &r.methods {
        if m.polls_operation {
            out.push((chain.clone(), m));
        }
    }
    for c in &r.children {
        chain.push(c.accessor.clone());
        collect_gets(c, chain, out);
        chain.pop();
    }
}

/// The field router, when every polling `get` returns the same operation
/// type and at least one can be called with arguments read off the
/// operation: its name for `operation` or `operationId`; the last
/// segment of a field with the parameter's name (Compute's `zone` and
/// `region` are URLs, GKE's plain names); the project out of `selfLink`
/// for `project` or `projectId`. A `get` with any other argument is left
/// out. Routes taking more arguments come first, so that a zonal operation
/// goes to the zonal `get` rather than a global one.
pub(super) fn field_router(api: &Api) -> Option<FieldRouter> {
    let mut gets = Vec::new();
    collect_gets(&api.root, &mut Vec::new(), &mut gets);
    let operation = gets.first()?.1.response.clone()?;
    if gets.iter().any(|(_, m)| m.response.as_ref() != Some(&operation)) {
        return None;
    }
    if !status_shaped(api, &operation) {
        return None;
    }
    let Ty::Named(id) = operation else { return None };
    let TypeDef::Struct(op) = api.types.iter().find(|t| t.id() == id)? else { return None };
    let name = op.operation.as_ref()?.name.clone();
    let text_field = |json: &str| op.fields.iter().find(|f| f.json_name == json && f.ty == Ty::String);
    let self_link = text_field("selfLink").map(|f| f.name.clone());
    let mut routes: Vec<FieldRoute> = gets
        .into_iter()
        .filter_map(|(accessors, m)| {
            let args = m
                .required
                .iter()
                .map(|p| match p.json_name.as_str() {
                    "operation" | "operationId" => name.clone().map(ArgSource::Field),
                    "project" | "projectId" => self_link.clone().map(|f| ArgSource::After(f, "projects".into())),
                    other => text_field(other).map(|f| ArgSource::LastSegment(f.name.clone())),
                })
                .collect::<Option<Vec<_>>>()?;
            Some(FieldRoute {
                accessors,
                method: m.fn_name.clone(),
                feature: None,
                send: m.members.send.clone(),
                poller: m.members.poller.clone()?,
                args,
            })
        })
        .collect();
    if routes.is_empty() {
        return None;
    }
    routes.sort_by_key(|r| std::cmp::Reverse(r.args.len()));
    Some(FieldRouter { operation, routes })
}

/// Whether `ty` is an operation whose state is a `status` enum.
fn status_shaped(api: &Api, ty: &Ty) -> bool {
    let Ty::Named(id) = ty else { return false };
    api.types.iter().any(
        |t| matches!(t, TypeDef::Struct(s) if s.id == *id && s.operation.as_ref().is_some_and(|o| o.status.is_some())),
    )
}

/// Drops `wait` from calls that return an operation no router can fetch
/// again: with no router at all, or one whose `get`s return another type
/// (an operation with members the polled one lacks). Their builders then
/// offer no `wait`, and their doc examples do not show one.
pub(super) fn drop_unroutable_waits(api: &mut Api) {
    let routed = match (&api.operation_router, &api.field_router) {
        (Some(r), _) => Some(r.operation.clone()),
        (None, Some(r)) => Some(r.operation.clone()),
        (None, None) => None,
    };
    fn walk(r: &mut Resource, routed: Option<&Ty>) {
        for m in &mut r.methods {
            if !m.polls_operation && m.response.as_ref() != routed {
                m.members.wait = None;
            }
        }
        for c in &mut r.children {
            walk(c, routed);
        }
    }
    walk(&mut api.root, routed.as_ref());
}
