//! Short paths for generated code, imported there as `__rt`.
//!
//! Generated modules must not depend on what the prelude means at the place
//! they are compiled: a schema called `Option` or `Result` would otherwise
//! change the meaning of every field. Absolute paths such as
//! `::std::option::Option` solve that, but they made up a large share of the
//! tokens the generator has to parse and format, and of the text a reader
//! has to skim. One `use ::discogen_runtime::__private as __rt;` per
//! generated file keeps the protection with paths like `__rt::Option`.
//! Schema types are named in PascalCase, so none of them can be `__rt`.
//!
//! Not a public API: names here come and go with the generator.

pub use std::borrow::Cow;
pub use std::boxed::Box;
pub use std::clone::Clone;
pub use std::cmp::{Eq, Ord, PartialEq, PartialOrd};
pub use std::collections::BTreeMap;
pub use std::convert::{From, Into};
pub use std::default::Default;
pub use std::fmt::{self, Debug, Display};
pub use std::future::Future;
pub use std::hash::Hash;
pub use std::iter::IntoIterator;
pub use std::marker::{Copy, Send, Sized, Unpin};
pub use std::option::Option::{self, None, Some};
pub use std::result::Result::{Err, Ok};
pub use std::string::{String, ToString};
pub use std::vec::Vec;

pub use serde_json::Value;
// Where generated `download_to` writes.
pub use tokio::io::AsyncWrite;

pub use crate::client::send::{send_empty, send_json};
pub use crate::{
    auth, bytes, client, error, http, lro, media, paging, params, path, request, retry, rpc, serde, serde_json,
    transport, wire,
};
pub use crate::{object, object_impls};
pub use crate::{Body, Client, ClientBuilder, Endpoint, Error, ErrorKind, Result, Service};
