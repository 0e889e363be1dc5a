use serde_json::json;
use wiremock::matchers::{method, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

// The `media-and-paging` fixture (tests/fixtures/media-and-paging.json)
// stands in for a crate of your own here: its `files.list` pages.
use discogen_tests::fixtures::media_and_paging as api;

// ANCHOR: items
async fn all_names(client: &api::Client, bucket: &str) -> api::runtime::Result<Vec<String>> {
    let mut names = Vec::new();
    // Every item of every page; a new request per page, with the token.
    let mut items = client.files().list(bucket).page_size(100).items();
    while let Some(file) = items.next_item().await {
        names.extend(file?.name);
    }
    Ok(names)
}
// ANCHOR_END: items

// ANCHOR: pages
async fn count_pages(client: &api::Client, bucket: &str) -> api::runtime::Result<usize> {
    let mut pages = client.files().list(bucket).pages();
    let mut count = 0;
    while let Some(page) = pages.next_page().await {
        let page = page?; // the whole response: `files`, `unreachable`, ...
        count += 1;
        println!("page {count}: {} files", page.files.map_or(0, |files| files.len()));
    }
    Ok(count)
}
// ANCHOR_END: pages

#[tokio::test]
async fn items_and_pages_follow_the_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"files": [{"name": "a"}, {"name": "b"}], "nextPageToken": "t1"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("pageToken", "t1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"files": [{"name": "c"}]})))
        .mount(&server)
        .await;
    let client = api::Client::builder().root_url(server.uri()).bearer_token("tok").build().unwrap();
    assert_eq!(all_names(&client, "buckets/b1").await.unwrap(), ["a", "b", "c"]);
    assert_eq!(count_pages(&client, "buckets/b1").await.unwrap(), 2);
}
