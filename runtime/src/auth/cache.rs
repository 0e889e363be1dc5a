//! Caching tokens per scope set, and fetching a new one shortly before the
//! cached one expires.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Mutex as AsyncMutex;
use tokio::time::Instant;

use super::{AccessToken, TokenFuture, TokenProvider};
use crate::error::Error;

/// How long before its expiry a token is replaced. A request that gets a
/// token just before it expires may still be in flight when it does, so
/// the margin covers a slow request (the default timeout is 60 s) with room
/// to spare.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A token as an endpoint hands it out, with the time it stays valid.
pub(crate) struct FreshToken {
    pub(crate) token: AccessToken,
    pub(crate) lifetime: Duration,
}

pub(crate) type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<FreshToken, Error>> + Send + 'a>>;

/// One way of getting a new token: a service account's JWT, a refresh
/// token, the metadata server.
pub(crate) trait Fetch: Send + Sync + 'static {
    fn fetch<'a>(&'a self, scopes: &'a [&'static str]) -> FetchFuture<'a>;
    fn quota_project(&self) -> Option<&str>;
    /// The universe the credentials belong to, if they say.
    fn universe_domain(&self) -> Option<&str> {
        None
    }
}

#[derive(Clone)]
struct Cached {
    token: AccessToken,
    /// When a new token is fetched in place of this one.
    refresh_at: Instant,
    /// When this one stops being handed out at all.
    expires_at: Instant,
}

/// What is kept per scope set: the token, and a lock held by whoever is
/// fetching its replacement.
#[derive(Default)]
struct Slot {
    cached: Option<Cached>,
    fetching: Arc<AsyncMutex<()>>,
}

/// A [`TokenProvider`] over a [`Fetch`], keeping one token per scope set.
///
/// A token is handed out as is until its refresh time. From then until it
/// expires, the first call to notice fetches a new one while every other
/// call goes on with the old one, which is still valid; if that early fetch
/// fails, its caller gets the old token too. Only once a token has expired
/// (or there is none) do calls wait, and then all of them wait for the same
/// single fetch. Scope sets never wait for one another.
pub(crate) struct TokenCache<F> {
    fetch: F,
    slots: Mutex<HashMap<Vec<&'static str>, Slot>>,
}

impl<F: Fetch> TokenCache<F> {
    pub(crate) fn new(fetch: F) -> Self {
        Self { fetch, slots: Mutex::new(HashMap::new()) }
    }

    pub(crate) fn fetch(&self) -> &F {
        &self.fetch
    }

    /// The fetcher back, for reconfiguring; the cached tokens are dropped.
    pub(crate) fn into_fetch(self) -> F {
        self.fetch
    }

    /// The cached token of `key` and the lock of its fetch.
    fn look(&self, key: &[&'static str]) -> (Option<Cached>, Arc<AsyncMutex<()>>) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(key.to_vec()).or_default();
        (slot.cached.clone(), slot.fetching.clone())
    }

    /// Fetches a token for `key` and keeps it. The caller holds the slot's lock.
    async fn renew(&self, key: &[&'static str]) -> Result<AccessToken, Error> {
        let fresh = self.fetch.fetch(key).await?;
        let now = Instant::now();
        let cached = Cached {
            token: fresh.token.clone(),
            refresh_at: refresh_at(now, fresh.lifetime),
            expires_at: now + fresh.lifetime,
        };
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.entry(key.to_vec()).or_default().cached = Some(cached);
        Ok(fresh.token)
    }
}

/// The scopes in a canonical order, so that `[a, b]` and `[b, a]` share a token.
fn key(scopes: &[&'static str]) -> Vec<&'static str> {
    let mut key = scopes.to_vec();
    key.sort_unstable();
    key.dedup();
    key
}

/// When to replace a token valid for `lifetime` from `now`: the margin
/// before expiry, but never later than half its life, so a short-lived
/// token is not used up to its last second.
fn refresh_at(now: Instant, lifetime: Duration) -> Instant {
    let margin = REFRESH_MARGIN.min(lifetime / 2);
    now + lifetime.saturating_sub(margin)
}

impl<F: Fetch> TokenProvider for TokenCache<F> {
    fn token<'a>(&'a self, scopes: &'a [&'static str]) -> TokenFuture<'a> {
        Box::pin(async move {
            let key = key(scopes);
            let (cached, fetching) = self.look(&key);
            let now = Instant::now();
            match cached {
                Some(cached) if now < cached.refresh_at => return Ok(cached.token),
                Some(cached) if now < cached.expires_at => {
                    // Still valid: refresh early unless another call already is.
                    let Ok(_held) = fetching.try_lock() else { return Ok(cached.token) };
                    match self.look(&key).0 {
                        Some(newer) if Instant::now() < newer.refresh_at => return Ok(newer.token),
                        _ => {}
                    }
                    return match self.renew(&key).await {
                        Ok(token) => Ok(token),
                        Err(error) => {
                            tracing::debug!(target: "discogen::auth", kind = ?error.kind(), "early token refresh failed; the current token is still valid");
                            Ok(cached.token)
                        }
                    };
                }
                _ => {}
            }
            // No usable token: wait for whoever is fetching, then look again.
            let _held = fetching.lock().await;
            match self.look(&key).0 {
                Some(newer) if Instant::now() < newer.refresh_at => Ok(newer.token),
                _ => self.renew(&key).await,
            }
        })
    }

    fn invalidate<'a>(&'a self, rejected: &'a AccessToken) -> Pin<Box<dyn Future<Output = bool> + Send + 'a>> {
        Box::pin(async move {
            let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            for slot in slots.values_mut() {
                if slot.cached.as_ref().is_some_and(|cached| cached.token == *rejected) {
                    slot.cached = None;
                }
            }
            true
        })
    }

    fn quota_project(&self) -> Option<&str> {
        self.fetch.quota_project()
    }

    fn universe_domain(&self) -> Option<&str> {
        self.fetch.universe_domain()
    }
}

/// Implements [`TokenProvider`] for a public credential type by handing
/// every call to its `cache` field.
macro_rules! provider_over_cache {
    ($type:ty) => {
        impl $crate::auth::TokenProvider for $type {
            fn token<'a>(&'a self, scopes: &'a [&'static str]) -> $crate::auth::TokenFuture<'a> {
                $crate::auth::TokenProvider::token(&self.cache, scopes)
            }

            fn invalidate<'a>(
                &'a self,
                rejected: &'a $crate::auth::AccessToken,
            ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + 'a>> {
                $crate::auth::TokenProvider::invalidate(&self.cache, rejected)
            }

            fn quota_project(&self) -> Option<&str> {
                $crate::auth::TokenProvider::quota_project(&self.cache)
            }

            fn universe_domain(&self) -> Option<&str> {
                $crate::auth::TokenProvider::universe_domain(&self.cache)
            }
        }
    };
}
pub(crate) use provider_over_cache;

impl<F> fmt::Debug for TokenCache<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenCache(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_order_does_not_matter() {
        assert_eq!(key(&["b", "a", "b"]), key(&["a", "b"]));
    }

    #[test]
    fn refresh_comes_before_expiry() {
        let now = Instant::now();
        assert_eq!(refresh_at(now, Duration::from_secs(3600)), now + Duration::from_secs(3300));
        assert_eq!(refresh_at(now, Duration::from_secs(60)), now + Duration::from_secs(30));
        assert_eq!(refresh_at(now, Duration::ZERO), now);
    }
}
