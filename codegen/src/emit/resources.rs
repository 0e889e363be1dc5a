//! The resources module: accessor structs mirroring the resource tree, and
//! one call builder per method.
//!
//! Every non-generic function of a builder is `#[inline]`. Besides the usual
//! hint, that makes rustc generate its machine code only in the crates that
//! call it, as it does for generic functions: a program that uses four of
//! Vision's 38 methods no longer pays, in the API crate's build, for
//! compiling the other 34 (docs/benchmarks/2026-11-29-bench.md, section 2).

use super::docs;
use super::types::{ident, rust, Types};
use crate::ir::{Api, ArgKind, Docs, Expansion, HttpMethod, Location, Method, PageToken, Param, PathPart, Resource};

/// The resource accessor structs' field that holds the client.
fn client_field(api: &Api) -> proc_macro2::Ident {
    ident(&api.client_members.resource_client)
}
use proc_macro2::TokenStream;
use quote::quote;

/// Generated types as the resources module spells them.
fn model_path(api: &Api) -> Types<'_> {
    Types::new(api, quote!(super::model::))
}

pub fn resources(api: &Api) -> super::ItemSource<'_> {
    let mut nodes = Vec::new();
    walk(&api.root, &mut nodes, &mut Vec::new());
    let len = nodes.len();
    let item = move |i: usize| {
        let (tokens, feature) = match &nodes[i] {
            Node::Resource(r) => (resource_struct(api, r), r.feature),
            Node::Method(m, chain) => (call(api, m, chain), m.feature),
        };
        super::cfg::gate(tokens.into(), super::cfg::feature(api, feature))
    };
    super::ItemSource {
        inner: quote! {
            //! Resource accessors and call builders, one builder per method.
            #![allow(clippy::too_many_arguments, clippy::should_implement_trait, clippy::new_ret_no_self, clippy::wrong_self_convention, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        },
        len,
        item: Box::new(item),
    }
}

/// One item of the resources file, in output order. A method carries the
/// accessors that lead to it from the client, for its example.
enum Node<'a> {
    Resource(&'a Resource),
    Method(&'a Method, Vec<&'a str>),
}

fn walk<'a>(r: &'a Resource, nodes: &mut Vec<Node<'a>>, chain: &mut Vec<&'a str>) {
    if !chain.is_empty() {
        nodes.push(Node::Resource(r));
    }
    nodes.extend(r.methods.iter().map(|m| Node::Method(m, chain.clone())));
    for c in &r.children {
        chain.push(&c.accessor);
        walk(c, nodes, chain);
        chain.pop();
    }
}

