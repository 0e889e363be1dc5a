//! Support code shared by every client crate that discogen generates.
//!
//! Generated code builds requests with [`request::RequestBuilder`] and
//! [`path::push_param`], sends them with [`Client`], and (de)serializes
//! fields with the helpers in [`wire`]. Errors of every kind are one
//! [`Error`] type, and Google's error bodies decode into [`rpc::Status`].
//!
//! The crate re-exports the libraries that generated code names, so a
//! generated crate needs no dependency but this one.
//!
//! # Features
//!
//! - `adc`: [`auth::ApplicationDefault`], tokens from Application Default
//!   Credentials through the `gcp_auth` crate. Off by default to keep build
//!   times short.

#![warn(missing_docs)]

pub use bytes;
pub use http;
pub use serde;
pub use serde_json;

pub mod auth;
pub mod client;
pub mod error;
pub mod lro;
pub mod path;
pub mod request;
pub mod rpc;
pub mod transport;
pub mod wire;

mod civil;
mod encode;
mod redact;
mod text;

pub use client::{Client, ClientBuilder, Service};
pub use error::{Error, ErrorKind, Result};
