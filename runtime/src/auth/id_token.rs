//! OpenID Connect ID tokens, for calling services that check who calls
//! them rather than what scopes a token has: Cloud Run, Cloud Functions,
//! IAP-protected applications. An ID token is a JWT signed by Google whose
//! `aud` is the audience asked for (usually the service's URL).
//!
//! As google-auth-library-python's `fetch_id_token` offers them: from a
//! service account key (a JWT with `target_audience` exchanged at the
//! token endpoint), from the metadata server (`identity?audience=`), and
//! through impersonation (`generateIdToken`).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{AccessToken, TokenFuture};
use crate::error::Error;

/// Supplies ID tokens for an audience. `Debug` of every implementation
/// hides the tokens, and the token type is [`AccessToken`] so that it is
/// hidden in `Debug` too; send it as `Authorization: Bearer …`.
pub trait IdTokenProvider: Send + Sync + 'static {
    /// An ID token whose `aud` is `audience`, cached until shortly before
    /// it expires.
    fn id_token<'a>(&'a self, audience: &'a str) -> TokenFuture<'a>;
}

/// How long before its `exp` an ID token is replaced.
const MARGIN: Duration = Duration::from_secs(5 * 60);
/// Google's ID tokens live an hour; used when `exp` cannot be read.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

pub(crate) type IdFuture<'a> = Pin<Box<dyn Future<Output = Result<AccessToken, Error>> + Send + 'a>>;

/// ID tokens per audience. One lock over fetching too: concurrent calls
/// for an audience share one fetch.
#[derive(Default)]
pub(crate) struct IdCache {
    tokens: Mutex<HashMap<String, (AccessToken, Instant)>>,
}

impl IdCache {
    pub(crate) async fn get<'a>(
        &self,
        audience: &'a str,
        fetch: impl FnOnce(&'a str) -> IdFuture<'a>,
    ) -> Result<AccessToken, Error> {
        if audience.is_empty() {
            return Err(Error::invalid_argument("an ID token needs an audience (the URL of the service it is for)"));
        }
        let mut tokens = self.tokens.lock().await;
        if let Some((token, refresh_at)) = tokens.get(audience) {
            if Instant::now() < *refresh_at {
                return Ok(token.clone());
            }
        }
        let token = fetch(audience).await?;
        let lifetime = lifetime(token.secret()).unwrap_or(DEFAULT_LIFETIME);
        let refresh_at = Instant::now() + lifetime.saturating_sub(MARGIN.min(lifetime / 2));
        tokens.insert(audience.to_owned(), (token.clone(), refresh_at));
        Ok(token)
    }
}

/// How long a JWT has left, from its `exp` claim (the signature is the
/// service's to check, not ours).
fn lifetime(jwt: &str) -> Option<Duration> {
    let payload = jwt.split('.').nth(1)?;
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let exp = claims.get("exp")?.as_u64()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(exp.saturating_sub(now)))
}

/// The ID token in a token endpoint's JSON answer, under `field`.
pub(crate) fn read(json: Option<&serde_json::Value>, field: &str, from: &str) -> Result<AccessToken, Error> {
    json.and_then(|j| j.get(field))
        .and_then(|v| v.as_str())
        .filter(|t| t.split('.').count() == 3)
        .map(AccessToken::new)
        .ok_or_else(|| Error::auth(format!("{from} sent no ID token (a JWT in `{field}`)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_gives_the_lifetime() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let claims = URL_SAFE_NO_PAD.encode(format!(r#"{{"exp": {}}}"#, now + 600));
        let left = lifetime(&format!("h.{claims}.s")).unwrap();
        assert!(left <= Duration::from_secs(600) && left >= Duration::from_secs(590), "{left:?}");
        assert_eq!(lifetime("not a jwt"), None);
        assert!(read(Some(&serde_json::json!({"id_token": "a.b.c"})), "id_token", "x").is_ok());
        assert!(read(Some(&serde_json::json!({"id_token": "opaque"})), "id_token", "x").is_err());
    }
}
