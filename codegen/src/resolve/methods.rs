//! Resources and methods → call builders.

use super::members::{self, CallFeatures};
use super::paging;
use super::request_id;
use super::schemas::docs;
use super::Resolver;
use crate::discovery::{Method as DMethod, Resource as DResource, Schema};
use crate::error::Error;
use crate::ir::{
    ArgKind, ClientMembers, Docs, Expansion, HttpMethod, Location, Method, Param, PathPart, RequestBody, Resource, Ty,
    UploadKind,
};
use crate::names::{bare, sanitize, Case, Namer};
use crate::path_template::{self, PathPart as TemplatePart};
use std::collections::HashSet;

/// The query parameters the runtime's `StandardParams` sends, by wire name,
/// with their discovery type.
const RUNTIME_STANDARD_PARAMS: &[(&str, &str)] = &[
    ("$.xgafv", "string"),
    ("access_token", "string"),
    ("alt", "string"),
    ("callback", "string"),
    ("fields", "string"),
    ("key", "string"),
    ("oauth_token", "string"),
    ("prettyPrint", "boolean"),
    ("quotaUser", "string"),
    ("uploadType", "string"),
    ("upload_protocol", "string"),
    ("userIp", "string"),
];

impl Resolver<'_> {
    /// The runtime's `StandardParams` sends the standard parameters of
    /// every API. A document that lists one it does not name still
    /// generates; the warning says how to send it.
    pub(super) fn check_standard_params(&mut self) {
        let doc = self.doc;
        for (json, p) in &doc.parameters {
            let path = format!("parameters.{json}");
            match RUNTIME_STANDARD_PARAMS.iter().find(|(name, _)| name == json) {
                None => self.warn(
                    &path,
                    format!(
                        "`{json}` is not one of the standard parameters the runtime names; \
                         call builders send it with `.query_param(\"{json}\", value)`"
                    ),
                ),
                Some((_, ty)) if p.type_.as_deref().is_some_and(|t| t != *ty) => self.warn(
                    &path,
                    format!(
                        "the runtime sends `{json}` as a {ty}, not as the {} the document says",
                        p.type_.as_deref().unwrap_or_default()
                    ),
                ),
                Some(_) => {}
            }
        }
    }

    /// The resource tree, and the names of the `Client`'s own members, which
    /// share a scope with the top-level methods and resource accessors.
    pub(super) fn resolve_resources(&mut self) -> Result<(Resource, ClientMembers), Error> {
        let doc = self.doc;
        let mut seen_ids = HashSet::new();
        let mut fns = Namer::new();
        let client_members = members::claim_client(&mut fns);
        let methods = self.methods(&doc.methods, "", "methods", &mut fns, &mut seen_ids)?;
        let children = self.children(&doc.resources, "", "resources", &mut fns, &mut seen_ids)?;
        let root = Resource {
            type_name: String::new(),
            accessor: String::new(),
            json_name: String::new(),
            methods,
            children,
            feature: None,
        };
        Ok((root, client_members))
    }

    fn children(
        &mut self,
        resources: &indexmap::IndexMap<String, DResource>,
        prefix: &str,
        path: &str,
        fns: &mut Namer,
        seen_ids: &mut HashSet<String>,
    ) -> Result<Vec<Resource>, Error> {
        let mut out = Vec::with_capacity(resources.len());
        for (key, res) in resources {
            let res_path = format!("{path}.{key}");
            if key.trim().is_empty() {
                return Err(Error::at(res_path, "a resource name is empty or only whitespace"));
            }
            let accessor = claim_accessor(fns, key);
            let pascal = format!("{prefix}{}", bare(&sanitize(key, Case::Pascal)));
            let type_name = self.resource_namer.claim(&format!("{pascal}Resource"), Case::Pascal);
            let mut child_fns = Namer::new();
            let methods =
                self.methods(&res.methods, &pascal, &format!("{res_path}.methods"), &mut child_fns, seen_ids)?;
            let children =
                self.children(&res.resources, &pascal, &format!("{res_path}.resources"), &mut child_fns, seen_ids)?;
            // An accessor to nothing would only hold an unread client.
            if methods.is_empty() && children.is_empty() {
                self.warn(&res_path, "a resource with no methods; left out".into());
                continue;
            }
            out.push(Resource { type_name, accessor, json_name: key.clone(), methods, children, feature: None });
        }
        Ok(out)
    }

    fn methods(
        &mut self,
        methods: &indexmap::IndexMap<String, DMethod>,
        prefix: &str,
        path: &str,
        fns: &mut Namer,
        seen_ids: &mut HashSet<String>,
    ) -> Result<Vec<Method>, Error> {
        let mut out = Vec::with_capacity(methods.len());
        for (key, m) in methods {
            let method_path = format!("{path}.{key}");
            if key.trim().is_empty() {
                return Err(Error::at(method_path, "a method name is empty or only whitespace"));
            }
            let fn_name = fns.claim(key, Case::Snake);
            let stem = format!("{prefix}{}", bare(&sanitize(key, Case::Pascal)));
            let call_type = self.resource_namer.claim(&format!("{stem}Call"), Case::Pascal);
            let is_operations_get = key == "get" && prefix.ends_with("Operations");
            out.push(self.method(key, m, fn_name, call_type, &stem, &method_path, seen_ids, is_operations_get)?);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn method(
        &mut self,
        key: &str,
        m: &DMethod,
        fn_name: String,
        call_type: String,
        stem: &str,
        path: &str,
        seen_ids: &mut HashSet<String>,
        is_operations_get: bool,
    ) -> Result<Method, Error> {
        let id = m.id.clone().unwrap_or_else(|| key.to_string());
        // Python's client takes such documents (its own test `zoo.json` has
        // one): each method has a builder of its own anyway, and only
        // `--only` goes by id, where the id then names both.
        if !seen_ids.insert(id.clone()) {
            self.warn(&format!("{path}.id"), format!("the method id `{id}` is used by an earlier method too"));
        }
        let http_method = m.http_method.clone().ok_or_else(|| Error::at(path, "the method has no `httpMethod`"))?;
        if http_method.is_empty() || !http_method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::at(format!("{path}.httpMethod"), format!("`{http_method}` is not an HTTP method")));
        }
        // Older documents name the path `restPath`; Google's older
        // generators read it when `path` is missing.
        let template = match (&m.path, &m.rest_path) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => {
                self.warn(&format!("{path}.restPath"), "the method has no `path`; its `restPath` is used".into());
                p.clone()
            }
            (None, None) => return Err(Error::at(path, "the method has neither `path` nor `restPath`")),
        };
        let parts = path_template::parse(&template).map_err(|e| Error::at(format!("{path}.path"), e))?;
        let mut in_path: Vec<(&str, bool)> = Vec::new();
        for part in &parts {
            if let TemplatePart::Var { param, reserved } = part {
                if !in_path.iter().any(|(p, _)| p == param) {
                    in_path.push((param.as_str(), *reserved));
                }
            }
        }
        for (i, name) in m.parameter_order.iter().enumerate() {
            if !m.parameters.contains_key(name) && !in_path.iter().any(|(p, _)| p == name) {
                self.warn(
                    &format!("{path}.parameterOrder[{i}]"),
                    format!("`{name}` is not a parameter of the method; left out of the order"),
                );
            }
        }

        // Parameters get their types now and their names once the builder's
        // own members are known.
        let mut params = Vec::new();
        let mut required_json = HashSet::new();
        for (json, p) in &m.parameters {
            let param_path = format!("{path}.parameters.{json}");
            if json.is_empty() {
                return Err(Error::at(param_path, "a parameter name is empty"));
            }
            let placeholder = in_path.iter().any(|(v, _)| v == json);
            let location = if placeholder {
                if p.location.as_deref() != Some("path") {
                    self.warn(&param_path, "the path template uses this parameter; sent in the path".into());
                }
                Location::Path
            } else {
                match p.location.as_deref() {
                    Some("path") => {
                        self.warn(&param_path, "a path parameter that the path template does not use; skipped".into());
                        continue;
                    }
                    Some("query") | None => Location::Query,
                    Some(other) => {
                        self.warn(&param_path, format!("parameters in `{other}` are not supported; skipped"));
                        continue;
                    }
                }
            };
            let enum_name = format!("{stem}{}", bare(&sanitize(json, Case::Pascal)));
            let ty = self.param_ty(p, &enum_name, &param_path)?;
            let pattern = p.pattern.clone().filter(|pat| self.pattern_is_checkable(pat, &param_path));
            if location == Location::Path || is_required(p) {
                required_json.insert(json.clone());
            }
            let repeated = p.repeated == Some(true) && location == Location::Query;
            params.push(Param {
                json_name: json.clone(),
                rust_name: String::new(),
                location,
                arg: ArgKind::of(&ty, repeated),
                ty,
                repeated,
                pattern,
                doc: docs(p),
            });
        }
        // Public generators accept a placeholder nobody declared: it becomes
        // a required string in the path.
        for (var, _) in &in_path {
            if !m.parameters.contains_key(*var) {
                self.warn(
                    &format!("{path}.path"),
                    format!("the placeholder `{{{var}}}` is not a declared parameter; taken as a required string"),
                );
                required_json.insert(var.to_string());
                params.push(Param {
                    json_name: var.to_string(),
                    rust_name: String::new(),
                    location: Location::Path,
                    ty: Ty::String,
                    repeated: false,
                    arg: ArgKind::IntoString,
                    pattern: None,
                    doc: Docs::default(),
                });
            }
        }

        // Bodies are nearly always a `$ref`; an inline schema (a map, say)
        // gets a type named after the method.
        let request_ty = match &m.request {
            Some(body) => Some(self.ty_of(body, &format!("{stem}Request"), &format!("{path}.request"))?),
            None => None,
        };
        let response = match &m.response {
            Some(body) => Some(self.ty_of(body, &format!("{stem}Response"), &format!("{path}.response"))?),
            None => None,
        };

        // What the builder offers, decided before any name is given out.
        let path_params: Vec<&str> =
            params.iter().filter(|p| p.location == Location::Path).map(|p| p.json_name.as_str()).collect();
        let media_upload = self.media_upload(m, &path_params, request_ty.is_some(), path);
        let page = match &response {
            Some(Ty::Named(n)) => self.pages.get(n).cloned(),
            _ => None,
        };
        let body_page = match &request_ty {
            Some(Ty::Named(n)) => self.pages.get(n),
            _ => None,
        };
        let page_token = page.as_ref().and_then(|_| paging::token_source(&params, &required_json, body_page));
        let returns_pollable = matches!(&response, Some(Ty::Named(n)) if self.pollable_operations.contains(n));
        let features = CallFeatures {
            download: m.supports_media_download == Some(true),
            upload: media_upload.is_some(),
            resumable: media_upload.as_ref().is_some_and(|(u, _)| u.resumable),
            polls: is_operations_get && returns_pollable,
            waits: returns_pollable && !is_operations_get,
            pages: page_token.is_some(),
            items: page_token.is_some() && page.as_ref().is_some_and(|p| p.items.is_some()),
        };

        let mut namer = Namer::new();
        let (members, request) = members::claim_call(&mut namer, features, |namer| {
            for p in &mut params {
                p.rust_name = namer.claim(&p.json_name, Case::Snake);
            }
            match (request_ty, &m.request) {
                (Some(ty), Some(body)) => {
                    let arg_name = namer.claim(body.parameter_name.as_deref().unwrap_or("request"), Case::Snake);
                    Some(RequestBody { arg_name, ty })
                }
                _ => None,
            }
        });
        let paging = match (page_token, page) {
            (Some(source), Some(page)) => paging::paging(source, &params, request.as_ref(), page, features.items),
            _ => None,
        };
        if let (Some(_), Some(Ty::Named(n))) = (&paging, &response) {
            self.paged_responses.insert(*n);
        }
        let request_id =
            params.iter_mut().find(|p| request_id::qualifies(p, m.parameters.get(&p.json_name))).map(|p| {
                let required = required_json.contains(&p.json_name);
                p.doc.notes.push(if required { request_id::NOTE_REQUIRED } else { request_id::NOTE }.into());
                p.rust_name.clone()
            });

        let mut required = Vec::new();
        for name in &m.parameter_order {
            if let Some(i) = params.iter().position(|p| &p.json_name == name) {
                required.push(params.remove(i));
            }
        }
        let (more_required, optional): (Vec<Param>, Vec<Param>) =
            params.into_iter().partition(|p| required_json.contains(&p.json_name));
        required.extend(more_required);

        let mut doc = Docs { description: m.description.clone(), notes: Vec::new() };
        if m.deprecated == Some(true) {
            doc.notes.push("Deprecated.".into());
        }
        let api_version = m.api_version.as_ref().and_then(|v| {
            // What `http::HeaderValue` takes, checked here so that a bad
            // value costs the header, never a failed call.
            if !v.is_empty() && v.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b)) {
                return Some(v.clone());
            }
            let why = if v.is_empty() {
                "it is empty".to_string()
            } else {
                format!("`{}` cannot be sent as a header value", v.escape_debug())
            };
            self.warn(&format!("{path}.apiVersion"), format!("{why}; `X-Goog-Api-Version` is not sent"));
            None
        });
        let http_method = HttpMethod::new(&http_method);
        let fallible_builder = matches!(http_method, HttpMethod::Other(_));
        let fully = self.doc.fully_encode_reserved_expansion.unwrap_or(false);
        let lowered = lower_path(&parts, &required, fully).map_err(|var| {
            Error::at(format!("{path}.path"), format!("the placeholder `{{{var}}}` names no path parameter"))
        })?;
        // `upload_path` kept only uploads whose placeholders are all path
        // parameters, so this finds each one.
        let media_upload = match media_upload {
            Some((upload, parts)) => {
                let path = lower_path(&parts, &required, fully).map_err(|var| {
                    Error::at(
                        format!("{path}.mediaUpload"),
                        format!("the placeholder `{{{var}}}` names no path parameter"),
                    )
                })?;
                Some(crate::ir::MediaUpload { path, ..upload })
            }
            None => None,
        };
        Ok(Method {
            id,
            feature: None,
            fn_name,
            call_type,
            http_method,
            path_template: template,
            path: lowered,
            doc,
            required,
            optional,
            request,
            response,
            scopes: m.scopes.clone(),
            api_version,
            media_upload,
            paging,
            polls_operation: features.polls,
            request_id,
            fallible_builder,
            members,
        })
    }

    /// The simple-upload path, when the method takes media and every
    /// placeholder of that path is one of the method's path parameters.
    fn media_upload(
        &mut self,
        m: &DMethod,
        path_params: &[&str],
        has_body: bool,
        path: &str,
    ) -> Option<(crate::ir::MediaUpload, Vec<TemplatePart>)> {
        if m.supports_media_upload != Some(true) {
            return None;
        }
        let upload = m.media_upload.as_ref()?;
        let protocols = upload.protocols.as_ref()?;
        let simple = self.upload_path(protocols.simple.as_ref()?.path.clone()?, path_params, path, "upload")?;
        // Google's clients start a session at the simple path with
        // `uploadType=resumable` (Go's generator and Python's discovery.py
        // alike), never at `protocols.resumable.path`, which servers other
        // than Google's own (fake-gcs-server) do not serve.
        let resumable = protocols.resumable.is_some();
        // The path is lowered once the required parameters are in order.
        let draft = crate::ir::MediaUpload {
            kind: if has_body { UploadKind::Multipart } else { UploadKind::Media },
            path_template: simple.template,
            path: Vec::new(),
            accept: upload.accept.clone(),
            max_size: upload.max_size.clone(),
            resumable,
        };
        Some((draft, simple.parts))
    }

    /// An upload protocol's path, when every placeholder in it is one of the
    /// method's path parameters.
    fn upload_path(&mut self, template: String, path_params: &[&str], path: &str, what: &str) -> Option<UploadPath> {
        let parts = match path_template::parse(&template) {
            Ok(parts) => parts,
            Err(e) => {
                self.warn(&format!("{path}.mediaUpload"), format!("{e}; {what} not generated"));
                return None;
            }
        };
        let known = parts.iter().all(|p| match p {
            TemplatePart::Var { param, .. } => path_params.contains(&param.as_str()),
            TemplatePart::Literal(_) => true,
        });
        if !known {
            self.warn(
                &format!("{path}.mediaUpload"),
                format!("the {what} path uses unknown parameters; {what} not generated"),
            );
            return None;
        }
        Some(UploadPath { template, parts })
    }

    /// Whether the runtime can compile `pattern`. Documents repeat the same
    /// few patterns on thousands of parameters, so each is compiled once; a
    /// pattern that fails warns (through `warn`, like every warning) at each
    /// place it appears.
    fn pattern_is_checkable(&mut self, pattern: &str, param_path: &str) -> bool {
        if self.checkable_patterns.contains(pattern) {
            return true;
        }
        match regex_lite::Regex::new(pattern) {
            Ok(_) => {
                self.checkable_patterns.insert(pattern.to_string());
                true
            }
            Err(e) => {
                self.warn(
                    &format!("{param_path}.pattern"),
                    format!("cannot be checked at run time ({e}); not enforced"),
                );
                false
            }
        }
    }

    /// Parameters are scalars: objects and arrays are not allowed in a query
    /// string, so anything else falls back to a string with a warning.
    fn param_ty(&mut self, p: &Schema, enum_name: &str, path: &str) -> Result<Ty, Error> {
        let ty = self.ty_of(p, enum_name, path)?;
        Ok(match ty {
            Ty::Vec(_) | Ty::Map(_) | Ty::Any | Ty::Boxed(_) => {
                self.warn(path, "a parameter that is not a scalar; sent as a string".into());
                Ty::String
            }
            Ty::Named(id) if !self.enum_names.contains(&id) => {
                self.warn(path, "a parameter that refers to an object; sent as a string".into());
                Ty::String
            }
            other => other,
        })
    }
}

