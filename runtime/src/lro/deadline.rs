//! What a poller knew when its deadline ran out.
//!
//! [`crate::error::Error`] is one type for every API, so it cannot have a field of
//! each API's `Operation` type. Instead the deadline error gets a
//! [`DeadlineExceeded`] as its `source()`, and callers who want the last
//! operation take it back out by type with [`DeadlineExceeded::from_error`].
//! That keeps `Poller::wait` returning the plain [`crate::error::Result`] that
//! generated code and `?` expect, without a second error type to convert.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::error::Error;

/// The state of a wait that ran past its deadline: the last operation
/// received, if any, and the failure of the last poll, if it failed.
///
/// Found as the `source()` of the [`crate::error::ErrorKind::Deadline`] error that
/// [`Poller::wait`](crate::lro::Poller::wait) returns.
pub struct DeadlineExceeded<Op> {
    pub(crate) last_operation: Option<Op>,
    pub(crate) last_error: Option<Error>,
    pub(crate) polls: u32,
    pub(crate) elapsed: Duration,
}

impl<Op: 'static> DeadlineExceeded<Op> {
    /// The details behind `error`, if it is a deadline error from a poller
    /// of operations of type `Op`.
    pub fn from_error(error: &Error) -> Option<&Self> {
        error.source()?.downcast_ref::<Self>()
    }
}

impl<Op> DeadlineExceeded<Op> {
    /// The last operation the server sent, still not done. `None` if no
    /// poll got an answer before the deadline.
    pub fn last_operation(&self) -> Option<&Op> {
        self.last_operation.as_ref()
    }

    /// The error of the last poll, when the last poll failed with a
    /// transient error (also returned by `source()`).
    pub fn last_error(&self) -> Option<&Error> {
        self.last_error.as_ref()
    }

    /// How many polls were sent, answered or not.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// How long the wait lasted.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

impl<Op> fmt::Display for DeadlineExceeded<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the operation was not done after {} poll(s) in {:?}", self.polls, self.elapsed)?;
        if let Some(error) = &self.last_error {
            write!(f, "; the last poll failed: {error}")?;
        }
        Ok(())
    }
}

impl<Op> fmt::Debug for DeadlineExceeded<Op> {
    /// Says whether an operation is held without printing it, so that `Op`
    /// need not implement `Debug` for this to be an error type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeadlineExceeded")
            .field("has_last_operation", &self.last_operation.is_some())
            .field("last_error", &self.last_error)
            .field("polls", &self.polls)
            .field("elapsed", &self.elapsed)
            .finish()
    }
}

impl<Op> StdError for DeadlineExceeded<Op> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.last_error.as_ref().map(|error| error as &(dyn StdError + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[derive(PartialEq, Debug)]
    struct Op(u32);

    fn deadline_error(last: Option<Op>, last_error: Option<Error>) -> Error {
        let details = DeadlineExceeded { last_operation: last, last_error, polls: 3, elapsed: Duration::from_secs(2) };
        Error::deadline(details.to_string()).with_source(details)
    }

    #[test]
    fn the_last_operation_comes_back_by_type() {
        let error = deadline_error(Some(Op(9)), None);
        assert_eq!(error.kind(), ErrorKind::Deadline);
        let details = DeadlineExceeded::<Op>::from_error(&error);
        assert_eq!(details.and_then(|d| d.last_operation()), Some(&Op(9)));
        assert_eq!(details.map(|d| d.polls()), Some(3));
        // Another operation type finds nothing rather than the wrong value.
        assert!(DeadlineExceeded::<String>::from_error(&error).is_none());
        assert!(DeadlineExceeded::<Op>::from_error(&Error::timeout("x")).is_none());
    }

    #[test]
    fn the_last_failure_is_the_source() {
        let error = deadline_error(None, Some(Error::timeout("slow")));
        let details = DeadlineExceeded::<Op>::from_error(&error);
        let cause = details.and_then(|d| d.source()).map(|s| s.to_string());
        assert_eq!(cause.as_deref(), Some("timed out: slow"));
        assert!(format!("{details:?}").contains("has_last_operation: false"));
    }
}
