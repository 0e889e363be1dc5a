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
//! - `adc`: `auth::ServiceAccount`, `auth::AuthorizedUser`,
//!   `auth::MetadataServer` and `auth::ApplicationDefault`: tokens from key
//!   files, refresh tokens and the metadata server, fetched over the
//!   runtime's own transport and cached per scope set. Adds `jsonwebtoken`
//!   to sign service account JWTs; off by default to keep build times short.
//! - `jiff`, `chrono`, `time`: `TryFrom` (and `From` where nothing can be
//!   lost) between [`wire::Timestamp`], [`wire::Duration`] and [`wire::Date`]
//!   and that crate's timestamp, duration and date types. A value the other
//!   side cannot hold (before year 1, a leap second, beyond ±10 000 years)
//!   is a [`wire::ValueError`], never a panic or a clamped value.
//! - `http2`: HTTP/2 through ALPN for [`transport::HttpTransport`] (adds h2).
//! - `tls-aws-lc` (default) and `tls-ring`: the TLS crypto provider; at
//!   least one must be on.
//!
//! # Choices worth knowing
//!
//! - Build time is a feature, so the dependencies are few. The default
//!   transport, [`transport::HttpTransport`], is hyper with hyper-util's
//!   pooled client over rustls. Its crypto provider is aws-lc-rs by default
//!   (`tls-aws-lc`: post-quantum key exchange preferred), or ring
//!   (`tls-ring`, with the default off: a leaner build without it); a
//!   provider the program installed as rustls's process default comes
//!   first. h2 only comes with
//!   the `http2` feature, and the url/idna chain stays out. There is no
//!   date-time crate either: [`wire::Timestamp`] does its own calendar
//!   arithmetic.
//! - Credentials never appear in `Display` or `Debug` output. Tokens are
//!   marked sensitive in headers, URLs are never put in errors or traces,
//!   and text that came back from a server is scrubbed of the client's API
//!   key and token before it is kept in an error.
//! - Redirects are not followed, so credentials cannot be forwarded to
//!   another host; a 3xx response becomes an HTTP error.
//! - Requests are built without I/O; credentials are applied when the
//!   client sends them, since fetching a token is asynchronous.

#![warn(missing_docs)]

pub use bytes;
pub use http;
pub use serde;
pub use serde_json;

pub mod auth;
pub mod body;
pub mod client;
pub mod error;
pub mod lro;
pub mod media;
pub mod paging;
pub mod params;
pub mod path;
pub mod request;
pub mod retry;
pub mod rpc;
pub mod transport;
pub mod wire;

#[doc(hidden)]
pub mod __private;

mod encode;
mod endpoint;
mod host;
mod redact;
mod text;
pub mod universe;

/// What code using a generated client usually needs in scope: the
/// standard-parameter setters of every call builder, and `extra()` on
/// every generated struct (the JSON members its schema does not describe).
pub mod prelude {
    pub use crate::params::WithStandardParams;
    pub use crate::wire::Object as _;
}

pub use body::Body;
pub use client::{Client, ClientBuilder, Service};
pub use endpoint::Endpoint;
pub use error::{Error, ErrorKind, Result};
