//! The operation router: which `operations.get` methods the `Client`'s
//! `get_operation`, `operation_poller` and `wait_operation` choose from, by
//! the shape of an operation's name.

use crate::ir::{Method, OperationRouter, Resource, Route};

/// A router exists when every polling `get` that takes only the name
/// returns the same operation type. Routes with a path pattern come first;
/// the first one without a pattern accepts any name and ends the list.
/// `get`s that take more than the name (Compute's `zoneOperations.get`
/// takes the project and zone too) poll from their builders only.
pub(super) fn operation_router(root: &Resource) -> Option<OperationRouter> {
    let mut gets = Vec::new();
    collect_gets(root, &mut Vec::new(), &mut gets);
    gets.retain(|(_, m)| m.required.len() == 1);
    let operation = gets.first()?.1.response.clone()?;
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
        routes.push(Route { accessors, method: m.fn_name.clone(), send: m.members.send.clone(), poller, pattern });
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
