//! IR types → Rust type tokens and serde adapters.

use crate::ir::{Api, Ty, TypeId};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// An identifier token from a sanitized name (`r#type` becomes a raw ident).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// How the file being written spells a generated type: the path to the
/// model module (empty inside it) and the identifier of each type handle.
pub struct Types<'a> {
    prefix: TokenStream,
    names: &'a [String],
}

impl<'a> Types<'a> {
    pub fn new(api: &'a Api, prefix: TokenStream) -> Self {
        Types { prefix, names: &api.type_names }
    }

    /// The identifier of a generated type.
    pub fn ident(&self, id: TypeId) -> Ident {
        ident(self.names.get(id.0).map_or("", String::as_str))
    }
}

/// The Rust type, as `model` spells generated types.
pub fn rust(ty: &Ty, model: &Types<'_>) -> TokenStream {
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
        Ty::RpcStatus => quote!(__rt::rpc::Status),
        Ty::Named(id) => {
            let prefix = &model.prefix;
            let n = model.ident(*id);
            quote!(#prefix #n)
        }
        Ty::Boxed(id) => {
            let prefix = &model.prefix;
            let n = model.ident(*id);
            quote!(__rt::Box<#prefix #n>)
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

/// The wire rule (a marker type of the runtime's `wire` module) for a value
/// of this type when its JSON form differs from what plain serde would write.
pub fn wire_rule(ty: &Ty) -> Option<TokenStream> {
    ty.needs_wire_adapter().then(|| rule(ty))
}

fn rule(ty: &Ty) -> TokenStream {
    match ty {
        Ty::I64 => quote!(__rt::wire::I64),
        Ty::U64 => quote!(__rt::wire::U64),
        Ty::F32 => quote!(__rt::wire::F32),
        Ty::F64 => quote!(__rt::wire::F64),
        Ty::Vec(t) => {
            let t = rule(t);
            quote!(__rt::Vec<#t>)
        }
        Ty::Map(t) => {
            let t = rule(t);
            quote!(__rt::BTreeMap<__rt::String, #t>)
        }
        _ => quote!(__rt::wire::Same),
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
