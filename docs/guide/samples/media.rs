use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use discogen_tests::fixtures::media_and_paging as api;

// ANCHOR: media
async fn round_trip(client: &api::Client, local: &std::path::Path) -> Result<u64, Box<dyn std::error::Error>> {
    // Upload: an open tokio file goes as it is, its length from its metadata.
    let file = tokio::fs::File::open(local).await?;
    client.files().replace("buckets/b1/files/f1").upload(file, "text/plain").await?;

    // Download: streamed into any tokio writer, never held in memory whole.
    let mut copy = tokio::fs::File::create(local.with_extension("copy")).await?;
    Ok(client.files().get("buckets/b1/files/f1").download_to(&mut copy).await?)
}
// ANCHOR_END: media

#[tokio::test]
async fn a_file_goes_up_and_comes_back_down() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/upload/files/v1/buckets/b1/files/f1:replace"))
        .and(query_param("uploadType", "media"))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/v1/buckets/b1/files/f1"))
        .and(query_param("alt", "media"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(b"hello".to_vec(), "text/plain"))
        .expect(1)
        .mount(&server)
        .await;
    let dir = std::env::temp_dir().join(format!("discogen-guide-media-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("hello.txt");
    std::fs::write(&local, b"hello").unwrap();
    let client = api::Client::builder().root_url(server.uri()).bearer_token("tok").build().unwrap();
    let written = round_trip(&client, &local).await.unwrap();
    assert_eq!(written, 5);
    assert_eq!(std::fs::read(local.with_extension("copy")).unwrap(), b"hello");
    let upload = &server.received_requests().await.unwrap()[0];
    assert_eq!(upload.headers.get("content-length").unwrap(), "5");
    assert_eq!(upload.body, b"hello");
    std::fs::remove_dir_all(&dir).unwrap();
}
