//! Checking a root URL before any request is sent to it.

use crate::error::Error;
use crate::host::is_loopback;
use crate::text::quoted;

/// The root URL in canonical form (ending in `/`), or why it is refused.
///
/// Plain `http://` is allowed only for loopback hosts unless `allow_insecure`
/// is set: credentials would otherwise cross the network unencrypted.
pub(crate) fn normalize(url: &str, allow_insecure: bool) -> Result<String, Error> {
    let refuse = |why: &str| Error::invalid_argument(format!("root URL {} is not usable: {why}", quoted(url)));
    let uri: http::Uri = url.parse().map_err(|_| refuse("it is not a valid absolute URL"))?;
    let authority = uri.authority().ok_or_else(|| refuse("it has no host"))?;
    if authority.as_str().contains('@') {
        return Err(refuse("it must not contain a user name or password"));
    }
    if authority.host().is_empty() {
        return Err(refuse("it has no host"));
    }
    if uri.query().is_some() || url.contains('#') {
        return Err(refuse("it must not have a query or fragment"));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if allow_insecure || is_loopback(authority.host()) => {}
        Some("http") => {
            return Err(refuse("plain http is only allowed for loopback hosts unless allow_insecure_http(true) is set"))
        }
        _ => return Err(refuse("the scheme must be https or http")),
    }
    let mut normalized = url.to_owned();
    if !normalized.ends_with('/') {
        normalized.push('/');
    }
    Ok(normalized)
}

/// `root` and `service_path` joined into the base for relative method paths.
pub(crate) fn join_service_path(root: &str, service_path: &str) -> String {
    let mut base = String::with_capacity(root.len() + service_path.len() + 1);
    base.push_str(root);
    base.push_str(service_path.trim_start_matches('/'));
    if !base.ends_with('/') {
        base.push('/');
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn https_is_normalised() {
        assert_eq!(
            normalize("https://vision.googleapis.com", false).ok().as_deref(),
            Some("https://vision.googleapis.com/")
        );
        assert_eq!(
            normalize("https://eu-vision.googleapis.com/", false).ok().as_deref(),
            Some("https://eu-vision.googleapis.com/")
        );
    }

    #[test]
    fn loopback_http_is_allowed() {
        for url in [
            "http://localhost:8080",
            "http://127.0.0.1:9000/",
            "http://127.5.6.7",
            "http://[::1]:8080/",
            "http://LOCALHOST/",
        ] {
            assert!(normalize(url, false).is_ok(), "{url}");
        }
    }

    #[test]
    fn remote_http_needs_opt_in() {
        let err = normalize("http://example.com/", false).err();
        assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::InvalidArgument));
        assert!(normalize("http://example.com/", true).is_ok());
        assert!(normalize("http://localhost.evil.com/", false).is_err());
        assert!(normalize("http://128.0.0.1/", false).is_err());
    }

    #[test]
    fn bad_urls_are_refused() {
        for url in [
            "",
            "vision.googleapis.com",
            "ftp://example.com/",
            "https://user:pw@example.com/",
            "https://example.com/?a=b",
            "https://example.com/#x",
            "https:///path",
        ] {
            let err = normalize(url, true).err();
            assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::InvalidArgument), "{url:?}");
        }
    }

    #[test]
    fn service_path_joins() {
        assert_eq!(join_service_path("https://a/", ""), "https://a/");
        assert_eq!(join_service_path("https://a/", "v1/"), "https://a/v1/");
        assert_eq!(join_service_path("https://a/", "/v1"), "https://a/v1/");
    }
}
