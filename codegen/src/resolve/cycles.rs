//! Alias expansion and boxing of recursive fields.

use crate::discovery::RestDescription;
use crate::error::Error;
use crate::ir::{AliasKind, Ty, TypeDef, TypeId};
use std::collections::HashMap;

/// How many arrays and maps may nest in one type. Real documents stay below
/// five; far deeper nesting only comes from hostile or broken documents, and
/// would make types that rustc itself struggles with.
pub const MAX_TYPE_DEPTH: usize = 64;

/// Replaces references to alias types by what they stand for, so that each
/// field carries its real wire shape (an alias of `Vec<i64>` still needs the
/// int64-as-string adapter). An alias that leads back to itself without an
/// object in between cannot be a Rust type and is refused. Each alias is
/// expanded once and remembered, so long chains cost linear time.
pub fn expand_aliases(types: &mut [TypeDef], _doc: &RestDescription) -> Result<(), Error> {
    let mut aliases = Aliases {
        raw: types
            .iter()
            .filter_map(|t| match t {
                TypeDef::Alias(a) if a.kind != AliasKind::SharedEnum => {
                    Some((a.id, (a.target.clone(), a.schema_name.clone())))
                }
                _ => None,
            })
            .collect(),
        done: HashMap::new(),
        in_progress: Vec::new(),
    };
    for t in types.iter_mut() {
        match t {
            TypeDef::Struct(s) => {
                let schema = s.schema_name.clone().unwrap_or_else(|| s.name.clone());
                for f in &mut s.fields {
                    f.ty = aliases.expand(&f.ty)?;
                    check_depth(&f.ty, &format!("schemas.{schema}.properties.{}", f.json_name))?;
                }
            }
            TypeDef::Alias(a) if a.kind == AliasKind::SharedEnum => {}
            TypeDef::Alias(a) => {
                a.target = aliases.expand(&Ty::Named(a.id))?;
                check_depth(&a.target, &format!("schemas.{}", a.schema_name))?;
            }
            TypeDef::Enum(_) => {}
        }
    }
    Ok(())
}

struct Aliases {
    /// Alias → (target as written, schema key).
    raw: HashMap<TypeId, (Ty, String)>,
    /// Alias → fully expanded target.
    done: HashMap<TypeId, Ty>,
    /// Aliases being expanded right now, to find cycles.
    in_progress: Vec<TypeId>,
}

impl Aliases {
    fn expand(&mut self, ty: &Ty) -> Result<Ty, Error> {
        Ok(match ty {
            Ty::Named(n) => {
                if let Some(done) = self.done.get(n) {
                    return Ok(done.clone());
                }
                let Some((target, schema)) = self.raw.get(n).cloned() else { return Ok(ty.clone()) };
                if self.in_progress.contains(n) {
                    return Err(Error::at(
                        format!("schemas.{schema}"),
                        format!("the schema `{schema}` refers only to itself (through `$ref`, arrays or maps), so it has no finite type"),
                    ));
                }
                self.in_progress.push(*n);
                let out = self.expand(&target);
                self.in_progress.pop();
                let out = out?;
                self.done.insert(*n, out.clone());
                out
            }
            Ty::Vec(t) => Ty::Vec(Box::new(self.expand(t)?)),
            Ty::Map(t) => Ty::Map(Box::new(self.expand(t)?)),
            other => other.clone(),
        })
    }
}

fn type_depth(ty: &Ty) -> usize {
    match ty {
        Ty::Vec(t) | Ty::Map(t) => 1 + type_depth(t),
        _ => 0,
    }
}

fn check_depth(ty: &Ty, path: &str) -> Result<(), Error> {
    let depth = type_depth(ty);
    if depth > MAX_TYPE_DEPTH {
        return Err(Error::at(
            path,
            format!("arrays and maps nest {depth} levels deep here; the generator allows {MAX_TYPE_DEPTH}"),
        ));
    }
    Ok(())
}

/// Boxes every field whose struct type lies on a cycle of direct
/// containment (`Vec` and maps already add indirection, so only plain
/// fields count). Uses an iterative Tarjan so that hostile documents with
/// very long chains cannot exhaust the stack.
pub fn box_cycles(types: &mut [TypeDef]) {
    // Struct → its position in `types`, the node of the graph.
    let index: HashMap<TypeId, usize> = types
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            TypeDef::Struct(s) => Some((s.id, i)),
            _ => None,
        })
        .collect();
    let edges: Vec<Vec<usize>> = types
        .iter()
        .map(|t| match t {
            TypeDef::Struct(s) => s
                .fields
                .iter()
                .filter_map(|f| match &f.ty {
                    Ty::Named(id) => index.get(id).copied(),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let component = tarjan(&edges);
    for (i, t) in types.iter_mut().enumerate() {
        if let TypeDef::Struct(s) = t {
            for f in &mut s.fields {
                if let Ty::Named(id) = f.ty {
                    if index.get(&id).map(|&node| component[node]) == Some(component[i]) {
                        f.ty = Ty::Boxed(id);
                    }
                }
            }
        }
    }
}

/// Strongly connected components; returns the component id of each node.
/// A node alone is its own component, and a self-edge keeps it there, which
/// is exactly what boxing needs.
fn tarjan(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![UNSEEN; n];
    let mut next_index = 0;
    let mut next_component = 0;
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        // Each frame: node and the position of the next edge to look at.
        let mut frames = vec![(start, 0usize)];
        index[start] = next_index;
        low[start] = next_index;
        next_index += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(&mut (v, ref mut pos)) = frames.last_mut() {
            if let Some(&w) = edges[v].get(*pos) {
                *pos += 1;
                if index[w] == UNSEEN {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    component
}

#[cfg(test)]
mod tests {
    use super::tarjan;

    #[test]
    fn finds_direct_and_indirect_cycles() {
        // 0 → 1 → 2 → 0 is a cycle, 3 → 3 a self loop, 4 → 0 is outside.
        let edges = vec![vec![1], vec![2], vec![0], vec![3], vec![0]];
        let c = tarjan(&edges);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[3], c[0]);
        assert_ne!(c[4], c[0]);
    }
}
