//! gzip on the wire against a loopback server that compresses as Google's
//! front ends do: only when the request asks for it.

use std::io::Write as _;

use discogen_runtime::http::Method;
use discogen_runtime::media::Download;
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::serde_json::{json, Value};
use discogen_runtime::ErrorKind;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::client::{builder, SCOPES};

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("compress");
    encoder.finish().expect("compress")
}

/// Answers `status` with `body`, compressed when the request accepts gzip
/// and names it in its user agent, as Google's performance guide says the
/// front ends require.
struct LikeGoogle {
    status: u16,
    body: Vec<u8>,
}

impl Respond for LikeGoogle {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let says = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").contains("gzip");
        let template = ResponseTemplate::new(self.status);
        if says("accept-encoding") && says("user-agent") {
            template.insert_header("content-encoding", "gzip").set_body_raw(gzip(&self.body), "application/json")
        } else {
            template.set_body_raw(self.body.clone(), "application/json")
        }
    }
}

#[tokio::test]
async fn json_calls_ask_for_gzip_and_read_the_compressed_answer() {
    let server = MockServer::start().await;
    let page =
        json!({"items": (0..500).map(|i| json!({"id": i.to_string(), "status": "RUNNING"})).collect::<Vec<_>>()});
    let raw = page.to_string().into_bytes();
    Mock::given(method("GET"))
        .and(path("/v1/things"))
        .and(header("accept-encoding", "gzip"))
        .and(header("user-agent", "my-app/3 (gzip)"))
        .respond_with(LikeGoogle { status: 200, body: raw.clone() })
        .expect(2)
        .mount(&server)
        .await;
    let api = builder(&server).user_agent("my-app/3").build().expect("client");
    let request = RequestBuilder::new(&api.client, Method::GET, "things").build().expect("request");

    let response = api.client.execute(request.clone(), SCOPES).await.expect("gzip answer");
    assert!(response.headers().get("content-encoding").is_none(), "the body handed back is inflated");
    assert_eq!(response.body().as_ref(), raw.as_slice());

    let decoded: Value = api.client.execute_json(request, SCOPES).await.expect("decodes");
    assert_eq!(decoded, page);
}

#[tokio::test]
async fn a_compressed_error_body_still_gives_the_status() {
    let server = MockServer::start().await;
    let error = json!({"error": {"code": 404, "message": "no such thing", "status": "NOT_FOUND"}});
    Mock::given(method("GET"))
        .respond_with(LikeGoogle { status: 404, body: error.to_string().into_bytes() })
        .mount(&server)
        .await;
    let api = builder(&server).build().expect("client");
    let request = RequestBuilder::new(&api.client, Method::GET, "things").build().expect("request");

    let error = api.client.execute(request, SCOPES).await.expect_err("404");

    assert_eq!(error.status().map(|s| s.message.as_str()), Some("no such thing"), "{error}");
}

#[tokio::test]
async fn a_small_body_that_inflates_past_the_cap_stops_there() {
    let server = MockServer::start().await;
    // 32 MiB of spaces is valid JSON padding and compresses to about 32 KiB.
    let mut padded = vec![b' '; 32 << 20];
    padded.extend_from_slice(b"{}");
    Mock::given(method("GET")).respond_with(LikeGoogle { status: 200, body: padded }).mount(&server).await;
    let api = builder(&server).max_response_bytes(1 << 20).build().expect("client");
    let request = RequestBuilder::new(&api.client, Method::GET, "things").build().expect("request");

    let error = api.client.execute_json::<Value>(request, SCOPES).await.expect_err("past the cap");

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.to_string().contains("larger than the limit of 1048576 bytes once inflated"), "{error}");
}

#[tokio::test]
async fn media_downloads_ask_for_no_encoding_and_keep_their_bytes() {
    let server = MockServer::start().await;
    let stored = gzip(b"an object stored compressed");
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-encoding", "gzip")
                .set_body_raw(stored.clone(), "application/gzip"),
        )
        .mount(&server)
        .await;
    let api = builder(&server).build().expect("client");
    let mut request = RequestBuilder::new(&api.client, Method::GET, "things/o");
    request.set_query("alt", "media");

    let bytes = Download::new(api.client.clone(), request.build(), SCOPES).bytes().await.expect("download");

    assert_eq!(bytes.as_ref(), stored.as_slice(), "the stored bytes, not inflated");
    let seen = &server.received_requests().await.expect("recorded")[0];
    assert!(!seen.headers.contains_key("accept-encoding"), "{:?}", seen.headers);
    let agent = seen.headers["user-agent"].to_str().expect("text");
    assert!(!agent.contains("gzip"), "{agent}");
}
