//! Resources and methods → call builders.

use super::schemas::docs;
use super::Resolver;
use crate::discovery::{Method as DMethod, Resource as DResource, Schema};
use crate::error::Error;
use crate::ir::{Docs, Location, Method, Param, PathPart, RequestBody, Resource, Ty};
use crate::names::{bare, sanitize, Case, Namer};
use crate::path_template;
use std::collections::HashSet;

/// Names the generated `Client` already uses for itself.
const CLIENT_RESERVED: &[&str] =
    &["builder", "runtime", "clone", "fmt", "from_runtime", "get_operation", "operation_poller", "wait_operation"];
/// Names every call builder uses for its own fields and methods.
const CALL_RESERVED: &[&str] = &[
    "client",
    "params",
    "build_request",
    "send",
    "wait",
    "poller",
    "download",
    "new",
    "clone",
    "fmt",
    "standard_params_mut",
    "retry_policy",
    "idempotent",
];

impl Resolver<'_> {
    pub(super) fn standard_params(&mut self) -> Result<Vec<Param>, Error> {
        let doc = self.doc;
        let mut namer = Namer::new();
        namer.reserve(&["standard_params_mut", "call_options", "retry_policy", "idempotent", "apply"]);
        doc.parameters
            .iter()
            .map(|(json, p)| {
                let path = format!("parameters.{json}");
                let ty = self.param_ty(p, &sanitize(json, Case::Pascal), &path)?;
                Ok(Param {
                    json_name: json.clone(),
                    rust_name: namer.claim(json, Case::Snake),
                    location: Location::Query,
                    ty,
                    repeated: p.repeated == Some(true),
                    pattern: None,
                    doc: docs(p),
                })
            })
            .collect()
    }

    pub(super) fn resolve_resources(&mut self) -> Result<Resource, Error> {
        let doc = self.doc;
        let mut seen_ids = HashSet::new();
        let mut fns = Namer::new();
        fns.reserve(CLIENT_RESERVED);
        let methods = self.methods(&doc.methods, "", "methods", &mut fns, &mut seen_ids)?;
        let children = self.children(&doc.resources, "", "resources", &mut fns, &mut seen_ids)?;
        Ok(Resource { type_name: String::new(), accessor: String::new(), json_name: String::new(), methods, children })
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
            out.push(Resource { type_name, accessor, json_name: key.clone(), methods, children });
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
        if !seen_ids.insert(id.clone()) {
            return Err(Error::at(format!("{path}.id"), format!("the method id `{id}` is used twice")));
        }
        let http_method = m.http_method.clone().ok_or_else(|| Error::at(path, "the method has no `httpMethod`"))?;
        if http_method.is_empty() || !http_method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::at(format!("{path}.httpMethod"), format!("`{http_method}` is not an HTTP method")));
        }
        let template = m.path.clone().ok_or_else(|| Error::at(path, "the method has no `path`"))?;
        let parts = path_template::parse(&template).map_err(|e| Error::at(format!("{path}.path"), e))?;
        let in_path: HashSet<&str> = parts
            .iter()
            .filter_map(|p| match p {
                PathPart::Var { param, .. } => Some(param.as_str()),
                PathPart::Literal(_) => None,
            })
            .collect();
        for var in &in_path {
            if !m.parameters.contains_key(*var) {
                return Err(Error::at(format!("{path}.path"), format!("the placeholder `{{{var}}}` has no parameter")));
            }
        }
        for name in &m.parameter_order {
            if !m.parameters.contains_key(name) {
                return Err(Error::at(
                    format!("{path}.parameterOrder"),
                    format!("`parameterOrder` names `{name}`, which is not a parameter of the method"),
                ));
            }
        }

        let mut namer = Namer::new();
        namer.reserve(CALL_RESERVED);
        for p in &self.doc.parameters {
            namer.reserve(&[bare(&sanitize(p.0, Case::Snake))]);
        }
        let mut params = Vec::new();
        for (json, p) in &m.parameters {
            let param_path = format!("{path}.parameters.{json}");
            if json.is_empty() {
                return Err(Error::at(param_path, "a parameter name is empty"));
            }
            let location = match p.location.as_deref() {
                Some("path") if in_path.contains(json.as_str()) => Location::Path,
                Some("path") => {
                    self.warn(&param_path, "a path parameter that the path template does not use; skipped".into());
                    continue;
                }
                Some("query") | None => Location::Query,
                Some(other) => {
                    self.warn(&param_path, format!("parameters in `{other}` are not supported; skipped"));
                    continue;
                }
            };
            let enum_name = format!("{stem}{}", bare(&sanitize(json, Case::Pascal)));
            let ty = self.param_ty(p, &enum_name, &param_path)?;
            let pattern = p.pattern.clone().filter(|pat| self.pattern_is_checkable(pat, &param_path));
            params.push(Param {
                json_name: json.clone(),
                rust_name: namer.claim(json, Case::Snake),
                location,
                ty,
                repeated: p.repeated == Some(true) && location == Location::Query,
                pattern,
                doc: docs(p),
            });
        }
        let is_required = |p: &Param, s: &Schema| p.location == Location::Path || s.required == Some(true);
        let mut required = Vec::new();
        for name in &m.parameter_order {
            if let Some(i) = params.iter().position(|p| &p.json_name == name) {
                required.push(params.remove(i));
            }
        }
        let (more_required, optional): (Vec<Param>, Vec<Param>) =
            params.into_iter().partition(|p| is_required(p, &m.parameters[&p.json_name]));
        required.extend(more_required);

        // Bodies are nearly always a `$ref`; an inline schema (a map, say)
        // gets a type named after the method.
        let request = match &m.request {
            Some(body) => {
                let ty = self.ty_of(body, &format!("{stem}Request"), &format!("{path}.request"))?;
                let arg_name = namer.claim(body.parameter_name.as_deref().unwrap_or("request"), Case::Snake);
                Some(RequestBody { arg_name, ty })
            }
            None => None,
        };
        let response = match &m.response {
            Some(body) => Some(self.ty_of(body, &format!("{stem}Response"), &format!("{path}.response"))?),
            None => None,
        };
        let page_token =
            optional.iter().find(|p| p.json_name == "pageToken" && p.ty == Ty::String).map(|p| p.rust_name.clone());
        let media_upload = self.media_upload(m, &required, path);
        let mut doc = Docs { description: m.description.clone(), notes: Vec::new() };
        if m.deprecated == Some(true) {
            doc.notes.push("Deprecated.".into());
        }
        Ok(Method {
            id,
            fn_name,
            call_type,
            http_method,
            path_template: template,
            path: parts,
            flat_path: m.flat_path.clone(),
            doc,
            required,
            optional,
            request,
            response,
            scopes: m.scopes.clone(),
            media_download: m.supports_media_download == Some(true),
            media_upload,
            page_token,
            polls_operation: is_operations_get,
        })
    }

    /// The simple-upload path, when the method takes media and every
    /// placeholder of that path is one of the method's path parameters.
    fn media_upload(&mut self, m: &DMethod, required: &[Param], path: &str) -> Option<crate::ir::MediaUpload> {
        if m.supports_media_upload != Some(true) {
            return None;
        }
        let upload = m.media_upload.as_ref()?;
        let template = upload.protocols.as_ref()?.simple.as_ref()?.path.clone()?;
        let parts = match path_template::parse(&template) {
            Ok(parts) => parts,
            Err(e) => {
                self.warn(&format!("{path}.mediaUpload"), format!("{e}; upload not generated"));
                return None;
            }
        };
        let known = parts.iter().all(|p| match p {
            PathPart::Var { param, .. } => {
                required.iter().any(|r| &r.json_name == param && r.location == Location::Path)
            }
            PathPart::Literal(_) => true,
        });
        if !known {
            self.warn(
                &format!("{path}.mediaUpload"),
                "the upload path uses unknown parameters; upload not generated".into(),
            );
            return None;
        }
        Some(crate::ir::MediaUpload {
            path_template: template,
            path: parts,
            accept: upload.accept.clone(),
            max_size: upload.max_size.clone(),
        })
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
            Ty::Named(ref n) if !self.is_enum_type(n) => {
                self.warn(path, "a parameter that refers to an object; sent as a string".into());
                Ty::String
            }
            other => other,
        })
    }

    fn is_enum_type(&self, name: &str) -> bool {
        self.enum_names.contains(name)
    }
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
