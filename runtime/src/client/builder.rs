//! Configuring and creating a client.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;

use super::{gzip, root_url};
use super::{Client, ClientInner, Service};
use crate::auth::{Credentials, TokenProvider};
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::transport::{HttpTransport, Transport};

/// Default time allowed for one request, from sending to the last body byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The `User-Agent` sent unless the builder sets another.
pub const DEFAULT_USER_AGENT: &str = concat!("discogen-runtime/", env!("CARGO_PKG_VERSION"));

/// Builds the client of the generated API `S`.
///
/// Nothing is checked or connected until [`ClientBuilder::build`].
pub struct ClientBuilder<S> {
    root_url: Option<String>,
    universe_domain: Option<String>,
    credentials: Credentials,
    timeout: Duration,
    user_agent: Option<String>,
    quota_project: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    allow_insecure_http: bool,
    max_response_bytes: usize,
    retry_policy: RetryPolicy,
    // A function pointer keeps the builder Send and Sync whatever `S` is.
    service: PhantomData<fn() -> S>,
}

impl<S: Service> Default for ClientBuilder<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Service> ClientBuilder<S> {
    /// A builder with the API's own root URL, no credentials and the defaults.
    pub fn new() -> Self {
        Self {
            root_url: None,
            universe_domain: None,
            credentials: Credentials::none(),
            timeout: DEFAULT_TIMEOUT,
            user_agent: None,
            quota_project: None,
            transport: None,
            allow_insecure_http: false,
            max_response_bytes: crate::transport::DEFAULT_MAX_RESPONSE_BYTES,
            retry_policy: RetryPolicy::default(),
            service: PhantomData,
        }
    }

    /// Sends requests to another root URL, such as an emulator, a test
    /// server, or a regional or mTLS endpoint. The API's service path is
    /// still appended.
    pub fn root_url(mut self, url: impl Into<String>) -> Self {
        self.root_url = Some(url.into());
        self
    }

    /// The universe the client works in (see [`crate::universe`]): the
    /// API's default root URL moves from `googleapis.com` to this domain,
    /// and credentials from another universe are refused by
    /// [`build`](Self::build). Beats `GOOGLE_CLOUD_UNIVERSE_DOMAIN`.
    pub fn universe_domain(mut self, domain: impl Into<String>) -> Self {
        self.universe_domain = Some(domain.into());
        self
    }

    /// Gets a token from `provider` for each request.
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.credentials = self.credentials.with_token_provider(provider);
        self
    }

    /// Sends one fixed bearer token with every request.
    pub fn bearer_token(self, token: impl Into<String>) -> Self {
        self.token_provider(crate::auth::StaticToken::new(token))
    }

    /// Sends an API key as the `key` query parameter of every request.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials = self.credentials.with_api_key(key);
        self
    }

    /// Replaces all credentials set so far.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Time allowed for each request (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `discogen-runtime/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Bills quota and usage to `project` (sent as `x-goog-user-project`)
    /// instead of the project the credentials belong to, or the
    /// `quota_project_id` their key file names. The caller needs the
    /// `serviceusage.services.use` permission on it.
    pub fn quota_project(mut self, project: impl Into<String>) -> Self {
        self.quota_project = Some(project.into());
        self
    }

    /// Sends requests through `transport` instead of the process-wide
    /// [`HttpTransport::shared`] (whose connection pool every client built
    /// without a transport shares), for example one from
    /// [`HttpTransport::direct`], with a custom TLS config or connect
    /// timeout, or another HTTP stack behind the [`Transport`] trait. Pass
    /// an `Arc` to share one transport, and so its connection pool, between
    /// clients.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.transport = Some(Arc::new(transport));
        self
    }

    /// Allows a plain `http://` root URL on a host that is not loopback.
    /// Credentials then cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest response body accepted, in bytes (default 64 MiB).
    ///
    /// The default transport stops reading as soon as a body passes the
    /// limit. A custom transport reads the body its own way; the client then
    /// still refuses a body over the limit.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How calls are retried after a transient failure (default
    /// [`RetryPolicy::default`]: idempotent calls, up to 5 attempts within
    /// 60 s). [`RetryPolicy::never`] turns retries off. A call builder can
    /// override it for one call.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Checks the settings and creates the client.
    ///
    /// Fails with [`crate::error::ErrorKind::InvalidArgument`] for an unusable root
    /// URL, universe domain or user agent, [`crate::error::ErrorKind::Auth`] for
    /// credentials from another universe, and [`crate::error::ErrorKind::Transport`] if the HTTP
    /// client cannot be set up.
    pub fn build(self) -> Result<S, Error> {
        let env = std::env::var(crate::universe::UNIVERSE_VARIABLE).ok();
        let universe = crate::universe::determine(self.universe_domain.as_deref(), env)?;
        crate::universe::check_credentials(&universe, self.credentials.universe_domain())?;
        let root = match &self.root_url {
            Some(root) => root.clone(),
            None => crate::universe::rewrite_root(S::ROOT_URL, &universe),
        };
        let root_url = root_url::normalize(&root, self.allow_insecure_http)?;
        let base_url = root_url::join_service_path(&root_url, S::SERVICE_PATH);
        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let bad_agent = || Error::invalid_argument("the user agent has characters not allowed in a header");
        let user_agent_gzip = HeaderValue::try_from(gzip::user_agent(user_agent)).map_err(|_| bad_agent())?;
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| bad_agent())?;
        let quota_project = match self.quota_project.as_deref().map(HeaderValue::try_from) {
            None => None,
            Some(Ok(value)) => Some(value),
            Some(Err(_)) => {
                return Err(Error::invalid_argument("the quota project has characters not allowed in a header"))
            }
        };
        let transport = match self.transport {
            Some(transport) => transport,
            // One pool for the process: clients on one host (two APIs
            // behind one endpoint, or many clients of one API) reuse each
            // other's connections instead of each opening and keeping its
            // own, and the proxy settings and TLS config are made once.
            None => Arc::new(HttpTransport::shared()?),
        };
        let inner = ClientInner {
            root_url,
            base_url,
            credentials: self.credentials,
            timeout: self.timeout,
            user_agent,
            user_agent_gzip,
            quota_project,
            transport,
            max_response_bytes: self.max_response_bytes,
            retry_policy: self.retry_policy,
        };
        Ok(S::from_client(Client { inner: Arc::new(inner) }))
    }
}

impl<S> fmt::Debug for ClientBuilder<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("root_url", &self.root_url)
            .field("universe_domain", &self.universe_domain)
            .field("credentials", &self.credentials)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("quota_project", &self.quota_project)
            .field("custom_transport", &self.transport.is_some())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry_policy", &self.retry_policy)
            .finish()
    }
}