/// Path parameters are always required; others when the document says so.
fn is_required(p: &Schema) -> bool {
    p.required == Some(true)
}

/// A sub-resource accessor keeps its name unless a method took it; then it
/// becomes `name_resource`, which reads better than a number.
fn claim_accessor(fns: &mut Namer, key: &str) -> String {
    let ident = sanitize(key, Case::Snake);
    if fns.is_free(&ident) {
        return fns.claim_ident(ident);
    }
    fns.claim_ident(format!("{}_resource", bare(&ident)))
}

/// An upload protocol's path as written.
struct UploadPath {
    template: String,
    parts: Vec<TemplatePart>,
}

/// A template's parts with each placeholder pointing at its parameter in
/// `required`, and its expansion decided: `{+x}` keeps reserved characters,
/// or only `/` when the document asks for full encoding. The name of a
/// placeholder with no such parameter is the error.
fn lower_path(parts: &[TemplatePart], required: &[Param], fully_encode: bool) -> Result<Vec<PathPart>, String> {
    parts
        .iter()
        .map(|part| match part {
            TemplatePart::Literal(text) => Ok(PathPart::Literal(text.clone())),
            TemplatePart::Var { param, reserved } => {
                let index = required
                    .iter()
                    .position(|p| &p.json_name == param && p.location == Location::Path)
                    .ok_or_else(|| param.clone())?;
                let expansion = match (*reserved, fully_encode) {
                    (false, _) => Expansion::Simple,
                    (true, true) => Expansion::KeepSlash,
                    (true, false) => Expansion::KeepReserved,
                };
                Ok(PathPart::Var { param: index, expansion })
            }
        })
        .collect()
}
