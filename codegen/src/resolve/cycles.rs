//! Alias expansion and boxing of recursive fields.

use crate::discovery::RestDescription;
use crate::error::Error;
use crate::ir::{Ty, TypeDef};
use std::collections::HashMap;

/// Replaces references to alias types by what they stand for, so that each
/// field carries its real wire shape (an alias of `Vec<i64>` still needs the
/// int64-as-string adapter). An alias that leads back to itself without an
/// object in between cannot be a Rust type and is refused.
pub fn expand_aliases(types: &mut [TypeDef], _doc: &RestDescription) -> Result<(), Error> {
    let aliases: HashMap<String, (Ty, String)> = types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Alias(a) => Some((a.name.clone(), (a.target.clone(), a.schema_name.clone()))),
            _ => None,
        })
        .collect();
    if aliases.is_empty() {
        return Ok(());
    }
    for t in types.iter_mut() {
        match t {
            TypeDef::Struct(s) => {
                for f in &mut s.fields {
                    f.ty = expand(&f.ty, &aliases, &mut Vec::new())?;
                }
            }
            TypeDef::Alias(a) => {
                let mut stack = vec![a.name.clone()];
                a.target = expand(&a.target, &aliases, &mut stack)?;
            }
            TypeDef::Enum(_) => {}
        }
    }
    Ok(())
}

fn expand(ty: &Ty, aliases: &HashMap<String, (Ty, String)>, stack: &mut Vec<String>) -> Result<Ty, Error> {
    Ok(match ty {
        Ty::Named(n) => match aliases.get(n) {
            Some((target, schema)) => {
                if stack.contains(n) {
                    return Err(Error::at(
                        format!("schemas.{schema}"),
                        format!("the schema `{schema}` refers only to itself (through `$ref`, arrays or maps), so it has no finite type"),
                    ));
                }
                stack.push(n.clone());
                let out = expand(target, aliases, stack)?;
                stack.pop();
                out
            }
            None => ty.clone(),
        },
        Ty::Vec(t) => Ty::Vec(Box::new(expand(t, aliases, stack)?)),
        Ty::Map(t) => Ty::Map(Box::new(expand(t, aliases, stack)?)),
        other => other.clone(),
    })
}

/// Boxes every field whose struct type lies on a cycle of direct
/// containment (`Vec` and maps already add indirection, so only plain
/// fields count). Uses an iterative Tarjan so that hostile documents with
/// very long chains cannot exhaust the stack.
pub fn box_cycles(types: &mut [TypeDef]) {
    let index: HashMap<&str, usize> = types
        .iter()
        .enumerate()
        .filter_map(|(i, t)| match t {
            TypeDef::Struct(s) => Some((s.name.as_str(), i)),
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
                    Ty::Named(n) => index.get(n.as_str()).copied(),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        })
        .collect();
    let component = tarjan(&edges);
    let comp_of_name: HashMap<String, usize> = index.iter().map(|(n, i)| (n.to_string(), component[*i])).collect();
    for (i, t) in types.iter_mut().enumerate() {
        if let TypeDef::Struct(s) = t {
            for f in &mut s.fields {
                if let Ty::Named(n) = &f.ty {
                    if comp_of_name.get(n) == Some(&component[i]) {
                        f.ty = Ty::Boxed(n.clone());
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
