//! Hiding credentials that travel in URLs.

/// Query parameters whose values are credentials.
const SECRET_PARAMS: [&str; 3] = ["key", "access_token", "oauth_token"];

/// `url` with the values of credential parameters replaced by `REDACTED`.
pub(crate) fn url(url: &str) -> String {
    let Some((before, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query, None),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(before);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        if SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            out.push_str(name);
            out.push_str("=REDACTED");
        } else {
            out.push_str(pair);
        }
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The credentials a request carries of its own, before the client adds
/// its own: values of credential query parameters (decoded) and the
/// credential part of an `Authorization` header. Errors are scrubbed of
/// them too, since a server may echo them back.
pub(crate) fn request_secrets<B>(request: &http::Request<B>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(query) = request.uri().query() {
        for pair in query.split('&') {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            if SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name)) && !value.is_empty() {
                out.push(percent_decode(value));
            }
        }
    }
    if let Some(value) = request.headers().get(http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        // `Bearer <token>`, `Basic <credentials>`: the part after the scheme.
        let credential = value.split_once(' ').map_or(value, |(_, rest)| rest).trim();
        if !credential.is_empty() {
            out.push(credential.to_string());
        }
    }
    out
}

/// Decodes `%XX` escapes, leaving anything else (and broken escapes) as it is.
fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_requests_own_credentials() {
        let request = http::Request::builder()
            .uri("https://a/v1/x?fields=id&key=K%2F1&Access_Token=T&oauth_token=&q=key")
            .header(http::header::AUTHORIZATION, "Bearer tok")
            .body(())
            .expect("valid");
        assert_eq!(request_secrets(&request), ["K/1", "T", "tok"]);
        let plain = http::Request::builder().uri("https://a/v1/x?q=1").body(()).expect("valid");
        assert!(request_secrets(&plain).is_empty());
        assert_eq!(percent_decode("a%zz%4"), "a%zz%4");
    }

    #[test]
    fn hides_credential_values() {
        assert_eq!(
            url("https://a/v1/x?fields=id&key=SECRET&access_token=T&oauth_token=O&k=v"),
            "https://a/v1/x?fields=id&key=REDACTED&access_token=REDACTED&oauth_token=REDACTED&k=v"
        );
        assert_eq!(url("https://a/v1/x"), "https://a/v1/x");
        assert_eq!(url("https://a/?KEY=s#f"), "https://a/?KEY=REDACTED#f");
    }
}
