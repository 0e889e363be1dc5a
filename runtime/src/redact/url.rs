//! Hiding credentials that travel in URLs.

use std::borrow::Cow;

use super::{is_secret_param, MARK};

/// `url` with the values of credential parameters replaced by the mark.
/// Every other part is kept exactly as written.
pub(crate) fn scrub(url: &str) -> String {
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
        // The name as a server reads it, so `%6Bey=` is `key=` too.
        if decoded(pair).is_some_and(|(name, _)| is_secret_param(&name)) {
            out.push_str(name);
            out.push('=');
            out.push_str(MARK);
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
            let Some((name, value)) = decoded(pair) else { continue };
            if !is_secret_param(&name) || value.is_empty() {
                continue;
            }
            out.push(value.into_owned());
            // Form decoding reads `+` as a space. A server echoing the raw
            // URL shows the `+`, so that spelling is a secret as well (the
            // client itself always writes `+` as `%2B`).
            let raw = pair.split_once('=').map_or("", |(_, raw)| raw);
            if raw.contains('+') {
                out.push(percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned());
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

/// One `name=value` pair of a query, decoded as a server decodes it
/// (`application/x-www-form-urlencoded`: split at the first `=`, `%XX`
/// escapes, `+` for space; broken escapes stay as they are). `None` for an
/// empty pair.
fn decoded(pair: &str) -> Option<(Cow<'_, str>, Cow<'_, str>)> {
    form_urlencoded::parse(pair.as_bytes()).next()
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
        let (name, value) = decoded("a%zz%4=b==").expect("a pair");
        assert_eq!((name.as_ref(), value.as_ref()), ("a%zz%4", "b=="));
    }

    #[test]
    fn encoded_names_and_plus_signs_are_read_as_a_server_reads_them() {
        let request = http::Request::builder().uri("https://a/v1/x?%6Bey=a+b%2Bc").body(()).expect("valid");
        assert_eq!(request_secrets(&request), ["a b+c", "a+b+c"]);
        assert_eq!(scrub("https://a/?%6Bey=s&k=v"), "https://a/?%6Bey=[REDACTED]&k=v");
    }

    #[test]
    fn hides_credential_values() {
        assert_eq!(
            scrub("https://a/v1/x?fields=id&key=SECRET&access_token=T&oauth_token=O&k=v"),
            "https://a/v1/x?fields=id&key=[REDACTED]&access_token=[REDACTED]&oauth_token=[REDACTED]&k=v"
        );
        assert_eq!(scrub("https://a/v1/x"), "https://a/v1/x");
        assert_eq!(scrub("https://a/?KEY=s#f"), "https://a/?KEY=[REDACTED]#f");
    }
}
