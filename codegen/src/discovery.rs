//! Serde model of the Discovery REST description format.
//!
//! The model is deliberately lenient: every field is optional, unknown fields
//! are ignored, and maps keep the document's key order (IndexMap) so that the
//! generated code follows the order a reader sees in the JSON.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// A whole discovery document (`discovery#restDescription`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RestDescription {
    pub kind: Option<String>,
    pub discovery_version: Option<String>,
    pub id: Option<String>,
    pub name: Option<String>,
    pub canonical_name: Option<String>,
    pub version: Option<String>,
    pub revision: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub documentation_link: Option<String>,
    pub owner_domain: Option<String>,
    pub owner_name: Option<String>,
    pub package_path: Option<String>,
    pub protocol: Option<String>,
    pub root_url: Option<String>,
    pub mtls_root_url: Option<String>,
    pub service_path: Option<String>,
    pub base_url: Option<String>,
    pub base_path: Option<String>,
    pub batch_path: Option<String>,
    pub version_module: Option<bool>,
    pub fully_encode_reserved_expansion: Option<bool>,
    pub features: Vec<String>,
    pub labels: Vec<String>,
    pub parameters: IndexMap<String, Schema>,
    pub auth: Option<Auth>,
    pub schemas: IndexMap<String, Schema>,
    pub resources: IndexMap<String, Resource>,
    pub methods: IndexMap<String, Method>,
    pub endpoints: Vec<Endpoint>,
}

/// `auth` block: only OAuth 2.0 scopes are described by discovery.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Auth {
    pub oauth2: Option<OAuth2>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OAuth2 {
    pub scopes: IndexMap<String, ScopeInfo>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScopeInfo {
    pub description: Option<String>,
}

/// A regional or alternative endpoint listed by the document.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Endpoint {
    pub endpoint_url: Option<String>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub deprecated: Option<bool>,
}

/// A JSON schema as discovery uses it. Parameters share this shape, with
/// `location`, `required`, `repeated` and `pattern` filled in.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Schema {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    #[serde(rename = "$ref")]
    pub ref_: Option<String>,
    pub description: Option<String>,
    pub format: Option<String>,
    pub properties: IndexMap<String, Schema>,
    pub additional_properties: Option<Box<Schema>>,
    pub items: Option<Box<Schema>>,
    #[serde(rename = "enum")]
    pub enum_: Vec<String>,
    pub enum_descriptions: Vec<String>,
    pub enum_deprecated: Vec<bool>,
    pub deprecated: Option<bool>,
    pub read_only: Option<bool>,
    pub default: Option<Value>,
    pub pattern: Option<String>,
    pub minimum: Option<String>,
    pub maximum: Option<String>,
    pub required: Option<bool>,
    pub repeated: Option<bool>,
    pub location: Option<String>,
    pub annotations: Option<Annotations>,
    /// On a method's `request`: the name to give the body argument.
    pub parameter_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Annotations {
    pub required: Vec<String>,
}

/// A node of the resource tree.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resource {
    pub methods: IndexMap<String, Method>,
    pub resources: IndexMap<String, Resource>,
    pub deprecated: Option<bool>,
}

/// One REST method.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Method {
    pub id: Option<String>,
    pub path: Option<String>,
    /// The older name of `path`.
    pub rest_path: Option<String>,
    pub flat_path: Option<String>,
    pub http_method: Option<String>,
    pub description: Option<String>,
    pub parameters: IndexMap<String, Schema>,
    pub parameter_order: Vec<String>,
    pub request: Option<Schema>,
    pub response: Option<Schema>,
    pub scopes: Vec<String>,
    pub supports_media_download: Option<bool>,
    pub use_media_download_service: Option<bool>,
    pub supports_media_upload: Option<bool>,
    pub media_upload: Option<MediaUpload>,
    pub supports_subscription: Option<bool>,
    pub deprecated: Option<bool>,
    pub api_version: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MediaUpload {
    pub accept: Vec<String>,
    pub max_size: Option<String>,
    pub protocols: Option<MediaProtocols>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaProtocols {
    pub simple: Option<MediaProtocol>,
    pub resumable: Option<MediaProtocol>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaProtocol {
    pub multipart: Option<bool>,
    pub path: Option<String>,
}
