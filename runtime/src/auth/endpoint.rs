//! Asking an OAuth 2 token endpoint or the metadata server for a token,
//! over the runtime's own [`Transport`], so credentials add no second HTTP
//! stack to a program.

use std::sync::Arc;
use std::time::Duration;

use http::header::{HeaderValue, CONTENT_TYPE};

use super::cache::FreshToken;
use super::AccessToken;
use crate::body::Body;
use crate::encode::{percent_encode_into, UNRESERVED};
use crate::error::Error;
use crate::transport::{HttpTransport, Transport};

/// Time allowed for one token request.
const TIMEOUT: Duration = Duration::from_secs(30);
/// A token response is a few hundred bytes; anything much larger is not one.
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// What Google's endpoints use when a response leaves `expires_in` out.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// The transport used for token requests unless the caller picks one. The
/// answer is read to at most `MAX_RESPONSE_BYTES` below, whatever it claims.
pub(crate) fn default_transport() -> Result<Arc<dyn Transport>, Error> {
    Ok(Arc::new(HttpTransport::new()?))
}

/// `application/x-www-form-urlencoded` text of `pairs`.
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode_into(&mut out, name, UNRESERVED);
        out.push('=');
        percent_encode_into(&mut out, value, UNRESERVED);
    }
    out
}

/// A POST of `form` to `uri`.
pub(crate) fn post_form(uri: &str, form: String) -> Result<http::Request<Body>, Error> {
    http::Request::post(uri)
        .header(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded"))
        .body(Body::from(form))
        .map_err(|_| Error::auth(format!("the token URI {uri:?} is not a valid URI")))
}

/// Sends `request` and reads the token from the response. `from` names the
/// endpoint in errors ("the token endpoint", "the metadata server");
/// `secrets` are what the request carried, scrubbed from any error in case
/// the endpoint quotes them back.
pub(crate) async fn exchange(
    transport: &dyn Transport,
    request: http::Request<Body>,
    from: &str,
    secrets: &[&str],
) -> Result<FreshToken, Error> {
    exchange_unscrubbed(transport, request, from, secrets).await.map_err(|error| scrubbed(error, secrets))
}

async fn exchange_unscrubbed(
    transport: &dyn Transport,
    request: http::Request<Body>,
    from: &str,
    secrets: &[&str],
) -> Result<FreshToken, Error> {
    let answer = send(transport, request, from).await?;
    if !answer.status.is_success() {
        return Err(answer.refusal(from, secrets));
    }
    read_token(answer.json.as_ref())
        .map_err(|why| Error::auth(format!("{from} sent an unusable token response: {why}")))
}

/// What an endpoint answered: its status and, if the body was JSON, the body.
pub(crate) struct Answer {
    pub(crate) status: http::StatusCode,
    pub(crate) json: Option<serde_json::Value>,
}

impl Answer {
    /// The OAuth `error` code of a refusal (`invalid_grant`, ...).
    pub(crate) fn oauth_code(&self) -> Option<&str> {
        self.json.as_ref()?.get("error")?.as_str()
    }

    /// The error for a refusal, with `secrets` scrubbed from what it quotes.
    pub(crate) fn refusal(&self, from: &str, secrets: &[&str]) -> Error {
        Error::auth(format!("{from} refused the token request: {}", oauth_error(self.json.as_ref(), secrets)))
            .with_http_status(self.status)
    }
}

/// Sends `request` and reads the whole (small) answer, within [`TIMEOUT`].
/// The caller scrubs its secrets from any error.
pub(crate) async fn send(transport: &dyn Transport, request: http::Request<Body>, from: &str) -> Result<Answer, Error> {
    let (status, body) = send_raw(transport, request, from).await?;
    Ok(Answer { status, json: serde_json::from_slice(&body).ok() })
}

/// [`send`], for answers that are not JSON (a subject token as text, an
/// AWS metadata value). The caller scrubs its secrets from any error.
pub(crate) async fn send_raw(
    transport: &dyn Transport,
    request: http::Request<Body>,
    from: &str,
) -> Result<(http::StatusCode, bytes::Bytes), Error> {
    let response = tokio::time::timeout(TIMEOUT, async {
        let response = transport.send(request, Some(TIMEOUT)).await?;
        let (parts, body) = response.into_parts();
        Ok::<_, Error>((parts.status, body.collect_limited(MAX_RESPONSE_BYTES).await?))
    })
    .await
    .map_err(|_| Error::timeout(format!("{from} sent no answer within {TIMEOUT:?}")))?;
    response.map_err(|e| Error::auth(format!("could not get a token from {from}")).with_source(e))
}

/// Scrubs every form of `secrets` from `error`.
pub(crate) fn scrubbed(mut error: Error, secrets: &[&str]) -> Error {
    for secret in secrets {
        error.redact(secret);
    }
    error
}

/// The token and lifetime in a successful response (RFC 6749, section 5.1).
pub(crate) fn read_token(json: Option<&serde_json::Value>) -> Result<FreshToken, &'static str> {
    let json = json.ok_or("the body is not JSON")?;
    let token = json.get("access_token").and_then(|v| v.as_str()).ok_or("it has no string `access_token`")?;
    if token.is_empty() {
        return Err("its `access_token` is empty");
    }
    let lifetime = match json.get("expires_in") {
        None | Some(serde_json::Value::Null) => DEFAULT_LIFETIME,
        Some(value) => Duration::from_secs(value.as_u64().ok_or("its `expires_in` is not a whole number of seconds")?),
    };
    Ok(FreshToken { token: AccessToken::new(token), lifetime })
}

/// The `error` code and description of a refusal (RFC 6749, section 5.2).
/// Only these two fields are kept, and `secrets` are scrubbed from them
/// before they are shortened (which could cut a secret past recognition).
fn oauth_error(json: Option<&serde_json::Value>, secrets: &[&str]) -> String {
    let field = |name: &str| {
        let mut text = json.and_then(|j| j.get(name)).and_then(|v| v.as_str())?.to_owned();
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            for form in crate::redact::error::forms(secret) {
                crate::redact::error::text(&mut text, &form);
            }
        }
        Some(crate::text::quoted(&text))
    };
    match (field("error"), field("error_description")) {
        (Some(code), Some(description)) => format!("{code} ({description})"),
        (Some(code), None) => code,
        _ => "no OAuth error in the body".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_is_percent_encoded() {
        assert_eq!(form(&[("a b", "x&y=z"), ("c", "é")]), "a%20b=x%26y%3Dz&c=%C3%A9");
    }

    #[test]
    fn token_responses() {
        let ok = serde_json::json!({"access_token": "t", "expires_in": 10, "token_type": "Bearer"});
        let fresh = read_token(Some(&ok)).unwrap();
        assert_eq!((fresh.token.secret(), fresh.lifetime), ("t", Duration::from_secs(10)));
        let no_expiry = serde_json::json!({"access_token": "t"});
        assert_eq!(read_token(Some(&no_expiry)).unwrap().lifetime, DEFAULT_LIFETIME);
        assert!(read_token(Some(&serde_json::json!({"access_token": ""}))).is_err());
        assert!(read_token(Some(&serde_json::json!({"access_token": "t", "expires_in": -1}))).is_err());
        assert!(read_token(None).is_err());
    }
}
