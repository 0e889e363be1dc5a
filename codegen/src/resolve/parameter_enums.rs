//! Which enums method parameters use. Only those get `wire::QueryValue`,
//! the trait that writes a value into a path or a query; the enums that
//! only fields use (nearly all of them) are spared an impl each.

use crate::ir::{Api, Resource, Ty, TypeDef, TypeId};
use std::collections::{HashMap, HashSet};

/// Sets `Enum::parameter` on each enum a parameter names, directly, as an
/// array item, or through aliases (a shared enum's field alias, a schema
/// that stands for another).
pub fn mark(api: &mut Api) {
    let aliases: HashMap<TypeId, Ty> = api
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Alias(a) => Some((a.id, a.target.clone())),
            _ => None,
        })
        .collect();
    let mut reached = HashSet::new();
    visit(&api.root, &mut |ty| reach(ty, &aliases, &mut reached));
    for t in &mut api.types {
        if let TypeDef::Enum(e) = t {
            e.parameter = reached.contains(&e.id);
        }
    }
}

fn visit(resource: &Resource, f: &mut impl FnMut(&Ty)) {
    for m in &resource.methods {
        m.required.iter().chain(&m.optional).for_each(|p| f(&p.ty));
    }
    for child in &resource.children {
        visit(child, f);
    }
}

/// Adds every handle `ty` leads to. Each handle is followed once, so an
/// alias cycle (refused earlier anyway) cannot loop.
fn reach(ty: &Ty, aliases: &HashMap<TypeId, Ty>, reached: &mut HashSet<TypeId>) {
    match ty {
        Ty::Named(id) | Ty::Boxed(id) if reached.insert(*id) => {
            if let Some(target) = aliases.get(id) {
                reach(target, aliases, reached);
            }
        }
        Ty::Vec(t) | Ty::Map(t) => reach(t, aliases, reached),
        _ => {}
    }
}
