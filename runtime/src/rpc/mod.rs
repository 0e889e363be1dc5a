//! Google's error model: `google.rpc.Status`, its codes and its details.
//!
//! REST errors arrive as `{"error": {"code", "message", "status", "details"}}`
//! and long-running operations carry the same object in their `error` field.

mod code;
mod details;
mod json_struct;

use std::collections::BTreeMap;
use std::fmt;

use serde::de::MapAccess;
use serde::{Deserialize, Serialize, Serializer};

use crate::wire::{Object, ObjectWriter};

pub use code::Code;
pub use details::{
    decode_details, BadRequest, Detail, ErrorInfo, FieldViolation, Help, Link, LocalizedMessage, PreconditionFailure,
    PreconditionViolation, QuotaFailure, QuotaViolation, RequestInfo, ResourceInfo, RetryInfo,
};

/// A `google.rpc.Status`: an error code, a message and structured details.
///
/// Every field is optional when reading, and keys this type does not know
/// (such as the legacy `errors` array) are kept in `extra`.
///
/// In a REST error body `code` is the HTTP status (404); inside an
/// operation it is the canonical code (5). [`Status::code_enum`] handles both.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// The HTTP status or canonical code, depending on the source (see above).
    pub code: i32,
    /// A message for developers, in English.
    pub message: String,
    /// The canonical code's name, such as `NOT_FOUND`, in REST error bodies.
    pub status: Option<String>,
    /// The details, each a JSON object with an `@type`. See [`Status::typed_details`].
    pub details: Vec<serde_json::Value>,
    /// Keys not listed above, as sent.
    pub extra: BTreeMap<String, serde_json::Value>,
}

// Written out rather than derived, like the generated structs, so that no
// derive macro is needed to build the runtime (see `json_struct`).
impl Object for Status {
    // Also its `TypeUrl::SCHEMA_NAME`: the name discovery documents give
    // this message, which an `@type` ends with.
    const NAME: &'static str = "Status";

    fn read_member<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "code" => self.code = map.next_value()?,
            "message" => self.message = map.next_value()?,
            "status" => self.status = map.next_value()?,
            "details" => self.details = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn extra_mut(&mut self) -> &mut BTreeMap<String, serde_json::Value> {
        &mut self.extra
    }

    fn write_members<S: Serializer>(&self, object: &mut ObjectWriter<S>) -> Result<(), S::Error> {
        // Zero and empty are left out, as proto3's JSON form does, so that a
        // status read from a document's `Status` schema writes back as read.
        object.field("code", &(self.code != 0).then_some(self.code))?;
        object.field("message", &(!self.message.is_empty()).then_some(&self.message))?;
        object.field("status", &self.status)?;
        object.field("details", &json_struct::not_empty(&self.details).then_some(&self.details))
    }

    fn extra(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.extra
    }
}

crate::object_impls!(Status);

impl Status {
    /// Reads the `error` object of a Google error body. `None` if the body is
    /// not such an error.
    pub fn from_error_body(body: &[u8]) -> Option<Status> {
        parse_error_body(body).map(|(status, _)| status)
    }

    /// Converts any serializable status-shaped value, such as the `Status`
    /// type generated for an API, through its JSON form.
    ///
    /// Fields that do not fit (a missing `code`, an odd `details` entry) take
    /// their defaults or land in `extra`. A value that cannot be read as a
    /// status at all gives code `UNKNOWN` and a message saying so, rather
    /// than an empty, successful-looking status.
    pub fn from_serializable<T: Serialize + ?Sized>(value: &T) -> Status {
        let converted = serde_json::to_value(value).and_then(Status::deserialize);
        converted.unwrap_or_else(|e| Status {
            code: Code::Unknown.as_i32(),
            message: format!("the error status could not be read: {e}"),
            ..Status::default()
        })
    }

    /// The canonical code.
    ///
    /// Prefers the `status` name when it is a known one. Otherwise a `code`
    /// from 0 to 16 is taken as canonical, and a larger one as an HTTP status
    /// mapped the way Google's front end maps it; anything else is
    /// [`Code::Other`].
    pub fn code_enum(&self) -> Code {
        if let Some(code) = self.status.as_deref().and_then(Code::from_name) {
            return code;
        }
        let direct = Code::from(self.code);
        if matches!(direct, Code::Other(_)) {
            u16::try_from(self.code).ok().and_then(Code::from_http_status).unwrap_or(direct)
        } else {
            direct
        }
    }

    /// The details decoded by their `@type`, one entry per detail.
    pub fn typed_details(&self) -> Vec<Detail> {
        decode_details(&self.details)
    }

    /// The delay asked for by the first `RetryInfo` detail, if it has a
    /// non-negative one.
    pub fn retry_delay(&self) -> Option<std::time::Duration> {
        self.typed_details().into_iter().find_map(|detail| match detail {
            Detail::RetryInfo(RetryInfo { retry_delay: Some(delay) }) => std::time::Duration::try_from(delay).ok(),
            _ => None,
        })
    }
}

impl fmt::Display for Status {
    /// `NOT_FOUND: message`, using the `status` name or else the code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.status {
            Some(name) => write!(f, "{name}: {}", self.message),
            None => write!(f, "{}: {}", self.code_enum(), self.message),
        }
    }
}

/// Finds the error object in a body and decodes it, returning the raw JSON
/// too so that callers can decode it again into their own type.
///
/// Accepts `{"error": {...}}` and, as some Google front ends send, a JSON
/// array whose first element has that shape.
pub(crate) fn parse_error_body(body: &[u8]) -> Option<(Status, serde_json::Value)> {
    let document: serde_json::Value = serde_json::from_slice(body).ok()?;
    let envelope = match document {
        serde_json::Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
        other => other,
    };
    let error = match envelope {
        serde_json::Value::Object(mut map) => map.remove("error")?,
        _ => return None,
    };
    if !error.is_object() {
        return None;
    }
    let status = Status::deserialize(&error).ok()?;
    Some((status, error))
}
