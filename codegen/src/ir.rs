//! The resolved intermediate representation.
//!
//! Everything an emitter needs is decided here: final unique identifiers,
//! Rust types with boxing, JSON names, parsed path templates and parameter
//! order. Emitters only print it.

/// A handle to a generated type of the model module: an index into
/// [`Api::type_names`]. Types refer to each other by handle, so no pass
/// looks a type up by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub usize);

/// A Rust type for a field, parameter or alias.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// `google.rpc.Status`, which the runtime defines once for every API
    /// (`rpc::Status`): a schema of exactly its shape maps to it.
    RpcStatus,
    /// A generated type in the model module.
    Named(TypeId),
    /// A generated type that sits on a cycle and must be boxed.
    Boxed(TypeId),
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

    /// The handle of the generated type this names, under any arrays and
    /// maps; `None` for a built-in type or a boxed one.
    pub fn handle_mut(&mut self) -> Option<&mut TypeId> {
        match self {
            Ty::Named(id) => Some(id),
            Ty::Vec(t) | Ty::Map(t) => t.handle_mut(),
            _ => None,
        }
    }
}

/// The level of the generated-code contract this generator writes, checked
/// against the runtime's `__private::GENERATED_CODE_API` when the module
/// compiles.
pub const RUNTIME_API: u32 = 2;

/// One generated API module.
#[derive(Debug)]
pub struct Api {
    pub module_name: String,
    /// The path by which doc examples reach this module
    /// (`discogen_apis::vision_v1`, or a crate name).
    pub example_path: String,
    pub name: String,
    pub version: String,
    pub title: String,
    pub description: Option<String>,
    pub documentation_link: Option<String>,
    pub root_url: String,
    pub mtls_root_url: Option<String>,
    pub service_path: String,
    pub batch_path: Option<String>,
    /// The document lists the `dataWrapper` feature: JSON bodies travel as
    /// `{"data": ...}` both ways.
    pub data_wrapper: bool,
    pub scopes: Vec<Scope>,
    /// Names of the `Client`'s own members.
    pub client_members: ClientMembers,
    /// How the `Client` finds the `operations.get` for an operation name.
    pub operation_router: Option<OperationRouter>,
    /// Where there is no such router: how the `Client` finds the `get` for
    /// an operation from the operation's own fields (Compute's zone, region
    /// or global operations).
    pub field_router: Option<FieldRouter>,
    pub endpoints: Vec<Endpoint>,
    /// The Rust identifier of every type handle, pruned ones included.
    pub type_names: Vec<String>,
    /// The types to write, in output order.
    pub types: Vec<TypeDef>,
    pub root: Resource,
    /// Which cargo feature compiles which item, with `--resource-features`
    /// or when other API versions' schemas are gated.
    pub features: Option<FeatureGates>,
}


impl TypeDef {
    /// The handle of this type.
    pub fn id(&self) -> TypeId {
        match self {
            TypeDef::Struct(s) => s.id,
            TypeDef::Enum(e) => e.id,
            TypeDef::Alias(a) => a.id,
        }
    }
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
    pub id: TypeId,
    pub name: String,
    /// The schema key in the document, where the struct comes from one.
    pub schema_name: Option<String>,
    pub doc: Docs,
    pub fields: Vec<Field>,
    /// Set when the struct has the shape of `google.longrunning.Operation`
    /// (boxed: few structs have it, and every type would pay for its size).
    pub operation: Option<Box<OperationShape>>,
    /// Set when the struct has the shape of `google.rpc.Status`.
    pub status: Option<Box<StatusShape>>,
    /// Set when some method pages through the struct: its token field is
    /// `pageToken` or `nextPageToken`.
    pub page: Option<PageShape>,
}

/// How a list response pages: the token field, and the one list of items
/// when there is an obvious one.
#[derive(Debug, Clone)]
pub struct PageShape {
    /// The Rust name of the token field.
    pub token_field: String,
    /// Its JSON name: `pageToken` or `nextPageToken`.
    pub token_json: String,
    pub items: Option<(String, Ty)>,
    /// The JSON names of the lists when there are several, which leaves
    /// the items unknown.
    pub lists: Vec<String>,
}

