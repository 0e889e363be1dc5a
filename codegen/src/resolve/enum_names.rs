//! Names for enums and inline structs that several fields share.
//!
//! `schemas::push_enum` emits one enum per distinct value list and makes
//! every later field with the same list an alias of it, so the enum first
//! carries the name of whichever field the document happened to list first
//! (`GoogleCloudVisionV1p1beta1FaceAnnotationAngerLikelihood`);
//! `schemas::share_struct` does the same for inline objects with the same
//! members (Compute's `warning`, named `ListWarning` here). This pass, run
//! once every type is known, names each shared type by a rule instead:
//!
//! 1. a name from the user's override table, looked up by any field's type
//!    name or by the name the rule would give;
//! 2. the name of a top-level schema among the fields, which someone chose;
//! 3. the longest CamelCase suffix common to most of the fields' type
//!    names (`Likelihood`), counting only names without a versioned word such as
//!    `V1p1beta1` when there are any, if no other type has that name;
//! 4. the first of those names, which is today's name unless a versioned
//!    name came first.
//!
//! Each field keeps a type alias named after it, so a field's docs still
//! show its own type.

use super::Resolver;
use crate::error::Error;
use crate::ir::{Alias, AliasKind, Docs, Ty, TypeDef, TypeId};
use crate::names::{bare, sanitize, Case};
use std::collections::{BTreeMap, BTreeSet};

/// Types of the API's `mod.rs`. A schema may be called that (it lives in
/// `model`, apart from them), but a name the generator derives never is,
/// so that `Client` in the docs always means the API's client.
const MODULE_TYPES: &[&str] = &["Client"];

/// One shared enum or struct and its aliases (handle, name) in document
/// order.
struct Group {
    id: TypeId,
    aliases: Vec<(TypeId, String)>,
}

/// The shared enum or struct in `slot`: its handle, name and docs.
fn shared_parts(slot: &mut Option<TypeDef>) -> Option<(&mut TypeId, &mut String, &mut Docs, AliasKind)> {
    match slot {
        Some(TypeDef::Enum(e)) => Some((&mut e.id, &mut e.name, &mut e.doc, AliasKind::SharedEnum)),
        Some(TypeDef::Struct(s)) => Some((&mut s.id, &mut s.name, &mut s.doc, AliasKind::SharedStruct)),
        _ => None,
    }
}

