//! The name table: every member the generator adds to a call builder or to
//! the `Client` is claimed here, in the same scope as the names that come
//! from the document. The emitters print only names recorded in the IR, so
//! a parameter, method or resource can never take a generated member's name,
//! whatever the document calls it.

use crate::ir::{CallMembers, ClientMembers};
use crate::names::Namer;

/// Members that derived or implemented traits give every builder and the
/// `Client` (`Clone`, `Debug`, the runtime's `Service`). An inherent method
/// with one of these names would shadow the trait's at call sites.
const TRAIT_MEMBERS: &[&str] = &["clone", "fmt", "from_client"];

// The field of every model struct that keeps undescribed members is
// `__extra`, fixed by the runtime's `object!` macro and claimed by no one:
// `names::sanitize` never writes a leading underscore, so no member of a
// document can take it, and one called `extra` keeps its name.

/// The catch-all variant of every generated enum.
pub(super) const UNKNOWN_VARIANT: &str = "UnknownValue";

/// What a call builder has, as decided from the document before any name is
/// handed out.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CallFeatures {
    pub download: bool,
    pub upload: bool,
    /// The document lists a usable resumable path besides the simple one.
    pub resumable: bool,
    pub polls: bool,
    /// The call returns a pollable operation without being its `get`: it
    /// may get a `wait` that sends it and polls the operation it returns.
    pub waits: bool,
    pub pages: bool,
    pub items: bool,
}

/// The methods of the runtime's `WithStandardParams` trait, which every
/// call builder implements: a builder's own setter with one of these names
/// would shadow the trait's at call sites. The runtime keeps the same list
/// as `params::MEMBER_NAMES`; a test in the tests crate compares them.
pub const STANDARD_MEMBERS: &[&str] = &[
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

/// Claims a call builder's members around the names the document brings.
/// The public members come first, after what the builder's traits give it
/// (the runtime's standard-parameters trait and the derived traits), so
/// the builder's API does not depend on
/// what its parameters are called. `document_names` then claims the
/// parameters and the request argument, and the private helpers come last,
/// so that a parameter called `path` keeps its setter and the helper gives
/// way.
pub(super) fn claim_call<T>(
    namer: &mut Namer,
    features: CallFeatures,
    document_names: impl FnOnce(&mut Namer) -> T,
) -> (CallMembers, T) {
    namer.reserve(TRAIT_MEMBERS);
    namer.reserve(STANDARD_MEMBERS);
    let mut claim = |name: &str| namer.claim_ident(name.to_string());
    let client = claim("client");
    let params = claim("params");
    let build_request = claim("build_request");
    let send = claim("send");
    let mut optional = |on: bool, name: &str| on.then(|| namer.claim_ident(name.to_string()));
    let download = optional(features.download, "download");
    let media_download = optional(features.download, "media_download");
    let download_to = optional(features.download, "download_to");
    let download_stream = optional(features.download, "download_stream");
    let upload = optional(features.upload, "upload");
    let resumable = features.upload && features.resumable;
    let upload_resumable = optional(resumable, "upload_resumable");
    let poller = optional(features.polls, "poller");
    let wait = optional(features.polls || features.waits, "wait");
    let pages = optional(features.pages, "pages");
    let items = optional(features.items, "items");

    let named = document_names(namer);

    let members = CallMembers {
        client,
        params,
        build_request,
        send,
        download,
        media_download,
        download_to,
        download_stream,
        upload,
        upload_resumable,
        poller,
        wait,
        pages,
        items,
        path: namer.claim_ident("path".into()),
        upload_path: features.upload.then(|| namer.claim_ident("upload_path".into())),
        request_builder: {
            // No longer emitted (sessions start at the upload path), but
            // still claimed, so that the names of parameters stay what
            // they were.
            if resumable {
                namer.claim_ident("resumable_path".into());
            }
            namer.claim_ident("request_builder".into())
        },
    };
    (members, named)
}

/// Claims the `Client`'s own members in the root scope, before any
/// top-level method or resource accessor.
pub(super) fn claim_client(namer: &mut Namer) -> ClientMembers {
    namer.reserve(TRAIT_MEMBERS);
    let mut claim = |name: &str| namer.claim_ident(name.to_string());
    ClientMembers {
        // Fields: methods cannot collide with them, so they are not claimed
        // in the scope of methods and accessors.
        inner: "inner".into(),
        resource_client: "client".into(),
        builder: claim("builder"),
        runtime: claim("runtime"),
        get_operation: claim("get_operation"),
        operation_poller: claim("operation_poller"),
        wait_operation: claim("wait_operation"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::Case;

    #[test]
    fn parameters_give_way_to_public_members_and_take_helper_names() {
        let mut namer = Namer::new();
        let features = CallFeatures { pages: true, ..CallFeatures::default() };
        let (members, params) = claim_call(&mut namer, features, |namer| {
            ["send", "path", "pages", "items", "fields", "request_builder", "idempotent"]
                .iter()
                .map(|p| namer.claim(p, Case::Snake))
                .collect::<Vec<String>>()
        });
        assert_eq!(params, ["send2", "path", "pages2", "items", "fields2", "request_builder", "idempotent2"]);
        assert_eq!(members.send, "send");
        assert_eq!(members.pages.as_deref(), Some("pages"));
        assert_eq!(members.items, None);
        assert_eq!(members.path, "path2");
        assert_eq!(members.request_builder, "request_builder2");
    }

    #[test]
    fn client_members_come_first() {
        let mut namer = Namer::new();
        let members = claim_client(&mut namer);
        assert_eq!(members.runtime, "runtime");
        assert_eq!(namer.claim("runtime", Case::Snake), "runtime2");
        assert_eq!(namer.claim("clone", Case::Snake), "clone2");
    }
}