/// The parts of `google.longrunning.Operation` a struct has, each as the
/// Rust name of its field. Documents leave parts out, so each is optional;
/// only `done` is needed for the struct to be polled.
#[derive(Debug, Clone)]
pub struct OperationShape {
    /// `done: bool`.
    pub done: Option<String>,
    /// `name: string`, which `wait_operation` polls by.
    pub name: Option<String>,
    /// `error`, an object: its field and its type.
    pub error: Option<(String, TypeId)>,
    /// Whether that type is the runtime's `rpc::Status`, which needs no
    /// conversion.
    pub error_is_rpc_status: bool,
    /// `response`, an object of any members.
    pub response: Option<String>,
    /// `metadata`, an object of any members.
    pub metadata: Option<String>,
    /// For operations that report their state in a `status` enum instead
    /// of `done` (Compute, GKE, Cloud SQL, Cloud DNS): that field and its
    /// terminal value.
    pub status: Option<StatusEnum>,
    /// `httpErrorStatusCode: int32`, the HTTP status a failure would have had.
    pub http_error_status_code: Option<String>,
    /// `httpErrorMessage: string`.
    pub http_error_message: Option<String>,
    /// Exactly `google.longrunning.Operation`: its five members and a
    /// `google.rpc.Status` error, nothing else. Printed as an alias of the
    /// runtime's `lro::Operation` instead of a struct of its own.
    pub is_longrunning: bool,
}

/// The `status` of an operation that reports its state in an enum.
#[derive(Debug, Clone)]
pub struct StatusEnum {
    /// The Rust name of the field.
    pub field: String,
    /// The wire value that means finished, as the document spells it
    /// (`DONE`, or `done` in Cloud DNS).
    pub done_value: String,
    /// The field is a plain string rather than a generated enum.
    pub is_text: bool,
}

impl OperationShape {
    /// Whether the poller can tell when the operation has finished.
    pub fn pollable(&self) -> bool {
        self.done.is_some() || self.status.is_some()
    }
}

/// The parts of `google.rpc.Status` a struct has, as Rust field names.
#[derive(Debug, Clone)]
pub struct StatusShape {
    /// `code: int32`, the field the helpers read (a status is recognised
    /// by two of `code`, `message` and `details`).
    pub code: Option<String>,
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
    pub id: TypeId,
    pub name: String,
    pub doc: Docs,
    pub variants: Vec<Variant>,
    /// The variant that keeps values the document does not list.
    pub unknown_variant: String,
    /// A method parameter has this type, so it gets `wire::QueryValue`.
    /// Enums only fields use go without: most of them (Compute has 417
    /// enums, 8 of them parameters), and one impl less each to compile.
    pub parameter: bool,
}

#[derive(Debug)]
pub struct Variant {
    pub name: String,
    pub value: String,
    pub doc: Docs,
}

#[derive(Debug)]
pub struct Alias {
    pub id: TypeId,
    pub name: String,
    /// The schema key, or for a shared type the name it would have had.
    pub schema_name: String,
    pub doc: Docs,
    pub target: Ty,
    pub kind: AliasKind,
}

/// Why an alias exists, which decides what fields that use it see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasKind {
    /// A schema that stands for another type (a `$ref`, an array, a map,
    /// the runtime's status). Fields see the target.
    Schema,
    /// A field's name for an enum emitted once for several fields with the
    /// same values. Fields keep the alias as written, so their docs name
    /// their own type.
    SharedEnum,
    /// An inline object with exactly the members of an earlier one. Fields
    /// see the shared struct, which is named like shared enums are; the
    /// alias keeps the name users may already have written.
    SharedStruct,
}

impl AliasKind {
    /// Whether the alias belongs to a group that `enum_names` names.
    pub fn is_shared(self) -> bool {
        self != AliasKind::Schema
    }
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
    /// The cargo feature (an index into [`FeatureGates::names`]) that
    /// compiles this resource's struct and call builders: that of the
    /// top-level resource it sits under, set by `resolve::features`.
    pub feature: Option<usize>,
}

