//! The wire value types: Bytes, Timestamp, Duration, FieldMask, Date, QueryValue.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use discogen_runtime::serde::{Deserialize, Serialize};
use discogen_runtime::serde_json::{self, json, Value};
use discogen_runtime::wire::{Bytes, Date, Duration, FieldMask, QueryValue, Timestamp};

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(crate = "::discogen_runtime::serde", rename_all = "camelCase")]
struct Holder {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Bytes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wait: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mask: Option<FieldMask>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<Date>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn dur(text: &str) -> Duration {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

// ---- Bytes ----

#[test]
fn bytes_write_standard_padded() {
    let b = Bytes::from(vec![0xfb, 0xff, 0xfe]);
    assert_eq!(b.to_string(), "+//+");
    assert_eq!(Bytes::from(&b"a"[..]).to_string(), "YQ==");
    assert_eq!(serde_json::to_value(&b).ok(), Some(json!("+//+")));
}

#[test]
fn bytes_read_both_alphabets_with_or_without_padding() {
    for text in ["+//+", "-__-", "YQ==", "YQ", "YWI=", "YWI"] {
        let decoded: Result<Bytes, _> = text.parse();
        assert!(decoded.is_ok(), "{text}");
    }
    assert_eq!("-__-".parse::<Bytes>().map(Vec::from), Ok(vec![0xfb, 0xff, 0xfe]));
    assert_eq!("YQ".parse::<Bytes>().map(|b| b.to_vec()), Ok(b"a".to_vec()));
    assert_eq!("".parse::<Bytes>().map(|b| b.len()), Ok(0));
}

#[test]
fn bad_base64_is_a_clear_error() {
    let err = serde_json::from_value::<Holder>(json!({"data": "a*b"})).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("invalid base64 value \"a*b\""), "{err}");
    assert!("Y".parse::<Bytes>().is_err());
    let err = serde_json::from_value::<Holder>(json!({"data": 5})).err();
    assert!(err.is_some());
}

#[test]
fn bytes_deref_and_convert() {
    let b = Bytes::from(vec![1, 2, 3]);
    assert_eq!(&b[..2], &[1, 2]);
    assert_eq!(b.len(), 3);
    assert_eq!(Bytes::from(discogen_runtime::bytes::Bytes::from_static(b"x")).0, b"x");
    assert_eq!(b.into_vec(), vec![1, 2, 3]);
}

// ---- Timestamp ----

#[test]
fn timestamps_normalise_to_utc() {
    let t = ts("2024-02-29T23:30:00-01:30");
    assert_eq!(t.to_string(), "2024-03-01T01:00:00Z");
    assert_eq!(ts("1970-01-01T00:00:00Z").seconds(), 0);
    assert_eq!(ts("1970-01-01T01:00:00+01:00"), Timestamp::UNIX_EPOCH);
    assert_eq!(ts("2024-01-31t12:00:00z").to_string(), "2024-01-31T12:00:00Z");
}

#[test]
fn timestamp_fractions() {
    assert_eq!(ts("2024-01-01T00:00:00.5Z").nanos(), 500_000_000);
    assert_eq!(ts("2024-01-01T00:00:00.5Z").to_string(), "2024-01-01T00:00:00.500Z");
    assert_eq!(ts("2024-01-01T00:00:00.000001Z").to_string(), "2024-01-01T00:00:00.000001Z");
    assert_eq!(ts("2024-01-01T00:00:00.123456789Z").nanos(), 123_456_789);
    assert_eq!(ts("2024-01-01T00:00:00.123456789Z").to_string(), "2024-01-01T00:00:00.123456789Z");
    assert_eq!(ts("2024-01-01T00:00:00.120Z").to_string(), "2024-01-01T00:00:00.120Z");
    assert_eq!(ts("2024-01-01T00:00:00.000000000Z").to_string(), "2024-01-01T00:00:00Z");
}

#[test]
fn timestamps_before_1970_and_at_the_edges() {
    let t = ts("1969-12-31T23:59:59.5Z");
    assert_eq!((t.seconds(), t.nanos()), (-1, 500_000_000));
    assert_eq!(t.to_string(), "1969-12-31T23:59:59.500Z");
    assert_eq!(ts("0001-01-01T00:00:00Z").to_string(), "0001-01-01T00:00:00Z");
    assert_eq!(ts("9999-12-31T23:59:59.999999999Z").to_string(), "9999-12-31T23:59:59.999999999Z");
    assert!("0001-01-01T00:00:00+00:01".parse::<Timestamp>().is_err());
    assert!("9999-12-31T23:59:59-00:01".parse::<Timestamp>().is_err());
}

#[test]
fn bad_timestamps_are_refused_with_the_value() {
    for bad in [
        "",
        "2024-01-01",
        "2024-01-01T00:00:00",
        "2024-01-01 00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:60Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00.1234567891Z",
        "2024-01-01T00:00:00+0100",
        "2024-01-01T00:00:00+24:00",
        "2024-01-01T00:00:00Zjunk",
        "+2024-01-01T00:00:00Z",
        "२०२४-01-01T00:00:00Z",
    ] {
        let err = bad.parse::<Timestamp>().err().map(|e| e.to_string());
        let err = err.unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert!(err.starts_with("invalid timestamp"), "{err}");
    }
    let err =
        serde_json::from_value::<Holder>(json!({"at": "yesterday"})).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("invalid timestamp \"yesterday\""), "{err}");
}

