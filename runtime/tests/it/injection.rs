//! Values a caller passes can never change which resource a request names.
//!
//! A path parameter stays inside its template slot: in a simple expansion
//! (`{name}`) it is one path segment, in a reserved one (`{+name}`) it is a
//! run of segments with no `.`/`..` among them, and in neither can it reach
//! the query or the fragment or turn the path into a root-relative one. A
//! pattern, when the document gives one, refuses a value before anything
//! is encoded. Query values cannot add, remove or rename parameters.
//!
//! The unit tests in `src/path.rs` check the encoder byte by byte; these go
//! through the public API up to the `http::Request` and, where it matters,
//! to a real server.

use discogen_runtime::http::{Method, Uri};
use discogen_runtime::path::{push_param, Expansion};
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::{Client, ClientBuilder, ErrorKind, Service};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

struct Api(Client);

impl Service for Api {
    const ROOT_URL: &'static str = "https://example.googleapis.com/";
    const SERVICE_PATH: &'static str = "svc/v1/";
    fn from_client(client: Client) -> Self {
        Api(client)
    }
}

/// One client for every test that only builds requests: creating the HTTP
/// stack (root certificates included) is the slow part.
fn client() -> Client {
    static CLIENT: std::sync::OnceLock<Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| ClientBuilder::<Api>::new().build().map(|Api(c)| c).expect("client")).clone()
}

/// Values that try to leave their slot.
const HOSTILE: &[&str] = &[
    "?",
    "#",
    "a?b=c",
    "a#frag",
    "%2F",
    "%2e%2e",
    "%252F",
    "..",
    ".",
    "...",
    "../secret",
    "../../admin",
    "a/../../b",
    "./a",
    "/",
    "//evil.example.com/x",
    "/absolute",
    "\\..\\windows",
    "a\r\nX-Injected: 1",
    "a\nb",
    "nul\0byte",
    "tab\there",
    "space here",
    "日本/é",
    "\u{202e}rtl",
    "😈",
    "a;b=c",
    "a&b=c",
    "a=b",
    "a+b",
    "@evil.example.com",
    "http://evil.example.com/",
    "[::1]",
    "{name}",
    "%",
    "%zz",
];

/// Decodes `%XX` escapes; anything else stays as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escape =
            bytes.get(i + 1..i + 3).and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        if let (b'%', Some(byte)) = (bytes[i], escape) {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The three ways a template variable can be expanded.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Simple,
    Reserved,
    ReservedFully,
}

impl Mode {
    const ALL: [Mode; 3] = [Mode::Simple, Mode::Reserved, Mode::ReservedFully];

    fn expansion(self) -> Expansion {
        match self {
            Mode::Simple => Expansion::Simple,
            Mode::Reserved => Expansion::KeepReserved,
            Mode::ReservedFully => Expansion::KeepSlash,
        }
    }
}

/// Expands `v1/things/{var}:act` (or `{var}:act` with nothing before it)
/// with `value` and builds the request.
fn build(value: &str, mode: Mode, prefix: &str, pattern: Option<&'static str>) -> Result<Uri, discogen_runtime::Error> {
    let client = client();
    let mut path = String::from(prefix);
    push_param(&mut path, "var", value, mode.expansion(), pattern)?;
    path.push_str(":act");
    let mut request = RequestBuilder::new(&client, Method::POST, &path);
    request.query("fields", "name");
    Ok(request.build()?.uri().clone())
}

#[test]
fn hostile_path_values_stay_in_their_slot() {
    for &value in HOSTILE {
        for mode in Mode::ALL {
            for prefix in ["v1/things/", ""] {
                let label = format!("{value:?} {mode:?} after {prefix:?}");
                let uri = match build(value, mode, prefix, None) {
                    Ok(uri) => uri,
                    Err(e) => {
                        // Refusing is always allowed, as long as it is an argument error.
                        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{label}: {e:?}");
                        continue;
                    }
                };
                let text = uri.to_string();
                // Same host, still under the service path, query intact, no fragment.
                assert_eq!(uri.host(), Some("example.googleapis.com"), "{label}: {text}");
                let expected_start = format!("/svc/v1/{prefix}");
                assert!(uri.path().starts_with(&expected_start), "{label}: {text}");
                assert!(uri.path().ends_with(":act"), "{label}: {text}");
                assert_eq!(uri.query(), Some("fields=name"), "{label}: {text}");
                assert!(!text.contains('#'), "{label}: {text}");
                // Only URL characters: no raw controls, spaces or non-ASCII.
                assert!(text.bytes().all(|b| b.is_ascii_graphic()), "{label}: {text}");

                let slot = &uri.path()[expected_start.len()..uri.path().len() - ":act".len()];
                // The slot decodes back to exactly the value given.
                assert_eq!(percent_decode(slot), value.as_bytes(), "{label}: {text}");
                let segments: Vec<&str> = slot.split('/').collect();
                match mode {
                    Mode::Simple => assert_eq!(segments.len(), 1, "{label}: `/` leaked into {text}"),
                    Mode::Reserved | Mode::ReservedFully => {
                        assert_eq!(segments.len(), value.split('/').count(), "{label}: {text}");
                    }
                }
                for segment in segments {
                    assert!(segment != "." && segment != "..", "{label}: dot segment in {text}");
                    // No `%2E` spelling of a dot segment either.
                    let decoded = percent_decode(segment);
                    if decoded == b"." || decoded == b".." {
                        assert_ne!(segment.as_bytes(), decoded, "{label}");
                    }
                }
                // A URL parser that normalises paths (as proxies and servers do) sees the same path.
                let normalised = reqwest_normalise(&text);
                assert_eq!(normalised, text, "{label}: the path changes when normalised");
            }
        }
    }
}