#[derive(Debug)]
pub struct Method {
    pub id: String,
    /// The feature of its resource (see [`Resource::feature`]).
    pub feature: Option<usize>,
    /// Builder function on the resource.
    pub fn_name: String,
    pub call_type: String,
    pub http_method: HttpMethod,
    pub path_template: String,
    pub path: Vec<PathPart>,
    pub doc: Docs,
    /// Constructor arguments, in call order (parameterOrder first).
    pub required: Vec<Param>,
    pub optional: Vec<Param>,
    pub request: Option<RequestBody>,
    pub response: Option<Ty>,
    pub scopes: Vec<String>,
    /// The method's `apiVersion`, sent as `X-Goog-Api-Version`; only a
    /// value that is a valid header value.
    pub api_version: Option<String>,
    /// Simple and multipart upload through the document's upload path.
    pub media_upload: Option<MediaUpload>,
    /// Set when the method pages: its response is a page and its request
    /// takes a token, as a query parameter or in the body.
    pub paging: Option<Paging>,
    /// Set when this is the `get` of an operations resource returning a
    /// pollable operation.
    pub polls_operation: bool,
    /// The Rust name of a `requestId` parameter the client fills in with a
    /// UUID when the caller leaves it unset (AIP-4235; see
    /// `resolve::request_id`).
    pub request_id: Option<String>,
    /// Whether building the request can fail for a reason other than a
    /// parameter: an HTTP method without a constant in `http` is parsed.
    pub fallible_builder: bool,
    /// The builder's own members, claimed before and after the parameters.
    pub members: CallMembers,
}

/// What a list method pages through.
#[derive(Debug)]
pub struct Paging {
    /// Where the next request carries the token.
    pub token: PageToken,
    /// The JSON name of the response's token field.
    pub next_token_json: String,
    /// The item type, when the page has one list of items.
    pub item: Option<Ty>,
    /// The JSON names of the page's lists when it has several.
    pub lists: Vec<String>,
}

/// The request's page token.
#[derive(Debug)]
pub enum PageToken {
    /// A query parameter: the builder's field, an `Option<String>` unless
    /// the parameter is required.
    Query { field: String, json_name: String, required: bool },
    /// A field of the request body: the builder's body field, and the
    /// body struct's `Option<String>` field.
    Body { request: String, field: String, json_name: String },
}

/// The names of every member a call builder has besides its parameters.
/// Optional members exist only where the method has that feature.
#[derive(Debug, Clone)]
pub struct CallMembers {
    pub client: String,
    pub params: String,
    pub build_request: String,
    pub send: String,
    /// `download` and the other forms of a media download.
    pub download: Option<String>,
    pub media_download: Option<String>,
    pub download_to: Option<String>,
    pub download_stream: Option<String>,
    pub upload: Option<String>,
    pub upload_resumable: Option<String>,
    pub poller: Option<String>,
    pub wait: Option<String>,
    pub pages: Option<String>,
    pub items: Option<String>,
    /// Private helpers: the expanded path, the upload path and the request
    /// without a body.
    pub path: String,
    pub upload_path: Option<String>,
    pub request_builder: String,
}

/// The names of the `Client`'s own members, claimed before any resource
/// accessor or top-level method.
#[derive(Debug, Clone)]
pub struct ClientMembers {
    /// The `Client`'s field holding the runtime client.
    pub inner: String,
    /// The same field in every resource accessor struct.
    pub resource_client: String,
    pub builder: String,
    pub runtime: String,
    pub get_operation: String,
    pub operation_poller: String,
    pub wait_operation: String,
}

/// The `operations.get` methods an operation name can be polled through,
/// those with a path pattern first; one without a pattern ends the list.
#[derive(Debug)]
pub struct OperationRouter {
    /// The operation type every route returns.
    pub operation: Ty,
    pub routes: Vec<Route>,
}

#[derive(Debug)]
pub struct Route {
    /// Accessors from the `Client` to the resource, then the method.
    pub accessors: Vec<String>,
    pub method: String,
    /// The builder's `send` and `poller`.
    pub send: String,
    pub poller: String,
    pub pattern: Option<String>,
    /// The feature of the resource the route goes through.
    pub feature: Option<usize>,
}

/// The polling `get`s an operation can be routed to by its own fields,
/// those that take the most arguments first: an operation goes to the
/// first route whose every argument it has.
#[derive(Debug)]
pub struct FieldRouter {
    pub operation: Ty,
    pub routes: Vec<FieldRoute>,
}

