//! Inline objects with the same members on several schemas are one struct
//! (fixture `shared-objects.json`): each field's own name is an alias of
//! it, values move between the schemas without conversion, and near copies
//! stay types of their own.

use std::any::TypeId;

use discogen_tests::fixtures::shared_objects::model::{
    AddressListWarning, AddressListWarningDataItem, DiskListWarning, DiskListWarningDataItem, InstanceList,
    InstanceListWarning, Leaf, LeafLink, ListWarning, Node, NodeLink, NotePair, Operation, OperationWarningsItem,
};
use serde_json::json;

#[test]
fn every_copy_is_the_shared_struct() {
    let body = json!({"code": "PARTIAL", "data": [{"key": "zone", "value": "a"}], "message": "half", "later": 1});
    let warning: AddressListWarning = serde_json::from_value(body.clone()).unwrap();
    // Read under one schema's name, used under two others' without a conversion.
    let list = InstanceList { warning: Some(warning.clone()), ..Default::default() };
    let operation = Operation { warnings: Some(vec![warning.clone()]), ..Default::default() };
    assert_eq!(serde_json::to_value(list.warning.as_ref().unwrap()).unwrap(), body, "unknown members survive");
    assert_eq!(operation.warnings.as_deref(), Some(&[warning.clone()][..]));
    let named: ListWarning = warning;
    assert_eq!(named.code.as_ref().map(|c| c.as_str()), Some("PARTIAL"));
    assert_eq!(TypeId::of::<InstanceListWarning>(), TypeId::of::<ListWarning>());
    assert_eq!(TypeId::of::<OperationWarningsItem>(), TypeId::of::<ListWarning>());
}

#[test]
fn near_copies_stay_apart() {
    // One more member in the data items: neither they nor the warning holding them are shared.
    assert_ne!(TypeId::of::<DiskListWarningDataItem>(), TypeId::of::<AddressListWarningDataItem>());
    assert_ne!(TypeId::of::<DiskListWarning>(), TypeId::of::<ListWarning>());
    let item = DiskListWarningDataItem { unit: Some("GB".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&item).unwrap(), json!({"unit": "GB"}));
    // Same member names, other descriptions: kept apart, so no docs are lost.
    assert_ne!(TypeId::of::<NotePair>(), TypeId::of::<AddressListWarningDataItem>());
}

#[test]
fn a_shared_struct_on_a_cycle_is_boxed() {
    assert_eq!(TypeId::of::<LeafLink>(), TypeId::of::<NodeLink>());
    // Node and its link refer to each other, so both fields are boxed; Leaf
    // is off the cycle and holds the same struct unboxed.
    let parent = Node { link: Some(Box::new(NodeLink { parent: None, ..Default::default() })), ..Default::default() };
    let leaf =
        Leaf { link: Some(LeafLink { parent: Some(Box::new(parent)), ..Default::default() }), ..Default::default() };
    let text = serde_json::to_value(&leaf).unwrap();
    assert_eq!(text, json!({"link": {"parent": {"link": {}}}}));
    assert_eq!(serde_json::from_value::<Leaf>(text).unwrap(), leaf);
}
