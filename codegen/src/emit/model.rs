//! `model.rs`: one Rust type per schema, inline object and enum.

use super::docs;
use super::types::{ident, rust, wire_rule, Types};
use crate::ir::{Alias, Api, Enum, OperationShape, StatusShape, Struct, TypeDef};
use proc_macro2::TokenStream;
use quote::quote;

pub fn model(api: &Api) -> super::ItemSource<'_> {
    let item = move |i: usize| {
        let types = Types::new(api, TokenStream::new());
        let item = match &api.types[i] {
            TypeDef::Struct(s) => strukt(s, &types),
            TypeDef::Enum(e) => enumeration(e).into(),
            TypeDef::Alias(a) => alias(a, &types).into(),
        };
        super::cfg::gate(item, super::cfg::ty(api, api.types[i].id()))
    };
    let extra_doc = format!(
        " Every struct keeps the JSON members its schema does not describe, so that a round trip loses \
         nothing; `value.extra()` reads them, with `use {}::prelude::*;` in scope.",
        api.example_path
    );
    super::ItemSource {
        inner: quote! {
            //! Data types of the API: one per schema, inline object and enum.
            //!
            #![doc = #extra_doc]
            #![allow(clippy::enum_variant_names, clippy::large_enum_variant, clippy::type_complexity, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        },
        len: api.types.len(),
        item: Box::new(item),
    }
}

fn strukt(s: &Struct, types: &Types<'_>) -> super::Item {
    let name = ident(&s.name);
    let doc = docs::attrs(&s.doc);
    if s.operation.as_ref().is_some_and(|op| op.is_longrunning) {
        return quote! {
            #doc
            pub type #name = __rt::lro::Operation;
        }
        .into();
    }
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = rust(&f.ty, types);
        let mut fdocs = f.doc.clone();
        if let Some(note) = super::types::wire_note(&f.ty) {
            fdocs.notes.push(note.to_string());
        }
        let fdoc = docs::attrs(&fdocs);
        quote! {
            #fdoc
            pub #fname: __rt::Option<#ty>,
        }
    });
    let status_impl = s.status.as_ref().map(|st| status_helpers(&name, st));
    let page_impl = s.page.as_ref().map(|p| page_impls(&name, p, types));
    let operation_impl = s.operation.as_ref().map(|op| operation_helpers(&name, op, types));
    let tokens = quote! {
        #doc
        #[derive(__rt::Clone, __rt::Debug, __rt::Default, __rt::PartialEq)]
        pub struct #name {
            #(#fields)*
            #[doc(hidden)]
            pub __extra: __rt::BTreeMap<__rt::String, __rt::Value>,
        }
        #status_impl
        #operation_impl
        #page_impl
    };
    // The serde impls follow the other impls, already laid out.
    super::Item::with_object(tokens, object_macro(s))
}