/// The URL as the WHATWG parser (used by reqwest) normalises it.
fn reqwest_normalise(text: &str) -> String {
    reqwest::Url::parse(text).map(|u| u.to_string()).expect("a valid URL")
}

#[test]
fn dot_segments_and_empty_values_are_refused() {
    for (value, mode) in [
        ("..", Mode::Simple),
        (".", Mode::Simple),
        ("", Mode::Simple),
        ("..", Mode::Reserved),
        ("a/../b", Mode::Reserved),
        ("a/./b", Mode::ReservedFully),
        ("../", Mode::ReservedFully),
        ("", Mode::Reserved),
    ] {
        let err = build(value, mode, "v1/things/", None).err().unwrap_or_else(|| panic!("{value:?} {mode:?} accepted"));
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{value:?}");
    }
}

#[test]
fn a_reserved_value_cannot_make_the_path_root_relative() {
    // With a template that starts with the variable (`{+resource}:getIamPolicy`),
    // a leading `/` would otherwise make the request builder resolve the path
    // against the root URL, outside the service path.
    for value in ["/upload/x", "//evil.example.com/x", "/"] {
        for mode in [Mode::Reserved, Mode::ReservedFully] {
            match build(value, mode, "", None) {
                Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{value:?}"),
                Ok(uri) => panic!("{value:?} {mode:?} gave {uri}"),
            }
        }
    }
}

#[test]
fn patterns_refuse_first_and_leave_the_path_untouched() {
    const PATTERN: &str = "^projects/[^/]+/operations/[^/]+$";
    for &value in HOSTILE {
        let mut path = String::from("v1/");
        let result = push_param(&mut path, "name", value, Expansion::KeepSlash, Some(PATTERN));
        let err = result.err().unwrap_or_else(|| panic!("{value:?} matched {PATTERN}"));
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("does not match the pattern"), "{value:?}: {err}");
        assert_eq!(path, "v1/", "{value:?}: something was written before the refusal");
    }
    // Values that fit the pattern in shape but smuggle something in are still refused.
    for value in ["projects/p/operations/..", "projects/../operations/x", "projects/p?x/operations/y"] {
        let mut path = String::new();
        let pattern = "^projects/[^/]+/operations/[^/]+$";
        match push_param(&mut path, "name", value, Expansion::KeepSlash, Some(pattern)) {
            Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{value:?}"),
            Ok(()) => {
                // `?` matched `[^/]` but is encoded, so it cannot end the path.
                assert!(!path.contains('?') && !path.contains("/../") && !path.ends_with("/.."), "{value:?}: {path}");
            }
        }
    }
    // A pattern that allows anything still leaves the segment checks.
    let mut path = String::new();
    let err = push_param(&mut path, "name", "..", Expansion::Simple, Some("^.*$")).err().map(|e| e.kind());
    assert_eq!(err, Some(ErrorKind::InvalidArgument));
}

/// Splits a query into decoded `(name, value)` pairs.
fn query_pairs(query: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    query
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name), percent_decode(value))
        })
        .collect()
}

#[test]
fn query_values_cannot_add_parameters() {
    let client = client();
    let values = [
        "a&b=c",
        "x=y",
        "&key=attacker",
        "#fragment",
        "line\nbreak",
        "cr\r\nX-Injected: 1",
        "a+b c",
        "%26",
        "%",
        "nul\0",
        "é",
        "?",
        "; path=/",
    ];
    for value in values {
        let mut request = RequestBuilder::new(&client, Method::GET, "v1/things");
        request.query("filter", value);
        request.query(value, "name-is-hostile");
        request.query("pageSize", "10");
        let uri = request.build().expect("valid").uri().clone();
        let query = uri.query().expect("a query");
        assert!(!uri.to_string().contains('#'), "{value:?}: {uri}");
        let pairs = query_pairs(query);
        assert_eq!(
            pairs,
            vec![
                (b"filter".to_vec(), value.as_bytes().to_vec()),
                (value.as_bytes().to_vec(), b"name-is-hostile".to_vec()),
                (b"pageSize".to_vec(), b"10".to_vec()),
            ],
            "{value:?}: {uri}"
        );
    }
}

#[tokio::test]
async fn the_server_sees_one_segment_and_the_clients_own_key() {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_string("{}")).mount(&server).await;
    let Api(client) = ClientBuilder::<Api>::new().root_url(server.uri()).api_key("client-key").build().expect("client");

    let mut path = String::from("things/");
    push_param(&mut path, "name", "../../admin?key=attacker#x", Expansion::Simple, None).expect("encoded, not refused");
    let mut request = RequestBuilder::new(&client, Method::GET, &path);
    request.query("filter", "a&key=attacker");
    let request = request.build().expect("valid");
    client.execute(request, &[]).await.expect("200");

    let received = server.received_requests().await.unwrap_or_default();
    assert_eq!(received.len(), 1);
    let url = &received[0].url;
    let segments: Vec<String> = url.path_segments().map(|s| s.map(str::to_string).collect()).unwrap_or_default();
    assert_eq!(segments, ["svc", "v1", "things", "..%2F..%2Fadmin%3Fkey%3Dattacker%23x"]);
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(
        pairs,
        [("filter".to_string(), "a&key=attacker".to_string()), ("key".to_string(), "client-key".to_string())]
    );
    assert!(url.fragment().is_none());
}
