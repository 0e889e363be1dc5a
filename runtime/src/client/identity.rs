//! The headers that tell Google who is calling: which client library, and
//! which project pays the quota.

use http::header::{HeaderMap, HeaderName, HeaderValue};

use crate::auth::Credentials;

/// Names the language runtime and library, as Google's own clients do, so
/// that Google can see which client versions are in use.
pub(crate) const API_CLIENT_HEADER: HeaderName = HeaderName::from_static("x-goog-api-client");
/// The project billed for quota, when it is not the credentials' own.
pub(crate) const USER_PROJECT_HEADER: HeaderName = HeaderName::from_static("x-goog-user-project");

/// `gl-rust/<rustc version> gdcl/<runtime version>`.
pub const API_CLIENT: &str = concat!("gl-rust/", env!("DISCOGEN_RUSTC_VERSION"), " gdcl/", env!("CARGO_PKG_VERSION"));

/// Adds the identification headers a request does not set itself. The
/// client's quota project wins over the one the credentials name.
pub(crate) fn apply(headers: &mut HeaderMap, quota_project: Option<&HeaderValue>, credentials: &Credentials) {
    if !headers.contains_key(API_CLIENT_HEADER) {
        headers.insert(API_CLIENT_HEADER, HeaderValue::from_static(API_CLIENT));
    }
    if headers.contains_key(USER_PROJECT_HEADER) {
        return;
    }
    let project = match quota_project {
        Some(project) => Some(project.clone()),
        // A project id is lowercase letters, digits and hyphens; one that
        // cannot be a header value is left out rather than failing calls.
        None => credentials.quota_project().and_then(|p| HeaderValue::try_from(p).ok()),
    };
    if let Some(project) = project {
        headers.insert(USER_PROJECT_HEADER, project);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_client_names_rust_and_this_library() {
        let mut parts = API_CLIENT.split(' ');
        let rust = parts.next().and_then(|p| p.strip_prefix("gl-rust/")).unwrap();
        assert!(rust.split('.').count() >= 3, "{API_CLIENT}");
        assert_eq!(parts.next(), Some(concat!("gdcl/", env!("CARGO_PKG_VERSION"))));
        assert!(HeaderValue::try_from(API_CLIENT).is_ok());
    }

    #[test]
    fn a_header_the_request_sets_wins() {
        let mut headers = HeaderMap::new();
        headers.insert(USER_PROJECT_HEADER, HeaderValue::from_static("mine"));
        apply(&mut headers, Some(&HeaderValue::from_static("client")), &Credentials::none());
        assert_eq!(headers[USER_PROJECT_HEADER], "mine");
        assert_eq!(headers[API_CLIENT_HEADER], API_CLIENT);
    }
}
