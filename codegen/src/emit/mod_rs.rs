//! `mod.rs`, the API module's root: constants, scopes and the `Client`.

use super::docs;
use super::resources::accessors;
use super::types::{ident, rust, Types};
use crate::ir::{Api, Docs, OperationRouter};
use proc_macro2::TokenStream;
use quote::quote;

pub fn module_root(api: &Api) -> super::ItemSource<'_> {
    super::ItemSource { inner: module_doc(api), len: 1, item: Box::new(move |_| root_items(api).into()) }
}

fn module_doc(api: &Api) -> TokenStream {
    let mut head = docs::escape(&format!("{} ({} {})", api.title, api.name, api.version));
    head.push(String::new());
    if let Some(d) = &api.description {
        head.extend(docs::escape(d));
        head.push(String::new());
    }
    if let Some(link) = &api.documentation_link {
        head.extend(docs::escape(&format!("Documentation: {link}")));
        head.push(String::new());
    }
    let builder = &api.client_members.builder;
    let tail = vec![
        format!(
            "Start with [`Client::{builder}()`](Client::{builder}). Data types are in [`model`], and each \
             method is a call builder in [`resources`]: set its options, then `send()` it. The standard \
             parameters and retry settings of every call come from \
             [`WithStandardParams`](runtime::params::WithStandardParams); bring it into scope \
             with `use {path}::prelude::*;`. The runtime is re-exported as [`runtime`], so a program \
             needs no dependency on it of its own.",
            path = api.example_path
        ),
        String::new(),
    ];
    let mut attrs = docs::inner_attrs(&head);
    attrs.extend(docs::inner_verbatim(&tail));
    if let Some((example, method)) = super::examples::module_example(api) {
        // With resource features, the example is there only when the
        // feature of the method it calls is on, so it always compiles.
        match super::cfg::name(api, method.feature) {
            Some(feature) => attrs.extend(example.iter().map(|line| {
                let text = if line.is_empty() { String::new() } else { format!(" {line}") };
                quote!(#![cfg_attr(feature = #feature, doc = #text)])
            })),
            None => attrs.extend(docs::inner_verbatim(&example)),
        }
    }
    attrs
}

/// Everything in `mod.rs` after the module docs, as one item list.
fn root_items(api: &Api) -> TokenStream {
    let root_url = &api.root_url;
    let service_path = &api.service_path;
    let mtls = match &api.mtls_root_url {
        Some(u) => quote!(__rt::Some(#u)),
        None => quote!(__rt::None),
    };
    let batch = api.batch_path.as_ref().map(|b| {
        quote! {
            /// Path of the batch endpoint, relative to the root URL.
            pub const BATCH_PATH: &str = #b;
        }
    });
    let scopes = api.scopes.iter().map(|s| {
        let name = ident(&s.const_name);
        let url = &s.url;
        let doc = docs::attrs(&Docs { description: s.description.clone(), notes: vec![format!("`{url}`")] });
        quote!(#doc pub const #name: &str = #url;)
    });
    let endpoints = api.endpoints.iter().map(|e| {
        let url = &e.url;
        let location = e.location.clone().unwrap_or_default();
        quote!(__rt::Endpoint { location: #location, root_url: #url })
    });
    let model = Types::new(api, quote!(model::));
    let here = quote!(resources::);
    let names = &api.client_members;
    let inner = ident(&names.inner);
    let builder_fn = ident(&names.builder);
    let runtime_fn = ident(&names.runtime);
    let accessors = accessors(api, &api.root, &quote!(&self.#inner), &quote!('_), &here, &model);
    let operations = match (&api.operation_router, &api.field_router) {
        (Some(r), _) => Some(operation_dispatch(api, r)),
        (None, Some(r)) => Some(field_dispatch(api, r)),
        (None, None) => None,
    };
    let root_url_doc = if root_url.is_empty() {
        " The document names no root URL: give one with `ClientBuilder::root_url`, or `build()` fails."
    } else {
        " The root URL the document names; override it with `ClientBuilder::root_url`."
    };
    let runtime_api = proc_macro2::Literal::u32_unsuffixed(crate::ir::RUNTIME_API);
    quote! {
        // Code generated for another runtime stops here, with a message
        // that says so.
        const _: () = __rt::expect_runtime_api(#runtime_api);

        pub mod model;
        pub mod resources;

        /// The runtime this module was generated for, under one name: a program reaches
        /// `Body`, `lro::PollPolicy` or `Error` through it, so it needs no dependency of its
        /// own, and the two versions cannot disagree.
        pub use ::discogen_runtime as runtime;
        /// What code using this client usually needs in scope: `use ...::prelude::*;`.
        pub use ::discogen_runtime::prelude;

        #[doc = #root_url_doc]
        pub const ROOT_URL: &str = #root_url;
        /// The mutual-TLS root URL, where the document names one.
        pub const MTLS_ROOT_URL: __rt::Option<&str> = #mtls;
        /// Path of the API below the root URL.
        pub const SERVICE_PATH: &str = #service_path;
        #batch
        /// Regional and other endpoints the document lists; pass one's
        /// `root_url` to `ClientBuilder::root_url`.
        pub const ENDPOINTS: &[__rt::Endpoint] = &[#(#endpoints),*];

        /// OAuth 2.0 scopes of this API.
        pub mod scopes {
            #(#scopes)*
        }

        /// Entry point of the API: resource accessors mirror the document's resource tree.
        #[derive(__rt::Clone, __rt::Debug)]
        pub struct Client {
            #inner: __rt::Client,
        }

        impl __rt::Service for Client {
            const ROOT_URL: &'static str = ROOT_URL;
            const SERVICE_PATH: &'static str = SERVICE_PATH;
            fn from_client(client: __rt::Client) -> Self {
                Self { #inner: client }
            }
        }

        // Method and resource names come from the document, so they may look
        // like constructors or conversions to clippy.
        #[allow(clippy::new_ret_no_self, clippy::should_implement_trait, clippy::wrong_self_convention, clippy::too_many_arguments)]
        impl Client {
            /// A builder for a client: credentials, root URL, timeouts, transport.
            pub fn #builder_fn() -> __rt::ClientBuilder<Self> {
                __rt::ClientBuilder::new()
            }
            /// The shared runtime client underneath.
            pub fn #runtime_fn(&self) -> &__rt::Client {
                &self.#inner
            }
            #accessors
            #operations
        }
    }
}

/// `get_operation`, `operation_poller` and `wait_operation` on the client:
/// they pick the `operations.get` method whose path pattern fits the name,
/// so a caller need not know which of several resources owns it.
fn operation_dispatch(api: &Api, router: &OperationRouter) -> TokenStream {
    let names = &api.client_members;
    let get_fn = ident(&names.get_operation);
    let poller_fn = ident(&names.operation_poller);
    let wait_fn = ident(&names.wait_operation);
    let op = rust(&router.operation, &Types::new(api, quote!(model::)));
    let patterns: Vec<&str> = router.routes.iter().filter_map(|r| r.pattern.as_deref()).collect();
    let expected = patterns.join(", ");
    let mismatch = quote! {
        __rt::Err(__rt::Error::invalid_argument(::std::format!(
            "operation name `{}` matches no operations.get path of this API (expected one of: {})", name, #expected
        )))
    };
    // Patterned routes are tried in turn; one without a pattern (the last,
    // if any) is the fallback, otherwise the name is refused.
    let branch = |body: &dyn Fn(TokenStream, &crate::ir::Route, bool) -> TokenStream| {
        let mut arms = Vec::new();
        let mut tail = mismatch.clone();
        for route in &router.routes {
            let chain = route.accessors.iter().map(|a| ident(a));
            let f = ident(&route.method);
            let call = quote!(self #(.#chain())* .#f(name));
            // A route under a resource feature is there only with it.
            let feature = super::cfg::name(api, route.feature);
            let gate = feature.map(super::cfg::on);
            match &route.pattern {
                Some(p) => {
                    let body = body(call, route, true);
                    arms.push(quote!(#gate if __rt::path::matches(#p, name) { #body }));
                }
                None => match feature {
                    None => tail = body(call, route, false),
                    Some(feature) => {
                        let (body, not) = (body(call, route, true), super::cfg::not(feature));
                        tail = quote!(#gate #body #not return #mismatch;);
                    }
                },
            }
        }
        quote!(#(#arms)* #tail)
    };
    let poll_arms = branch(&|call, route, early| {
        let poller = ident(&route.poller);
        let v = quote!(__rt::Ok(#call.#poller()));
        if early {
            quote!(return #v;)
        } else {
            v
        }
    });
    let get_arms = branch(&|call, route, early| {
        let send = ident(&route.send);
        if early {
            quote!(return #call.#send().await;)
        } else {
            quote!(#call.#send().await)
        }
    });
    let get_doc =
        format!(" A poller for the operation called `name`, chosen as in [`Client::{}`].", names.get_operation);
    let gate = super::cfg::operation_helpers(api);
    quote! {
        /// Fetches an operation by name, through whichever `operations.get`
        /// method's path pattern the name fits. A name that fits none is refused
        /// before any request is made.
        #gate
        #[inline]
        pub async fn #get_fn(&self, name: &str) -> __rt::Result<#op> {
            #get_arms
        }
        #[doc = #get_doc]
        #gate
        #[inline]
        pub fn #poller_fn(&self, name: &str) -> __rt::Result<__rt::lro::Poller<#op>> {
            #poll_arms
        }
        /// Waits until `operation` is done. An operation that is already done is
        /// returned as it is, without a request.
        #gate
        #[inline]
        pub async fn #wait_fn(&self, operation: #op, policy: __rt::lro::PollPolicy) -> __rt::Result<#op> {
            if __rt::lro::LongRunningOperation::is_done(&operation) {
                return __rt::Ok(operation);
            }
            let name = __rt::lro::LongRunningOperation::operation_name(&operation)
                .ok_or_else(|| __rt::Error::invalid_argument("the operation has no name to poll"))?;
            self.#poller_fn(name)?.policy(policy).wait().await
        }
    }
}

/// `get_operation`, `operation_poller` and `wait_operation` on the client
/// for an API whose operations are found by their fields (see
/// `resolve::router::field_router`): each takes the operation itself.
fn field_dispatch(api: &Api, router: &crate::ir::FieldRouter) -> TokenStream {
    let names = &api.client_members;
    let get_fn = ident(&names.get_operation);
    let poller_fn = ident(&names.operation_poller);
    let wait_fn = ident(&names.wait_operation);
    let op = rust(&router.operation, &Types::new(api, quote!(model::)));
    let gate = match &router.operation {
        crate::ir::Ty::Named(id) => super::cfg::ty(api, *id),
        _ => Default::default(),
    };
    let arms = |finish: &dyn Fn(TokenStream, &crate::ir::FieldRoute) -> TokenStream| {
        let arms = router.routes.iter().map(|route| {
            let chain = route.accessors.iter().map(|a| ident(a));
            let f = ident(&route.method);
            let vars: Vec<proc_macro2::Ident> = (0..route.args.len()).map(|i| ident(&format!("arg{i}"))).collect();
            let sources = route.args.iter().map(|a| match a {
                crate::ir::ArgSource::Field(f) => {
                    let f = ident(f);
                    quote!(operation.#f.as_deref())
                }
                crate::ir::ArgSource::LastSegment(f) => {
                    let f = ident(f);
                    quote!(__rt::lro::last_segment(operation.#f.as_deref()))
                }
                crate::ir::ArgSource::After(f, key) => {
                    let f = ident(f);
                    quote!(__rt::lro::segment_after(operation.#f.as_deref(), #key))
                }
            });
            let somes = vars.iter().map(|v| quote!(__rt::Some(#v)));
            let call = quote!(self #(.#chain())* .#f(#(#vars),*));
            let body = finish(call, route);
            let route_gate = super::cfg::feature(api, route.feature);
            quote! {
                #route_gate
                if let (#(#somes,)*) = (#(#sources,)*) {
                    return #body;
                }
            }
        });
        let described: Vec<String> = router
            .routes
            .iter()
            .map(|r| {
                let mut path = r.accessors.clone();
                path.push(r.method.clone());
                path.join(".")
            })
            .collect();
        let message = format!(
            "the operation's fields name none of the operation `get`s compiled in (routes: {})",
            described.join(", ")
        );
        // Under resource features every route may be compiled out.
        quote! {
            let _ = operation;
            #(#arms)*
            __rt::Err(__rt::Error::invalid_argument(#message))
        }
    };
    let poll_arms = arms(&|call, route| {
        let poller = ident(&route.poller);
        quote!(__rt::Ok(#call.#poller()))
    });
    let get_arms = arms(&|call, route| {
        let send = ident(&route.send);
        quote!(#call.#send().await)
    });
    let poller_doc =
        format!(" A poller for `operation`, through the `get` chosen as in [`Client::{}`].", names.get_operation);
    quote! {
        /// Fetches `operation` again, through the `get` its own fields name:
        /// its zone, its region, or neither (global), with the project from its
        /// `selfLink`. An operation whose fields name no route is refused before
        /// any request is made.
        #gate
        #[allow(clippy::needless_return)]
        pub async fn #get_fn(&self, operation: &#op) -> __rt::Result<#op> {
            #get_arms
        }
        #[doc = #poller_doc]
        #gate
        #[allow(clippy::needless_return)]
        pub fn #poller_fn(&self, operation: &#op) -> __rt::Result<__rt::lro::Poller<#op>> {
            #poll_arms
        }
        /// Waits until `operation` is done, polling the `get` its fields name.
        /// An operation that is already done is returned as it is, without a
        /// request.
        #gate
        pub async fn #wait_fn(&self, operation: #op, policy: __rt::lro::PollPolicy) -> __rt::Result<#op> {
            if __rt::lro::LongRunningOperation::is_done(&operation) {
                return __rt::Ok(operation);
            }
            self.#poller_fn(&operation)?.policy(policy).wait().await
        }
    }
}
