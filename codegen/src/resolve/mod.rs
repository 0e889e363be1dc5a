//! Discovery model → IR. Every decision about names and types happens here.

mod cycles;
mod methods;
mod prune;
mod schemas;

pub use schemas::{EXTRA_FIELD, UNKNOWN_VARIANT};

use crate::discovery::RestDescription;
use crate::error::Error;
use crate::ir::{Api, Endpoint, Scope, TypeDef};
use crate::names::{bare, sanitize, Case, Namer};
use std::collections::HashMap;

/// Options that change what is resolved.
#[derive(Debug, Default, Clone)]
pub struct ResolveOptions {
    /// Rust module name; derived from `name` and `version` when absent.
    pub module_name: Option<String>,
    /// Keep only these method ids and the schemas they reach.
    pub only: Option<Vec<String>>,
}

/// State shared while one document is resolved.
pub(crate) struct Resolver<'a> {
    pub doc: &'a RestDescription,
    /// Identifiers of the model module.
    pub type_namer: Namer,
    /// Identifiers of the resources module.
    pub resource_namer: Namer,
    /// Schema key → Rust identifier.
    pub schema_names: HashMap<String, String>,
    /// Output slots, in document order; inline types follow their parent.
    pub types: Vec<Option<TypeDef>>,
    pub warnings: Vec<String>,
    /// Identifiers of the generated enums, to tell them from structs.
    pub enum_names: std::collections::HashSet<String>,
    /// Path patterns already known to compile with regex-lite.
    pub checkable_patterns: std::collections::HashSet<String>,
    /// Variants (value, description, notes) → the enum emitted for them.
    pub shared_enums: HashMap<schemas::EnumKey, String>,
    /// Enums that at least one alias shares.
    pub shared_enum_users: std::collections::HashSet<String>,
}

pub fn resolve(doc: &RestDescription, options: &ResolveOptions) -> Result<(Api, Vec<String>), Error> {
    let mut r = Resolver {
        doc,
        type_namer: Namer::new(),
        resource_namer: Namer::new(),
        schema_names: HashMap::new(),
        types: Vec::new(),
        warnings: Vec::new(),
        enum_names: Default::default(),
        checkable_patterns: Default::default(),
        shared_enums: HashMap::new(),
        shared_enum_users: Default::default(),
    };
    let name = doc.name.clone().ok_or_else(|| Error::at("name", "the document has no `name`"))?;
    let version = doc.version.clone().ok_or_else(|| Error::at("version", "the document has no `version`"))?;
    let module_name = match &options.module_name {
        Some(m) => m.clone(),
        None => {
            let joined = format!("{}_{}", bare(&sanitize(&name, Case::Snake)), bare(&sanitize(&version, Case::Snake)));
            sanitize(&joined, Case::Snake)
        }
    };
    let root_url = doc
        .root_url
        .clone()
        .or_else(|| doc.base_url.clone())
        .ok_or_else(|| Error::at("rootUrl", "the document has neither `rootUrl` nor `baseUrl`"))?;
    if !root_url.starts_with("https://") && !root_url.starts_with("http://") {
        return Err(Error::at("rootUrl", format!("`{root_url}` is not an http(s) URL")));
    }

    r.name_schemas()?;
    r.resolve_schemas()?;
    let standard_params = r.standard_params()?;
    let root = r.resolve_resources()?;
    r.note_shared_enums();
    let mut types: Vec<TypeDef> = r.types.into_iter().flatten().collect();
    cycles::expand_aliases(&mut types, doc)?;
    cycles::box_cycles(&mut types);
    let mut api = Api {
        module_name,
        title: doc.title.clone().unwrap_or_else(|| name.clone()),
        name,
        version,
        description: doc.description.clone(),
        documentation_link: doc.documentation_link.clone(),
        root_url,
        mtls_root_url: doc.mtls_root_url.clone(),
        service_path: doc
            .service_path
            .clone()
            .or_else(|| doc.base_path.clone())
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        batch_path: doc.batch_path.clone(),
        fully_encode_reserved: doc.fully_encode_reserved_expansion.unwrap_or(false),
        scopes: scopes(doc),
        standard_params,
        endpoints: doc
            .endpoints
            .iter()
            .filter_map(|e| {
                Some(Endpoint {
                    url: e.endpoint_url.clone()?,
                    location: e.location.clone(),
                    description: e.description.clone(),
                })
            })
            .collect(),
        types,
        root,
    };
    mark_pollers(&mut api);
    mark_pagers(&mut api);
    if let Some(only) = &options.only {
        prune::keep_only(&mut api, only)?;
    }
    Ok((api, r.warnings))
}

fn scopes(doc: &RestDescription) -> Vec<Scope> {
    let mut namer = Namer::new();
    let Some(oauth) = doc.auth.as_ref().and_then(|a| a.oauth2.as_ref()) else { return Vec::new() };
    oauth
        .scopes
        .iter()
        .map(|(url, info)| {
            let short = url
                .trim_start_matches("https://www.googleapis.com/auth/")
                .trim_start_matches("https://")
                .trim_end_matches('/');
            let shouty = bare(&sanitize(short, Case::Snake)).trim_end_matches('_').to_ascii_uppercase();
            Scope { url: url.clone(), const_name: namer.claim_ident(shouty), description: info.description.clone() }
        })
        .collect()
}

/// An operation shape counts only when its error type is status-shaped (the
/// LRO helpers need both); afterwards an `operations.get` polls only if it
/// returns such an operation.
fn mark_pollers(api: &mut Api) {
    let statuses: std::collections::HashSet<String> = api
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Struct(s) if s.is_status => Some(s.name.clone()),
            _ => None,
        })
        .collect();
    let mut operations = std::collections::HashSet::new();
    for t in &mut api.types {
        if let TypeDef::Struct(s) = t {
            if s.operation.as_ref().is_some_and(|o| !statuses.contains(&o.status_type)) {
                s.operation = None;
            }
            if s.operation.is_some() {
                operations.insert(s.name.clone());
            }
        }
    }
    fn walk(r: &mut crate::ir::Resource, ops: &std::collections::HashSet<String>) {
        for m in &mut r.methods {
            let returns_op = matches!(&m.response, Some(crate::ir::Ty::Named(n)) if ops.contains(n));
            m.polls_operation = m.polls_operation && returns_op && m.required.len() == 1;
        }
        for c in &mut r.children {
            walk(c, ops);
        }
    }
    walk(&mut api.root, &operations);
}

/// A method pages only if its response type is a page.
fn mark_pagers(api: &mut Api) {
    let pages: std::collections::HashSet<String> = api
        .types
        .iter()
        .filter_map(|t| match t {
            TypeDef::Struct(s) if s.page.is_some() => Some(s.name.clone()),
            _ => None,
        })
        .collect();
    fn walk(r: &mut crate::ir::Resource, pages: &std::collections::HashSet<String>) {
        for m in &mut r.methods {
            let returns_page = matches!(&m.response, Some(crate::ir::Ty::Named(n)) if pages.contains(n));
            if !returns_page {
                m.page_token = None;
            }
        }
        for c in &mut r.children {
            walk(c, pages);
        }
    }
    walk(&mut api.root, &pages);
}
