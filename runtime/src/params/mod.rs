//! The query parameters that every method of every Google API takes
//! (`fields`, `quotaUser`, `prettyPrint`, ...), with the per-call retry
//! settings, shared by all generated crates.
//!
//! Discovery documents list these parameters at the top level, and the list
//! is the same in nearly all of them, so one type serves every API: a call
//! builder keeps a [`StandardParams`] and exposes it through
//! [`WithStandardParams`], whose setters become available with
//! `use discogen_runtime::prelude::*;`. A parameter that only some document
//! lists (and this type does not name) goes through
//! [`WithStandardParams::query_param`].

mod setters;
mod values;

pub use setters::{WithStandardParams, MEMBER_NAMES};
pub use values::{Alt, Xgafv};

use crate::request::RequestBuilder;
use crate::retry::CallOptions;
use std::fmt;

/// The standard parameters of one call, and how the client retries it.
///
/// Every field starts unset, which leaves the parameter out of the request
/// and the server's default in force. Its `Debug` output shows no values:
/// `key`, `access_token` and `oauth_token` are credentials.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct StandardParams {
    /// `$.xgafv`: the version of the error format.
    pub xgafv: Option<Xgafv>,
    /// `access_token`: an OAuth access token, sent in the query.
    pub access_token: Option<String>,
    /// `alt`: the format of the response.
    pub alt: Option<Alt>,
    /// `callback`: the JavaScript function that wraps a JSONP response.
    pub callback: Option<String>,
    /// `fields`: a field mask selecting part of the response.
    pub fields: Option<String>,
    /// `key`: an API key.
    pub key: Option<String>,
    /// `oauth_token`: the OAuth 2.0 token of the caller.
    pub oauth_token: Option<String>,
    /// `prettyPrint`: whether the server indents its JSON.
    pub pretty_print: Option<bool>,
    /// `quotaUser`: up to 40 characters naming the user on whose behalf a
    /// server makes the call, for per-user quota.
    pub quota_user: Option<String>,
    /// `uploadType`: the legacy name of the upload protocol.
    pub upload_type: Option<String>,
    /// `upload_protocol`: the upload protocol.
    pub upload_protocol: Option<String>,
    /// `userIp`: the end user's IP address, which older APIs take for
    /// per-user quota.
    pub user_ip: Option<String>,
    /// Parameters this type does not name, in the order they were set.
    pub other: Vec<(String, String)>,
    /// Retry settings of this call, where they differ from the client's.
    pub call_options: CallOptions,
}

impl fmt::Debug for StandardParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandardParams").finish_non_exhaustive()
    }
}

impl StandardParams {
    /// Adds the parameters that are set to `request`, and the call options.
    pub fn apply(&self, request: &mut RequestBuilder) {
        // In the order of the wire names, as documents list them.
        if let Some(value) = &self.xgafv {
            request.query("$.xgafv", value);
        }
        text(request, "access_token", &self.access_token);
        if let Some(value) = &self.alt {
            request.query("alt", value);
        }
        text(request, "callback", &self.callback);
        text(request, "fields", &self.fields);
        text(request, "key", &self.key);
        text(request, "oauth_token", &self.oauth_token);
        if let Some(value) = &self.pretty_print {
            request.query("prettyPrint", value);
        }
        text(request, "quotaUser", &self.quota_user);
        text(request, "uploadType", &self.upload_type);
        text(request, "upload_protocol", &self.upload_protocol);
        text(request, "userIp", &self.user_ip);
        for (name, value) in &self.other {
            request.query(name, value.as_str());
        }
        request.options(&self.call_options);
    }
}

fn text(request: &mut RequestBuilder, name: &str, value: &Option<String>) {
    if let Some(value) = value {
        request.query(name, value.as_str());
    }
}
