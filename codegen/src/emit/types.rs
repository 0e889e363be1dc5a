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
        Ty::String => quote!(::std::string::String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::U32 => quote!(u32),
        Ty::I64 | Ty::Integer => quote!(i64),
        Ty::U64 => quote!(u64),
        Ty::F32 => quote!(f32),
        Ty::F64 => quote!(f64),
        Ty::Bytes => quote!(::discogen_runtime::wire::Bytes),
        Ty::Timestamp => quote!(::discogen_runtime::wire::Timestamp),
        Ty::Duration => quote!(::discogen_runtime::wire::Duration),
        Ty::FieldMask => quote!(::discogen_runtime::wire::FieldMask),
        Ty::Date => quote!(::discogen_runtime::wire::Date),
        Ty::Any => quote!(::discogen_runtime::serde_json::Value),
        Ty::Named(n) => {
            let n = ident(n);
            quote!(#model #n)
        }
        Ty::Boxed(n) => {
            let n = ident(n);
            quote!(::std::boxed::Box<#model #n>)
        }
        Ty::Vec(t) => {
            let t = rust(t, model);
            quote!(::std::vec::Vec<#t>)
        }
        Ty::Map(t) => {
            let t = rust(t, model);
            quote!(::std::collections::BTreeMap<::std::string::String, #t>)
        }
    }
}

/// The `with = "..."` path for an optional field of this type, when its
/// wire form differs from what plain serde would write.
pub fn wire_adapter(ty: &Ty) -> Option<String> {
    ty.needs_wire_adapter().then(|| format!("::discogen_runtime::wire::As::<::std::option::Option<{}>>", marker(ty)))
}

fn marker(ty: &Ty) -> String {
    match ty {
        Ty::I64 => "::discogen_runtime::wire::I64".into(),
        Ty::U64 => "::discogen_runtime::wire::U64".into(),
        Ty::F32 => "::discogen_runtime::wire::F32".into(),
        Ty::F64 => "::discogen_runtime::wire::F64".into(),
        Ty::Vec(t) => format!("::std::vec::Vec<{}>", marker(t)),
        Ty::Map(t) => format!("::std::collections::BTreeMap<::std::string::String, {}>", marker(t)),
        _ => "::discogen_runtime::wire::Same".into(),
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
