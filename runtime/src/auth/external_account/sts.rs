//! The token exchange at Google's Security Token Service (RFC 8693): a
//! subject token from another identity provider in, a Google access token
//! out.

use base64::Engine as _;
use http::header::{HeaderValue, AUTHORIZATION};

use super::source::SubjectToken;
use crate::auth::cache::FreshToken;
use crate::auth::endpoint;
use crate::error::Error;
use crate::transport::Transport;

pub(crate) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub(crate) const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// One exchange's inputs.
pub(crate) struct Exchange<'a> {
    pub(crate) token_url: &'a str,
    pub(crate) audience: &'a str,
    pub(crate) subject_token: &'a SubjectToken,
    pub(crate) subject_token_type: &'a str,
    pub(crate) scopes: &'a [&'a str],
    /// Billed for a workforce pool's calls when nothing else names a project.
    pub(crate) user_project: Option<&'a str>,
    /// Sent as HTTP Basic authentication (RFC 6749, section 2.3.1).
    pub(crate) client: Option<(&'a str, &'a str)>,
}

pub(crate) async fn exchange(transport: &dyn Transport, exchange: &Exchange<'_>) -> Result<FreshToken, Error> {
    let scope = exchange.scopes.join(" ");
    let options = exchange.user_project.map(|project| serde_json::json!({"userProject": project}).to_string());
    let mut pairs = vec![
        ("grant_type", GRANT_TYPE),
        ("requested_token_type", ACCESS_TOKEN_TYPE),
        ("audience", exchange.audience),
        ("scope", scope.as_str()),
        ("subject_token", exchange.subject_token.token.as_str()),
        ("subject_token_type", exchange.subject_token_type),
    ];
    if let Some(options) = &options {
        pairs.push(("options", options));
    }
    let mut request = endpoint::post_form(exchange.token_url, endpoint::form(&pairs))?;
    let mut secrets = vec![exchange.subject_token.token.as_str()];
    secrets.extend(exchange.subject_token.inner_secrets.iter().map(String::as_str));
    let basic;
    if let Some((id, secret)) = exchange.client {
        basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
        let mut value = HeaderValue::try_from(format!("Basic {basic}"))
            .map_err(|_| Error::auth("the client id or secret cannot be sent in a header"))?;
        value.set_sensitive(true);
        request.headers_mut().insert(AUTHORIZATION, value);
        secrets.extend([secret, basic.as_str()]);
    }
    tracing::debug!(target: "discogen::auth", token_url = exchange.token_url, "exchanging a subject token");
    endpoint::exchange(transport, request, "the security token service", &secrets).await
}
