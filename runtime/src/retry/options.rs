//! Per-call settings: the retry policy and idempotency of one call.
//!
//! They sit beside the policy rather than with the request builder, so that
//! the client's retry loop (below the request layer) can read them without
//! importing from a layer above it.

use super::RetryPolicy;

/// Per-call settings that are not part of the HTTP request: how the client
/// retries it. They travel with the built request as an extension, so that
/// a request from a call builder's `build_request()` keeps them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    retry_policy: Option<RetryPolicy>,
    idempotent: Option<bool>,
}

impl CallOptions {
    /// Retries the call under `policy` instead of the client's policy.
    pub fn set_retry_policy(&mut self, policy: RetryPolicy) {
        self.retry_policy = Some(policy);
    }

    /// Declares whether sending the call twice has the same effect as
    /// sending it once, which decides whether a transient failure after the
    /// request may have reached the server is retried. By default only
    /// `GET`, `HEAD`, `PUT`, `DELETE` and `OPTIONS` count as idempotent;
    /// mark a `POST` idempotent when the API makes it so (for example with a
    /// request id the server deduplicates).
    pub fn set_idempotent(&mut self, idempotent: bool) {
        self.idempotent = Some(idempotent);
    }

    /// The policy set for the call, if any.
    pub fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry_policy.as_ref()
    }

    /// The idempotency declared for the call, if any.
    pub fn idempotent(&self) -> Option<bool> {
        self.idempotent
    }
}
