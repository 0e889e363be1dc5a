//! Building requests: URLs, query encoding, bodies and headers.

use discogen_runtime::http::{header, HeaderValue, Method};
use discogen_runtime::path::{push_param, Expansion};
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::serde_json::json;
use discogen_runtime::wire::{Bytes, FieldMask};
use discogen_runtime::{Client, ClientBuilder};

use super::client::TestApi;

fn client() -> Client {
    ClientBuilder::<TestApi>::new().root_url("https://example.googleapis.com").build().expect("client").client
}

#[test]
fn relative_paths_use_the_base_url() {
    let client = client();
    let mut path = String::from("operations/");
    push_param(&mut path, "name", "a/b c", Expansion::KeepSlash, None).expect("valid");
    let request = RequestBuilder::new(&client, Method::GET, &path).build().expect("valid");
    assert_eq!(request.uri().to_string(), "https://example.googleapis.com/v1/operations/a/b%20c");
    assert_eq!(request.method(), Method::GET);
    assert!(request.body().is_empty());
}

#[test]
fn query_values_are_encoded() {
    let client = client();
    let mut request = RequestBuilder::new(&client, Method::GET, "x");
    request.query("filter", "a b+c&d=e#f%g");
    request.query("q", "é/ü:@,");
    request.query("pageSize", &10i32);
    request.query("tag", "one");
    request.query("tag", "two");
    request.query("$.xgafv", "2");
    request.query("mask", &FieldMask(vec!["a".into(), "b.c".into()]));
    request.query("blob", &Bytes(vec![0xfb, 0xff]));
    assert_eq!(
        request.url(),
        "https://example.googleapis.com/v1/x?filter=a%20b%2Bc%26d%3De%23f%25g\
         &q=%C3%A9/%C3%BC:@,&pageSize=10&tag=one&tag=two&$.xgafv=2&mask=a,b.c&blob=%2B/8%3D"
    );
    let request = request.build().expect("valid");
    assert!(request.uri().query().is_some());
}

#[test]
fn control_characters_in_queries_are_encoded() {
    let client = client();
    let mut request = RequestBuilder::new(&client, Method::GET, "x");
    request.query("a", "line\r\nbreak\u{0}");
    assert!(request.url().ends_with("?a=line%0D%0Abreak%00"));
    assert!(request.build().is_ok());
}

#[test]
fn json_body_and_headers() {
    let client = client();
    let mut request = RequestBuilder::new(&client, Method::POST, "x:cancel");
    request.json_body(&json!({"a": [1, 2]})).expect("serializes");
    request.header(header::HeaderName::from_static("x-goog-user-project"), HeaderValue::from_static("p"));
    let request = request.build().expect("valid");
    assert_eq!(request.headers()[header::CONTENT_TYPE], "application/json");
    assert_eq!(request.headers()["x-goog-user-project"], "p");
    assert_eq!(request.body(), br#"{"a":[1,2]}"#);
    assert_eq!(request.uri().path(), "/v1/x:cancel");
}

#[test]
fn raw_body() {
    let client = client();
    let mut request = RequestBuilder::new(&client, Method::POST, "/upload/v1/x");
    request.raw_body(HeaderValue::from_static("image/png"), vec![1, 2, 3]);
    let request = request.build().expect("valid");
    assert_eq!(request.uri().path(), "/upload/v1/x");
    assert_eq!(request.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(request.body(), &vec![1, 2, 3]);
}

#[test]
fn unserializable_body_is_an_error_not_a_panic() {
    use std::collections::BTreeMap;
    let client = client();
    let mut request = RequestBuilder::new(&client, Method::POST, "x");
    // JSON object keys must be strings.
    let bad: BTreeMap<Vec<u8>, i32> = BTreeMap::from([(vec![1], 1)]);
    let err = request.json_body(&bad).err().map(|e| e.kind());
    assert_eq!(err, Some(discogen_runtime::ErrorKind::InvalidArgument));
}
