//! `--resource-features`: one cargo feature per top-level resource, and
//! which of them each item needs.
//!
//! A feature holds its resource's accessor structs and call builders, nested
//! resources included, and every type its methods reach. A type that several
//! features reach compiles under any of them. Types are always compiled when
//! something outside every feature needs them: the top-level methods, and
//! types no method reaches at all (kept whole so that
//! the crate without features still has the document's full model, and so
//! that every type an always-compiled type names is always compiled too).

use super::prune::{collect_method_types, method_types, reachable};
use crate::ir::{Api, FeatureGates, Resource, Ty, TypeId};
use crate::names::{bare, Case, Namer};
use std::collections::{HashMap, HashSet};

pub(super) fn gates(api: &Api) -> FeatureGates {
    let names = feature_names(&api.root);

    // Per feature, the types its methods reach.
    let mut reached_by: HashMap<TypeId, Vec<usize>> = HashMap::new();
    for (f, resource) in api.root.children.iter().enumerate() {
        let mut roots = Vec::new();
        collect_method_types(resource, &mut roots);
        for id in reachable(&api.types, roots) {
            reached_by.entry(id).or_default().push(f);
        }
    }

    // Types every build needs, and whatever they name.
    let mut always_roots: Vec<Ty> = Vec::new();
    for m in &api.root.methods {
        method_types(m, &mut always_roots);
    }
    always_roots.extend(api.types.iter().map(|t| t.id()).filter(|id| !reached_by.contains_key(id)).map(Ty::Named));
    let always: HashSet<TypeId> = reachable(&api.types, always_roots);

    let types = reached_by
        .into_iter()
        .filter(|(id, _)| !always.contains(id))
        .map(|(id, mut features)| {
            features.sort_unstable();
            (id, features)
        })
        .collect();

    let mut resources = HashMap::new();
    for (f, resource) in api.root.children.iter().enumerate() {
        mark_resources(resource, f, &mut resources);
    }

    let routes = api
        .operation_router
        .iter()
        .flat_map(|router| &router.routes)
        .map(|route| {
            let top = route.accessors.first()?;
            api.root.children.iter().position(|c| &c.accessor == top)
        })
        .collect();

    FeatureGates { names, types, resources, routes }
}

/// Snake-case names of the top-level resources, unique, bare of any raw
/// prefix (a feature is a string to cargo, so `type` is a fine name), and
/// never `default`, which cargo keeps for the default set.
fn feature_names(root: &Resource) -> Vec<String> {
    let mut namer = Namer::new();
    namer.reserve(&["default"]);
    namer
        .claim_all(root.children.iter().map(|c| c.json_name.as_str()), Case::Snake)
        .into_iter()
        .map(|name| bare(&name).to_string())
        .collect()
}

fn mark_resources(r: &Resource, feature: usize, out: &mut HashMap<String, usize>) {
    out.insert(r.type_name.clone(), feature);
    for m in &r.methods {
        out.insert(m.call_type.clone(), feature);
    }
    for c in &r.children {
        mark_resources(c, feature, out);
    }
}
