//! When and how often a failed call is sent again.
//!
//! Every call a client sends goes through a [`RetryPolicy`]: the client's
//! own (set with [`ClientBuilder::retry_policy`](crate::client::ClientBuilder::retry_policy)),
//! or one given to the call. A failure is retried only when it is
//! transient **and** sending the request again is safe:
//!
//! - transient: HTTP 429, 500, 502, 503 and 504, a 403 whose reason is a
//!   rate limit (`rateLimitExceeded`, `userRateLimitExceeded`, as Google's
//!   Python client retries them; [`Error::is_rate_limited`]), failed or
//!   broken connections, and timeouts ([`Error::is_transient`]);
//! - safe: the HTTP method is idempotent (`GET`, `HEAD`, `PUT`, `DELETE`,
//!   `OPTIONS`), or the caller declared the call idempotent, or the request
//!   provably never left ([`Error::is_never_sent`]). A `POST` or `PATCH` that
//!   may have reached the server is never sent twice on the client's own
//!   initiative, since the server may already have acted on it.
//!
//! A request whose body is streamed (from a file or reader) cannot be
//! replayed and is never retried; bodies held in memory are.
//!
//! The same schedule, a [`Backoff`] (exponential growth with jitter, capped, never shorter
//! than a `Retry-After` and never past the time limit) paces the poller of
//! long-running operations and resumable uploads.

pub(crate) mod backoff;
mod options;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
pub use backoff::{Backoff, BackoffBuilder, Jitter};
pub use options::CallOptions;

/// How often, and for how long, a call is retried.
///
/// The defaults: at most 5 attempts in all, no new attempt after 60 s,
/// delays starting at 1 s and doubling up to 30 s, with full jitter, and
/// at least as long as the server's `Retry-After`.
///
/// For comparison, google-cloud-rust's generated clients default to its
/// `Aip194Strict` policy (retrying only `UNAVAILABLE`), limited to 10
/// attempts or 60 s, with a 1 s initial delay doubling up to 60 s. Google's
/// REST APIs answer 429, 500, 502 and 504 for transient conditions as well
/// (their own discovery-based clients retry those), so this policy retries
/// them too, and stops sooner to bound how long a caller waits.
///
/// Every setter accepts any value and never panics.
#[derive(Clone)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) time_limit: Duration,
    pub(crate) backoff: Backoff,
    /// The caller's test of which failures are worth retrying; `None` is the
    /// built-in one ([`is_retryable`]).
    retry_if: Option<Classifier>,
}

/// A caller's test of whether a failure is worth another attempt.
type Classifier = Arc<dyn Fn(&Error) -> bool + Send + Sync>;

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("time_limit", &self.time_limit)
            .field("backoff", &self.backoff)
            .field("retry_if", &if self.retry_if.is_some() { "custom" } else { "transient failures" })
            .finish()
    }
}

/// Two policies are equal when their settings are and they use the same
/// classifier: the built-in one, or one and the same closure (a policy and
/// its clones).
impl PartialEq for RetryPolicy {
    fn eq(&self, other: &Self) -> bool {
        let same_classifier = match (&self.retry_if, &other.retry_if) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        self.max_attempts == other.max_attempts
            && self.time_limit == other.time_limit
            && self.backoff == other.backoff
            && same_classifier
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 5, time_limit: Duration::from_secs(60), backoff: Backoff::default(), retry_if: None }
    }
}

impl RetryPolicy {
    /// The same as [`RetryPolicy::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that sends each call once and never retries.
    pub fn never() -> Self {
        Self::default().max_attempts(1)
    }

    /// The most attempts in all, the first one included (default 5). Zero
    /// counts as one: a call is always sent at least once.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// How long after the first attempt began a new attempt may still start
    /// (default 60 s). The last sleep is cut short to fit, and a
    /// `Retry-After` that reaches past the limit ends the retries at once.
    /// Each attempt is bounded by the client's request timeout besides.
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = limit;
        self
    }

    /// The schedule of delays between attempts (default
    /// [`Backoff::default`]: 1 s, doubling up to 30 s, full jitter). The
    /// four setters below change one setting of it each.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The delay before the first retry (default 1 s; at least 1 ms).
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.backoff.set_initial_delay(delay);
        self
    }

    /// The longest delay between two attempts (default 30 s); a
    /// `Retry-After` from the server may still ask for more.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.backoff.set_max_delay(delay);
        self
    }

    /// How much each delay grows over the one before (default 2). Values
    /// below 1, and NaN, become 1.
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.backoff.set_multiplier(factor);
        self
    }

    /// How each delay is randomised (default [`Jitter::Full`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.backoff.jitter = jitter;
        self
    }

    /// Decides which failures are worth another attempt, instead of the
    /// built-in test (transient failures, [`Error::is_transient`], and
    /// requests that never left, [`Error::is_never_sent`]).
    ///
    /// The classifier only says whether a failure is worth retrying; the
    /// rest of the policy still applies. A call goes out again only when
    /// that is safe (an idempotent method or call, or a request that never
    /// left), and within the attempts and time limit. A streamed body is
    /// never replayed. The classifier sees each failed attempt's error with
    /// the client's credentials already scrubbed from it. It decides between
    /// the attempts of one call; whether a media download that breaks off
    /// mid-body resumes stays with [`Error::is_transient`].
    ///
    /// ```
    /// use discogen_runtime::http::StatusCode;
    /// use discogen_runtime::retry::RetryPolicy;
    ///
    /// // Also retry 409 Conflict, which this API answers while a resource
    /// // is being created.
    /// let policy =
    ///     RetryPolicy::new().retry_if(|error| error.is_transient() || error.http_status() == Some(StatusCode::CONFLICT));
    /// # let _ = policy;
    /// ```
    pub fn retry_if<F>(mut self, classifier: F) -> Self
    where
        F: Fn(&Error) -> bool + Send + Sync + 'static,
    {
        self.retry_if = Some(Arc::new(classifier));
        self
    }

    /// Whether the classifier is the caller's own.
    pub(crate) fn has_classifier(&self) -> bool {
        self.retry_if.is_some()
    }

    /// Whether a call that failed with `error` may be sent again under this
    /// policy (attempts and time aside).
    pub(crate) fn allows_retry(&self, error: &Error, idempotent: bool) -> bool {
        match &self.retry_if {
            None => is_retryable(error, idempotent),
            Some(worth_retrying) => worth_retrying(error) && (idempotent || error.is_never_sent()),
        }
    }
}

