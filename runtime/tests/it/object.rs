//! `wire::Object`, `read_object` and `ObjectWriter`: the serde path every
//! generated struct takes, exercised with a hand-written struct of the same
//! shape as the generated ones.

use std::collections::BTreeMap;

use discogen_runtime::serde::de::MapAccess;
use discogen_runtime::serde::{Deserialize, Serializer};
use discogen_runtime::serde_json::{self, json, Value};
use discogen_runtime::wire::{self, Object, ObjectWriter, ReadAs};

#[derive(Debug, Default, PartialEq)]
struct Sample {
    name: Option<String>,
    size: Option<i64>,
    sizes: Option<Vec<i64>>,
    extra: BTreeMap<String, Value>,
}

impl Object for Sample {
    const NAME: &'static str = "Sample";
    fn read_member<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "name" => self.name = map.next_value()?,
            "size" => self.size = map.next_value::<ReadAs<_, Option<wire::I64>>>()?.0,
            "sizes" => self.sizes = map.next_value::<ReadAs<_, Option<Vec<wire::I64>>>>()?.0,
            _ => return Ok(false),
        }
        Ok(true)
    }
    fn extra_mut(&mut self) -> &mut BTreeMap<String, Value> {
        &mut self.extra
    }
    fn write_members<S: Serializer>(&self, object: &mut ObjectWriter<S>) -> Result<(), S::Error> {
        object.field("name", &self.name)?;
        object.field_as::<wire::I64, _>("size", &self.size)?;
        object.field_as::<Vec<wire::I64>, _>("sizes", &self.sizes)
    }
    fn extra(&self) -> &BTreeMap<String, Value> {
        &self.extra
    }
}

discogen_runtime::object_impls!(Sample);

#[test]
fn known_members_fill_fields_and_unknown_ones_are_kept_in_order() {
    let text = r#"{"zeta": 1, "name": "n", "size": "9007199254740993", "alpha": {"x": [1, 2]}, "sizes": ["1", "-2"]}"#;
    let sample: Sample = serde_json::from_str(text).expect("decodes");
    assert_eq!(sample.name.as_deref(), Some("n"));
    assert_eq!(sample.size, Some(9_007_199_254_740_993));
    assert_eq!(sample.sizes, Some(vec![1, -2]));
    assert_eq!(sample.extra.keys().collect::<Vec<_>>(), ["alpha", "zeta"]);
    assert_eq!(sample.extra["alpha"], json!({"x": [1, 2]}));

    // Fields first, in declaration order, then the kept members; int64 goes
    // back out as a string.
    let written = serde_json::to_string(&sample).expect("encodes");
    assert_eq!(written, r#"{"name":"n","size":"9007199254740993","sizes":["1","-2"],"alpha":{"x":[1,2]},"zeta":1}"#);
    let again: Sample = serde_json::from_str(&written).expect("decodes again");
    assert_eq!(again, sample);
}

#[test]
fn null_and_missing_members_are_none_and_unset_fields_are_not_written() {
    let sample: Sample = serde_json::from_value(json!({"name": null})).expect("decodes");
    assert_eq!(sample, Sample::default());
    assert_eq!(serde_json::to_string(&sample).expect("encodes"), "{}");
}

#[test]
fn a_repeated_member_keeps_its_last_value() {
    let sample: Sample = serde_json::from_str(r#"{"name": "a", "name": "b", "x": 1, "x": 2}"#).expect("decodes");
    assert_eq!(sample.name.as_deref(), Some("b"));
    assert_eq!(sample.extra["x"], json!(2));
}

#[test]
fn wrong_shapes_fail_with_the_type_name_and_position() {
    let error = serde_json::from_str::<Sample>("[1, 2]").expect_err("an array is not an object");
    let message = error.to_string();
    assert!(message.contains("a JSON object (Sample)"), "{message}");
    assert!(message.contains("line 1"), "{message}");

    let error = serde_json::from_str::<Sample>(r#"{"size": "12x"}"#).expect_err("not a number");
    assert!(error.to_string().contains("column"), "{error}");

    let error = serde_json::from_str::<Sample>(r#"{"name": 5}"#).expect_err("not a string");
    assert!(error.to_string().contains("invalid type"), "{error}");
}

#[test]
fn members_with_escapes_in_their_names_still_match() {
    // An escaped name cannot be borrowed from the input; it must still match.
    let sample: Sample = serde_json::from_str(r#"{"na\u006de": "x"}"#).expect("decodes");
    assert_eq!(sample.name.as_deref(), Some("x"));
}

#[test]
fn decodes_from_a_value_as_well_as_from_text() {
    let value = json!({"name": "v", "other": true});
    let sample = Sample::deserialize(&value).expect("decodes from &Value");
    assert_eq!(sample.name.as_deref(), Some("v"));
    assert_eq!(sample.extra["other"], json!(true));
}

/// The same shape declared through `object!`, as generated code does.
#[derive(Clone, Debug, Default, PartialEq)]
struct Declared {
    name: Option<String>,
    size: Option<i64>,
    __extra: BTreeMap<String, Value>,
}

discogen_runtime::object! {
    Declared("Declared") {
        "name" => name,
        "size" => size as wire::I64,
    }
}

#[test]
fn object_macro_reads_and_writes_like_the_hand_written_impls() {
    let declared: Declared = serde_json::from_str(r#"{"size": "7", "other": [1], "name": "d"}"#).expect("decodes");
    assert_eq!(declared.name.as_deref(), Some("d"));
    assert_eq!(declared.size, Some(7));
    assert_eq!(declared.extra()["other"], json!([1]));
    assert_eq!(serde_json::to_string(&declared).expect("encodes"), r#"{"name":"d","size":"7","other":[1]}"#);
    let error = serde_json::from_str::<Declared>(r#"{"size": true}"#).expect_err("not an int64");
    assert!(error.to_string().contains("line 1"), "{error}");
}

/// A writer that accepts `budget` bytes and then fails.
struct FailingWriter {
    budget: usize,
}

impl std::io::Write for FailingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.budget == 0 {
            return Err(std::io::Error::other("disk full"));
        }
        let n = buf.len().min(self.budget);
        self.budget -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failed_write_in_the_middle_of_an_object_is_reported() {
    let declared = Declared { name: Some("x".repeat(64)), size: Some(1), __extra: BTreeMap::new() };
    for budget in [0, 1, 5, 20, 70] {
        let error = serde_json::to_writer(FailingWriter { budget }, &declared).expect_err("the writer fails");
        assert!(error.is_io(), "budget {budget}: {error}");
    }
}
