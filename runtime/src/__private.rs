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

/// The contract between generated code and this runtime, as a number the
/// generator writes into every module it makes. It goes up when generated
/// code starts to need something new of the runtime (the shared
/// `lro::Operation` is level 1); the runtime keeps serving older levels
/// down to [`OLDEST_GENERATED_CODE_API`].
///
/// Level 2: structs keep unknown members in `__extra` (which `object!`
/// reads), and `media::simple_upload`/`multipart_upload` are `async`, so
/// that a body made from a `tokio::fs::File` learns its length first.
pub const GENERATED_CODE_API: u32 = 2;

/// The oldest level of generated code this runtime still compiles: level 1
/// code names its unknown-members field `extra`, which `object!` no longer
/// reads.
pub const OLDEST_GENERATED_CODE_API: u32 = 2;

/// Evaluated in a `const` item of each generated module, so that code
/// generated for another runtime fails to compile with this message rather
/// than with a missing item somewhere deep in it.
pub const fn expect_runtime_api(generated_for: u32) {
    if generated_for > GENERATED_CODE_API {
        panic!(
            "this module was generated for a newer discogen-runtime than the one it is built with: \
             upgrade discogen-runtime, or regenerate the module with the generator of this runtime"
        );
    }
    if generated_for < OLDEST_GENERATED_CODE_API {
        panic!(
            "this module was generated for an older discogen-runtime than this one supports: \
             regenerate it with the generator of this runtime"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_levels_this_runtime_serves_pass() {
        expect_runtime_api(GENERATED_CODE_API);
        expect_runtime_api(OLDEST_GENERATED_CODE_API);
        let newer = std::panic::catch_unwind(|| expect_runtime_api(GENERATED_CODE_API + 1));
        let message = newer.expect_err("a newer level is refused");
        let text = message.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(text.contains("newer discogen-runtime"), "{text}");
        if OLDEST_GENERATED_CODE_API > 0 {
            assert!(std::panic::catch_unwind(|| expect_runtime_api(OLDEST_GENERATED_CODE_API - 1)).is_err());
        }
    }
}
