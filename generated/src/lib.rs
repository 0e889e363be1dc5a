//! Rust clients for the Google APIs whose discovery documents are in `specs/`.
//!
//! Each API is a module named after the document (`vision_v1`,
//! `workspaceevents_v1beta`). Its `Client` mirrors the document's resource
//! tree, its `model` module holds the data types, and every method is a call
//! builder in its `resources` module, with `build_request()` (no I/O) and
//! `send()`. Each item has one path: `vision_v1::Client`,
//! `vision_v1::model::Operation`, `vision_v1::resources::OperationsGetCall`.
//!
//! The modules below `apis` are written by `cargo xtask regen`; this file is
//! written by hand.

#![deny(missing_docs)]

// prettyplease, not rustfmt, lays out the generated modules.
#[rustfmt::skip]
mod apis;
pub use apis::*;

pub use discogen_runtime as runtime;
