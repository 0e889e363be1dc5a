//! `#[cfg(feature = ...)]` attributes from the IR's feature gates. Every
//! function returns nothing when the crate has no features, so the output
//! without them stays as it was.

use super::Item;
use crate::ir::{Api, TypeId};
use proc_macro2::TokenStream;
use quote::quote;

/// An outer `#[cfg]` attribute, or nothing for an item every build has.
/// Kept as text as well as tokens: the laid-out `object!` text needs it
/// written the way rustfmt would.
#[derive(Default, Clone)]
pub struct Gate(String);

impl Gate {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl quote::ToTokens for Gate {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        // Built from feature names, which are plain snake-case words.
        if let Ok(t) = self.0.parse::<TokenStream>() {
            tokens.extend(t);
        }
    }
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", ...))]`.
fn any_of(api: &Api, features: &[usize]) -> Gate {
    let Some(gates) = &api.features else { return Gate::default() };
    let names: Vec<String> =
        features.iter().filter_map(|&f| gates.names.get(f)).map(|n| format!("feature = {n:?}")).collect();
    Gate(match names.as_slice() {
        [] => String::new(),
        [one] => format!("#[cfg({one})]"),
        _ => format!("#[cfg(any({}))]", names.join(", ")),
    })
}

/// `#[cfg(not(feature = "a"))]`.
pub fn not(feature: &str) -> TokenStream {
    quote!(#[cfg(not(feature = #feature))])
}

/// `#[cfg(feature = "a")]`.
pub fn on(feature: &str) -> TokenStream {
    quote!(#[cfg(feature = #feature)])
}

/// The gate of a generated type.
pub fn ty(api: &Api, id: TypeId) -> Gate {
    api.features.as_ref().and_then(|g| g.types.get(&id)).map_or_else(Gate::default, |f| any_of(api, f))
}

/// The gate of a resource accessor struct or call builder, by its name.
pub fn resource(api: &Api, type_name: &str) -> Gate {
    match api.features.as_ref().and_then(|g| g.resources.get(type_name)) {
        Some(&f) => any_of(api, &[f]),
        None => Gate::default(),
    }
}

/// The feature a resource accessor struct or call builder needs, if any.
pub fn feature_of<'a>(api: &'a Api, type_name: &str) -> Option<&'a str> {
    let gates = api.features.as_ref()?;
    gates.names.get(*gates.resources.get(type_name)?).map(String::as_str)
}

/// The gate of the `Client`'s accessor of a top-level resource; accessors
/// deeper down sit inside a struct that is gated already.
pub fn accessor(api: &Api, parent: &crate::ir::Resource, type_name: &str) -> Gate {
    if std::ptr::eq(parent, &api.root) {
        resource(api, type_name)
    } else {
        Gate::default()
    }
}

/// The feature of route `i` of the operation router, if it has one.
pub fn route(api: &Api, i: usize) -> Option<&str> {
    let gates = api.features.as_ref()?;
    gates.names.get((*gates.routes.get(i)?)?).map(String::as_str)
}

/// The gate of the `Client`'s operation helpers: they exist when at least one
/// route does, and always when a route needs no feature.
pub fn operation_helpers(api: &Api) -> TokenStream {
    let Some(gates) = &api.features else { return TokenStream::new() };
    if gates.routes.iter().any(Option::is_none) {
        return TokenStream::new();
    }
    let mut features: Vec<usize> = gates.routes.iter().flatten().copied().collect();
    features.sort_unstable();
    features.dedup();
    let gate = any_of(api, &features);
    // The arms of a disabled feature vanish, which can leave the last
    // statement a `return`.
    quote!(#gate #[allow(clippy::needless_return)])
}

/// `item` with `gate` on each of its items, the laid-out `object!` text too.
pub fn gate(item: Item, gate: Gate) -> Item {
    if gate.is_empty() {
        return item;
    }
    // The gate goes before each item, so the items have to be told apart.
    let Ok(file) = syn::parse2::<syn::File>(item.tokens.clone()) else {
        // Tokens that do not parse are left to the formatter, which reports them.
        return item;
    };
    let items = file.items.iter();
    let tokens = quote!(#(#gate #items)*);
    let verbatim = if item.verbatim.is_empty() { item.verbatim } else { format!("{}\n{}", gate.0, item.verbatim) };
    Item { tokens, verbatim }
}
