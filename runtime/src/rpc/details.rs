//! Typed forms of the `details` in a `google.rpc.Status`.
//!
//! Each detail is a JSON object tagged with an `@type` URL. The common ones
//! from `google/rpc/error_details.proto` get a struct here; anything else, or
//! anything that does not decode, stays as raw JSON in [`Detail::Other`].

use std::collections::BTreeMap;

use super::json_struct::json_struct;
use serde::de::DeserializeOwned;

use crate::wire;

/// Why an error happened, as a machine-readable reason within a domain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorInfo {
    /// A constant such as `API_DISABLED`, unique within `domain`.
    pub reason: String,
    /// The service that produced the reason, such as `googleapis.com`.
    pub domain: String,
    /// Extra facts about the error, such as the affected resource.
    pub metadata: BTreeMap<String, String>,
}

impl ErrorInfo {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.ErrorInfo";
}

/// When the client may retry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetryInfo {
    /// How long to wait before retrying.
    pub retry_delay: Option<wire::Duration>,
}

impl RetryInfo {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.RetryInfo";
}

/// Which fields of the request were wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BadRequest {
    /// One entry per bad field.
    pub field_violations: Vec<FieldViolation>,
}

impl BadRequest {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.BadRequest";
}

/// One bad field of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldViolation {
    /// A path to the field, such as `operation.name`.
    pub field: String,
    /// What is wrong with it.
    pub description: String,
    /// A machine-readable reason, when the server gives one.
    pub reason: Option<String>,
}

/// Which quota check failed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaFailure {
    /// One entry per exceeded quota.
    pub violations: Vec<QuotaViolation>,
}

impl QuotaFailure {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.QuotaFailure";
}

/// One exceeded quota.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QuotaViolation {
    /// What the quota applies to, such as `project:my-project`.
    pub subject: String,
    /// What was exceeded.
    pub description: String,
}

/// Which preconditions failed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreconditionFailure {
    /// One entry per failed precondition.
    pub violations: Vec<PreconditionViolation>,
}

impl PreconditionFailure {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.PreconditionFailure";
}

/// One failed precondition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreconditionViolation {
    /// The kind of precondition, such as `TOS`.
    pub kind: String,
    /// What failed, relative to the kind.
    pub subject: String,
    /// How it failed.
    pub description: String,
}

/// Which request this was, for support cases.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestInfo {
    /// The server's id for the request.
    pub request_id: String,
    /// Opaque data the server attached for debugging.
    pub serving_data: String,
}

impl RequestInfo {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.RequestInfo";
}

/// Which resource the error is about.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The kind of resource, such as a type URL or `sql table`.
    pub resource_type: String,
    /// The resource's name.
    pub resource_name: String,
    /// Who owns the resource, if known.
    pub owner: String,
    /// What went wrong with the resource.
    pub description: String,
}

impl ResourceInfo {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.ResourceInfo";
}

/// Links to documentation about the error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Help {
    /// The links.
    pub links: Vec<Link>,
}

impl Help {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.Help";
}

/// One documentation link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Link {
    /// What the link leads to.
    pub description: String,
    /// The address.
    pub url: String,
}

/// The error message in the user's language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalizedMessage {
    /// A BCP 47 tag such as `en-US`.
    pub locale: String,
    /// The message in that locale.
    pub message: String,
}

impl LocalizedMessage {
    /// The `@type` of this detail.
    pub const TYPE_URL: &'static str = "type.googleapis.com/google.rpc.LocalizedMessage";
}

/// One decoded entry of `Status.details`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Detail {
    /// `google.rpc.ErrorInfo`.
    ErrorInfo(ErrorInfo),
    /// `google.rpc.RetryInfo`.
    RetryInfo(RetryInfo),
    /// `google.rpc.BadRequest`.
    BadRequest(BadRequest),
    /// `google.rpc.QuotaFailure`.
    QuotaFailure(QuotaFailure),
    /// `google.rpc.PreconditionFailure`.
    PreconditionFailure(PreconditionFailure),
    /// `google.rpc.RequestInfo`.
    RequestInfo(RequestInfo),
    /// `google.rpc.ResourceInfo`.
    ResourceInfo(ResourceInfo),
    /// `google.rpc.Help`.
    Help(Help),
    /// `google.rpc.LocalizedMessage`.
    LocalizedMessage(LocalizedMessage),
    /// A detail of another type, or one that did not decode, as sent.
    Other(serde_json::Value),
}

/// Decodes `value` into `T`, or hands the JSON back unchanged.
fn typed<T: DeserializeOwned>(value: &serde_json::Value, wrap: fn(T) -> Detail) -> Detail {
    match T::deserialize(value) {
        Ok(decoded) => wrap(decoded),
        Err(_) => Detail::Other(value.clone()),
    }
}

/// Decodes each detail by its `@type`; unknown or malformed ones become
/// [`Detail::Other`], so the result has one entry per input.
pub fn decode_details(details: &[serde_json::Value]) -> Vec<Detail> {
    details.iter().map(decode_detail).collect()
}

fn decode_detail(value: &serde_json::Value) -> Detail {
    let type_url = value.get("@type").and_then(serde_json::Value::as_str).unwrap_or_default();
    match type_url {
        ErrorInfo::TYPE_URL => typed(value, Detail::ErrorInfo),
        RetryInfo::TYPE_URL => typed(value, Detail::RetryInfo),
        BadRequest::TYPE_URL => typed(value, Detail::BadRequest),
        QuotaFailure::TYPE_URL => typed(value, Detail::QuotaFailure),
        PreconditionFailure::TYPE_URL => typed(value, Detail::PreconditionFailure),
        RequestInfo::TYPE_URL => typed(value, Detail::RequestInfo),
        ResourceInfo::TYPE_URL => typed(value, Detail::ResourceInfo),
        Help::TYPE_URL => typed(value, Detail::Help),
        LocalizedMessage::TYPE_URL => typed(value, Detail::LocalizedMessage),
        _ => Detail::Other(value.clone()),
    }
}

json_struct!(ErrorInfo { reason: "reason", domain: "domain", metadata: "metadata" });
json_struct!(RetryInfo { retry_delay: "retryDelay" if Option::is_some });
json_struct!(BadRequest { field_violations: "fieldViolations" });
json_struct!(FieldViolation { field: "field", description: "description", reason: "reason" if Option::is_some });
json_struct!(QuotaFailure { violations: "violations" });
json_struct!(QuotaViolation { subject: "subject", description: "description" });
json_struct!(PreconditionFailure { violations: "violations" });
json_struct!(PreconditionViolation { kind: "type", subject: "subject", description: "description" });
json_struct!(RequestInfo { request_id: "requestId", serving_data: "servingData" });
json_struct!(ResourceInfo {
    resource_type: "resourceType",
    resource_name: "resourceName",
    owner: "owner",
    description: "description"
});
json_struct!(Help { links: "links" });
json_struct!(Link { description: "description", url: "url" });
json_struct!(LocalizedMessage { locale: "locale", message: "message" });
