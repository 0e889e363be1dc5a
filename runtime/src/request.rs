//! Building the `http::Request` for one API call, without any I/O.
//!
//! Credentials are added later by [`Client::execute`], because getting a
//! token may need the network. That keeps building pure, so generated
//! crates can hand out requests for testing or for another transport.

use std::fmt;

use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use serde::Serialize;

use crate::client::Client;
use crate::encode::{percent_encode_into, QUERY};
use crate::error::Error;
use crate::wire::QueryValue;

// Both are read by the client, which sits below this module, so they are
// defined down there; their old paths here stay for callers and generated
// code that name them.
pub use crate::client::DataWrapper;
pub use crate::retry::CallOptions;

/// Collects the URL, headers and body of one request.
pub struct RequestBuilder {
    method: http::Method,
    url: String,
    has_query: bool,
    headers: http::HeaderMap,
    body: Vec<u8>,
    options: Option<CallOptions>,
    /// The request carries an idempotency key, so sending it again is safe.
    keyed: bool,
    data_wrapper: bool,
}

/// `body` as a `dataWrapper` API expects it: an object is sent as
/// `{"data": object}`, unless it already has a `data` member (then it is
/// taken to be wrapped already); any other JSON value goes as it is.
/// google-api-python-client's `JsonModel` draws the same line.
pub fn data_wrapped<T: Serialize + ?Sized>(body: &T) -> Result<serde_json::Value, Error> {
    let value = serde_json::to_value(body).map_err(|e| {
        Error::invalid_argument(format!("the request body cannot be written as JSON: {e}")).with_source(e)
    })?;
    Ok(match value {
        serde_json::Value::Object(map) if !map.contains_key("data") => {
            let mut wrapper = serde_json::Map::with_capacity(1);
            wrapper.insert("data".to_string(), serde_json::Value::Object(map));
            serde_json::Value::Object(wrapper)
        }
        other => other,
    })
}

/// The `X-Goog-Api-Version` header, which carries a method's `apiVersion`.
pub const API_VERSION_HEADER: HeaderName = HeaderName::from_static("x-goog-api-version");

impl RequestBuilder {
    /// Starts a request to `path`, an already expanded method path.
    ///
    /// A relative `path` is resolved against the client's base URL. A path
    /// that starts with `/` is resolved against the root URL instead, as
    /// discovery's media upload paths are.
    pub fn new(client: &Client, method: http::Method, path: &str) -> Self {
        let url = match path.strip_prefix('/') {
            Some(from_root) => format!("{}{from_root}", client.root_url()),
            None => format!("{}{path}", client.base_url()),
        };
        Self {
            method,
            has_query: url.contains('?'),
            url,
            headers: http::HeaderMap::new(),
            body: Vec::new(),
            options: None,
            keyed: false,
            data_wrapper: false,
        }
    }

    /// For an API with the `dataWrapper` feature: JSON bodies set after this
    /// go as `{"data": body}` (see [`data_wrapped`]), and the JSON response is
    /// taken out of its `data` member. Error bodies are never wrapped.
    pub fn data_wrapper(&mut self) {
        self.data_wrapper = true;
    }

    /// Sends `X-Goog-Api-Version: version`, the method's `apiVersion`. A
    /// value that cannot be a header value is left out rather than sent
    /// mangled (the generator warns about such documents and emits none).
    pub fn api_version(&mut self, version: &str) {
        if let Ok(value) = HeaderValue::from_str(version) {
            self.headers.insert(API_VERSION_HEADER, value);
        }
    }

    /// Appends `name=value` to the query. Calling it again with the same
    /// name sends the parameter again, which is how repeated parameters go.
    pub fn query<V: QueryValue + ?Sized>(&mut self, name: &str, value: &V) {
        self.url.push(if self.has_query { '&' } else { '?' });
        self.has_query = true;
        percent_encode_into(&mut self.url, name, QUERY);
        self.url.push('=');
        percent_encode_into(&mut self.url, &value.to_query(), QUERY);
    }

    /// Sets `name=value`, dropping any earlier value of `name`, for
    /// parameters the call itself must decide (such as `alt=media`).
    pub fn set_query(&mut self, name: &str, value: &str) {
        let Some(start) = self.url.find('?') else {
            self.query(name, value);
            return;
        };
        let mut encoded = String::new();
        percent_encode_into(&mut encoded, name, QUERY);
        let kept: Vec<&str> =
            self.url[start + 1..].split('&').filter(|pair| pair.split('=').next() != Some(encoded.as_str())).collect();
        let mut url = self.url[..start].to_string();
        if !kept.is_empty() {
            url.push('?');
            url.push_str(&kept.join("&"));
        }
        self.has_query = url.contains('?');
        self.url = url;
        self.query(name, value);
    }