/// The struct's serde impls as one `__rt::object!` invocation (see the
/// runtime's `wire::object`): one `"jsonName" => field` entry per field,
/// `as Rule` where the JSON form needs a wire rule.
fn object_macro(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let schema = s.schema_name.as_deref().unwrap_or(&s.name);
    let entries = s.fields.iter().map(|f| {
        let json = &f.json_name;
        let field = ident(&f.name);
        match wire_rule(&f.ty) {
            Some(rule) => quote!(#json => #field as #rule),
            None => quote!(#json => #field),
        }
    });
    quote!(__rt::object! { #name(#schema) { #(#entries,)* } })
}

fn page_impls(name: &proc_macro2::Ident, page: &crate::ir::PageShape, types: &Types<'_>) -> TokenStream {
    let token = ident(&page.token_field);
    let items = page.items.as_ref().map(|(field, item)| {
        let field = ident(field);
        let item = rust(item, types);
        quote! {
            impl __rt::paging::PageItems for #name {
                type Item = #item;
                fn into_items(self) -> __rt::Vec<#item> {
                    self.#field.unwrap_or_default()
                }
            }
        }
    });
    quote! {
        impl __rt::paging::Page for #name {
            fn next_page_token(&self) -> __rt::Option<&str> {
                self.#token.as_deref()
            }
        }
        #items
    }
}

fn status_helpers(name: &proc_macro2::Ident, status: &StatusShape) -> TokenStream {
    let canonical = status.code.as_ref().map(|code| {
        let code = ident(code);
        quote! {
            /// The canonical error code; numbers outside the 17 known codes are kept as `Code::Other`.
            pub fn canonical_code(&self) -> __rt::rpc::Code {
                __rt::rpc::Code::from(self.#code.unwrap_or(0))
            }
        }
    });
    quote! {
        impl #name {
            #canonical
            /// The runtime's view of this status, shared by every API.
            pub fn to_rpc(&self) -> __rt::rpc::Status {
                __rt::rpc::Status::from_serializable(self)
            }
            /// The `details`, decoded into the common detail types where their `@type` is known.
            pub fn typed_details(&self) -> __rt::Vec<__rt::rpc::Detail> {
                self.to_rpc().typed_details()
            }
        }
    }
}

/// `result` and the poller's trait for an operation that reports its state
/// in a `status` enum. A failure is the operation's own `error`; the
/// poller's `error_status` turns it, with the HTTP status beside it, into
/// the shared `rpc::Status`.
fn status_operation_helpers(
    name: &proc_macro2::Ident,
    op: &OperationShape,
    status: &crate::ir::StatusEnum,
    error: Option<&(proc_macro2::Ident, proc_macro2::Ident)>,
) -> TokenStream {
    let field = ident(&status.field);
    let done_value = &status.done_value;
    let is_done = if status.is_text {
        quote!(self.#field.as_deref() == __rt::Some(#done_value))
    } else {
        quote!(self.#field.as_ref().is_some_and(|status| status.as_str() == #done_value))
    };
    let (status_ty, outcome, error_json) = match error {
        Some((e, ty)) => (
            quote!(#ty),
            quote! {
                match &self.#e {
                    __rt::Some(error) => __rt::lro::OperationResult::Failed(error),
                    __rt::None => __rt::lro::OperationResult::Succeeded(__rt::None),
                }
            },
            quote!(self.#e.as_ref().and_then(|error| __rt::serde_json::to_value(error).ok())),
        ),
        None => {
            (quote!(__rt::rpc::Status), quote!(__rt::lro::OperationResult::Succeeded(__rt::None)), quote!(__rt::None))
        }
    };
    let http_status = match op.http_error_status_code.as_deref().map(ident) {
        Some(f) => quote!(self.#f),
        None => quote!(__rt::None),
    };
    let http_message = match op.http_error_message.as_deref().map(ident) {
        Some(f) => quote!(self.#f.as_deref()),
        None => quote!(__rt::None),
    };
    let name_of = match op.name.as_deref().map(ident) {
        Some(n) => quote!(self.#n.as_deref()),
        None => quote!(__rt::None),
    };
    let doc = format!(" Which of its three states the operation is in: pending until `{done_value}`, then failed when it carries an error.");
    quote! {
        impl #name {
            #[doc = #doc]
            pub fn result(&self) -> __rt::lro::OperationResult<'_, #status_ty> {
                if !__rt::lro::LongRunningOperation::is_done(self) {
                    return __rt::lro::OperationResult::Pending;
                }
                #outcome
            }
        }
        impl __rt::lro::LongRunningOperation for #name {
            fn is_done(&self) -> bool {
                #is_done
            }
            fn operation_name(&self) -> __rt::Option<&str> {
                #name_of
            }
            fn error_status(&self) -> __rt::Option<__rt::rpc::Status> {
                if !__rt::lro::LongRunningOperation::is_done(self) {
                    return __rt::None;
                }
                __rt::lro::status_from_operation_error(#http_status, #http_message, #error_json)
            }
        }
    }
}

/// `result`, `response_as`, `metadata_as` and the poller's trait, each from
/// the parts the operation has.
fn operation_helpers(name: &proc_macro2::Ident, op: &OperationShape, types: &Types<'_>) -> TokenStream {
    let field = |f: &Option<String>| f.as_deref().map(ident);
    let response = field(&op.response);
    let metadata = field(&op.metadata);
    let error = op.error.as_ref().map(|(f, ty)| (ident(f), types.ident(*ty)));
    if let Some(status) = &op.status {
        return status_operation_helpers(name, op, status, error.as_ref());
    }
    let done = field(&op.done);
    let result = done.as_ref().map(|done| {
        let succeeded = match &response {
            Some(r) => quote!(__rt::lro::OperationResult::Succeeded(self.#r.as_ref())),
            None => quote!(__rt::lro::OperationResult::Succeeded(__rt::None)),
        };
        let (status, body) = match &error {
            Some((e, ty)) => (
                quote!(#ty),
                quote! {
                    match (self.#done, &self.#e) {
                        (__rt::Some(true), __rt::Some(error)) => {
                            __rt::lro::OperationResult::Failed(error)
                        }
                        (__rt::Some(true), __rt::None) => {
                            #succeeded
                        }
                        _ => __rt::lro::OperationResult::Pending,
                    }
                },
            ),
            None => (
                quote!(__rt::rpc::Status),
                quote! {
                    if self.#done == __rt::Some(true) { #succeeded } else { __rt::lro::OperationResult::Pending }
                },
            ),
        };
        quote! {
            /// Which of its three states the operation is in.
            pub fn result(&self) -> __rt::lro::OperationResult<'_, #status> {
                #body
            }
        }
    });
    let response_as = response.as_ref().map(|r| {
        quote! {
            /// Decodes `response` as `T` after checking its `@type` names `T`.
            pub fn response_as<T: __rt::lro::TypeUrl + __rt::serde::de::DeserializeOwned>(
                &self,
            ) -> __rt::Result<__rt::Option<T>> {
                self.#r.as_ref().map(__rt::lro::decode_any::<T>).transpose()
            }
        }
    });
    let metadata_as = metadata.as_ref().map(|m| {
        quote! {
            /// Decodes `metadata` as `T` after checking its `@type` names `T`.
            pub fn metadata_as<T: __rt::lro::TypeUrl + __rt::serde::de::DeserializeOwned>(
                &self,
            ) -> __rt::Result<__rt::Option<T>> {
                self.#m.as_ref().map(__rt::lro::decode_any::<T>).transpose()
            }
        }
    });
    let lro = done.as_ref().map(|done| {
        let name_of = match field(&op.name) {
            Some(n) => quote!(self.#n.as_deref()),
            None => quote!(__rt::None),
        };
        let error_of = match &error {
            Some((e, _)) if op.error_is_rpc_status => quote!(__rt::Clone::clone(&self.#e)),
            Some((e, _)) => quote!(self.#e.as_ref().map(__rt::rpc::Status::from_serializable)),
            None => quote!(__rt::None),
        };
        quote! {
            impl __rt::lro::LongRunningOperation for #name {
                fn is_done(&self) -> bool {
                    self.#done == __rt::Some(true)
                }
                fn operation_name(&self) -> __rt::Option<&str> {
                    #name_of
                }
                fn error_status(&self) -> __rt::Option<__rt::rpc::Status> {
                    #error_of
                }
            }
        }
    });
    quote! {
        impl #name {
            #result
            #response_as
            #metadata_as
        }
        #lro
    }
}

fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs::attrs(&e.doc);
    let unknown = ident(&e.unknown_variant);
    let variants: Vec<_> = e.variants.iter().map(|v| (ident(&v.name), v.value.as_str(), docs::attrs(&v.doc))).collect();
    let decl = variants.iter().map(|(v, value, doc)| {
        // A value that cannot sit in a code span is shown quoted instead.
        let shown = if value.is_empty() || value.contains(['`', '\n', '\r']) {
            format!("{value:?}")
        } else {
            format!("`{value}`")
        };
        let value_doc = docs::plain(&format!("{shown} on the wire."));
        let sep = (!doc.is_empty()).then(|| quote!(#[doc = ""]));
        quote!(#doc #sep #value_doc #v,)
    });
    let to_str = variants.iter().map(|(v, value, _)| quote!(Self::#v => #value,));
    let query_value = e.parameter.then(|| {
        quote! {
            impl __rt::wire::QueryValue for #name {
                fn to_query(&self) -> __rt::Cow<'_, str> {
                    __rt::Cow::Borrowed(self.as_str())
                }
            }
        }
    });
    let from_str = variants.iter().map(|(v, value, _)| quote!(#value => Self::#v,));
    quote! {
        #doc
        #[derive(__rt::Clone, __rt::Debug, __rt::PartialEq, __rt::Eq, __rt::Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#decl)*
            /// A value this version of the document does not list, kept as sent.
            /// Compare values through `as_str()` rather than matching on this
            /// variant: a later revision may list the value as a variant of its own.
            #unknown(__rt::wire::UnknownValue),
        }
        impl #name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(value) => value.as_str(),
                }
            }
        }
        impl __rt::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(__rt::wire::UnknownValue::__new(other)),
                }
            }
        }
        impl __rt::Display for #name {
            fn fmt(&self, f: &mut __rt::fmt::Formatter<'_>) -> __rt::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl __rt::serde::Serialize for #name {
            fn serialize<S: __rt::serde::Serializer>(&self, serializer: S) -> __rt::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> __rt::serde::Deserialize<'de> for #name {
            fn deserialize<D: __rt::serde::Deserializer<'de>>(deserializer: D) -> __rt::Result<Self, D::Error> {
                __rt::wire::read_enum(deserializer)
            }
        }
        #query_value
    }
}

fn alias(a: &Alias, types: &Types<'_>) -> TokenStream {
    let name = ident(&a.name);
    let doc = docs::attrs(&a.doc);
    let target = rust(&a.target, types);
    quote! {
        #doc
        pub type #name = #target;
    }
}
