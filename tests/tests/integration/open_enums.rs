//! Generated enums are open: a value the document does not list survives
//! decoding, comparison and encoding unchanged, and listed values never end
//! up in the catch-all.

use discogen_tests::fixtures::enums::model::{Light, LightColor};
use serde_json::json;

#[test]
fn an_unknown_value_round_trips_unchanged() {
    let sent = json!({"color": "ULTRAVIOLET", "history": ["RED", "INFRARED"]});
    let light: Light = serde_json::from_value(sent.clone()).unwrap();
    let color = light.color.clone().unwrap();
    assert_eq!(color.as_str(), "ULTRAVIOLET");
    assert_eq!(color.to_string(), "ULTRAVIOLET");
    assert!(matches!(&color, LightColor::UnknownValue(v) if v.as_str() == "ULTRAVIOLET"));
    assert_eq!(light.history.as_deref(), Some(&[LightColor::Red, LightColor::from("INFRARED")][..]));
    assert_eq!(serde_json::to_value(&light).unwrap(), sent);
}

#[test]
fn listed_values_never_become_unknown() {
    for (value, variant) in [("RED", LightColor::Red), ("GREEN", LightColor::Green)] {
        assert_eq!(LightColor::from(value), variant);
        assert_eq!(variant.as_str(), value);
        let decoded: LightColor = serde_json::from_value(json!(value)).unwrap();
        assert_eq!(decoded, variant);
    }
    // Case matters on the wire: `red` is not `RED`.
    assert!(matches!(LightColor::from("red"), LightColor::UnknownValue(_)));
    assert_ne!(LightColor::from("red"), LightColor::Red);
}
