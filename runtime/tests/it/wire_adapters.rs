//! The `As` adapters, used the way generated structs use them.

use std::collections::BTreeMap;

use discogen_runtime::serde::{Deserialize, Serialize};
use discogen_runtime::serde_json::{self, json, Value};

/// Shaped like generated code: absolute paths, `crate = ...`, every field
/// optional, unknown keys kept in `extra`.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "::discogen_runtime::serde", rename_all = "camelCase")]
struct Sample {
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::discogen_runtime::wire::I64>>"
    )]
    count: Option<i64>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::std::vec::Vec<::discogen_runtime::wire::I64>>>"
    )]
    ids: Option<Vec<i64>>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::discogen_runtime::wire::U64>>"
    )]
    size: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::discogen_runtime::wire::F64>>"
    )]
    score: Option<f64>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::discogen_runtime::wire::F32>>"
    )]
    ratio: Option<f32>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::std::collections::BTreeMap<::std::string::String, ::discogen_runtime::wire::I64>>>"
    )]
    totals: Option<BTreeMap<String, i64>>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::std::vec::Vec<::std::vec::Vec<::discogen_runtime::wire::F64>>>>"
    )]
    matrix: Option<Vec<Vec<f64>>>,
    #[serde(
        default,
        skip_serializing_if = "::std::option::Option::is_none",
        with = "::discogen_runtime::wire::As::<::std::option::Option<::std::boxed::Box<::discogen_runtime::wire::Same>>>"
    )]
    child: Option<Box<Sample>>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

fn decode(value: Value) -> Result<Sample, String> {
    serde_json::from_value(value).map_err(|e| e.to_string())
}

fn decode_text(text: &str) -> Result<Sample, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

#[test]
fn int64_is_written_as_a_string() {
    let sample =
        Sample { count: Some(i64::MIN), ids: Some(vec![1, -2, i64::MAX]), size: Some(u64::MAX), ..Sample::default() };
    let value = serde_json::to_value(&sample).ok();
    assert_eq!(
        value,
        Some(json!({
            "count": "-9223372036854775808",
            "ids": ["1", "-2", "9223372036854775807"],
            "size": "18446744073709551615"
        }))
    );
}

#[test]
fn int64_is_read_from_strings_and_numbers_with_flatten() {
    // The flattened `extra` makes serde buffer the input first.
    let text = r#"{"count": 42, "ids": ["1", 2, "-3"], "size": "7", "other": true}"#;
    let sample = decode_text(text);
    assert_eq!(
        sample,
        Ok(Sample {
            count: Some(42),
            ids: Some(vec![1, 2, -3]),
            size: Some(7),
            extra: BTreeMap::from([("other".to_owned(), json!(true))]),
            ..Sample::default()
        })
    );
}

#[test]
fn int64_accepts_whole_floats_only() {
    assert_eq!(decode(json!({"count": 5.0})).map(|s| s.count), Ok(Some(5)));
    assert_eq!(decode(json!({"count": 1e3})).map(|s| s.count), Ok(Some(1000)));
    let err = decode(json!({"count": 1.5})).err().unwrap_or_default();
    assert!(err.contains("not a whole number"), "{err}");
    let err = decode(json!({"count": 1e300})).err().unwrap_or_default();
    assert!(err.contains("int64"), "{err}");
}