impl Resolver<'_> {
    pub(super) fn name_shared_enums(&mut self, overrides: &BTreeMap<String, String>) -> Result<(), Error> {
        let mut used_overrides = BTreeSet::new();
        for group in self.shared_groups() {
            let members: Vec<(TypeId, String)> = std::iter::once((group.id, self.type_name(group.id).to_string()))
                .chain(group.aliases.iter().cloned())
                .collect();
            let by_rule = self.rule_name(&members);
            let found = members
                .iter()
                .map(|(_, n)| bare(n))
                .chain([bare(&by_rule)])
                .find_map(|n| overrides.get_key_value(n))
                .map(|(k, v)| (k.clone(), v.clone()));
            let chosen = match found {
                Some((key, wanted)) => {
                    let checked = self.checked_override(&key, &wanted, &members)?;
                    used_overrides.insert(key);
                    checked
                }
                None => by_rule,
            };
            self.rename_group(&group, &members, chosen);
        }
        for key in overrides.keys().filter(|k| !used_overrides.contains(*k)) {
            self.warn(
                &format!("enum name overrides.{key}"),
                "no enum or inline object shared by several fields has this name".into(),
            );
        }
        self.note_shared_aliases();
        self.unalias_shared_struct_fields();
        Ok(())
    }

    /// Inside a shared struct, a field's own enum alias would carry the name
    /// of whichever copy the document listed first; such fields name the
    /// shared enum instead.
    fn unalias_shared_struct_fields(&mut self) {
        let mut enums = std::collections::HashMap::new();
        let mut structs = BTreeSet::new();
        for t in self.types.iter().flatten() {
            if let TypeDef::Alias(Alias { id, kind, target: Ty::Named(target), .. }) = t {
                match kind {
                    AliasKind::SharedEnum => {
                        enums.insert(*id, *target);
                    }
                    AliasKind::SharedStruct => {
                        structs.insert(*target);
                    }
                    AliasKind::Schema => {}
                }
            }
        }
        for t in self.types.iter_mut().flatten() {
            if let TypeDef::Struct(s) = t {
                if structs.contains(&s.id) {
                    for id in s.fields.iter_mut().filter_map(|f| f.ty.handle_mut()) {
                        *id = *enums.get(id).unwrap_or(id);
                    }
                }
            }
        }
    }

    fn shared_groups(&self) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for t in &self.types {
            match t {
                Some(t @ (TypeDef::Enum(_) | TypeDef::Struct(_))) if self.shared_users.contains(&t.id()) => {
                    groups.push(Group { id: t.id(), aliases: Vec::new() })
                }
                Some(TypeDef::Alias(Alias { kind, target: Ty::Named(target), id, name, .. })) if kind.is_shared() => {
                    if let Some(g) = groups.iter_mut().find(|g| g.id == *target) {
                        g.aliases.push((*id, name.clone()));
                    }
                }
                _ => {}
            }
        }
        groups
    }

    /// Steps 2 to 4 of the rule in the module docs.
    fn rule_name(&self, members: &[(TypeId, String)]) -> String {
        let schema_ids: BTreeSet<TypeId> = self.schema_names.values().copied().collect();
        if let Some((_, name)) = members.iter().find(|(id, _)| schema_ids.contains(id)) {
            return name.clone();
        }
        let unversioned: Vec<&str> =
            members.iter().map(|(_, n)| bare(n)).filter(|n| !words(n).iter().any(|w| is_version(w))).collect();
        let candidates: Vec<&str> =
            if unversioned.is_empty() { members.iter().map(|(_, n)| bare(n)).collect() } else { unversioned };
        let suffix = common_suffix(&candidates);
        let is_member = members.iter().any(|(_, n)| bare(n) == suffix);
        let free = self.type_namer.is_free(&suffix) && !MODULE_TYPES.contains(&suffix.as_str());
        if !suffix.is_empty() && (is_member || (free && sanitize(&suffix, Case::Pascal) == suffix)) {
            return suffix;
        }
        candidates[0].to_string()
    }

    fn checked_override(&self, key: &str, wanted: &str, members: &[(TypeId, String)]) -> Result<String, Error> {
        let at = format!("enum name overrides.{key}");
        if sanitize(wanted, Case::Pascal) != wanted {
            return Err(Error::at(at, format!("`{wanted}` is not a CamelCase Rust identifier")));
        }
        let free = self.type_namer.is_free(wanted) && !MODULE_TYPES.contains(&wanted);
        if !members.iter().any(|(_, n)| bare(n) == wanted) && !free {
            return Err(Error::at(at, format!("another type of the API is already called `{wanted}`")));
        }
        Ok(wanted.to_string())
    }

    /// Gives the group's enum or struct the name `chosen`. When a field's
    /// alias has that name, the type takes that field's handle and its alias
    /// goes; otherwise the type gets a new handle. Either way the field that
    /// first owned the type keeps its name as an alias.
    fn rename_group(&mut self, group: &Group, members: &[(TypeId, String)], chosen: String) {
        let old_id = group.id;
        // Looked up each time: renaming an earlier group inserted an alias.
        let Some(slot) = self.types.iter_mut().position(|t| shared_parts(t).is_some_and(|(id, ..)| *id == old_id))
        else {
            return;
        };
        if bare(&members[0].1) == chosen {
            return;
        }
        let new_id = match members.iter().find(|(_, n)| bare(n) == chosen) {
            Some((id, _)) => {
                let id = *id;
                if let Some(t) = self.types.iter_mut().find(|t| matches!(t, Some(TypeDef::Alias(a)) if a.id == id)) {
                    *t = None;
                }
                id
            }
            None => {
                let ident = self.type_namer.claim_ident(chosen.clone());
                self.new_type(ident)
            }
        };
        let new_name = self.type_names[new_id.0].clone();
        let Some((id, name, doc, kind)) = shared_parts(&mut self.types[slot]) else { return };
        let old_doc = std::mem::take(doc);
        doc.notes.push(
            match kind {
                AliasKind::SharedStruct => {
                    "Several fields hold objects with exactly these members; each has a type alias named after \
                     it, which documents it."
                }
                _ => "Several fields have exactly these values; each has a type alias named after it, which documents it.",
            }
            .to_string(),
        );
        *id = new_id;
        *name = new_name;
        let old_name = members[0].1.clone();
        let alias = TypeDef::Alias(Alias {
            id: old_id,
            schema_name: old_name.clone(),
            name: old_name,
            doc: old_doc,
            target: Ty::Named(new_id),
            kind,
        });
        self.types.insert(slot + 1, Some(alias));
        for t in self.types.iter_mut().flatten() {
            if let TypeDef::Alias(a) = t {
                if a.kind.is_shared() && a.target == Ty::Named(old_id) && a.id != old_id {
                    a.target = Ty::Named(new_id);
                }
            }
        }
        // Not in `shared_users`: its own note above says the same thing
        // for a type that no field owns.
        if kind == AliasKind::SharedEnum {
            self.enum_names.insert(new_id);
        }
    }

    /// Tells readers of each field's alias which type it names, once the
    /// shared types have their final names.
    fn note_shared_aliases(&mut self) {
        let names = &self.type_names;
        for t in self.types.iter_mut().flatten() {
            if let TypeDef::Alias(Alias { kind, target: Ty::Named(target), doc, .. }) = t {
                let shared = bare(&names[target.0]);
                match kind {
                    AliasKind::SharedEnum => {
                        doc.notes.push(format!("The values are those of `{shared}`, which this type names."))
                    }
                    AliasKind::SharedStruct => {
                        doc.notes.push(format!("The members are those of `{shared}`, which this type names."))
                    }
                    AliasKind::Schema => {}
                }
            }
        }
    }
}