#[test]
fn timestamp_system_time_round_trip() {
    let t = ts("2001-09-09T01:46:40.25Z");
    let system = SystemTime::try_from(t).expect("in range");
    assert_eq!(system.duration_since(UNIX_EPOCH).ok(), Some(std::time::Duration::new(1_000_000_000, 250_000_000)));
    assert_eq!(Timestamp::try_from(system), Ok(t));
    let before = ts("1969-12-31T23:59:58.75Z");
    let system = SystemTime::try_from(before).expect("in range");
    assert_eq!(Timestamp::try_from(system), Ok(before));
    assert!(Timestamp::now().seconds() > 1_600_000_000);
}

#[test]
fn timestamp_constructor_checks_range() {
    assert!(Timestamp::from_unix(0, 1_000_000_000).is_err());
    assert!(Timestamp::from_unix(i64::MAX, 0).is_err());
    assert!(ts("2024-01-01T00:00:00Z") > ts("2023-12-31T23:59:59.999Z"));
}

// ---- Duration ----

#[test]
fn durations_parse_and_print() {
    assert_eq!(dur("1.5s").to_string(), "1.500s");
    assert_eq!((dur("1.5s").seconds(), dur("1.5s").nanos()), (1, 500_000_000));
    assert_eq!(dur("3s").to_string(), "3s");
    assert_eq!(dur("-0.000000001s").to_string(), "-0.000000001s");
    assert_eq!((dur("-1.5s").seconds(), dur("-1.5s").nanos()), (-1, -500_000_000));
    assert_eq!(dur("-0.5s").to_string(), "-0.500s");
    assert_eq!(dur("0.000001s").to_string(), "0.000001s");
    assert_eq!(dur("-0s"), Duration::ZERO);
    assert!(dur("-1.5s") < dur("-1s"));
    assert!(dur("-0.5s") < dur("0.5s"));
}

#[test]
fn bad_durations_are_refused() {
    for bad in [
        "",
        "s",
        "1",
        "1.s",
        ".5s",
        "1.5",
        "+1s",
        "1.0000000001s",
        "--1s",
        "1e3s",
        "1 s",
        "99999999999999999999s",
        "315576000001s",
    ] {
        let err = bad.parse::<Duration>().err().map(|e| e.to_string());
        let err = err.unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert!(err.starts_with("invalid duration"), "{err}");
    }
}

#[test]
fn duration_std_conversions() {
    let d = Duration::try_from(std::time::Duration::from_millis(1500)).expect("in range");
    assert_eq!(d, dur("1.5s"));
    assert_eq!(std::time::Duration::try_from(dur("2.25s")), Ok(std::time::Duration::from_millis(2250)));
    assert!(std::time::Duration::try_from(dur("-1s")).is_err());
    assert!(Duration::try_from(std::time::Duration::from_secs(u64::MAX)).is_err());
    assert!(Duration::new(1, -1).is_err());
    assert!(Duration::new(0, 1_000_000_000).is_err());
}