#[derive(Debug)]
pub struct FieldRoute {
    /// Accessors from the `Client` to the resource, then the method.
    pub accessors: Vec<String>,
    pub method: String,
    /// The feature of the resource the route goes through.
    pub feature: Option<usize>,
    pub send: String,
    pub poller: String,
    /// Where each argument of the method comes from, in call order.
    pub args: Vec<ArgSource>,
}

/// A `get` argument read off the operation, by the Rust name of its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgSource {
    /// The field as it is (the operation's name).
    Field(String),
    /// The last segment of a URL or name (`zone`, `region`).
    LastSegment(String),
    /// The segment after a key in a URL (`projects/{p}` of `selfLink`).
    After(String, String),
}

/// How media goes up with the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    /// The body metadata and the media in one `multipart/related` request.
    Multipart,
    /// The media alone as the body.
    Media,
}

impl UploadKind {
    /// The `uploadType` query value.
    pub fn upload_type(self) -> &'static str {
        match self {
            UploadKind::Multipart => "multipart",
            UploadKind::Media => "media",
        }
    }
}

#[derive(Debug)]
pub struct MediaUpload {
    pub kind: UploadKind,
    pub path_template: String,
    pub path: Vec<PathPart>,
    pub accept: Vec<String>,
    pub max_size: Option<String>,
    /// The document lists the resumable protocol. Sessions start at the
    /// simple upload path (with `uploadType=resumable`), as Google's
    /// clients start them, not at the protocol's own path.
    pub resumable: bool,
}

#[derive(Debug)]
pub struct RequestBody {
    pub arg_name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Literal(String),
    /// A placeholder: the index of its parameter in `Method::required`
    /// (path parameters are always required), and how its value expands.
    Var {
        param: usize,
        expansion: Expansion,
    },
}

/// How a placeholder's value goes into the path (the runtime's
/// `path::Expansion`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expansion {
    /// `{x}`: every reserved character percent-encoded.
    Simple,
    /// `{+x}` in a document with `fullyEncodeReservedExpansion`: only `/`
    /// kept.
    KeepSlash,
    /// `{+x}`: RFC 6570 reserved expansion.
    KeepReserved,
}

/// A method's HTTP verb. The common ones have a constant in `http`; any
/// other (all capitals, checked when resolving) is parsed when the request
/// is built, which makes that builder fallible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
    Other(String),
}

impl HttpMethod {
    pub fn new(verb: &str) -> HttpMethod {
        match verb {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "PUT" => HttpMethod::Put,
            "PATCH" => HttpMethod::Patch,
            "DELETE" => HttpMethod::Delete,
            "HEAD" => HttpMethod::Head,
            "OPTIONS" => HttpMethod::Options,
            other => HttpMethod::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Other(verb) => verb,
        }
    }
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
    /// How the builder takes the value.
    pub arg: ArgKind,
    pub pattern: Option<String>,
    pub doc: Docs,
}

/// How a call builder takes a parameter's value, decided once so that the
/// constructor, the setters and the doc examples agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// The value's own type (numbers, booleans, enums, wire types).
    Value,
    /// `impl Into<String>`, so that `&str`, `String` and `format!` all fit.
    IntoString,
    /// Several values: `impl IntoIterator<Item = T>` to a setter, which
    /// appends them, or a `Vec<T>` as a required argument.
    Values,
    /// Several strings: `impl IntoIterator<Item = impl Into<String>>` to a
    /// setter, or a `Vec<String>` as a required argument.
    Strings,
}

impl ArgKind {
    pub fn of(ty: &Ty, repeated: bool) -> Self {
        match (ty, repeated) {
            (Ty::String, false) => ArgKind::IntoString,
            (Ty::String, true) => ArgKind::Strings,
            (_, false) => ArgKind::Value,
            (_, true) => ArgKind::Values,
        }
    }
}

/// The cargo features of a crate (one per top-level resource, then
/// `other-versions`, each optional), and the features each gated item
/// needs. An item needs one of its features; an item with no entry is
/// always compiled.
#[derive(Debug, Default)]
pub struct FeatureGates {
    /// Feature names: with resource features one per top-level resource,
    /// in the order of `Api::root.children`; then `other-versions` when
    /// that feature has types to gate.
    pub names: Vec<String>,
    /// Types that only some features reach, each with the indexes (into
    /// `names`) of those features, ascending.
    pub types: std::collections::HashMap<TypeId, Vec<usize>>,
}