/// The CamelCase words of an identifier: a word starts at an upper-case
/// letter that follows a lower-case letter or a digit, or that begins a
/// capitalised word after an acronym (`HTTPServer` → `HTTP`, `Server`).
fn words(ident: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = ident.char_indices().collect();
    let mut starts = vec![0];
    for i in 1..chars.len() {
        let (at, c) = chars[i];
        let prev = chars[i - 1].1;
        let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
        if c.is_uppercase() && (!prev.is_uppercase() || next_lower) && prev != '_' {
            starts.push(at);
        }
    }
    starts.iter().zip(starts.iter().skip(1).chain([&ident.len()])).map(|(&a, &b)| &ident[a..b]).collect()
}

/// A version word such as `V1`, `V1beta2` or `V1p1beta1`.
fn is_version(word: &str) -> bool {
    let rest = match word.strip_prefix('V') {
        Some(rest) => rest,
        None => return false,
    };
    rest.starts_with(|c: char| c.is_ascii_digit()) && rest.chars().all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

/// The longest run of whole words that ends more than half of the names,
/// or "" when no last word does. A majority rather than all: Vision's
/// likelihood scale sits on seven `...Likelihood` fields and on five
/// safe-search fields named only after what they rate (`adult`, `racy`).
/// It never starts with a version word.
fn common_suffix(names: &[&str]) -> String {
    let split: Vec<Vec<&str>> = names.iter().map(|n| words(n)).collect();
    let ends_with = |suffix: &[&str]| split.iter().filter(|w| w.ends_with(suffix)).count() * 2 > split.len();
    let mut best: Vec<&str> = Vec::new();
    loop {
        // Every name that ends with `best` proposes one more word; the
        // first proposal that still ends a majority extends it.
        let longer = split.iter().filter(|w| w.len() > best.len() && w.ends_with(&best)).find_map(|w| {
            let candidate = &w[w.len() - best.len() - 1..];
            ends_with(candidate).then(|| candidate.to_vec())
        });
        match longer {
            Some(candidate) => best = candidate,
            None => break,
        }
    }
    let mut suffix = &best[..];
    while suffix.first().is_some_and(|w| is_version(w) || w.starts_with(|c: char| !c.is_uppercase())) {
        suffix = &suffix[1..];
    }
    suffix.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_at_case_changes_and_keep_versions_whole() {
        assert_eq!(
            words("GoogleCloudVisionV1p1beta1FaceAnnotationAngerLikelihood"),
            ["Google", "Cloud", "Vision", "V1p1beta1", "Face", "Annotation", "Anger", "Likelihood"]
        );
        assert_eq!(words("HTTPServerState"), ["HTTP", "Server", "State"]);
        assert!(is_version("V1p1beta1") && is_version("V2") && !is_version("Vision") && !is_version("V"));
    }

    #[test]
    fn the_common_suffix_is_made_of_whole_words() {
        assert_eq!(common_suffix(&["FaceAnnotationAngerLikelihood", "SafeSearchAnnotationAdult"]), "");
        assert_eq!(
            common_suffix(&["FaceAngerLikelihood", "FaceJoyLikelihood", "SafeSearchAdult", "HatLikelihood"]),
            "Likelihood"
        );
        assert_eq!(
            common_suffix(&["FaceAnnotationAngerLikelihood", "SafeSearchAnnotationAdultLikelihood"]),
            "Likelihood"
        );
        assert_eq!(common_suffix(&["LandmarkType", "FaceAnnotationLandmarkType"]), "LandmarkType");
        // `Type` and `Subtype` share letters, not a word.
        assert_eq!(common_suffix(&["ThingType", "ThingSubtype"]), "");
        assert_eq!(common_suffix(&["V1State", "V1State"]), "State");
    }
}
