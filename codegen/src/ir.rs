//! The resolved intermediate representation.
//!
//! Everything an emitter needs is decided here: final unique identifiers,
//! Rust types with boxing, JSON names, parsed path templates and parameter
//! order. Emitters only print it.

/// A Rust type for a field, parameter or alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    String,
    Bool,
    I32,
    U32,
    /// 64-bit integers travel as JSON strings.
    I64,
    /// An `integer` without a format: a plain JSON number, kept as `i64`
    /// so that no value is cut short.
    Integer,
    U64,
    F32,
    F64,
    Bytes,
    Timestamp,
    Duration,
    FieldMask,
    Date,
    /// Arbitrary JSON.
    Any,
    /// A generated type in the model module, by its Rust identifier.
    Named(String),
    /// A generated type that sits on a cycle and must be boxed.
    Boxed(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
}

impl Ty {
    /// Whether serde needs a `with` adapter somewhere inside this type.
    pub fn needs_wire_adapter(&self) -> bool {
        match self {
            Ty::I64 | Ty::U64 | Ty::F32 | Ty::F64 => true,
            Ty::Vec(t) | Ty::Map(t) => t.needs_wire_adapter(),
            _ => false,
        }
    }
}

/// One generated API module.
#[derive(Debug)]
pub struct Api {
    pub module_name: String,
    pub name: String,
    pub version: String,
    pub title: String,
    pub description: Option<String>,
    pub documentation_link: Option<String>,
    pub root_url: String,
    pub mtls_root_url: Option<String>,
    pub service_path: String,
    pub batch_path: Option<String>,
    pub fully_encode_reserved: bool,
    pub scopes: Vec<Scope>,
    pub standard_params: Vec<Param>,
    pub endpoints: Vec<Endpoint>,
    pub types: Vec<TypeDef>,
    pub root: Resource,
}

#[derive(Debug)]
pub struct Scope {
    pub url: String,
    pub const_name: String,
    pub description: Option<String>,
}

#[derive(Debug)]
pub struct Endpoint {
    pub url: String,
    pub location: Option<String>,
    pub description: Option<String>,
}

/// A type in the model module.
#[derive(Debug)]
pub enum TypeDef {
    Struct(Struct),
    Enum(Enum),
    Alias(Alias),
}

#[derive(Debug)]
pub struct Struct {
    pub name: String,
    /// The schema key in the document, where the struct comes from one.
    pub schema_name: Option<String>,
    pub doc: Docs,
    pub fields: Vec<Field>,
    /// Set when the struct has the shape of `google.longrunning.Operation`.
    pub operation: Option<OperationShape>,
    /// Set when the struct has the shape of `google.rpc.Status`.
    pub is_status: bool,
    /// Set when the struct is one page of a list (`nextPageToken`).
    pub page: Option<PageShape>,
}

/// How a list response pages: the token field, and the one list of items
/// when there is an obvious one.
#[derive(Debug)]
pub struct PageShape {
    pub token_field: String,
    pub items: Option<(String, Ty)>,
}

#[derive(Debug)]
pub struct OperationShape {
    /// The Rust name of the error type (`Status`).
    pub status_type: String,
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub json_name: String,
    pub ty: Ty,
    pub doc: Docs,
}

#[derive(Debug)]
pub struct Enum {
    pub name: String,
    pub doc: Docs,
    pub variants: Vec<Variant>,
}

#[derive(Debug)]
pub struct Variant {
    pub name: String,
    pub value: String,
    pub doc: Docs,
}

#[derive(Debug)]
pub struct Alias {
    pub name: String,
    /// The schema key, or for a shared enum the name it would have had.
    pub schema_name: String,
    pub doc: Docs,
    pub target: Ty,
    /// Names an enum emitted once for several fields with the same values.
    /// Fields keep such an alias as written, so their docs name their own
    /// type; only aliases of schemas are expanded into their target.
    pub shared_enum: bool,
}

/// Documentation pieces: the description plus notes the generator adds.
#[derive(Debug, Default, Clone)]
pub struct Docs {
    pub description: Option<String>,
    pub notes: Vec<String>,
}

/// A node of the resource tree; the root holds top-level methods.
#[derive(Debug)]
pub struct Resource {
    /// Rust type of the accessor struct (unused for the root).
    pub type_name: String,
    /// Accessor method on the parent.
    pub accessor: String,
    pub json_name: String,
    pub methods: Vec<Method>,
    pub children: Vec<Resource>,
}

#[derive(Debug)]
pub struct Method {
    pub id: String,
    /// Builder function on the resource.
    pub fn_name: String,
    pub call_type: String,
    pub http_method: String,
    pub path_template: String,
    pub path: Vec<PathPart>,
    pub flat_path: Option<String>,
    pub doc: Docs,
    /// Constructor arguments, in call order (parameterOrder first).
    pub required: Vec<Param>,
    pub optional: Vec<Param>,
    pub request: Option<RequestBody>,
    pub response: Option<Ty>,
    pub scopes: Vec<String>,
    pub media_download: bool,
    /// Simple and multipart upload through the document's upload path.
    pub media_upload: Option<MediaUpload>,
    /// The Rust name of the `pageToken` field, when the method pages.
    pub page_token: Option<String>,
    /// Set when this is the `get` of an operations resource returning an LRO.
    pub polls_operation: bool,
}

#[derive(Debug)]
pub struct MediaUpload {
    pub path_template: String,
    pub path: Vec<PathPart>,
    pub accept: Vec<String>,
    pub max_size: Option<String>,
    /// The resumable protocol's path, when the document lists it.
    pub resumable: Option<UploadPath>,
}

#[derive(Debug)]
pub struct UploadPath {
    pub template: String,
    pub parts: Vec<PathPart>,
}

#[derive(Debug)]
pub struct RequestBody {
    pub arg_name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    Var { param: String, reserved: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub json_name: String,
    pub rust_name: String,
    pub location: Location,
    /// The scalar type; `repeated` wraps it in a `Vec`.
    pub ty: Ty,
    pub repeated: bool,
    pub pattern: Option<String>,
    pub doc: Docs,
}
