//! The model module: one Rust type per schema, inline object and enum.

use super::docs;
use super::types::{ident, rust, wire_adapter};
use crate::ir::{Alias, Api, Enum, Struct, TypeDef};
use crate::resolve::{EXTRA_FIELD, UNKNOWN_VARIANT};
use proc_macro2::TokenStream;
use quote::quote;

pub fn model(api: &Api) -> super::ItemSource<'_> {
    let item = move |i: usize| match &api.types[i] {
        TypeDef::Struct(s) => strukt(s),
        TypeDef::Enum(e) => enumeration(e),
        TypeDef::Alias(a) => alias(a),
    };
    super::ItemSource {
        inner: quote! {
            //! Data types of the API: one per schema, inline object and enum.
            #![allow(clippy::enum_variant_names, clippy::large_enum_variant, clippy::type_complexity, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        },
        len: api.types.len(),
        item: Box::new(item),
    }
}

fn strukt(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let doc = docs::attrs(&s.doc);
    let none = TokenStream::new();
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = rust(&f.ty, &none);
        let mut fdocs = f.doc.clone();
        if let Some(note) = super::types::wire_note(&f.ty) {
            fdocs.notes.push(note.to_string());
        }
        let fdoc = docs::attrs(&fdocs);
        let rename = (crate::names::bare(&f.name) != f.json_name).then(|| {
            let json = &f.json_name;
            quote!(rename = #json,)
        });
        let with = wire_adapter(&f.ty).map(|w| quote!(, with = #w));
        quote! {
            #fdoc
            #[serde(#rename default, skip_serializing_if = "::std::option::Option::is_none" #with)]
            pub #fname: ::std::option::Option<#ty>,
        }
    });
    let extra = ident(EXTRA_FIELD);
    let type_url = s.schema_name.as_ref().map(|schema| {
        quote! {
            impl ::discogen_runtime::lro::TypeUrl for #name {
                const SCHEMA_NAME: &'static str = #schema;
            }
        }
    });
    let status_impl = s.is_status.then(|| status_helpers(&name));
    let page_impl = s.page.as_ref().map(|p| page_impls(&name, p));
    let operation_impl = s.operation.as_ref().map(|op| operation_helpers(&name, &ident(&op.status_type)));
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::default::Default, ::std::cmp::PartialEq, ::discogen_runtime::serde::Serialize, ::discogen_runtime::serde::Deserialize)]
        #[serde(crate = "::discogen_runtime::serde")]
        pub struct #name {
            #(#fields)*
            /// JSON members this schema does not describe, kept so that a round trip loses nothing.
            #[serde(flatten)]
            pub #extra: ::std::collections::BTreeMap<::std::string::String, ::discogen_runtime::serde_json::Value>,
        }
        #type_url
        #status_impl
        #operation_impl
        #page_impl
    }
}

fn page_impls(name: &proc_macro2::Ident, page: &crate::ir::PageShape) -> TokenStream {
    let token = ident(&page.token_field);
    let items = page.items.as_ref().map(|(field, item)| {
        let field = ident(field);
        let item = rust(item, &TokenStream::new());
        quote! {
            impl ::discogen_runtime::paging::PageItems for #name {
                type Item = #item;
                fn into_items(self) -> ::std::vec::Vec<#item> {
                    self.#field.unwrap_or_default()
                }
            }
        }
    });
    quote! {
        impl ::discogen_runtime::paging::Page for #name {
            fn next_page_token(&self) -> ::std::option::Option<&str> {
                self.#token.as_deref()
            }
        }
        #items
    }
}

fn status_helpers(name: &proc_macro2::Ident) -> TokenStream {
    quote! {
        impl #name {
            /// The canonical error code; numbers outside the 17 known codes are kept as `Code::Other`.
            pub fn canonical_code(&self) -> ::discogen_runtime::rpc::Code {
                ::discogen_runtime::rpc::Code::from(self.code.unwrap_or(0))
            }
            /// The runtime's view of this status, shared by every API.
            pub fn to_rpc(&self) -> ::discogen_runtime::rpc::Status {
                ::discogen_runtime::rpc::Status::from_serializable(self)
            }
            /// The `details`, decoded into the common detail types where their `@type` is known.
            pub fn typed_details(&self) -> ::std::vec::Vec<::discogen_runtime::rpc::Detail> {
                self.to_rpc().typed_details()
            }
        }
    }
}

fn operation_helpers(name: &proc_macro2::Ident, status: &proc_macro2::Ident) -> TokenStream {
    quote! {
        impl #name {
            /// Which of its three states the operation is in.
            pub fn result(&self) -> ::discogen_runtime::lro::OperationResult<'_, #status> {
                match (self.done, &self.error) {
                    (::std::option::Option::Some(true), ::std::option::Option::Some(error)) => {
                        ::discogen_runtime::lro::OperationResult::Failed(error)
                    }
                    (::std::option::Option::Some(true), ::std::option::Option::None) => {
                        ::discogen_runtime::lro::OperationResult::Succeeded(self.response.as_ref())
                    }
                    _ => ::discogen_runtime::lro::OperationResult::Pending,
                }
            }
            /// Decodes `response` as `T` after checking its `@type` names `T`.
            pub fn response_as<T: ::discogen_runtime::lro::TypeUrl + ::discogen_runtime::serde::de::DeserializeOwned>(
                &self,
            ) -> ::discogen_runtime::Result<::std::option::Option<T>> {
                self.response.as_ref().map(::discogen_runtime::lro::decode_any::<T>).transpose()
            }
            /// Decodes `metadata` as `T` after checking its `@type` names `T`.
            pub fn metadata_as<T: ::discogen_runtime::lro::TypeUrl + ::discogen_runtime::serde::de::DeserializeOwned>(
                &self,
            ) -> ::discogen_runtime::Result<::std::option::Option<T>> {
                self.metadata.as_ref().map(::discogen_runtime::lro::decode_any::<T>).transpose()
            }
        }
        impl ::discogen_runtime::lro::LongRunningOperation for #name {
            fn is_done(&self) -> bool {
                self.done == ::std::option::Option::Some(true)
            }
            fn operation_name(&self) -> ::std::option::Option<&str> {
                self.name.as_deref()
            }
            fn error_status(&self) -> ::std::option::Option<::discogen_runtime::rpc::Status> {
                self.error.as_ref().map(::discogen_runtime::rpc::Status::from_serializable)
            }
        }
    }
}

fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let doc = docs::attrs(&e.doc);
    let unknown = ident(UNKNOWN_VARIANT);
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
    let from_str = variants.iter().map(|(v, value, _)| quote!(#value => Self::#v,));
    quote! {
        #doc
        #[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord)]
        pub enum #name {
            #(#decl)*
            /// A value this version of the document does not list; kept as sent.
            #unknown(::std::string::String),
        }
        impl #name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(value) => value,
                }
            }
        }
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(::std::string::ToString::to_string(other)),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::discogen_runtime::serde::Serialize for #name {
            fn serialize<S: ::discogen_runtime::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::discogen_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::discogen_runtime::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::discogen_runtime::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(&*value))
            }
        }
        impl ::discogen_runtime::wire::QueryValue for #name {
            fn to_query(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }
    }
}

fn alias(a: &Alias) -> TokenStream {
    let name = ident(&a.name);
    let doc = docs::attrs(&a.doc);
    let target = rust(&a.target, &TokenStream::new());
    quote! {
        #doc
        pub type #name = #target;
    }
}
