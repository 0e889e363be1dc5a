//! The fixtures whose names collide with generated members, whose
//! operations lack parts, and whose documents lack a root URL, used as a
//! caller would, against a loopback server.

use discogen_tests::fixtures::{member_names, minimal, operation_shapes};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use discogen_runtime::lro::{OperationResult, PollPolicy};

#[tokio::test]
async fn a_query_parameter_named_path_is_sent_and_the_builder_still_works() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/items:search"))
        .and(query_param("path", "a/b"))
        .and(query_param("request", "r"))
        .and(body_json(json!({"id": "sent"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "found"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = member_names::Client::builder().root_url(server.uri()).build().expect("client builds");
    let body = member_names::model::Item { id: Some("sent".into()), ..Default::default() };
    let item = client.items().search(body).path("a/b").request("r").send().await.expect("search succeeds");
    assert_eq!(item.id.as_deref(), Some("found"));
}

#[tokio::test]
async fn parameters_named_like_builder_members_are_renamed_and_sent_under_their_json_names() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/p1/items"))
        .and(query_param("send", "1"))
        .and(query_param("pages", "2"))
        .and(query_param("client", "3"))
        .and(query_param("fields", "4"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": [{"id": "x"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = member_names::Client::builder().root_url(server.uri()).build().expect("client builds");
    let pages: Vec<_> =
        futures_collect(client.items().list("p1").send2("1").pages2("2").client2("3").fields2("4").pages()).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].as_ref().expect("one page").items.as_ref().map(Vec::len), Some(1));
}

#[tokio::test]
async fn standard_parameters_come_from_the_runtime_trait_beside_renamed_setters() {
    use discogen_runtime::prelude::*;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/p1/items"))
        .and(query_param("send", "1"))
        .and(query_param("quotaUser", "u1"))
        .and(query_param("prettyPrint", "false"))
        .and(query_param("pp", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"items": []})))
        .expect(1)
        .mount(&server)
        .await;
    let client = member_names::Client::builder().root_url(server.uri()).build().expect("client builds");
    let call = client.items().list("p1").send2("1").quota_user("u1").pretty_print(false).query_param("pp", "0");
    call.send().await.expect("list succeeds");
}

#[test]
fn the_generator_reserves_exactly_the_runtime_trait_members() {
    assert_eq!(discogen::internals::resolve::STANDARD_MEMBERS, discogen_runtime::params::MEMBER_NAMES);
}

/// Drains a page stream without pulling in a futures crate.
async fn futures_collect<T>(mut pages: discogen_runtime::paging::Pages<T>) -> Vec<discogen_runtime::Result<T>>
where
    T: discogen_runtime::paging::Page + Send + 'static,
{
    let mut out = Vec::new();
    while let Some(page) = pages.next_page().await {
        out.push(page);
    }
    out
}

#[tokio::test]
async fn a_document_without_a_root_url_needs_one_at_build_time() {
    let error = minimal::Client::builder().build().expect_err("no root URL to fall back on");
    assert!(error.to_string().contains("root URL"), "{error}");

    let server = MockServer::start().await;
    // The undeclared `{+part}` placeholder is a required string that keeps `/`.
    Mock::given(method("GET"))
        .and(path("/bare/v3/things/t1/parts/a/b"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = minimal::Client::builder().root_url(server.uri()).build().expect("client builds");
    client.things().get("t1", "a/b").send().await.expect("get succeeds");
}

#[tokio::test]
async fn an_operation_without_metadata_is_polled_to_its_result() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/noMetadata/o1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "noMetadata/o1", "done": false})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/noMetadata/o1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"name": "noMetadata/o1", "done": true, "response": {"ok": true}})),
        )
        .mount(&server)
        .await;
    let client = operation_shapes::Client::builder().root_url(server.uri()).build().expect("client builds");
    let policy = PollPolicy::default().initial_delay(std::time::Duration::from_millis(1));
    let op = client.no_metadata().operations().get("noMetadata/o1").wait(policy).await.expect("the operation ends");
    match op.result() {
        OperationResult::Succeeded(Some(response)) => assert_eq!(response.get("ok"), Some(&json!(true))),
        _ => panic!("expected success, got {op:?}"),
    }
}

#[test]
fn operations_missing_parts_report_what_they_have() {
    use discogen_runtime::lro::LongRunningOperation;
    let failed: operation_shapes::model::OperationWithoutName =
        serde_json::from_value(json!({"done": true, "error": {"message": "no", "details": []}})).expect("decodes");
    assert!(failed.is_done());
    assert_eq!(failed.operation_name(), None);
    match failed.result() {
        OperationResult::Failed(status) => assert_eq!(status.message.as_deref(), Some("no")),
        _ => panic!("expected a failure"),
    }
    let finished: operation_shapes::model::OperationWithoutError =
        serde_json::from_value(json!({"name": "noError/x", "done": true})).expect("decodes");
    assert!(matches!(finished.result(), OperationResult::Succeeded(None)));
    assert_eq!(finished.error_status(), None);
    let pending: operation_shapes::model::OperationWithDoneAndMetadata =
        serde_json::from_value(json!({"metadata": {"@type": "x"}})).expect("decodes");
    assert!(pending.result().is_pending());
}

#[tokio::test]
async fn parameters_named_like_media_members_are_sent_beside_resumable_upload_and_download() {
    let server = MockServer::start().await;
    let session = format!("{}/session/1", server.uri());
    // The method is a PUT, so the session starts with one.
    Mock::given(method("PUT"))
        .and(path("/upload/v1/items/n1"))
        .and(query_param("uploadType", "resumable"))
        .and(query_param("upload_resumable", "a"))
        .and(query_param("resumable_path", "b"))
        .respond_with(ResponseTemplate::new(200).insert_header("location", session.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/session/1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "stored"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v1/items/n1"))
        .and(query_param("alt", "media"))
        .and(query_param("media_download", "c"))
        .and(query_param("download_to", "d"))
        .and(query_param("download_stream", "e"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(b"media bytes".to_vec()))
        .expect(1)
        .mount(&server)
        .await;
    let client = member_names::Client::builder().root_url(server.uri()).build().expect("client builds");

    let item = client
        .items()
        .upload("n1")
        .upload_resumable2("a")
        .resumable_path("b")
        .upload_resumable(b"hello".to_vec(), "text/plain")
        .await
        .expect("resumable upload succeeds");
    assert_eq!(item.id.as_deref(), Some("stored"));

    let mut written = Vec::new();
    let n = client
        .items()
        .upload("n1")
        .media_download2("c")
        .download_to2("d")
        .download_stream2("e")
        .download_to(&mut written)
        .await
        .expect("download succeeds");
    assert_eq!((n, written.as_slice()), (11, b"media bytes".as_slice()));
}
