//! Turning a successful response body into a typed value.

use serde::de::DeserializeOwned;

use crate::error::Error;

/// Marks a request to an API whose document lists the `dataWrapper`
/// feature: the client hands the mark on to the response, whose JSON
/// decoding then takes the value out of its `data` member.
///
/// `request::RequestBuilder::data_wrapper` sets it. It is defined here,
/// where it is read, because the client is below the request builder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataWrapper;

/// Decodes the JSON body of `response` into `T`.
///
/// The content type is not checked up front: some Google endpoints label
/// JSON as `text/plain`. It only goes into the message when decoding fails,
/// where it usually explains why.
pub(crate) fn json_body<T: DeserializeOwned>(response: &http::Response<bytes::Bytes>) -> Result<T, Error> {
    let body = response.body();
    let status = response.status();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::decode(format!(
            "expected a JSON body but the response body is empty{}",
            content_type_note(response)
        ))
        .with_http_status(status));
    }
    if response.extensions().get::<DataWrapper>().is_some() {
        return unwrap_data(response);
    }
    serde_json::from_slice(body).map_err(|e| {
        // serde_json's message already ends with "at line L column C".
        Error::decode(format!("response body does not match the expected type: {e}{}", content_type_note(response)))
            .with_http_status(status)
            .with_body_excerpt(body)
            .with_source(e)
    })
}

/// The `data` member of a `dataWrapper` API's response, decoded into `T`.
/// A body without one is decoded whole, as google-api-python-client's
/// `JsonModel` does, so a server that stopped wrapping still works.
fn unwrap_data<T: DeserializeOwned>(response: &http::Response<bytes::Bytes>) -> Result<T, Error> {
    let body = response.body();
    let mismatch = |e: serde_json::Error| {
        Error::decode(format!("response body does not match the expected type: {e}{}", content_type_note(response)))
            .with_http_status(response.status())
            .with_body_excerpt(body)
            .with_source(e)
    };
    let value: serde_json::Value = serde_json::from_slice(body).map_err(mismatch)?;
    let inner = match value {
        serde_json::Value::Object(mut map) if map.contains_key("data") => map.remove("data").unwrap_or_default(),
        other => other,
    };
    serde_json::from_value(inner).map_err(mismatch)
}

/// `" (content type text/html)"` for a content type that is not JSON.
fn content_type_note(response: &http::Response<bytes::Bytes>) -> String {
    let content_type = response.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if content_type.is_empty() || essence == "application/json" || essence.ends_with("+json") {
        String::new()
    } else {
        format!(" (content type {})", crate::text::quoted(&essence))
    }
}
