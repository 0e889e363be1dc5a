//! Every integration test of the fixture crate, in one test binary: one
//! link instead of one per file.

mod doc_examples;
mod endpoints;
mod generated_members;
mod media_paging_e2e;
mod open_enums;
mod operation_roundtrip;
mod operation_shapes_e2e;
mod paging_tokens_e2e;
mod real_vision;
mod request_id_e2e;
mod resource_features;
mod shared_objects;
mod snapshots;
mod wire_compat;