#[test]
fn bad_int64_strings_give_clear_errors() {
    let err = decode_text(r#"{"count": "abc"}"#).err().unwrap_or_default();
    assert!(err.contains(r#"invalid int64 string "abc""#), "{err}");
    let err = decode_text(r#"{"count": "9223372036854775808"}"#).err().unwrap_or_default();
    assert!(err.contains("invalid int64 string"), "{err}");
    let err = decode_text(r#"{"size": -1}"#).err().unwrap_or_default();
    assert!(err.contains("uint64 value -1 is out of range"), "{err}");
    let err = decode_text(r#"{"size": "-1"}"#).err().unwrap_or_default();
    assert!(err.contains(r#"invalid uint64 string "-1""#), "{err}");
    let err = decode_text(r#"{"count": true}"#).err().unwrap_or_default();
    assert!(err.contains("int64"), "{err}");
    let err = decode_text(r#"{"count": " 1"}"#).err().unwrap_or_default();
    assert!(err.contains("invalid int64 string"), "{err}");
}

#[test]
fn null_and_missing_are_none() {
    assert_eq!(decode(json!({"count": null})), Ok(Sample::default()));
    assert_eq!(decode(json!({})), Ok(Sample::default()));
    assert_eq!(serde_json::to_string(&Sample::default()).ok().as_deref(), Some("{}"));
}

#[test]
fn floats_round_trip_including_non_finite() {
    let sample = Sample {
        matrix: Some(vec![vec![1.5, f64::NAN], vec![f64::INFINITY, f64::NEG_INFINITY, -0.25]]),
        score: Some(0.1),
        ratio: Some(0.1),
        ..Sample::default()
    };
    let text = serde_json::to_string(&sample).unwrap_or_default();
    assert_eq!(text, r#"{"score":0.1,"ratio":0.1,"matrix":[[1.5,"NaN"],["Infinity","-Infinity",-0.25]]}"#);
    let back = decode_text(&text);
    let matrix = back.as_ref().ok().and_then(|s| s.matrix.clone()).unwrap_or_default();
    assert_eq!(matrix[0][0], 1.5);
    assert!(matrix[0][1].is_nan());
    assert_eq!(matrix[1][0], f64::INFINITY);
    assert_eq!(matrix[1][1], f64::NEG_INFINITY);
    assert_eq!(back.map(|s| s.ratio), Ok(Some(0.1)));
}

#[test]
fn floats_accept_numeric_strings_and_integers() {
    let sample = decode(json!({"score": "2.5e3", "ratio": 3}));
    assert_eq!(sample.as_ref().map(|s| s.score), Ok(Some(2500.0)));
    assert_eq!(sample.map(|s| s.ratio), Ok(Some(3.0)));
    let sample = decode(json!({"score": "-Infinity", "ratio": "NaN"}));
    assert_eq!(sample.as_ref().map(|s| s.score), Ok(Some(f64::NEG_INFINITY)));
    assert!(sample.ok().and_then(|s| s.ratio).is_some_and(f32::is_nan));
}

#[test]
fn floats_refuse_other_spellings() {
    for bad in ["inf", "nan", "infinity", "", "1,5", "0x10"] {
        let err = decode(json!({ "score": bad })).err().unwrap_or_default();
        assert!(err.contains("invalid double string"), "{bad}: {err}");
    }
    let err = decode(json!({"ratio": 1e300})).err().unwrap_or_default();
    assert!(err.contains("out of range"), "{err}");
}

#[test]
fn maps_and_boxes_compose() {
    let value = json!({
        "totals": {"a": "1", "b": 2},
        "child": {"count": "3", "nested": {"x": 1}}
    });
    let sample = decode(value.clone());
    let expected = Sample {
        totals: Some(BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)])),
        child: Some(Box::new(Sample {
            count: Some(3),
            extra: BTreeMap::from([("nested".to_owned(), json!({"x": 1}))]),
            ..Sample::default()
        })),
        ..Sample::default()
    };
    assert_eq!(sample, Ok(expected));
    let written = serde_json::to_value(decode(value).unwrap_or_default()).ok();
    assert_eq!(written, Some(json!({"totals": {"a": "1", "b": "2"}, "child": {"count": "3", "nested": {"x": 1}}})));
}

#[test]
fn errors_inside_containers_are_reported() {
    let err = decode(json!({"ids": ["1", "x"]})).err().unwrap_or_default();
    assert!(err.contains(r#"invalid int64 string "x""#), "{err}");
    let err = decode(json!({"totals": {"a": "x"}})).err().unwrap_or_default();
    assert!(err.contains(r#"invalid int64 string "x""#), "{err}");
}