// ---- FieldMask ----

#[test]
fn field_masks() {
    let mask: FieldMask = ["a.b", "c"].into_iter().collect();
    assert_eq!(mask.to_string(), "a.b,c");
    assert_eq!(serde_json::to_value(&mask).ok(), Some(json!("a.b,c")));
    let empty = FieldMask::default();
    assert_eq!(serde_json::to_value(&empty).ok(), Some(json!("")));
    let back: Option<FieldMask> = serde_json::from_value(json!("")).ok();
    assert_eq!(back, Some(FieldMask::default()));
    let back: Option<FieldMask> = serde_json::from_value(json!("x,y.z")).ok();
    assert_eq!(back.map(|m| m.0), Some(vec!["x".to_owned(), "y.z".to_owned()]));
}

// ---- Date ----

#[test]
fn dates() {
    let d: Date = "2024-02-29".parse().expect("valid");
    assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
    assert_eq!(d.to_string(), "2024-02-29");
    assert_eq!(Date::new(7, 1, 2).map(|d| d.to_string()), Ok("0007-01-02".to_owned()));
    for bad in ["2023-02-29", "2024-00-01", "2024-1-01", "0000-01-01", "2024-01-32", "2024/01/01", "2024-01-01T"] {
        let err = bad.parse::<Date>().err().map(|e| e.to_string());
        let err = err.unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert!(err.starts_with("invalid date"), "{err}");
    }
    assert!(Date::new(2024, 1, 1).ok() < Date::new(2024, 1, 2).ok());
}

// ---- All of them inside a flattened struct ----

#[test]
fn value_types_round_trip_inside_a_flattened_struct() {
    let value = json!({
        "data": "aGk",
        "at": "2024-05-06T07:08:09.1+02:00",
        "wait": "-2.5s",
        "mask": "a,b.c",
        "day": "2024-05-06",
        "unknown": [1, 2]
    });
    let holder: Holder = serde_json::from_value(value).expect("decodes");
    assert_eq!(holder.data.as_deref(), Some(&b"hi"[..]));
    assert_eq!(holder.extra.get("unknown"), Some(&json!([1, 2])));
    let written = serde_json::to_value(&holder).ok();
    assert_eq!(
        written,
        Some(json!({
            "data": "aGk=",
            "at": "2024-05-06T05:08:09.100Z",
            "wait": "-2.500s",
            "mask": "a,b.c",
            "day": "2024-05-06",
            "unknown": [1, 2]
        }))
    );
}

// ---- QueryValue ----

#[test]
fn query_values() {
    fn q<V: QueryValue + ?Sized>(v: &V) -> String {
        v.to_query().into_owned()
    }
    assert_eq!(q("a b"), "a b");
    assert_eq!(q(&String::from("x")), "x");
    assert_eq!(q(&true), "true");
    assert_eq!(q(&-5i32), "-5");
    assert_eq!(q(&5u32), "5");
    assert_eq!(q(&i64::MIN), "-9223372036854775808");
    assert_eq!(q(&u64::MAX), "18446744073709551615");
    assert_eq!(q(&1.5f64), "1.5");
    assert_eq!(q(&f64::NAN), "NaN");
    assert_eq!(q(&f32::NEG_INFINITY), "-Infinity");
    assert_eq!(q(&0.1f32), "0.1");
    assert_eq!(q(&ts("2024-01-01T00:00:00Z")), "2024-01-01T00:00:00Z");
    assert_eq!(q(&dur("1.5s")), "1.500s");
    assert_eq!(q(&FieldMask(vec!["a".into(), "b".into()])), "a,b");
    assert_eq!(q(&Date::new(2024, 1, 2).expect("valid")), "2024-01-02");
    assert_eq!(q(&Bytes(vec![0xfb, 0xff])), "+/8=");
    assert_eq!(q(&&"ref"), "ref");
}