fn resource_struct(api: &Api, r: &Resource) -> TokenStream {
    let name = ident(&r.type_name);
    let doc = docs::plain(&format!("The `{}` resource.", r.json_name.replace('`', "'")));
    let client = client_field(api);
    let body = accessors(api, r, &quote!(self.#client), &quote!('a), &TokenStream::new(), &model_path(api));
    quote! {
        #doc
        #[derive(__rt::Clone, __rt::Copy, __rt::Debug)]
        pub struct #name<'a> {
            pub(crate) #client: &'a __rt::Client,
        }
        impl<'a> #name<'a> {
            #body
        }
    }
}

/// Methods that open sub-resources and start calls, for a resource or the
/// root `Client`. `client` evaluates to a `&discogen_runtime::Client` that
/// lives for `lifetime`; `here` is the path to the resources module from
/// where the methods are written, `model` the path to the model module.
pub fn accessors(
    api: &Api,
    r: &Resource,
    client: &TokenStream,
    lifetime: &TokenStream,
    here: &TokenStream,
    model: &Types<'_>,
) -> TokenStream {
    let client_field = client_field(api);
    let children = r.children.iter().map(|c| {
        let f = ident(&c.accessor);
        let t = ident(&c.type_name);
        let doc = docs::plain(&format!("Methods of the `{}` resource.", c.json_name.replace('`', "'")));
        let gate = super::cfg::accessor(api, r, c);
        quote! {
            #doc
            #gate
            #[inline]
            pub fn #f(&self) -> #here #t<#lifetime> {
                #here #t { #client_field: #client }
            }
        }
    });
    let methods = r.methods.iter().map(|m| constructor(m, client, here, model));
    quote!(#(#methods)* #(#children)*)
}

fn constructor(m: &Method, client: &TokenStream, here: &TokenStream, model: &Types<'_>) -> TokenStream {
    let f = ident(&m.fn_name);
    let call = ident(&m.call_type);
    let doc = method_docs(m);
    let client_field = ident(&m.members.client);
    let params_field = ident(&m.members.params);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for p in &m.required {
        let name = ident(&p.rust_name);
        let (arg_ty, conv) = arg_type(p, model);
        args.push(quote!(#name: #arg_ty));
        inits.push(match conv {
            Some(conv) => quote!(#name: #conv),
            None => quote!(#name),
        });
    }
    if let Some(body) = &m.request {
        let name = ident(&body.arg_name);
        let ty = rust(&body.ty, model);
        args.push(quote!(#name: #ty));
        inits.push(quote!(#name));
    }
    for p in &m.optional {
        let name = ident(&p.rust_name);
        let init = if p.repeated { quote!(__rt::Vec::new()) } else { quote!(__rt::None) };
        inits.push(quote!(#name: #init));
    }
    quote! {
        #doc
        #[inline]
        pub fn #f(&self, #(#args),*) -> #here #call {
            #here #call {
                #client_field: __rt::Clone::clone(#client),
                #(#inits,)*
                #params_field: __rt::Default::default(),
            }
        }
    }
}

/// The argument type of a required parameter, and the conversion to store
/// it where one is needed.
fn arg_type(p: &Param, model: &Types<'_>) -> (TokenStream, Option<TokenStream>) {
    let name = ident(&p.rust_name);
    let t = rust(&p.ty, model);
    match p.arg {
        ArgKind::IntoString => (quote!(impl __rt::Into<__rt::String>), Some(quote!(__rt::Into::into(#name)))),
        ArgKind::Value => (t, None),
        ArgKind::Values | ArgKind::Strings => (quote!(__rt::Vec<#t>), None),
    }
}

fn method_docs(m: &Method) -> TokenStream {
    let mut d = m.doc.clone();
    d.notes.insert(0, format!("`{} {}`", m.http_method.as_str(), m.path_template.replace('`', "'")));
    docs::attrs(&d)
}

fn call(api: &Api, m: &Method, chain: &[&str]) -> TokenStream {
    let name = ident(&m.call_type);
    let model = model_path(api);
    let mut doc =
        Docs { description: Some(format!("Builder for the `{}` method.", m.id.replace('`', "'"))), notes: Vec::new() };
    doc.notes.push(format!("`{} {}`", m.http_method.as_str(), m.path_template.replace('`', "'")));
    doc.notes.push(format!(
        "Created by the resource accessor; set options, then call `{}`. The standard parameters \
         (`fields`, `quota_user`, ...) and retry settings come from `WithStandardParams`, in \
         the module's `prelude`.",
        m.members.send
    ));
    let mut doc = docs::attrs(&doc);
    doc.extend(docs::verbatim(&[String::new()]));
    doc.extend(docs::verbatim(&super::examples::call_example(api, chain, m)));
    let mut fields = Vec::new();
    for p in &m.required {
        let f = ident(&p.rust_name);
        let t = rust(&p.ty, &model);
        fields.push(if p.repeated { quote!(pub(crate) #f: __rt::Vec<#t>) } else { quote!(pub(crate) #f: #t) });
    }
    if let Some(body) = &m.request {
        let f = ident(&body.arg_name);
        let t = rust(&body.ty, &model);
        fields.push(quote!(pub(crate) #f: #t));
    }
    for p in &m.optional {
        let f = ident(&p.rust_name);
        let t = rust(&p.ty, &model);
        fields.push(if p.repeated {
            quote!(pub(crate) #f: __rt::Vec<#t>)
        } else {
            quote!(pub(crate) #f: __rt::Option<#t>)
        });
    }
    let setters = m.optional.iter().map(|p| setter(p, &model));
    let scopes = &m.scopes;
    let build = build_request(api, m);
    let send = send(m, &model);
    let poll = poll_methods(m, &model).or_else(|| wait_after_send(api, m, &model));
    let media = media_methods(api, m, &model);
    let paging = paging_methods(m, &model);
    let client_field = ident(&m.members.client);
    let params_field = ident(&m.members.params);
    quote! {
        #doc
        #[derive(__rt::Clone, __rt::Debug)]
        #[must_use = "a call does nothing until it is sent"]
        pub struct #name {
            pub(crate) #client_field: __rt::Client,
            #(#fields,)*
            pub(crate) #params_field: __rt::params::StandardParams,
        }
        impl #name {
            /// OAuth scopes, any one of which authorizes this call.
            pub const SCOPES: &'static [&'static str] = &[#(#scopes),*];
            #(#setters)*
            #build
            #send
            #media
            #poll
            #paging
        }
        impl __rt::params::WithStandardParams for #name {
            #[inline]
            fn standard_params_mut(&mut self) -> &mut __rt::params::StandardParams {
                &mut self.#params_field
            }
        }
    }
}

fn setter(p: &Param, model: &Types<'_>) -> TokenStream {
    let f = ident(&p.rust_name);
    let doc = docs::attrs(&p.doc);
    let t = rust(&p.ty, model);
    match p.arg {
        ArgKind::Strings => quote! {
            #doc
            pub fn #f(mut self, values: impl __rt::IntoIterator<Item = impl __rt::Into<__rt::String>>) -> Self {
                self.#f.extend(values.into_iter().map(__rt::Into::into));
                self
            }
        },
        ArgKind::Values => quote! {
            #doc
            pub fn #f(mut self, values: impl __rt::IntoIterator<Item = #t>) -> Self {
                self.#f.extend(values);
                self
            }
        },
        ArgKind::IntoString => quote! {
            #doc
            pub fn #f(mut self, value: impl __rt::Into<__rt::String>) -> Self {
                self.#f = __rt::Some(value.into());
                self
            }
        },
        ArgKind::Value => quote! {
            #doc
            #[inline]
            pub fn #f(mut self, value: #t) -> Self {
                self.#f = __rt::Some(value);
                self
            }
        },
    }
}

fn http_method(m: &Method) -> TokenStream {
    match &m.http_method {
        HttpMethod::Get => quote!(__rt::http::Method::GET),
        HttpMethod::Post => quote!(__rt::http::Method::POST),
        HttpMethod::Put => quote!(__rt::http::Method::PUT),
        HttpMethod::Patch => quote!(__rt::http::Method::PATCH),
        HttpMethod::Delete => quote!(__rt::http::Method::DELETE),
        HttpMethod::Head => quote!(__rt::http::Method::HEAD),
        HttpMethod::Options => quote!(__rt::http::Method::OPTIONS),
        HttpMethod::Other(other) => {
            let bytes = proc_macro2::Literal::byte_string(other.as_bytes());
            quote!(__rt::http::Method::from_bytes(#bytes).map_err(|_| __rt::Error::invalid_argument("unsupported HTTP method"))?)
        }
    }
}

/// Statements that append the expanded template `parts` to `path`.
fn path_steps(m: &Method, parts: &[PathPart]) -> TokenStream {
    let steps = parts.iter().map(|part| match part {
        PathPart::Literal(text) if text.chars().count() == 1 => {
            let c = text.chars().next().unwrap_or('/');
            quote!(path.push(#c);)
        }
        PathPart::Literal(text) => quote!(path.push_str(#text);),
        PathPart::Var { param, expansion } => {
            let p = &m.required[*param];
            let json = &p.json_name;
            let f = ident(&p.rust_name);
            let pattern = match &p.pattern {
                Some(pat) => quote!(__rt::Some(#pat)),
                None => quote!(__rt::None),
            };
            let expansion = match expansion {
                Expansion::Simple => quote!(__rt::path::Expansion::Simple),
                Expansion::KeepSlash => quote!(__rt::path::Expansion::KeepSlash),
                Expansion::KeepReserved => quote!(__rt::path::Expansion::KeepReserved),
            };
            quote! {
                __rt::path::push_param(&mut path, #json, &__rt::wire::QueryValue::to_query(&self.#f), #expansion, #pattern)?;
            }
        }
    });
    quote!(#(#steps)*)
}

fn expand_path_fn(m: &Method, name: &str, parts: &[PathPart], template: &str) -> TokenStream {
    let f = ident(name);
    let capacity = proc_macro2::Literal::usize_unsuffixed(template.len() + 32);
    let steps = path_steps(m, parts);
    let mutability = (!parts.is_empty()).then(|| quote!(mut));
    let doc =
        docs::plain(&format!("Expands `{}`, checking each value against its pattern.", template.replace('`', "'")));
    quote! {
        #doc
        #[inline]
        fn #f(&self) -> __rt::Result<__rt::String> {
            let #mutability path = __rt::String::with_capacity(#capacity);
            #steps
            __rt::Ok(path)
        }
    }
}

fn build_request(api: &Api, m: &Method) -> TokenStream {
    let names = &m.members;
    let client_field = ident(&names.client);
    let params_field = ident(&names.params);
    let path_fn = ident(&names.path);
    let builder_fn = ident(&names.request_builder);
    let build_fn = ident(&names.build_request);
    let method = http_method(m);
    let all = m.required.iter().map(|p| (p, true)).chain(m.optional.iter().map(|p| (p, false)));
    let queries = all.filter(|(p, _)| p.location == Location::Query).map(|(p, required)| {
        let f = ident(&p.rust_name);
        let json = &p.json_name;
        if m.request_id.as_ref() == Some(&p.rust_name) {
            let value = if required { quote!(__rt::Some(self.#f.as_str())) } else { quote!(self.#f.as_deref()) };
            return quote!(request.idempotency_key(#json, #value););
        }
        match (p.repeated, required) {
            (true, _) => quote!(for value in &self.#f { request.query(#json, value); }),
            (false, true) => quote!(request.query(#json, &self.#f);),
            (false, false) => {
                quote!(if let __rt::Some(value) = &self.#f { request.query(#json, value); })
            }
        }
    });
    let q = fallible(m);
    let get_builder = quote!(self.#builder_fn(&path) #q);
    let body = match &m.request {
        Some(b) => {
            let f = ident(&b.arg_name);
            quote! {
                let mut request = #get_builder;
                request.json_body(&self.#f)?;
            }
        }
        None => quote!(let request = #get_builder;),
    };
    let credentials_line =
        format!(" credentials are added by `{}`, since getting a token may need the network.", names.send);
    let main_path = expand_path_fn(m, &names.path, &m.path, &m.path_template);
    let upload_path = m
        .media_upload
        .as_ref()
        .zip(names.upload_path.as_ref())
        .map(|(u, name)| expand_path_fn(m, name, &u.path, &u.path_template));
    let wrapper = api.data_wrapper.then(|| quote!(request.data_wrapper();));
    let api_version = m.api_version.as_ref().map(|v| quote!(request.api_version(#v);));
    let (builder_ret, builder_ok) = if m.fallible_builder {
        (quote!(__rt::Result<__rt::request::RequestBuilder>), quote!(__rt::Ok(request)))
    } else {
        (quote!(__rt::request::RequestBuilder), quote!(request))
    };
    quote! {
        #main_path
        #upload_path
        /// The request without a body: method, URL with query, standard parameters.
        #[inline]
        fn #builder_fn(&self, path: &str) -> #builder_ret {
            let mut request = __rt::request::RequestBuilder::new(&self.#client_field, #method, path);
            #wrapper
            #api_version
            #(#queries)*
            self.#params_field.apply(&mut request);
            #builder_ok
        }
        /// Builds the HTTP request without sending it. No I/O happens here:
        #[doc = #credentials_line]
        #[inline]
        pub fn #build_fn(&self) -> __rt::Result<__rt::http::Request<__rt::Vec<u8>>> {
            let path = self.#path_fn()?;
            #body
            request.build()
        }
    }
}

/// `?` where getting the request builder can fail.
fn fallible(m: &Method) -> TokenStream {
    if m.fallible_builder {
        quote!(?)
    } else {
        TokenStream::new()
    }
}

/// The media members: downloads for methods that serve media, uploads for
/// those that take it.
fn media_methods(api: &Api, m: &Method, model: &Types<'_>) -> TokenStream {
    let download = download_methods(m);
    let upload = m.media_upload.as_ref().and_then(|u| upload_methods(api, m, u, model));
    quote!(#download #upload)
}

/// `media_download()`, the runtime's download builder, and the three usual
/// ways to read it as one-line shortcuts. The byte range is set on the
/// builder, so it cannot clash with a method parameter called `range`.
fn download_methods(m: &Method) -> Option<TokenStream> {
    let names = &m.members;
    let media_download = ident(names.media_download.as_ref()?);
    let download = ident(names.download.as_ref()?);
    let download_to = ident(names.download_to.as_ref()?);
    let download_stream = ident(names.download_stream.as_ref()?);
    let client_field = ident(&names.client);
    let path_fn = ident(&names.path);
    let builder_fn = ident(&names.request_builder);
    let q = fallible(m);
    Some(quote! {
        /// The media download this call describes (`alt=media`), to read
        /// whole, into a writer, or as a stream, optionally from a byte range.
        pub fn #media_download(self) -> __rt::media::Download {
            let request = (|| {
                let path = self.#path_fn()?;
                let mut request = self.#builder_fn(&path) #q;
                request.set_query("alt", "media");
                request.build()
            })();
            __rt::media::Download::new(self.#client_field, request, Self::SCOPES)
        }
        /// Downloads the media into memory, however large.
        #[inline]
        pub async fn #download(self) -> __rt::Result<__rt::bytes::Bytes> {
            self.#media_download().bytes().await
        }
        /// Streams the media into `writer`, flushes it, and returns the
        /// number of bytes written.
        #[inline]
        pub async fn #download_to<W>(self, writer: &mut W) -> __rt::Result<u64>
        where
            W: __rt::AsyncWrite + __rt::Unpin + ?Sized,
        {
            self.#media_download().write_to(writer).await
        }
        /// The media as a stream of chunks, once the response head arrived.
        #[inline]
        pub async fn #download_stream(self) -> __rt::Result<__rt::media::MediaStream> {
            self.#media_download().stream().await
        }
    })
}

/// `upload` (simple or multipart, streamed), and `upload_resumable` when
/// the document lists the resumable protocol.
fn upload_methods(api: &Api, m: &Method, u: &crate::ir::MediaUpload, model: &Types<'_>) -> Option<TokenStream> {
    let names = &m.members;
    let upload_fn = ident(names.upload.as_ref()?);
    let upload_path = ident(names.upload_path.as_ref()?);
    let client_field = ident(&names.client);
    let builder_fn = ident(&names.request_builder);
    let q = fallible(m);
    let upload_type = u.kind.upload_type();
    let attach = match (&m.request, u.kind) {
        (Some(b), crate::ir::UploadKind::Multipart) => {
            let f = ident(&b.arg_name);
            // The metadata part is a JSON body too; the media part is not.
            let metadata =
                if api.data_wrapper { quote!(&__rt::request::data_wrapped(&self.#f)?) } else { quote!(&self.#f) };
            quote!(__rt::media::multipart_upload(request, #metadata, media, content_type).await?)
        }
        _ => quote!(__rt::media::simple_upload(request, media, content_type).await?),
    };
    let mut notes = vec![format!("Upload path: `{}`.", u.path_template.replace('`', "'"))];
    if !u.accept.is_empty() {
        notes.push(format!(
            "Accepted media types: {}.",
            u.accept.iter().map(|a| format!("`{}`", a.replace('`', "'"))).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(max) = &u.max_size {
        notes.push(format!("Largest accepted upload: {}.", max.replace('`', "'")));
    }
    let doc = docs::attrs(&Docs {
        description: Some(format!(
            "Sends the request as a {upload_type} upload with `media` (bytes, a file or a stream; see `Body`) as the content, of type `content_type`."
        )),
        notes,
    });
    let (ret, exec) = match &m.response {
        Some(ty) => {
            let t = rust(ty, model);
            (t, quote!(self.#client_field.execute_json(request, Self::SCOPES).await))
        }
        None => (quote!(()), quote!(self.#client_field.execute_empty(request, Self::SCOPES).await)),
    };
    let resumable = u.resumable.then(|| resumable_method(m, u, &ret)).flatten();
    Some(quote! {
        #doc
        #[inline]
        pub async fn #upload_fn(self, media: impl __rt::Into<__rt::Body>, content_type: &str) -> __rt::Result<#ret> {
            let path = self.#upload_path()?;
            let mut request = self.#builder_fn(&path) #q;
            request.set_query("uploadType", #upload_type);
            let request = #attach;
            #exec
        }
        #resumable
    })
}

fn resumable_method(m: &Method, u: &crate::ir::MediaUpload, ret: &TokenStream) -> Option<TokenStream> {
    let names = &m.members;
    let upload_resumable = ident(names.upload_resumable.as_ref()?);
    let upload_path = ident(names.upload_path.as_ref()?);
    let client_field = ident(&names.client);
    let builder_fn = ident(&names.request_builder);
    let q = fallible(m);
    let metadata = m.request.as_ref().map(|b| {
        let f = ident(&b.arg_name);
        quote!(request.json_body(&self.#f)?;)
    });
    let new = if m.response.is_some() { quote!(new) } else { quote!(new_empty) };
    let doc = docs::attrs(&Docs {
        description: Some(
            "Uploads `media` (bytes, a file or a stream; see `Body`) of type `content_type` with the resumable protocol: in chunks, carrying on after failures. Await the result for the finished resource; set chunk size, progress and session options on it first.".to_string(),
        ),
        notes: vec![format!(
            "The session starts at the upload path, `{}`, with `uploadType=resumable`.",
            u.path_template.replace('`', "'")
        )],
    });
    Some(quote! {
        #doc
        pub fn #upload_resumable(
            self,
            media: impl __rt::Into<__rt::Body>,
            content_type: &str,
        ) -> __rt::media::ResumableUpload<#ret> {
            let start = (|| {
                let path = self.#upload_path()?;
                let mut request = self.#builder_fn(&path) #q;
                request.set_query("uploadType", "resumable");
                #metadata
                request.build()
            })();
            __rt::media::ResumableUpload::#new(self.#client_field, start, Self::SCOPES, media.into(), content_type)
        }
    })
}

/// `pages()` for methods that page, and `items()` when the page has one
/// list of items. Where the page has several, the doc of `pages()` says why
/// there is no `items()`.
fn paging_methods(m: &Method, model: &Types<'_>) -> Option<TokenStream> {
    let paging = m.paging.as_ref()?;
    let pages_fn = ident(m.members.pages.as_ref()?);
    let send_fn = ident(&m.members.send);
    let t = rust(m.response.as_ref()?, model);
    let next = paging.next_token_json.replace('`', "'");
    let (set_token, carried) = match &paging.token {
        PageToken::Query { field, json_name, required } => {
            let f = ident(field);
            let set = if *required {
                quote!(if let __rt::Some(token) = token { call.#f = token; })
            } else {
                quote!(if token.is_some() { call.#f = token; })
            };
            (set, format!("the `{}` query parameter", json_name.replace('`', "'")))
        }
        PageToken::Body { request, field, json_name } => {
            let (r, f) = (ident(request), ident(field));
            (
                quote!(if token.is_some() { call.#r.#f = token; }),
                format!("`{}` in the request body", json_name.replace('`', "'")),
            )
        }
    };
    let mut doc = Docs {
        description: Some(format!(
            "Every page of the result, following `{next}`. The first request is\n\
             this call as built; later ones only change {carried}."
        )),
        notes: Vec::new(),
    };
    if !paging.lists.is_empty() {
        let lists: Vec<String> = paging.lists.iter().map(|l| format!("`{}`", l.replace('`', "'"))).collect();
        doc.notes.push(format!(
            "There is no `items()`: the page has several lists ({}),\n\
             and the document does not say which one holds the results. Google's\n\
             discovery clients page whole responses too; take the lists from each page.",
            lists.join(", ")
        ));
    }
    let doc = docs::attrs(&doc);
    let items = m.members.items.as_ref().filter(|_| paging.item.is_some()).map(|name| {
        let items_fn = ident(name);
        let items_doc = docs::plain(&format!("Every item of every page, following `{next}`."));
        quote! {
            #items_doc
            #[inline]
            pub fn #items_fn(self) -> __rt::paging::Items<#t> {
                self.#pages_fn().items()
            }
        }
    });
    Some(quote! {
        #doc
        #[inline]
        pub fn #pages_fn(self) -> __rt::paging::Pages<#t> {
            __rt::paging::Pages::new(move |token| {
                let mut call = __rt::Clone::clone(&self);
                #set_token
                __rt::Box::pin(call.#send_fn())
            })
        }
        #items
    })
}

/// `send` hands its built request to the runtime's `send_json` or
/// `send_empty` rather than being an `async fn`: see the runtime's
/// `client::send` for the build time that saves.
fn send(m: &Method, model: &Types<'_>) -> TokenStream {
    let send_fn = ident(&m.members.send);
    let build_fn = ident(&m.members.build_request);
    let client_field = ident(&m.members.client);
    let (doc, output, sender) = match &m.response {
        Some(ty) => ("Sends the request and decodes the response.", rust(ty, model), quote!(send_json)),
        None => ("Sends the request; the method returns no body.", quote!(()), quote!(send_empty)),
    };
    let doc = super::docs::plain(doc);
    quote! {
        #doc
        #[inline]
        pub fn #send_fn(self) -> impl __rt::Future<Output = __rt::Result<#output>> + __rt::Send + 'static {
            let request = self.#build_fn();
            __rt::#sender(self.#client_field, request, Self::SCOPES)
        }
    }
}

/// `wait` on a call that returns an operation without being its `get`
/// (Compute's `instances.insert`): it sends the call, then waits through
/// the `Client`'s router, by the operation's name or by its fields.
fn wait_after_send(api: &Api, m: &Method, model: &Types<'_>) -> Option<TokenStream> {
    let wait_fn = ident(m.members.wait.as_ref()?);
    let response = m.response.as_ref()?;
    // Resolve leaves `wait` only on calls whose operation a router fetches.
    let gate = match &api.operation_router {
        Some(_) => super::cfg::operation_helpers(api),
        None => TokenStream::new(),
    };
    let op = rust(response, model);
    let send_fn = ident(&m.members.send);
    let client_field = ident(&m.members.client);
    let wait_operation = ident(&api.client_members.wait_operation);
    Some(quote! {
        /// Sends the call, then polls the operation it returns until it is
        /// done, with backoff as `policy` says.
        #gate
        pub async fn #wait_fn(self, policy: __rt::lro::PollPolicy) -> __rt::Result<#op> {
            let client = <super::Client as __rt::Service>::from_client(__rt::Clone::clone(&self.#client_field));
            let operation = self.#send_fn().await?;
            client.#wait_operation(operation, policy).await
        }
    })
}

fn poll_methods(m: &Method, model: &Types<'_>) -> Option<TokenStream> {
    let poller_fn = ident(m.members.poller.as_ref()?);
    let wait_fn = ident(m.members.wait.as_ref()?);
    let build_fn = ident(&m.members.build_request);
    let client_field = ident(&m.members.client);
    let op = rust(m.response.as_ref()?, model);
    Some(quote! {
        /// A poller that repeats this request until the operation is done.
        #[inline]
        pub fn #poller_fn(self) -> __rt::lro::Poller<#op> {
            let client = __rt::Clone::clone(&self.#client_field);
            __rt::lro::Poller::new(client, Self::SCOPES, move || self.#build_fn())
        }
        /// Polls until the operation is done, with backoff as `policy` says.
        #[inline]
        pub async fn #wait_fn(self, policy: __rt::lro::PollPolicy) -> __rt::Result<#op> {
            self.#poller_fn().policy(policy).wait().await
        }
    })
}
