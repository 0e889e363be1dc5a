//! Paging by the rule of Google's Python client (the `paging-token-names`
//! fixture) against a real server on loopback: a response token called
//! `pageToken`, a token carried in the request body, a required token
//! parameter, and a page with two lists.

use discogen_tests::fixtures::paging_token_names as api;
use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> api::Client {
    api::Client::builder().root_url(server.uri()).bearer_token("tok").build().expect("client builds")
}

fn rows(names: &[&str]) -> Value {
    Value::Array(names.iter().map(|n| json!({"cells": [n]})).collect())
}

fn cell(row: &api::model::Row) -> String {
    row.cells.as_ref().and_then(|c| c.first()).cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_response_page_token_is_followed_and_each_row_comes_once() {
    let server = MockServer::start().await;
    let pages = [
        (None, json!({"rows": rows(&["r1", "r2"]), "pageToken": "p2", "total": "5"})),
        (Some("p2"), json!({"rows": rows(&["r3", "r4"]), "pageToken": "p3", "total": "5"})),
        // The last page carries an empty token, which ends the paging too.
        (Some("p3"), json!({"rows": rows(&["r5"]), "pageToken": "", "total": "5"})),
    ];
    for (token, body) in pages {
        let mock =
            Mock::given(method("GET")).and(path("/tokens/v1/tables/t1/rows")).and(query_param("maxResults", "2"));
        let mock = match token {
            Some(t) => mock.and(query_param("pageToken", t)),
            None => mock.and(query_param_is_missing("pageToken")),
        };
        mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).expect(1).mount(&server).await;
    }
    let mut items = client(&server).tables().rows("t1").max_results(2).items();
    let mut got = Vec::new();
    while let Some(row) = items.next_item().await {
        got.push(cell(&row.expect("row decodes")));
    }
    assert_eq!(got, ["r1", "r2", "r3", "r4", "r5"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_body_token_is_set_in_the_next_request_body_and_the_rest_is_kept() {
    let server = MockServer::start().await;
    let first = json!({"filter": "colour = red", "pageSize": 2});
    let second = json!({"filter": "colour = red", "pageSize": 2, "pageToken": "n1"});
    Mock::given(method("POST"))
        .and(path("/tokens/v1/tables:search"))
        .and(body_json(&first))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"matches": rows(&["a", "b"]), "nextPageToken": "n1"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/tokens/v1/tables:search"))
        .and(body_json(&second))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"matches": rows(&["c"])})))
        .expect(1)
        .mount(&server)
        .await;
    let request =
        api::model::SearchRequest { filter: Some("colour = red".into()), page_size: Some(2), ..Default::default() };
    let mut items = client(&server).tables().search(request).items();
    let mut got = Vec::new();
    while let Some(row) = items.next_item().await {
        got.push(cell(&row.expect("match decodes")));
    }
    assert_eq!(got, ["a", "b", "c"]);
    let bodies: Vec<Value> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).expect("JSON body"))
        .collect();
    assert_eq!(bodies, [first, second], "the token travels in the body, never in the query");
}

#[tokio::test]
async fn a_required_token_parameter_starts_the_paging_and_is_then_replaced() {
    let server = MockServer::start().await;
    for (token, body) in [
        ("start", json!({"matches": rows(&["x"]), "nextPageToken": "more"})),
        ("more", json!({"matches": rows(&["y"])})),
    ] {
        Mock::given(method("GET"))
            .and(path("/tokens/v1/tables/changes"))
            .and(query_param("pageToken", token))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let mut items = client(&server).tables().changes("start").items();
    let mut got = Vec::new();
    while let Some(row) = items.next_item().await {
        got.push(cell(&row.expect("change decodes")));
    }
    assert_eq!(got, ["x", "y"]);
    let requests = server.received_requests().await.unwrap();
    let queries: Vec<&str> = requests.iter().filter_map(|r| r.url.query()).collect();
    assert_eq!(queries, ["pageToken=start", "pageToken=more"], "the token is sent once per request");
}

#[tokio::test]
async fn a_page_with_two_lists_pages_whole_responses() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/tokens/v1/tables/t1/results"))
        .and(query_param_is_missing("pageToken"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"rows": rows(&["r1"]), "notes": [{"text": "n1"}], "nextPageToken": "q"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/tokens/v1/tables/t1/results"))
        .and(query_param("pageToken", "q"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rows": rows(&["r2"])})))
        .expect(1)
        .mount(&server)
        .await;
    let mut pages = client(&server).tables().results("t1").pages();
    let (mut row_cells, mut notes) = (Vec::new(), Vec::new());
    while let Some(page) = pages.next_page().await {
        let page = page.expect("page decodes");
        row_cells.extend(page.rows.unwrap_or_default().iter().map(cell));
        notes.extend(page.notes.unwrap_or_default().into_iter().filter_map(|n| n.text));
    }
    assert_eq!(row_cells, ["r1", "r2"]);
    assert_eq!(notes, ["n1"]);
}
