//! The futures that generated call builders return from `send()`.
//!
//! A call builder's `send` could be an `async fn`, but each one is then a
//! state machine of its own that the compiler builds, type-checks and
//! borrow-checks inside the generated crate: for Compute's 1,025 methods
//! that was over a third of `cargo check`. These functions hold the one
//! state machine instead, generic in the response type and checked once
//! here; `send` builds its request and hands it over.
//!
//! The request arrives as a `Result` so that a failed build (a path value
//! that breaks its pattern, say) surfaces when the future is awaited, as it
//! did with `async fn`, and `send` keeps a single return type.

// Written as functions returning `impl Future` rather than `async fn` so
// that `Send + 'static` is a promise of the signature, checked here, and not
// something each generated crate discovers by looking inside.
#![allow(clippy::manual_async_fn)]

use std::future::Future;

use serde::de::DeserializeOwned;

use super::Client;
use crate::error::Result;

/// The request type call builders build.
type Built = Result<http::Request<Vec<u8>>>;

/// Sends `request` and decodes the JSON response into `T`
/// (see [`Client::execute_json`]).
pub fn send_json<T: DeserializeOwned + Send + 'static>(
    client: Client,
    request: Built,
    scopes: &'static [&'static str],
) -> impl Future<Output = Result<T>> + Send + 'static {
    async move { client.execute_json(request?, scopes).await }
}

/// Sends `request` and ignores the body of a successful response
/// (see [`Client::execute_empty`]).
pub fn send_empty(
    client: Client,
    request: Built,
    scopes: &'static [&'static str],
) -> impl Future<Output = Result<()>> + Send + 'static {
    async move { client.execute_empty(request?, scopes).await }
}
