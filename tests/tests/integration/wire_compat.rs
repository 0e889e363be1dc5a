//! What Google's own clients do on the wire, through the fixtures that
//! call for it, against a real server on loopback: `dataWrapper`
//! (`data-wrapper.json`), `apiVersion` (`api-version.json`), the URL a
//! resumable session starts at (`media-and-paging.json`), and the older
//! document shapes that are taken with a warning (`rest-path.json`,
//! `duplicate-method-ids.json`, `parameter-order-unknown.json`).

use discogen_runtime::prelude::*;
use discogen_tests::fixtures::{
    api_version, data_wrapper, duplicate_method_ids, media_and_paging, parameter_order_unknown, rest_path,
};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const API_VERSION: &str = "x-goog-api-version";

fn no_api_version(request: &Request) -> bool {
    !request.headers.contains_key(API_VERSION)
}

fn wrapped(server: &MockServer) -> data_wrapper::Client {
    data_wrapper::Client::builder().root_url(server.uri()).bearer_token("tok").build().expect("client builds")
}

fn note(text: &str) -> data_wrapper::model::Note {
    data_wrapper::model::Note { text: Some(text.into()), pinned: Some(true), ..Default::default() }
}

#[tokio::test]
async fn a_data_wrapper_response_is_unwrapped() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wrapped/v1/notes"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": {"notes": [{"text": "a"}, {"text": "b"}]}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let list = wrapped(&server).notes().list().send().await.expect("decodes");
    assert!(list.extra().is_empty(), "nothing is left over: {:?}", list.extra());
    let texts: Vec<_> = list.notes.unwrap_or_default().into_iter().filter_map(|n| n.text).collect();
    assert_eq!(texts, ["a", "b"]);
}

#[tokio::test]
async fn a_data_wrapper_request_body_is_wrapped_and_its_response_unwrapped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/wrapped/v1/notes"))
        .and(body_json(json!({"data": {"text": "hello", "pinned": true}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"text": "hello", "pinned": false}})))
        .expect(1)
        .mount(&server)
        .await;
    let created = wrapped(&server).notes().create(note("hello")).send().await.expect("decodes");
    assert_eq!(created.text.as_deref(), Some("hello"));
    assert_eq!(created.pinned, Some(false));
}

#[tokio::test]
async fn build_request_shows_the_wrapped_body() {
    let server = MockServer::start().await;
    let request = wrapped(&server).notes().create(note("x")).build_request().expect("builds");
    let body: serde_json::Value = serde_json::from_slice(request.body()).expect("JSON body");
    assert_eq!(body, json!({"data": {"text": "x", "pinned": true}}));
}

#[tokio::test]
async fn a_data_wrapper_error_body_is_read_as_it_comes() {
    let server = MockServer::start().await;
    let error = json!({"error": {"code": 404, "message": "no such note", "status": "NOT_FOUND"}});
    Mock::given(method("GET"))
        .and(path("/wrapped/v1/notes"))
        .respond_with(ResponseTemplate::new(404).set_body_json(error))
        .mount(&server)
        .await;
    let error = wrapped(&server).notes().list().send().await.expect_err("a 404");
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.status().map(|s| s.message.as_str()), Some("no such note"));
}

#[tokio::test]
async fn a_data_wrapper_response_without_data_is_decoded_whole() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/wrapped/v1/notes"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"notes": [{"text": "plain"}]})))
        .mount(&server)
        .await;
    let list = wrapped(&server).notes().list().send().await.expect("decodes");
    assert_eq!(list.notes.unwrap_or_default()[0].text.as_deref(), Some("plain"));
}

