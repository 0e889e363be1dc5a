use std::time::Duration;

use http::StatusCode;

use super::{Error, ErrorKind};

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> http::Response<Vec<u8>> {
    let mut response = http::Response::new(body.as_bytes().to_vec());
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (http::HeaderName::try_from(*name), http::HeaderValue::try_from(*value)) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

#[test]
fn display_is_one_line_per_kind() {
    let cases = [
        (Error::invalid_argument("bad\nname"), "invalid argument: bad name"),
        (Error::transport("reset"), "transport error: reset"),
        (Error::timeout("after 1s"), "timed out: after 1s"),
        (Error::decode("expected value"), "decode error: expected value"),
        (Error::auth("no token"), "authentication error: no token"),
        (Error::deadline("10m"), "deadline exceeded: 10m"),
    ];
    for (error, shown) in cases {
        assert_eq!(error.to_string(), shown);
    }
}

#[test]
fn http_display_variants() {
    let body = r#"{"error":{"code":404,"message":"Operation not found","status":"NOT_FOUND"}}"#;
    let error = Error::from_http_response(&response(404, &[], body));
    assert_eq!(error.to_string(), "HTTP 404 Not Found: NOT_FOUND: Operation not found");

    let body = r#"{"error":{"code":400,"message":"bad"}}"#;
    let error = Error::from_http_response(&response(400, &[], body));
    assert_eq!(error.to_string(), "HTTP 400 Bad Request: bad");

    let error = Error::from_http_response(&response(502, &[], ""));
    assert_eq!(error.to_string(), "HTTP 502 Bad Gateway");
    assert!(error.body_excerpt().is_none());

    let error = Error::from_http_response(&response(599, &[], "odd\r\n status"));
    assert_eq!(error.to_string(), "HTTP 599: odd status");
    assert_eq!(error.body_excerpt(), Some("odd\r\n status"));
}

#[test]
fn retry_after_takes_the_longer_of_header_and_detail() {
    let body = r#"{"error":{"code":429,"details":[
        {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}"#;
    let both = Error::from_http_response(&response(429, &[("retry-after", "5")], body));
    assert_eq!(both.retry_after(), Some(Duration::from_secs(30)));
    let header_only = Error::from_http_response(&response(503, &[("retry-after", "5")], ""));
    assert_eq!(header_only.retry_after(), Some(Duration::from_secs(5)));
    let junk = Error::from_http_response(&response(503, &[("retry-after", "soon")], ""));
    assert_eq!(junk.retry_after(), None);
}

#[test]
fn transient_statuses() {
    for (status, transient) in
        [(429, true), (500, true), (502, true), (503, true), (504, true), (400, false), (404, false), (501, false)]
    {
        let error = Error::from_http_response(&response(status, &[], ""));
        assert_eq!(error.is_transient(), transient, "{status}");
        assert_eq!(error.kind(), ErrorKind::Http);
    }
    assert!(Error::transport("x").is_transient());
    assert!(Error::timeout("x").is_transient());
    assert!(!Error::decode("x").is_transient());
    assert!(!Error::deadline("x").is_transient());
    assert!(!Error::invalid_argument("x").is_transient());
}

#[test]
fn rate_limits_are_told_from_other_refusals() {
    let legacy = |reason: &str| {
        format!(
            r#"{{"error":{{"code":403,"message":"m","errors":[{{"domain":"d","reason":"other"}},{{"domain":"usageLimits","reason":"{reason}"}}]}}}}"#
        )
    };
    let info = |reason: &str| {
        format!(
            r#"{{"error":{{"code":403,"message":"m","details":[{{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"{reason}","domain":"googleapis.com"}}]}}}}"#
        )
    };
    for (status, body, limited) in [
        (403, legacy("rateLimitExceeded"), true),
        (403, legacy("userRateLimitExceeded"), true),
        (403, info("RATE_LIMIT_EXCEEDED"), true),
        (403, legacy("dailyLimitExceeded"), false),
        (403, legacy("insufficientPermissions"), false),
        (403, info("ACCESS_TOKEN_SCOPE_INSUFFICIENT"), false),
        (403, "not json".to_string(), false),
        (400, legacy("rateLimitExceeded"), false),
        (429, String::new(), true),
    ] {
        let error = Error::from_http_response(&response(status, &[], &body));
        assert_eq!((error.is_rate_limited(), error.is_transient()), (limited, limited), "{status} {body}");
    }
    assert!(!Error::transport("x").is_rate_limited());
}

#[test]
fn debug_shows_the_whole_source_chain() {
    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("outer")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }
    let root = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
    let error = Error::transport("could not connect").with_source(Outer(root));
    let debug = format!("{error:?}");
    assert!(debug.contains(r#"source: "outer: refused""#), "{debug}");
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn redaction_covers_every_text_field() {
    let body = r#"{"error":{"code":400,"message":"key=K3Y","status":"K3Y","details":[{"x":"K3Y"}],"more":"K3Y"}}"#;
    let mut error = Error::from_http_response(&response(400, &[], body));
    error.redact("K3Y");
    assert!(!format!("{error:?} {error}").contains("K3Y"));
    let object: Option<serde_json::Value> = error.status_as();
    assert!(object.is_some_and(|o| !o.to_string().contains("K3Y")));

    let mut error = Error::from_http_response(&response(500, &[], "<p>K3Y</p>"));
    error.redact("K3Y");
    assert_eq!(error.body_excerpt(), Some("<p>[REDACTED]</p>"));
}

#[test]
fn result_stays_small() {
    assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
}

#[test]
fn redaction_reaches_the_source_and_the_cut_end_of_an_excerpt() {
    let cause = serde_json::from_str::<u32>("\"K3Y-SECRET\"").err().map(|e| e.to_string()).unwrap_or_default();
    let mut error = Error::decode("bad body").with_source(std::io::Error::other(cause));
    error.redact("K3Y-SECRET");
    assert!(!format!("{error:?}").contains("K3Y-SECRET"), "{error:?}");
    assert!(std::error::Error::source(&error).is_some_and(|s| s.to_string().contains("[REDACTED]")));

    // A source without the secret keeps its type.
    let mut error = Error::decode("bad body").with_source(std::io::Error::other("plain"));
    error.redact("K3Y-SECRET");
    assert!(std::error::Error::source(&error).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some()));

    // The excerpt stops 6 characters into the secret.
    let body = format!("{}K3Y-SECRET", "x".repeat(crate::text::EXCERPT_CHARS - 6));
    let mut error = Error::from_http_response(&response(500, &[], &body));
    error.redact("K3Y-SECRET");
    let excerpt = error.body_excerpt().unwrap_or_default();
    assert!(excerpt.ends_with("x[REDACTED]"), "{excerpt}");

    // The percent-encoded form, as in an echoed URL.
    let mut error = Error::from_http_response(&response(500, &[], "url=/v1/x?key=a%2Fb%20c"));
    error.redact("a/b c");
    assert_eq!(error.body_excerpt(), Some("url=/v1/x?key=[REDACTED]"));
}
