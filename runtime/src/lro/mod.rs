//! Long-running operations: reading their state, decoding their payloads by
//! `@type`, and polling them until they finish.
//!
//! Many Google methods answer with an `Operation` instead of the final
//! result. Generated crates implement [`LongRunningOperation`] for each
//! `Operation`-shaped schema and [`TypeUrl`] for every schema, and hand out a
//! [`Poller`] from each `operations.get` call:
//!
//! ```no_run
//! # async fn demo<Op: discogen_runtime::lro::LongRunningOperation>(
//! #     poller: discogen_runtime::lro::Poller<Op>,
//! # ) -> discogen_runtime::Result<()> {
//! use std::time::Duration;
//! use discogen_runtime::lro::{DeadlineExceeded, PollPolicy};
//!
//! let policy = PollPolicy::default().deadline(Duration::from_secs(120));
//! match poller.policy(policy).wait().await {
//!     Ok(done) => { /* inspect `done.result()` in the generated type */ }
//!     Err(error) => {
//!         // A deadline error still tells how far the operation got.
//!         if let Some(late) = DeadlineExceeded::<Op>::from_error(&error) {
//!             let _last_seen: Option<&Op> = late.last_operation();
//!         }
//!         return Err(error);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Each file has one job: `any` decodes `@type`d payloads, `policy`
//! holds the tunables (their delays come from [`crate::retry`]'s shared schedule),
//! `deadline` is the error that keeps the last operation, and `poller` runs
//! the loop.

mod any;
mod deadline;
mod operation;
mod policy;
mod poller;
mod status_shape;

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;

pub use any::{decode_any, TypeUrl};
pub use deadline::DeadlineExceeded;
pub use operation::Operation;
pub use policy::{Backoff, Jitter, PollPolicy};
pub use poller::{DelayReason, PollDelay, Poller};
pub use status_shape::{last_segment, segment_after, status_from_operation_error};

/// What a generated `Operation` type tells the poller.
///
/// The generator implements this for every schema shaped like
/// `google.longrunning.Operation`; the poller needs nothing else to know
/// when to stop.
pub trait LongRunningOperation: DeserializeOwned + Send + Sync + 'static {
    /// Whether the operation has finished, successfully or not. Polling stops
    /// at the first operation for which this is `true`.
    fn is_done(&self) -> bool;

    /// The server-assigned name, used to poll the operation again.
    fn operation_name(&self) -> Option<&str>;

    /// The operation's error in the runtime's shared form, if it failed.
    fn error_status(&self) -> Option<crate::rpc::Status>;
}

/// The three states a long-running operation can be in, as returned by the
/// generated `Operation::result`.
///
/// `S` is the API's own generated `Status` type, so that its details keep the
/// API's field types.
pub enum OperationResult<'a, S> {
    /// Not finished yet (or the server has not said it is).
    Pending,
    /// Finished without an error. The payload is the `response` member, which
    /// some methods leave out; decode it with [`decode_any`].
    Succeeded(Option<&'a BTreeMap<String, serde_json::Value>>),
    /// Finished with this error.
    Failed(&'a S),
}

impl<S> OperationResult<'_, S> {
    /// Whether the operation is still running.
    pub fn is_pending(&self) -> bool {
        matches!(self, OperationResult::Pending)
    }

    /// Whether the operation finished, either way.
    pub fn is_done(&self) -> bool {
        !self.is_pending()
    }
}

// Written out rather than derived: a derive would demand `S: Clone` even
// though only a reference to `S` is copied.
impl<S> Clone for OperationResult<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for OperationResult<'_, S> {}

impl<S: fmt::Debug> fmt::Debug for OperationResult<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OperationResult::Pending => f.write_str("Pending"),
            OperationResult::Succeeded(response) => f.debug_tuple("Succeeded").field(response).finish(),
            OperationResult::Failed(status) => f.debug_tuple("Failed").field(status).finish(),
        }
    }
}

impl<S: PartialEq> PartialEq for OperationResult<'_, S> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (OperationResult::Pending, OperationResult::Pending) => true,
            (OperationResult::Succeeded(a), OperationResult::Succeeded(b)) => a == b,
            (OperationResult::Failed(a), OperationResult::Failed(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A status type that is deliberately neither `Clone` nor `Copy`.
    #[derive(Debug, PartialEq)]
    struct Opaque(u8);

    #[test]
    fn result_copies_without_cloning_the_status() {
        let status = Opaque(3);
        let failed = OperationResult::Failed(&status);
        let copy = failed;
        assert_eq!(failed, copy);
        assert!(copy.is_done());
        assert!(OperationResult::<Opaque>::Pending.is_pending());
    }

    #[test]
    fn result_equality_compares_payloads() {
        let mut response = BTreeMap::new();
        response.insert("a".to_owned(), serde_json::json!(1));
        let with = OperationResult::<Opaque>::Succeeded(Some(&response));
        let without = OperationResult::<Opaque>::Succeeded(None);
        assert_ne!(with, without);
        assert_ne!(with, OperationResult::Pending);
        assert_eq!(format!("{without:?}"), "Succeeded(None)");
    }
}
