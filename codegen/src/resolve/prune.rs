//! `--only`: keep some methods and the types they reach.

use crate::error::Error;
use crate::ir::{Api, Method, Resource, Ty, TypeDef, TypeId};
use std::collections::{HashMap, HashSet};

pub fn keep_only(api: &mut Api, ids: &[String]) -> Result<(), Error> {
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let mut found = HashSet::new();
    retain_methods(&mut api.root, &wanted, &mut found);
    let missing: Vec<&str> = ids.iter().map(String::as_str).filter(|id| !found.contains(*id)).collect();
    if !missing.is_empty() {
        return Err(Error {
            location: None,
            message: format!("--only names methods the document does not have: {}", missing.join(", ")),
        });
    }

    let mut roots = Vec::new();
    collect_method_types(&api.root, &mut roots);
    let keep = reachable(&api.types, roots);
    api.types.retain(|t| keep.contains(&t.id()));
    Ok(())
}

/// The types `roots` reach, through fields, alias targets, lists and maps.
pub(super) fn reachable(types: &[TypeDef], roots: Vec<Ty>) -> HashSet<TypeId> {
    let by_id: HashMap<TypeId, &TypeDef> = types.iter().map(|t| (t.id(), t)).collect();
    let mut keep: HashSet<TypeId> = HashSet::new();
    let mut queue = roots;
    while let Some(ty) = queue.pop() {
        match ty {
            Ty::Named(id) | Ty::Boxed(id) if keep.insert(id) => match by_id.get(&id) {
                Some(TypeDef::Struct(s)) => {
                    queue.extend(s.fields.iter().map(|f| f.ty.clone()));
                    // `result()` names the error's type, which may be an
                    // alias that field types no longer mention.
                    queue.extend(s.operation.iter().filter_map(|o| o.error.as_ref()).map(|(_, id)| Ty::Named(*id)));
                }
                Some(TypeDef::Alias(a)) => queue.push(a.target.clone()),
                _ => {}
            },
            Ty::Vec(t) | Ty::Map(t) => queue.push(*t),
            _ => {}
        }
    }
    keep
}

/// Drops methods not asked for, then resources left with nothing in them.
fn retain_methods(r: &mut Resource, wanted: &HashSet<&str>, found: &mut HashSet<String>) {
    r.methods.retain(|m| wanted.contains(m.id.as_str()));
    found.extend(r.methods.iter().map(|m| m.id.clone()));
    for c in &mut r.children {
        retain_methods(c, wanted, found);
    }
    r.children.retain(|c| !c.methods.is_empty() || !c.children.is_empty());
}

/// The types of every method's body, response and parameters, in `r` and
/// below it.
pub(super) fn collect_method_types(r: &Resource, out: &mut Vec<Ty>) {
    for m in &r.methods {
        method_types(m, out);
    }
    for c in &r.children {
        collect_method_types(c, out);
    }
}

/// The types of one method's body, response and parameters.
pub(super) fn method_types(m: &Method, out: &mut Vec<Ty>) {
    out.extend(m.request.iter().map(|b| b.ty.clone()));
    out.extend(m.response.iter().cloned());
    out.extend(m.required.iter().chain(&m.optional).map(|p| p.ty.clone()));
}
