//! Cargo features and which of them each item needs.
//!
//! With `--resource-features`, one feature per top-level resource holds
//! its accessor structs and call builders, nested resources included, and
//! every type its methods reach. With `other_versions`, the schemas of
//! sibling API versions that no method reaches (see `sibling_versions`)
//! sit behind the `other-versions` feature, off by default, with the types
//! only they reach.
//!
//! A type that several features reach compiles under any of them. Types are
//! always compiled when something outside every feature needs them: the
//! methods without a feature, and the other types no method reaches (kept
//! whole, so that a crate without features still has the rest of the
//! document's model, and so that every type an always-compiled type names
//! is always compiled too).

use super::prune::{collect_method_types, method_types, reachable};
use super::sibling_versions::other_version;
use crate::ir::{Api, FeatureGates, Resource, Ty, TypeDef, TypeId};
use crate::names::{bare, Case, Namer};
use std::collections::{HashMap, HashSet};

/// The feature of the sibling versions' schemas. The hyphen keeps it apart
/// from every resource feature, which are snake case.
pub const OTHER_VERSIONS: &str = "other-versions";

/// The gates of `api`'s items, or `None` when there are no features to
/// make: no `resource_features`, and no sibling version's schema that
/// `other_versions` would gate.
pub(super) fn gates(
    api: &mut Api,
    schemas: &HashMap<String, TypeId>,
    resource_features: bool,
    other_versions: bool,
) -> Option<FeatureGates> {
    let mut names = if resource_features { feature_names(&api.root) } else { Vec::new() };
    // Per feature, the types that open it: its methods' types.
    let mut roots: Vec<Vec<Ty>> = Vec::new();
    let mut always_roots: Vec<Ty> = Vec::new();
    if resource_features {
        for resource in &api.root.children {
            let mut r = Vec::new();
            collect_method_types(resource, &mut r);
            roots.push(r);
        }
        for m in &api.root.methods {
            method_types(m, &mut always_roots);
        }
    } else {
        collect_method_types(&api.root, &mut always_roots);
    }

    let present: HashSet<TypeId> = api.types.iter().map(TypeDef::id).collect();
    let siblings = if other_versions { sibling_schemas(api, schemas, &present) } else { Vec::new() };
    if !siblings.is_empty() {
        names.push(OTHER_VERSIONS.to_string());
        roots.push(siblings.iter().map(|(id, _)| Ty::Named(*id)).collect());
    }
    if names.is_empty() {
        return None;
    }

    let mut reached_by: HashMap<TypeId, Vec<usize>> = HashMap::new();
    for (f, r) in roots.into_iter().enumerate() {
        for id in reachable(&api.types, r) {
            reached_by.entry(id).or_default().push(f);
        }
    }
    // Types every build needs, and whatever they name.
    always_roots.extend(present.iter().copied().filter(|id| !reached_by.contains_key(id)).map(Ty::Named));
    let always: HashSet<TypeId> = reachable(&api.types, always_roots);
    let types: HashMap<TypeId, Vec<usize>> = reached_by
        .into_iter()
        .filter(|(id, _)| !always.contains(id))
        .map(|(id, mut features)| {
            features.sort_unstable();
            (id, features)
        })
        .collect();
    if !siblings.is_empty() {
        note_sibling_types(api, &siblings, &types, names.len() - 1);
    }

    if resource_features {
        for (f, resource) in api.root.children.iter_mut().enumerate() {
            mark_resources(resource, f);
        }
        mark_routes(api);
    }
    Some(FeatureGates { names, types })
}

/// The schemas of other versions of the API that no method reaches, each
/// with the version its key names, in handle order.
fn sibling_schemas(api: &Api, schemas: &HashMap<String, TypeId>, present: &HashSet<TypeId>) -> Vec<(TypeId, String)> {
    let mut by_methods = Vec::new();
    collect_method_types(&api.root, &mut by_methods);
    let reached = reachable(&api.types, by_methods);
    let mut siblings: Vec<(TypeId, String)> = schemas
        .iter()
        .filter(|(_, id)| present.contains(id) && !reached.contains(id))
        .filter_map(|(key, &id)| Some((id, other_version(key, &api.name, &api.version)?.to_string())))
        .collect();
    siblings.sort_unstable();
    siblings
}

/// Each route of the operation routers gets the feature of the top-level
/// resource it goes through.
fn mark_routes(api: &mut Api) {
    let root = &api.root;
    let feature_of = |accessors: &[String]| {
        let top = accessors.first()?;
        root.children.iter().position(|c| &c.accessor == top)
    };
    for route in api.operation_router.iter_mut().flat_map(|router| &mut router.routes) {
        route.feature = feature_of(&route.accessors);
    }
    for route in api.field_router.iter_mut().flat_map(|router| &mut router.routes) {
        route.feature = feature_of(&route.accessors);
    }
}

/// Tells the reader of a gated sibling schema, and of a type that only
/// such schemas use, which feature compiles it and why it is off.
fn note_sibling_types(api: &mut Api, siblings: &[(TypeId, String)], types: &HashMap<TypeId, Vec<usize>>, f: usize) {
    let version: HashMap<TypeId, String> = siblings.iter().map(|(id, v)| (*id, v.to_ascii_lowercase())).collect();
    for t in &mut api.types {
        let id = t.id();
        if types.get(&id).is_none_or(|features| features != &[f]) {
            continue;
        }
        let note = match version.get(&id) {
            Some(v) => format!(
                "Compiled with the `{OTHER_VERSIONS}` feature only: this schema belongs to version `{v}` of the \
                 API, and no method of this version takes or returns it."
            ),
            None => format!(
                "Compiled with the `{OTHER_VERSIONS}` feature only: just the schemas of other versions of the API \
                 use this type."
            ),
        };
        let doc = match t {
            TypeDef::Struct(s) => &mut s.doc,
            TypeDef::Enum(e) => &mut e.doc,
            TypeDef::Alias(a) => &mut a.doc,
        };
        doc.notes.push(note);
    }
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

fn mark_resources(r: &mut Resource, feature: usize) {
    r.feature = Some(feature);
    for m in &mut r.methods {
        m.feature = Some(feature);
    }
    for c in &mut r.children {
        mark_resources(c, feature);
    }
}