    /// Sends the idempotency key `name` (a `requestId`, AIP-4235): `value`
    /// when the caller chose one, else a new random UUID v4. Either way the
    /// server recognises the request when it comes again, so the call counts
    /// as idempotent for retries unless the caller said otherwise through
    /// [`CallOptions::set_idempotent`]. The key is fixed when the request is
    /// built: every retry of it sends the same one.
    pub fn idempotency_key(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self.query(name, value),
            None => self.query(name, uuid_v4().as_str()),
        }
        self.keyed = true;
    }

    /// Serializes `body` as the JSON request body.
    pub fn json_body<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let written =
            if self.data_wrapper { serde_json::to_vec(&data_wrapped(body)?) } else { serde_json::to_vec(body) };
        self.body = written.map_err(|e| {
            Error::invalid_argument(format!("the request body cannot be written as JSON: {e}")).with_source(e)
        })?;
        self.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Ok(())
    }

    /// Uses `body` as it is, with the given content type (for media uploads).
    pub fn raw_body(&mut self, content_type: HeaderValue, body: impl Into<Vec<u8>>) {
        self.body = body.into();
        self.headers.insert(CONTENT_TYPE, content_type);
    }

    /// Sets a header, replacing any earlier value of the same name.
    pub fn header(&mut self, name: HeaderName, value: HeaderValue) {
        self.headers.insert(name, value);
    }

    /// Attaches per-call settings to the request. Defaults are left off, so
    /// that the client's own settings apply.
    pub fn options(&mut self, options: &CallOptions) {
        if *options != CallOptions::default() {
            self.options = Some(options.clone());
        }
    }

    /// The URL built so far.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The finished request.
    pub fn build(self) -> Result<http::Request<Vec<u8>>, Error> {
        let uri = http::Uri::try_from(self.url.as_str())
            .map_err(|e| Error::invalid_argument(format!("the request URL is not valid: {e}")))?;
        let mut request = http::Request::new(self.body);
        *request.method_mut() = self.method;
        *request.uri_mut() = uri;
        *request.headers_mut() = self.headers;
        let mut options = self.options;
        if self.keyed && options.as_ref().and_then(CallOptions::idempotent).is_none() {
            options.get_or_insert_with(CallOptions::default).set_idempotent(true);
        }
        if let Some(options) = options {
            request.extensions_mut().insert(options);
        }
        if self.data_wrapper {
            request.extensions_mut().insert(DataWrapper);
        }
        Ok(request)
    }
}

/// A random (version 4) UUID in its usual text form. The bits come from
/// the operating system; should it fail, from a generator seeded by the
/// system, which still makes a collision between two calls unthinkable.
fn uuid_v4() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        bytes = fastrand::u128(..).to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        text.push(char::from(b"0123456789abcdef"[usize::from(b & 0x0f)]));
    }
    text
}

impl fmt::Debug for RequestBuilder {
    /// Shows header names only and hides credential parameters in the URL,
    /// in case a caller added them by hand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("url", &crate::redact::url::scrub(&self.url))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod set_query_tests {
    use super::*;

    #[test]
    fn request_ids_are_version_4_uuids_and_mark_the_call_idempotent() {
        let a = uuid_v4();
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4', "{a}");
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'), "{a}");
        assert_ne!(a, uuid_v4());

        let mut keyed = builder();
        keyed.idempotency_key("requestId", None);
        let request = keyed.build().unwrap();
        let query = request.uri().query().unwrap().to_string();
        assert!(query.starts_with("requestId=") && query.len() == "requestId=".len() + 36, "{query}");
        assert_eq!(request.extensions().get::<CallOptions>().and_then(CallOptions::idempotent), Some(true));

        let mut chosen = builder();
        chosen.idempotency_key("requestId", Some("mine"));
        let mut options = CallOptions::default();
        options.set_idempotent(false);
        chosen.options(&options);
        let request = chosen.build().unwrap();
        assert_eq!(request.uri().query(), Some("requestId=mine"));
        assert_eq!(request.extensions().get::<CallOptions>().and_then(CallOptions::idempotent), Some(false));
    }

    struct Svc(Client);
    impl crate::client::Service for Svc {
        const ROOT_URL: &'static str = "https://example.com/";
        const SERVICE_PATH: &'static str = "";
        fn from_client(client: Client) -> Self {
            Svc(client)
        }
    }

    fn builder() -> RequestBuilder {
        let client = crate::client::ClientBuilder::<Svc>::new().build().expect("client").0;
        RequestBuilder::new(&client, http::Method::GET, "v1/x")
    }

    #[test]
    fn set_query_replaces_earlier_values_only() {
        let mut r = builder();
        r.query("alt", "json");
        r.query("fields", "a,b");
        r.query("alt", "proto");
        r.set_query("alt", "media");
        assert_eq!(r.url(), "https://example.com/v1/x?fields=a,b&alt=media");
        let mut empty = builder();
        empty.set_query("uploadType", "multipart");
        assert_eq!(empty.url(), "https://example.com/v1/x?uploadType=multipart");
    }
}

#[cfg(test)]
mod data_wrapper_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_are_wrapped_once_and_other_values_go_as_they_are() {
        assert_eq!(data_wrapped(&json!({"q": "x"})).unwrap(), json!({"data": {"q": "x"}}));
        // Python's JsonModel takes an object with `data` to be wrapped already.
        assert_eq!(data_wrapped(&json!({"data": 1, "q": 2})).unwrap(), json!({"data": 1, "q": 2}));
        assert_eq!(data_wrapped(&json!([1, 2])).unwrap(), json!([1, 2]));
        assert_eq!(data_wrapped(&json!("s")).unwrap(), json!("s"));
    }
}