#[tokio::test]
async fn a_data_wrapper_multipart_upload_wraps_the_metadata_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/upload/wrapped/v1/notes/n1/attachments"))
        .and(query_param("uploadType", "multipart"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"text": "attached"}})))
        .expect(1)
        .mount(&server)
        .await;
    let stored = wrapped(&server)
        .notes()
        .attach("n1", note("meta"))
        .upload(b"media bytes".to_vec(), "text/plain")
        .await
        .expect("uploads");
    assert_eq!(stored.text.as_deref(), Some("attached"));
    let received = &server.received_requests().await.expect("recorded")[0];
    let body = String::from_utf8_lossy(&received.body);
    assert!(body.contains(r#"{"data":{"text":"meta","pinned":true}}"#), "metadata part wrapped: {body}");
    assert!(body.contains("\r\n\r\nmedia bytes\r\n"), "media part as it was: {body}");
}

#[tokio::test]
async fn a_data_wrapper_resumable_session_starts_with_wrapped_metadata_at_the_upload_path() {
    let server = MockServer::start().await;
    let session = format!("{}/session/w1", server.uri());
    Mock::given(method("POST"))
        .and(path("/upload/wrapped/v1/notes/n1/attachments"))
        .and(query_param("uploadType", "resumable"))
        .and(body_json(json!({"data": {"text": "meta", "pinned": true}})))
        .respond_with(ResponseTemplate::new(200).insert_header("location", session.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/session/w1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": {"text": "done"}})))
        .expect(1)
        .mount(&server)
        .await;
    // The finished resource comes wrapped like every other response.
    let done = wrapped(&server)
        .notes()
        .attach("n1", note("meta"))
        .upload_resumable(b"abc".to_vec(), "text/plain")
        .await
        .expect("uploads");
    assert_eq!(done.text.as_deref(), Some("done"));
}

fn versioned(server: &MockServer) -> api_version::Client {
    api_version::Client::builder().root_url(server.uri()).bearer_token("tok").build().expect("client builds")
}

#[tokio::test]
async fn a_method_with_an_api_version_sends_it_on_every_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/versioned/v1/gadgets/g1"))
        .and(header(API_VERSION, "v1_20240105"))
        .and(query_param("alt", "media"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"raw".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/versioned/v1/gadgets/g1"))
        .and(header(API_VERSION, "v1_20240105"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "g1"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = versioned(&server);
    let request = client.gadgets().get("g1").build_request().expect("builds");
    assert_eq!(request.headers().get(API_VERSION).and_then(|v| v.to_str().ok()), Some("v1_20240105"));
    let gadget = client.gadgets().get("g1").send().await.expect("the header matched");
    assert_eq!(gadget.name.as_deref(), Some("g1"));
    let media = client.gadgets().get("g1").download().await.expect("the download sends it too");
    assert_eq!(&media[..], b"raw");
}

#[tokio::test]
async fn a_method_without_a_usable_api_version_sends_no_header() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/versioned/v1/gadgets/g1"))
        .and(no_api_version)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/versioned/v1/gadgets"))
        .and(no_api_version)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "new"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = versioned(&server);
    client.gadgets().delete("g1").send().await.expect("no header expected");
    // The document's value for `insert` holds a line break: dropped.
    let made = client.gadgets().insert(Default::default()).send().await.expect("no header expected");
    assert_eq!(made.name.as_deref(), Some("new"));
}

#[tokio::test]
async fn a_resumable_session_starts_at_the_simple_upload_path() {
    let server = MockServer::start().await;
    let session = format!("{}/session/m1", server.uri());
    Mock::given(method("POST"))
        .and(path("/upload/files/v1/buckets/b1/files"))
        .and(query_param("uploadType", "resumable"))
        .respond_with(ResponseTemplate::new(200).insert_header("location", session.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/session/m1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "up"})))
        .expect(1)
        .mount(&server)
        .await;
    let client =
        media_and_paging::Client::builder().root_url(server.uri()).bearer_token("tok").build().expect("client builds");
    let file = media_and_paging::model::File { name: Some("up".into()), ..Default::default() };
    let stored = client
        .files()
        .create("buckets/b1", file)
        .upload_resumable(b"abc".to_vec(), "text/plain")
        .await
        .expect("the session started at /upload/");
    assert_eq!(stored.name.as_deref(), Some("up"));
}

#[tokio::test]
async fn a_rest_path_is_the_path_when_path_is_missing() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/restpath/v1/boxes/b1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/restpath/v1/boxes/b1:open"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = rest_path::Client::builder().root_url(server.uri()).build().expect("client builds");
    client.boxes().get("b1").send().await.expect("restPath used");
    client.boxes().open("b1").send().await.expect("path preferred to restPath");
}

#[tokio::test]
async fn methods_sharing_an_id_keep_their_own_builders() {
    let server = MockServer::start().await;
    for p in ["/dupids/v1/cups/c1:fill", "/dupids/v1/mugs/m1:fill"] {
        Mock::given(method("POST"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }
    let client = duplicate_method_ids::Client::builder().root_url(server.uri()).build().expect("client builds");
    client.cups().fill("c1").send().await.expect("first method");
    client.mugs().fill("m1").send().await.expect("second method");
}

#[tokio::test]
async fn a_parameter_order_entry_without_a_parameter_is_left_out() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/looseorder/v1/rooms/r1/shelves/s2"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = parameter_order_unknown::Client::builder().root_url(server.uri()).build().expect("client builds");
    // Two arguments, in the order the document gives for the real ones.
    client.shelves().get("r1", "s2").send().await.expect("sent");
}
