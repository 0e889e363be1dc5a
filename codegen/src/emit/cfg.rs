//! `#[cfg(feature = ...)]` attributes from the IR's feature gates. Every
//! function returns nothing when the crate has no features, so the output
//! without them stays as it was.

use super::Item;
use crate::ir::{Api, Resource, TypeId};
use proc_macro2::TokenStream;
use quote::quote;

/// An outer `#[cfg]` attribute, or nothing for an item every build has:
/// the names of the features any one of which compiles the item.
#[derive(Default, Clone)]
pub struct Gate(Vec<String>);

impl Gate {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The attribute as rustfmt writes it, for the laid-out `object!` text.
    fn text(&self) -> String {
        let names: Vec<String> = self.0.iter().map(|n| format!("feature = {n:?}")).collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("#[cfg({one})]"),
            _ => format!("#[cfg(any({}))]", names.join(", ")),
        }
    }
}

impl quote::ToTokens for Gate {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let names = &self.0;
        tokens.extend(match names.as_slice() {
            [] => TokenStream::new(),
            [one] => quote!(#[cfg(feature = #one)]),
            _ => quote!(#[cfg(any(#(feature = #names),*))]),
        });
    }
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", ...))]`.
fn any_of(api: &Api, features: &[usize]) -> Gate {
    let Some(gates) = &api.features else { return Gate::default() };
    Gate(features.iter().filter_map(|&f| gates.names.get(f)).cloned().collect())
}

/// The name of feature `f`.
pub fn name(api: &Api, f: Option<usize>) -> Option<&str> {
    api.features.as_ref()?.names.get(f?).map(String::as_str)
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

/// The gate of a resource accessor struct, call builder or route.
pub fn feature(api: &Api, f: Option<usize>) -> Gate {
    f.map_or_else(Gate::default, |f| any_of(api, &[f]))
}

/// The gate of the accessor of resource `child` on `parent`: needed where
/// the parent is not gated with the same feature already (the `Client`'s
/// accessors of top-level resources).
pub fn accessor(api: &Api, parent: &Resource, child: &Resource) -> Gate {
    if child.feature == parent.feature {
        Gate::default()
    } else {
        feature(api, child.feature)
    }
}

/// The gate of the `Client`'s operation helpers: they exist when at least one
/// route does, and always when a route needs no feature.
pub fn operation_helpers(api: &Api) -> TokenStream {
    if api.features.is_none() {
        return TokenStream::new();
    }
    let routes: Vec<Option<usize>> =
        api.operation_router.iter().flat_map(|router| &router.routes).map(|route| route.feature).collect();
    if routes.iter().any(Option::is_none) {
        return TokenStream::new();
    }
    let mut features: Vec<usize> = routes.into_iter().flatten().collect();
    features.sort_unstable();
    features.dedup();
    let gate = any_of(api, &features);
    // The arms of a disabled feature vanish, which can leave the last
    // statement a `return`.
    quote!(#gate #[allow(clippy::needless_return)])
}

/// `item` with `gate` on each of its items (put there when the item is
/// formatted) and before its laid-out `object!` text.
pub fn gate(mut item: Item, gate: Gate) -> Item {
    if gate.is_empty() {
        return item;
    }
    if !item.verbatim.is_empty() {
        item.verbatim = format!("{}\n{}", gate.text(), item.verbatim);
    }
    item.gate = gate;
    item
}

/// Puts `gate` before the attributes of `item`.
pub fn put_first(item: &mut syn::Item, gate: &Gate) {
    use syn::Item as I;
    let attrs = match item {
        I::Const(i) => &mut i.attrs,
        I::Enum(i) => &mut i.attrs,
        I::ExternCrate(i) => &mut i.attrs,
        I::Fn(i) => &mut i.attrs,
        I::ForeignMod(i) => &mut i.attrs,
        I::Impl(i) => &mut i.attrs,
        I::Macro(i) => &mut i.attrs,
        I::Mod(i) => &mut i.attrs,
        I::Static(i) => &mut i.attrs,
        I::Struct(i) => &mut i.attrs,
        I::Trait(i) => &mut i.attrs,
        I::TraitAlias(i) => &mut i.attrs,
        I::Type(i) => &mut i.attrs,
        I::Union(i) => &mut i.attrs,
        I::Use(i) => &mut i.attrs,
        // Generated code writes none of the others (`Verbatim` included).
        _ => return,
    };
    // A new attribute per item: syn's types are not `Clone` without a
    // feature that would cost the generator's build more than this does.
    let tokens = quote!(#gate);
    if let Ok(new) = syn::parse::Parser::parse2(syn::Attribute::parse_outer, tokens) {
        attrs.splice(0..0, new);
    }
}
