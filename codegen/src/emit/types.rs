//! IR types → Rust type tokens and serde adapters.

use crate::ir::Ty;
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier token from a sanitized name (`r#type` becomes a raw ident).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The Rust type; `model` is the path prefix of generated types as seen from
/// the module being written (empty inside the model module itself).
pub fn rust(ty: &Ty, model: &TokenStream) -> TokenStream {
    match ty {
        Ty::String => quote!(__rt::String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::U32 => quote!(u32),
        Ty::I64 | Ty::Integer => quote!(i64),
        Ty::U64 => quote!(u64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::Bytes => quote!(__rt::wire::Bytes),
        Ty::Timestamp => quote!(__rt::wire::Timestamp),
        Ty::Duration => quote!(__rt::wire::Duration),
        Ty::FieldMask => quote!(__rt::wire::FieldMask),
        Ty::Date => quote!(__rt::wire::Date),
        Ty::Any => quote!(__rt::Value),
        Ty::Named(n) => {
            let n = ident(n);
            quote!(#model #n)
        }
        Ty::Boxed(n) => {
            let n = ident(n);
            quote!(__rt::Box<#model #n>)
        }
        Ty::Vec(t) => {
            let t = rust(t, model);
            quote!(__rt::Vec<#t>)
        }
        Ty::Map(t) => {
            let t = rust(t, model);
            quote!(__rt::BTreeMap<__rt::String, #t>)
        }
    }
}

/// The wire rule (a marker type of the runtime's `wire` module), as source
/// text, for a value of this type when its JSON form differs from what plain
/// serde would write.
pub fn wire_rule(ty: &Ty) -> Option<String> {
    ty.needs_wire_adapter().then(|| rule(ty))
}

fn rule(ty: &Ty) -> String {
    match ty {
        Ty::I64 => "__rt::wire::I64".into(),
        Ty::U64 => "__rt::wire::U64".into(),
        Ty::F32 => "__rt::wire::F32".into(),
        Ty::F64 => "__rt::wire::F64".into(),
        Ty::Vec(t) => format!("__rt::Vec<{}>", rule(t)),
        Ty::Map(t) => format!("__rt::BTreeMap<__rt::String, {}>", rule(t)),
        _ => "__rt::wire::Same".into(),
    }
}

/// How the type is described in docs, for the type/format notes.
pub fn wire_note(ty: &Ty) -> Option<&'static str> {
    match ty {
        Ty::I64 | Ty::U64 => Some("Sent as a decimal string on the wire."),
        Ty::Bytes => Some("Base64 on the wire."),
        _ => None,
    }
}