/// Whether a call that failed with `error` may be sent again, by the
/// built-in test.
pub(crate) fn is_retryable(error: &Error, idempotent: bool) -> bool {
    error.is_never_sent() || (idempotent && error.is_transient())
}

/// Whether sending a request with `method` twice has the effect of sending
/// it once (RFC 9110, section 9.2.2).
pub(crate) fn method_is_idempotent(method: &http::Method) -> bool {
    matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::PUT | http::Method::DELETE | http::Method::OPTIONS
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_bounded() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.max_attempts, 5);
        assert_eq!(policy.time_limit, Duration::from_secs(60));
        assert_eq!(policy.backoff.initial_delay, Duration::from_secs(1));
        assert_eq!(policy.backoff.max_delay, Duration::from_secs(30));
        assert_eq!(policy.backoff.jitter, Jitter::Full);
        assert_eq!(RetryPolicy::never().max_attempts, 1);
        assert_eq!(RetryPolicy::new().max_attempts(0).max_attempts, 1);
    }

    #[test]
    fn a_backoff_replaces_the_whole_schedule() {
        let backoff = Backoff::builder()
            .initial_delay(Duration::from_millis(5))
            .max_delay(Duration::from_millis(50))
            .multiplier(3.0)
            .jitter(Jitter::Equal)
            .build();
        assert_eq!(
            (backoff.initial_delay(), backoff.max_delay(), backoff.multiplier(), backoff.jitter()),
            (Duration::from_millis(5), Duration::from_millis(50), 3.0, Jitter::Equal)
        );
        let policy = RetryPolicy::new().max_attempts(3).backoff(backoff.clone());
        assert_eq!(policy.backoff, backoff);
        let by_setters = RetryPolicy::new()
            .max_attempts(3)
            .initial_delay(Duration::from_millis(5))
            .max_delay(Duration::from_millis(50))
            .multiplier(3.0)
            .jitter(Jitter::Equal);
        assert_eq!(policy, by_setters);
        assert_eq!(RetryPolicy::new().backoff, Backoff::default());
    }

    #[test]
    fn the_backoff_builder_adjusts_nonsense_values() {
        let backoff =
            Backoff::builder().initial_delay(Duration::ZERO).max_delay(Duration::ZERO).multiplier(f64::NAN).build();
        assert_eq!(backoff.initial_delay(), backoff::MIN_DELAY);
        assert_eq!(backoff.max_delay(), backoff::MIN_DELAY);
        assert_eq!(backoff.multiplier(), 1.0);
        // A builder from a backoff changes only what it is told to.
        let changed = BackoffBuilder::from(Backoff::default()).jitter(Jitter::None).build();
        assert_eq!(changed.initial_delay(), Duration::from_secs(1));
        assert_eq!(changed.jitter(), Jitter::None);
    }

    #[test]
    fn only_safe_transient_failures_are_retried() {
        let unavailable =
            Error::new(crate::error::ErrorKind::Http, "x").with_http_status(http::StatusCode::SERVICE_UNAVAILABLE);
        let not_found = Error::new(crate::error::ErrorKind::Http, "x").with_http_status(http::StatusCode::NOT_FOUND);
        let refused = Error::transport("refused").with_never_sent();
        assert!(is_retryable(&unavailable, true));
        assert!(!is_retryable(&unavailable, false));
        assert!(!is_retryable(&not_found, true));
        assert!(is_retryable(&refused, false));
        assert!(!is_retryable(&Error::transport("reset"), false));
        assert!(method_is_idempotent(&http::Method::PUT));
        assert!(!method_is_idempotent(&http::Method::POST));
        assert!(!method_is_idempotent(&http::Method::PATCH));
    }
}
