//! The metadata server of Compute Engine, GKE, Cloud Run and the like, which
//! hands out tokens for the service account the workload runs as.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::header::HeaderValue;

use super::cache::{provider_over_cache, Fetch, FetchFuture, TokenCache};
use super::endpoint;
use super::id_token::{IdCache, IdTokenProvider};
use super::{AccessToken, TokenFuture};
use crate::body::Body;
use crate::encode::{percent_encode_into, UNRESERVED};
use crate::error::Error;
use crate::transport::Transport;

/// The variable Google's client libraries read to find the server elsewhere
/// (an emulator, a test), as `host` or `host:port`.
pub const METADATA_HOST_VARIABLE: &str = "GCE_METADATA_HOST";
const DEFAULT_HOST: &str = "metadata.google.internal";
const IDENTITY_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default/identity?audience=";
const TOKEN_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default/token";
/// The server refuses requests without it, which keeps a page fetched on
/// the workload's behalf (server-side request forgery) from reading tokens.
const FLAVOR: (&str, &str) = ("metadata-flavor", "Google");

/// Tokens from the metadata server, for the workload's service account.
///
/// The server is reached over plain HTTP: it is on the machine's own link,
/// never across the network.
pub struct MetadataServer {
    cache: TokenCache<Metadata>,
}

struct Metadata {
    host: String,
    ids: IdCache,
    transport: Arc<dyn Transport>,
}

impl MetadataServer {
    /// The server at `$GCE_METADATA_HOST`, or `metadata.google.internal`.
    pub fn new() -> Result<Self, Error> {
        let host = std::env::var(METADATA_HOST_VARIABLE).ok().filter(|h| !h.is_empty());
        Self::with_host(host.as_deref().unwrap_or(DEFAULT_HOST))
    }

    /// The server at `host` (`host` or `host:port`).
    pub fn with_host(host: &str) -> Result<Self, Error> {
        let authority: http::uri::Authority = host.parse().map_err(|_| {
            Error::invalid_argument(format!("metadata server host {host:?} is not a host or host:port"))
        })?;
        let metadata = Metadata {
            host: authority.to_string(),
            ids: IdCache::default(),
            transport: endpoint::default_transport()?,
        };
        Ok(Self { cache: TokenCache::new(metadata) })
    }

    /// Sends requests through `transport` instead of a new
    /// [`crate::transport::HttpTransport`].
    pub fn with_transport(self, transport: impl Transport) -> Self {
        let mut metadata = self.cache.into_fetch();
        metadata.transport = Arc::new(transport);
        Self { cache: TokenCache::new(metadata) }
    }

    /// Whether a metadata server answers within `wait`, for telling a
    /// workload on Google Cloud from a machine elsewhere.
    pub async fn answers(&self, wait: Duration) -> bool {
        let metadata = self.cache.fetch();
        let Ok(request) = metadata.request("/computeMetadata/v1/".to_owned()) else { return false };
        let probe = metadata.transport.send(request, Some(wait));
        let answer = tokio::time::timeout(wait, probe).await;
        let flavor = |r: &http::Response<Body>| r.headers().get(FLAVOR.0).is_some_and(|v| v == FLAVOR.1);
        matches!(answer, Ok(Ok(response)) if flavor(&response))
    }
}

impl Metadata {
    fn request(&self, path_and_query: String) -> Result<http::Request<Body>, Error> {
        http::Request::get(format!("http://{}{path_and_query}", self.host))
            .header(FLAVOR.0, HeaderValue::from_static(FLAVOR.1))
            .body(Body::empty())
            .map_err(|_| Error::invalid_argument(format!("metadata server host {:?} makes no valid URI", self.host)))
    }
}

/// The token path asking for `scopes` (comma-separated, as the server
/// takes them); with none, the server's default scopes apply.
fn token_path(scopes: &[&str]) -> String {
    let mut path = TOKEN_PATH.to_owned();
    for (i, scope) in scopes.iter().enumerate() {
        path.push_str(if i == 0 { "?scopes=" } else { "," });
        percent_encode_into(&mut path, scope, UNRESERVED);
    }
    path
}

impl Fetch for Metadata {
    fn fetch<'a>(&'a self, scopes: &'a [&'static str]) -> FetchFuture<'a> {
        Box::pin(async move {
            let request = self.request(token_path(scopes))?;
            endpoint::exchange(&*self.transport, request, "the metadata server", &[]).await
        })
    }

    fn quota_project(&self) -> Option<&str> {
        None
    }
}

provider_over_cache!(MetadataServer);

impl IdTokenProvider for MetadataServer {
    /// `…/service-accounts/default/identity?audience=…&format=full`, whose
    /// body is the token itself.
    fn id_token<'a>(&'a self, audience: &'a str) -> TokenFuture<'a> {
        let metadata = self.cache.fetch();
        Box::pin(metadata.ids.get(audience, move |audience| {
            Box::pin(async move {
                let mut path = IDENTITY_PATH.to_owned();
                percent_encode_into(&mut path, audience, UNRESERVED);
                path.push_str("&format=full");
                let request = metadata.request(path)?;
                let from = "the metadata server";
                let response = metadata
                    .transport
                    .send(request, Some(Duration::from_secs(30)))
                    .await
                    .map_err(|e| Error::auth(format!("could not get an ID token from {from}")).with_source(e))?;
                let status = response.status();
                let body = response.into_body().collect_limited(64 * 1024).await?;
                let text = String::from_utf8(body.to_vec()).unwrap_or_default();
                let text = text.trim();
                if !status.is_success() {
                    return Err(Error::auth(format!("{from} refused the ID token request (HTTP {})", status.as_u16()))
                        .with_http_status(status));
                }
                if text.split('.').count() != 3 {
                    return Err(Error::auth(format!("{from} sent no ID token (its answer is not a JWT)")));
                }
                Ok(AccessToken::new(text))
            })
        }))
    }
}

impl fmt::Debug for MetadataServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataServer").field("host", &self.cache.fetch().host).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_go_in_the_query() {
        assert_eq!(token_path(&[]), TOKEN_PATH);
        assert_eq!(token_path(&["https://a/x", "b"]), format!("{TOKEN_PATH}?scopes=https%3A%2F%2Fa%2Fx,b"));
    }

    #[test]
    fn host_must_be_an_authority() {
        assert!(MetadataServer::with_host("127.0.0.1:8080").is_ok());
        assert!(MetadataServer::with_host("a b/c").is_err());
    }
}
