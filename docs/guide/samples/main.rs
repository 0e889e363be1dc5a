//! The guide's code samples (docs/guide/src includes them with
//! `{{#include}}`). Each is an ordinary test: `cargo test` compiles it and
//! runs it against a loopback server (wiremock). The `ANCHOR` lines mark
//! the parts a chapter shows.
//!
//! They live in the `discogen-tests` crate (`tests/Cargo.toml`, test
//! `guide_samples`) because it has both kinds of generated code: the
//! `discogen-apis` modules of `specs/`, and the fixture crates whose
//! documents exercise paging, media and enums.

mod calls;
mod enums;
mod errors;
mod lro;
mod media;
mod paging;
mod resumable;
mod retries;
mod testing;
