//! The setters every call builder gets for its standard parameters.

use super::{Alt, StandardParams, Xgafv};
use crate::retry::RetryPolicy;

/// Setters for the [`StandardParams`] of a call, implemented by every
/// generated call builder. Bring it into scope with
/// `use discogen_runtime::prelude::*;`.
///
/// The generator keeps a builder's own setters from taking these names: a
/// method parameter called `fields` gets the setter `fields2`, so
/// `.fields(..)` always means the standard parameter.
pub trait WithStandardParams: Sized {
    /// The parameters of this call, for setting several at once.
    fn standard_params_mut(&mut self) -> &mut StandardParams;

    /// Sets `$.xgafv`, the version of the error format.
    fn xgafv(mut self, value: Xgafv) -> Self {
        self.standard_params_mut().xgafv = Some(value);
        self
    }
    /// Sends an OAuth access token as the `access_token` query parameter.
    /// Prefer the client's credentials, which travel in a header.
    fn access_token(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().access_token = Some(value.into());
        self
    }
    /// Sets `alt`, the format of the response. Media downloads set it
    /// themselves.
    fn alt(mut self, value: Alt) -> Self {
        self.standard_params_mut().alt = Some(value);
        self
    }
    /// Sets `callback`, which asks for a JSONP response.
    fn callback(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().callback = Some(value.into());
        self
    }
    /// Sets `fields`, a field mask such as `name,done`: the response then
    /// holds only those fields.
    fn fields(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().fields = Some(value.into());
        self
    }
    /// Sends an API key as the `key` query parameter.
    fn key(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().key = Some(value.into());
        self
    }
    /// Sends an OAuth 2.0 token as the `oauth_token` query parameter.
    fn oauth_token(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().oauth_token = Some(value.into());
        self
    }
    /// Sets `prettyPrint`: `false` asks for JSON without indentation.
    fn pretty_print(mut self, value: bool) -> Self {
        self.standard_params_mut().pretty_print = Some(value);
        self
    }
    /// Sets `quotaUser`, the user a server-side caller acts for, so that
    /// quota is counted per user.
    fn quota_user(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().quota_user = Some(value.into());
        self
    }
    /// Sets `uploadType`. Upload calls set the protocol they use
    /// themselves; this is for the rare call that needs it by hand.
    fn upload_type(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().upload_type = Some(value.into());
        self
    }
    /// Sets `upload_protocol`.
    fn upload_protocol(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().upload_protocol = Some(value.into());
        self
    }
    /// Sets `userIp`, which some older APIs take for per-user quota.
    fn user_ip(mut self, value: impl Into<String>) -> Self {
        self.standard_params_mut().user_ip = Some(value.into());
        self
    }
    /// Adds a query parameter that [`StandardParams`] does not name, such
    /// as one that only some API's document lists.
    fn query_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.standard_params_mut().other.push((name.into(), value.into()));
        self
    }
    /// Retries this call under `policy` instead of the client's retry
    /// policy; `RetryPolicy::never()` sends it once.
    fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.standard_params_mut().call_options.set_retry_policy(policy);
        self
    }
    /// Declares whether sending this call twice has the effect of sending
    /// it once. A `POST` or `PATCH` declared idempotent is retried after a
    /// transient failure, as a `GET` is.
    fn idempotent(mut self, idempotent: bool) -> Self {
        self.standard_params_mut().call_options.set_idempotent(idempotent);
        self
    }
}

/// The names of the trait's methods, which a call builder must not use
/// for setters of its own. The generator keeps its own copy of this list;
/// a test compares the two.
#[doc(hidden)]
pub const MEMBER_NAMES: &[&str] = &[
    "standard_params_mut",
    "xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "pretty_print",
    "quota_user",
    "upload_type",
    "upload_protocol",
    "user_ip",
    "query_param",
    "retry_policy",
    "idempotent",
];
