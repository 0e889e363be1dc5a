//! `fetch` against a Discovery service on loopback: what it stores, what it
//! refuses to store, and what `--update` replaces.

use super::{scratch, xtask, GOOD};
use std::path::Path;
use std::process::Output;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The tiny document renamed to `name:version` at `revision`, laid out
/// unlike serde_json would (odd spacing, keys out of order), so that a
/// byte-for-byte copy can be told from a re-serialized one.
fn document(name: &str, version: &str, revision: &str) -> String {
    GOOD.replacen('{', &format!("{{  \"revision\" :\"{revision}\",\t"), 1).replace(
        "\"id\": \"tiny:v1\", \"name\": \"tiny\", \"version\": \"v1\"",
        &format!("\"id\": \"{name}:{version}\", \"name\": \"{name}\", \"version\": \"{version}\""),
    )
}

async fn serve(server: &MockServer, name: &str, version: &str, body: String) {
    Mock::given(method("GET"))
        .and(path(format!("/discovery/v1/apis/{name}/{version}/rest")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(server)
        .await;
}

/// Runs xtask on the blocking pool, so that the mock server keeps serving
/// on this test's runtime meanwhile.
async fn fetch(server: &MockServer, dir: &Path, args: &[&str]) -> Output {
    let mut all: Vec<String> = vec!["fetch".into(), "--root-url".into(), format!("{}/", server.uri())];
    all.extend(["--dir".into(), dir.display().to_string()]);
    all.extend(args.iter().map(|a| a.to_string()));
    tokio::task::spawn_blocking(move || {
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        xtask(&all, &[])
    })
    .await
    .expect("xtask ran")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn fetch_stores_the_served_document_byte_for_byte() {
    let server = MockServer::start().await;
    let served = document("vision", "v1", "20260101");
    serve(&server, "vision", "v1", served.clone()).await;
    let dir = scratch("fetch-one");

    let out = fetch(&server, &dir, &["vision:v1"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(read(&dir.join("vision.v1.json")), served);
    assert!(stderr.contains("revision 20260101"), "{stderr}");
    let leftovers: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "only the document is left: {leftovers:?}");
}

#[tokio::test]
async fn documents_that_do_not_parse_or_are_not_the_one_asked_for_are_never_stored() {
    let server = MockServer::start().await;
    let good = document("vision", "v1", "20260101");
    serve(&server, "broken", "v1", document("broken", "v1", "1")[..80].to_string()).await;
    serve(&server, "other", "v1", document("vision", "v1", "1")).await;
    serve(
        &server,
        "bad",
        "v1",
        document("bad", "v1", "1").replace(r#""parameterOrder": ["name"]"#, r#""parameterOrder": "name""#),
    )
    .await;
    let dir = scratch("fetch-refused");
    // A copy from before: a refused download must leave it as it was.
    std::fs::write(dir.join("bad.v1.json"), &good).unwrap();

    for (id, expected) in [
        ("broken:v1", "not JSON"),
        ("other:v1", "answered with vision:v1"),
        ("bad:v1", "does not parse"),
        ("missing:v1", "404"),
        ("../up:v1", "not NAME:VERSION"),
    ] {
        let out = fetch(&server, &dir, &[id]).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{id}: {stderr}");
        assert!(stderr.contains(expected), "{id}: expected `{expected}` in {stderr}");
    }
    let mut left: Vec<String> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    left.sort();
    assert_eq!(left, ["bad.v1.json"], "nothing new was stored");
    assert_eq!(read(&dir.join("bad.v1.json")), good);
}

#[tokio::test]
async fn update_replaces_only_documents_with_a_newer_revision() {
    let server = MockServer::start().await;
    let dir = scratch("fetch-update");
    // Stored, then what the server has now: newer, older, the same.
    let cases =
        [("vision", "20250101", "20260101"), ("pubsub", "20260301", "20260201"), ("tiny", "20250505", "20250505")];
    for (name, stored, served) in cases {
        std::fs::write(dir.join(format!("{name}.v1.json")), document(name, "v1", stored)).unwrap();
        // Served with different bytes even at the same revision, so that a
        // needless rewrite would show.
        serve(&server, name, "v1", document(name, "v1", served).replace("Tiny", "Tiny (served)")).await;
    }

    let out = fetch(&server, &dir, &["--update"]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(read(&dir.join("vision.v1.json")).contains("\"revision\" :\"20260101\""), "newer: replaced");
    assert!(read(&dir.join("vision.v1.json")).contains("Tiny (served)"));
    assert_eq!(read(&dir.join("pubsub.v1.json")), document("pubsub", "v1", "20260301"), "older: kept");
    assert_eq!(read(&dir.join("tiny.v1.json")), document("tiny", "v1", "20250505"), "same: kept");
    assert!(stderr.contains("20250101 -> 20260101, replaced"), "{stderr}");
    assert!(stderr.contains("1 specs changed"), "{stderr}");
}
