//! Paging, media download and upload through a generated client (the
//! `media-and-paging` fixture) against a real server on loopback.

use discogen_tests::fixtures::media_and_paging as api;
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn client(server: &MockServer) -> api::Client {
    api::Client::builder().root_url(server.uri()).bearer_token("tok").build().expect("client builds")
}

async fn serve_three_pages(server: &MockServer) {
    let pages = [
        (None, json!({"files": [{"name": "a"}, {"name": "b"}], "nextPageToken": "t1"})),
        (Some("t1"), json!({"files": [], "nextPageToken": "t2", "unreachable": ["x"]})),
        (Some("t2"), json!({"files": [{"name": "c", "size": "12"}]})),
    ];
    for (token, body) in pages {
        let mock = Mock::given(method("GET")).and(path("/files/v1/buckets/b1/files")).and(query_param("pageSize", "2"));
        let mock = match token {
            Some(t) => mock.and(query_param("pageToken", t)),
            None => mock.and(wiremock::matchers::query_param_is_missing("pageToken")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).expect(1).mount(server).await;
    }
}

#[tokio::test]
async fn pages_follow_the_token_and_keep_other_parameters() {
    let server = MockServer::start().await;
    serve_three_pages(&server).await;
    let client = client(&server).await;
    let mut pages = client.files().list("buckets/b1").page_size(2).pages();
    let mut names = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next_page().await {
        let page = page.expect("page decodes");
        count += 1;
        names.extend(page.files.unwrap_or_default().into_iter().filter_map(|f| f.name));
    }
    assert_eq!(count, 3);
    assert_eq!(names, ["a", "b", "c"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn items_flatten_every_page() {
    let server = MockServer::start().await;
    serve_three_pages(&server).await;
    let client = client(&server).await;
    let mut items = client.files().list("buckets/b1").page_size(2).items();
    let mut got = Vec::new();
    while let Some(file) = items.next_item().await {
        let file = file.expect("item");
        got.push((file.name.unwrap_or_default(), file.size));
    }
    assert_eq!(got, [("a".to_string(), None), ("b".to_string(), None), ("c".to_string(), Some(12))]);
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/files/v1/other"))
        .and(wiremock::matchers::query_param_is_missing("pageToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"a": ["1"], "nextPageToken": "n"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/v1/other"))
        .and(query_param("pageToken", "n"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"error": {"code": 404, "message": "gone", "status": "NOT_FOUND"}})),
        )
        .mount(&server)
        .await;
    let client = client(&server).await;
    let mut pages = client.files().list_other().pages();
    assert!(pages.next_page().await.expect("first page").is_ok());
    let err = pages.next_page().await.expect("second page").expect_err("404");
    assert_eq!(err.http_status().map(|s| s.as_u16()), Some(404));
    assert!(pages.next_page().await.is_none(), "nothing after an error");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn download_asks_for_media_and_returns_the_bytes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/files/v1/buckets/b1/files/f1"))
        .and(query_param("alt", "media"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![0u8, 159, 146, 150, 255], "application/octet-stream"),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    // A caller's own `alt` is replaced, not sent twice.
    use discogen_runtime::prelude::*;
    let bytes = client
        .files()
        .get("buckets/b1/files/f1")
        .alt(discogen_runtime::params::Alt::Json)
        .download()
        .await
        .expect("download");
    assert_eq!(&bytes[..], &[0u8, 159, 146, 150, 255]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].url.query(), Some("alt=media"));
}

#[tokio::test]
async fn multipart_upload_sends_metadata_and_media() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/upload/files/v1/buckets/b1/files"))
        .and(query_param("uploadType", "multipart"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "new", "size": "5"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let meta = api::model::File { name: Some("new".into()), ..Default::default() };
    let created =
        client.files().create("buckets/b1", meta).upload(b"hello".to_vec(), "text/plain").await.expect("upload");
    assert_eq!(created.size, Some(5));
    let request = &server.received_requests().await.unwrap()[0];
    let content_type = request.headers.get("content-type").expect("content type").to_str().unwrap().to_string();
    let boundary = content_type.strip_prefix("multipart/related; boundary=").expect("multipart/related");
    let body = String::from_utf8(request.body.clone()).expect("utf-8 body");
    let expected = format!(
        "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{{\"name\":\"new\"}}\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n--{boundary}--\r\n"
    );
    assert_eq!(body, expected);
    assert_eq!(request.headers.get("authorization").unwrap(), "Bearer tok");
}

#[tokio::test]
async fn media_upload_without_metadata_sends_the_bytes_alone() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/upload/files/v1/buckets/b1/files/f1:replace"))
        .and(query_param("uploadType", "media"))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    client.files().replace("buckets/b1/files/f1").upload(b"abc".to_vec(), "text/plain").await.expect("upload");
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.body, b"abc");
    assert_eq!(request.headers.get("content-type").unwrap(), "text/plain");
}

#[tokio::test]
async fn a_tokio_file_is_sent_from_its_position_with_content_length() {
    use tokio::io::AsyncSeekExt as _;
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/upload/files/v1/buckets/b1/files/f1:replace"))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    let source = std::env::temp_dir().join(format!("discogen-tokio-file-{}", std::process::id()));
    std::fs::write(&source, b"abcdef").unwrap();
    let mut file = tokio::fs::File::open(&source).await.unwrap();
    file.seek(std::io::SeekFrom::Start(2)).await.unwrap();
    let client = client(&server).await;
    client.files().replace("buckets/b1/files/f1").upload(file, "text/plain").await.expect("upload");
    let _ = std::fs::remove_file(&source);
    let request = &server.received_requests().await.unwrap()[0];
    assert_eq!(request.body, b"cdef");
    // Known before sending, not chunked.
    assert_eq!(request.headers.get("content-length").map(|v| v.to_str().unwrap()), Some("4"));
    assert!(request.headers.get("transfer-encoding").is_none());
}

#[tokio::test]
async fn a_content_type_with_a_newline_is_refused_before_sending() {
    let server = MockServer::start().await;
    let client = client(&server).await;
    let err = client
        .files()
        .replace("buckets/b1/files/f1")
        .upload(b"abc".to_vec(), "text/plain\r\nX-Evil: 1")
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), discogen_runtime::ErrorKind::InvalidArgument);
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_sent_call_is_a_spawnable_future_and_a_bad_path_fails_when_awaited() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/files/v1/buckets/b1/files"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"files": [{"name": "a"}]})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    // `send()` gives a `Send + 'static` future: it borrows neither the call
    // nor the client, so it can run on another task after both are gone.
    let task = tokio::spawn(client.files().list("buckets/b1").send());
    let bad = client.files().list("no-bucket-here").send();
    drop(client);
    let page = task.await.expect("the task ends").expect("the page decodes");
    assert_eq!(page.files.unwrap_or_default()[0].name.as_deref(), Some("a"));
    // The path breaks its pattern: building failed inside `send()`, and the
    // error comes out of the future, with nothing sent.
    let error = bad.await.expect_err("the path does not match ^buckets/[^/]+$");
    assert!(error.to_string().contains("parent"), "{error}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
