//! Discovery model → IR. Every decision about names and types happens here.

//!
//! The passes run in this order, each in a file named for its job, and none
//! changes what an earlier one decided:
//!
//! 1. `document`: name, version and root URL, derived where the document
//!    leaves them out;
//! 2. `schemas`: one type per schema, inline object and enum, with `shapes`
//!    recording on each struct the well-known message it looks like;
//! 3. `methods`: the resource tree and one call builder per method, whose
//!    own member names come from the `members` table, and with `paging`
//!    which of them page (only their responses then implement `Page`);
//! 4. `enum_names`: enums and inline structs that several fields share
//!    named by a rule (or the user's override table) rather than after the
//!    first field (the one name `schemas` leaves open);
//! 5. `cycles`: aliases expanded, recursive fields boxed;
//! 6. `prune`: `--only`;
//! 7. `parameter_enums`: which enums need writing into a URL;
//! 8. `router`: how the `Client` finds the `operations.get` for a name;
//! 9. `features`: with `--resource-features`, which cargo feature compiles
//!    which item.

mod cycles;
mod document;
mod enum_names;
mod features;
mod members;
mod methods;
mod paging;
mod parameter_enums;
mod prune;
mod request_id;
mod router;
mod schemas;
mod shapes;
mod sibling_versions;

pub use features::OTHER_VERSIONS;
// Read by a test that compares it with the runtime's list (through
// `internals`).
#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use members::STANDARD_MEMBERS;

use crate::discovery::RestDescription;
use crate::error::Error;
use crate::ir::{Api, Endpoint, Scope, TypeDef, TypeId};
use crate::names::{bare, sanitize, Case, Namer};
use std::collections::{HashMap, HashSet};

/// State shared while one document is resolved.
pub(crate) struct Resolver<'a> {
    pub doc: &'a RestDescription,
    /// Identifiers of the model module.
    pub type_namer: Namer,
    /// Identifiers of the resources module.
    pub resource_namer: Namer,
    /// Schema key → its type.
    pub schema_names: HashMap<String, TypeId>,
    /// The Rust identifier of every type handle given out.
    pub type_names: Vec<String>,
    /// Output slots, in document order; inline types follow their parent.
    pub types: Vec<Option<TypeDef>>,
    pub warnings: Vec<String>,
    /// The generated enums, to tell them from structs.
    pub enum_names: HashSet<TypeId>,
    /// Path patterns already known to compile with regex-lite.
    pub checkable_patterns: std::collections::HashSet<String>,
    /// Variants (value, description, notes) → the enum emitted for them.
    pub shared_enums: HashMap<schemas::EnumKey, TypeId>,
    /// Fields (json name, type, description, notes) → the inline struct
    /// emitted for them.
    pub shared_structs: HashMap<schemas::StructKey, TypeId>,
    /// Enums and inline structs that at least one alias shares.
    pub shared_users: HashSet<TypeId>,
    /// A shared type's alias → the type it shares, while schemas resolve.
    pub same_as: HashMap<TypeId, TypeId>,
    /// Every struct, including schemas not yet resolved.
    pub struct_names: HashSet<TypeId>,
    /// Schemas that map to the runtime's `rpc::Status`.
    pub rpc_statuses: HashSet<TypeId>,
    /// Operations whose `done` the poller can read.
    pub pollable_operations: HashSet<TypeId>,
    /// Structs with a page token (see `shapes::page`).
    pub pages: HashMap<TypeId, crate::ir::PageShape>,
    /// The responses some method pages through.
    pub paged_responses: HashSet<TypeId>,
}

pub fn resolve(doc: &RestDescription, options: &crate::Options) -> Result<(Api, Vec<String>), Error> {
    check_is_discovery(doc)?;
    let mut r = Resolver {
        doc,
        type_namer: Namer::new(),
        resource_namer: Namer::new(),
        schema_names: HashMap::new(),
        type_names: Vec::new(),
        types: Vec::new(),
        warnings: Vec::new(),
        enum_names: Default::default(),
        checkable_patterns: Default::default(),
        shared_enums: HashMap::new(),
        shared_structs: HashMap::new(),
        shared_users: Default::default(),
        same_as: HashMap::new(),
        struct_names: HashSet::new(),
        rpc_statuses: HashSet::new(),
        pollable_operations: HashSet::new(),
        pages: HashMap::new(),
        paged_responses: HashSet::new(),
    };
    let document::Identity { name, version, root_url } = r.identity()?;
    let module_name = match &options.module_name {
        Some(m) => m.clone(),
        None => {
            let joined = format!("{}_{}", bare(&sanitize(&name, Case::Snake)), bare(&sanitize(&version, Case::Snake)));
            sanitize(&joined, Case::Snake)
        }
    };

    r.name_schemas()?;
    r.resolve_schemas()?;
    r.mark_rpc_status_errors();
    r.check_standard_params();
    let (root, client_members) = r.resolve_resources()?;
    r.mark_paged_responses();
    r.name_shared_enums(&options.enum_names)?;
    r.note_shared_types();
    let mut types: Vec<TypeDef> = r.types.into_iter().flatten().collect();
    cycles::expand_aliases(&mut types, doc)?;
    cycles::box_cycles(&mut types);
    let mut api = Api {
        example_path: options.example_path.replace("{module}", &module_name),
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
        data_wrapper: document::data_wrapper(doc),
        scopes: scopes(doc),
        client_members,
        operation_router: None,
        field_router: None,
        endpoints: doc
            .endpoints
            .iter()
            .filter_map(|e| {
                Some(Endpoint {
                    url: e.endpoint_url.clone()?,
                    location: e.location.clone(),
                })
            })
            .collect(),
        type_names: r.type_names,
        types,
        root,
        features: None,
    };
    if let Some(only) = &options.only {
        prune::keep_only(&mut api, only)?;
    }
    parameter_enums::mark(&mut api);
    api.operation_router = router::operation_router(&api);
    if api.operation_router.is_none() {
        api.field_router = router::field_router(&api);
    }
    router::drop_unroutable_waits(&mut api);
    api.features = features::gates(&mut api, &r.schema_names, options.resource_features, options.other_versions);
    Ok((api, r.warnings))
}

impl Resolver<'_> {
    /// Gives out the handle of a new type called `name`.
    pub(super) fn new_type(&mut self, name: String) -> TypeId {
        self.type_names.push(name);
        TypeId(self.type_names.len() - 1)
    }

    pub(super) fn type_name(&self, id: TypeId) -> &str {
        &self.type_names[id.0]
    }
}

/// Every field of the model is optional, so any JSON object parses: a JSON
/// Schema file would come out as an empty crate named after its `$id`'s
/// host. A document must call itself one, or at least describe something.
fn check_is_discovery(doc: &RestDescription) -> Result<(), Error> {
    const KIND: &str = "discovery#restDescription";
    if doc.kind.as_deref() == Some(KIND)
        || !(doc.resources.is_empty() && doc.methods.is_empty() && doc.schemas.is_empty())
    {
        return Ok(());
    }
    let kind = match &doc.kind {
        Some(kind) => format!("its `kind` is `{kind}`, not `{KIND}`"),
        None => format!("it has no `kind` (`{KIND}`)"),
    };
    Err(Error::not_discovery(format!(
        "not a discovery document: {kind}, and it has no `resources`, `methods` or `schemas`"
    )))
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
