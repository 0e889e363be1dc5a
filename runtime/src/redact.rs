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

#[cfg(test)]
mod tests {
    use super::*;

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
