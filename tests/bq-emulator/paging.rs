//! BigQuery's paging through a crate generated from the real
//! `../shared/discovery/bigquery.v2.json`, against bqemulator on loopback.
//! BigQuery names its response token `pageToken`, not `nextPageToken`, so
//! these methods page only by the Python client's rule.
//!
//! `.ci/bqemulator` generates the crate (with `--only` on the methods used
//! here), builds this file as a test beside it, starts the emulator and runs
//! the tests with `BQEMULATOR_URL` set. They are ignored otherwise; under
//! `CI=true` a missing emulator fails them.

use bigquery::model::{Dataset, DatasetReference, QueryRequest, TableRow};
use std::time::{SystemTime, UNIX_EPOCH};

const PROJECT: &str = "discogen";

/// The emulator's root URL, or `None` (outside CI) when there is none.
fn emulator() -> Option<String> {
    match std::env::var("BQEMULATOR_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("BQEMULATOR_URL is not set: under CI this test runs against bqemulator (see .ci/bqemulator)")
        }
        _ => {
            eprintln!("not run: BQEMULATOR_URL is not set (see .ci/bqemulator)");
            None
        }
    }
}

fn client(url: &str) -> bigquery::Client {
    bigquery::Client::builder().root_url(url).bearer_token("emulator").build().expect("client builds")
}

/// Seven rows, 1 to 7, as the query's one column.
const SEVEN_ROWS: &str = "SELECT x FROM UNNEST(GENERATE_ARRAY(1, 7)) AS x ORDER BY x";

fn query(sql: &str) -> QueryRequest {
    QueryRequest {
        query: Some(sql.to_string()),
        use_legacy_sql: Some(false),
        // The first page comes from getQueryResults, not from the query.
        max_results: Some(0),
        ..Default::default()
    }
}

/// The first cell of a row as text (BigQuery sends integers as strings).
fn first_cell(row: &TableRow) -> String {
    let cell = row.f.as_ref().and_then(|cells| cells.first()).and_then(|c| c.v.as_ref());
    match cell {
        Some(serde_json::Value::String(s)) => s.clone(),
        other => panic!("a cell holding a string, got {other:?}"),
    }
}

fn one_to_seven() -> Vec<String> {
    (1..=7).map(|n| n.to_string()).collect()
}

#[tokio::test]
#[ignore = "needs bqemulator and the crate from bigquery.v2.json; .ci/bqemulator runs it"]
async fn get_query_results_pages_every_row_exactly_once() {
    let Some(url) = emulator() else { return };
    let client = client(&url);
    let done = client.jobs().query(PROJECT, query(SEVEN_ROWS)).send().await.expect("the query runs");
    let job = done.job_reference.and_then(|j| j.job_id).expect("the query names its job");

    let mut pages = client.jobs().get_query_results(PROJECT, job).max_results(2).pages();
    let (mut rows, mut sizes) = (Vec::new(), Vec::new());
    while let Some(page) = pages.next_page().await {
        let page = page.expect("a page of results");
        let page_rows = page.rows.unwrap_or_default();
        sizes.push(page_rows.len());
        rows.extend(page_rows.iter().map(first_cell));
    }
    assert_eq!(rows, one_to_seven(), "every row once, in order");
    assert_eq!(sizes, [2, 2, 2, 1], "pages of at most maxResults rows");
}

#[tokio::test]
#[ignore = "needs bqemulator and the crate from bigquery.v2.json; .ci/bqemulator runs it"]
async fn tabledata_list_items_are_every_row_exactly_once() {
    let Some(url) = emulator() else { return };
    let client = client(&url);
    // A dataset of its own, so that a second run against the same emulator works too.
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let dataset = format!("paging_{}_{nanos}", std::process::id());
    let reference =
        DatasetReference { project_id: Some(PROJECT.into()), dataset_id: Some(dataset.clone()), ..Default::default() };
    let request = Dataset { dataset_reference: Some(reference), ..Default::default() };
    client.datasets().insert(PROJECT, request).send().await.expect("the dataset is created");
    let create = format!("CREATE TABLE {dataset}.seven AS {SEVEN_ROWS}");
    client.jobs().query(PROJECT, query(&create)).send().await.expect("the table is created");

    let mut items = client.tabledata().list(PROJECT, &dataset, "seven").max_results(2).items();
    let mut rows = Vec::new();
    while let Some(row) = items.next_item().await {
        rows.push(first_cell(&row.expect("a row")));
    }
    rows.sort_by_key(|r| r.parse::<u32>().unwrap_or(u32::MAX));
    assert_eq!(rows, one_to_seven(), "every row once");
}
