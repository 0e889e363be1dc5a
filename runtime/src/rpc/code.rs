//! The canonical status codes shared by gRPC and Google's REST errors.

use std::fmt;

/// A canonical error code, from `OK` (0) to `UNAUTHENTICATED` (16).
///
/// Numbers outside that range are kept in [`Code::Other`] so nothing a
/// server sends is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// 0: not an error.
    Ok,
    /// 1: the caller cancelled the operation.
    Cancelled,
    /// 2: an error with no better code.
    Unknown,
    /// 3: the caller sent a bad argument.
    InvalidArgument,
    /// 4: the deadline passed before the operation finished.
    DeadlineExceeded,
    /// 5: the resource does not exist.
    NotFound,
    /// 6: the resource already exists.
    AlreadyExists,
    /// 7: the caller may not do this.
    PermissionDenied,
    /// 8: a quota or other resource ran out.
    ResourceExhausted,
    /// 9: the system is not in a state that allows the operation.
    FailedPrecondition,
    /// 10: the operation was aborted, usually by a concurrency conflict.
    Aborted,
    /// 11: the operation went past the valid range.
    OutOfRange,
    /// 12: the operation is not implemented or supported.
    Unimplemented,
    /// 13: an internal error on the server.
    Internal,
    /// 14: the service is unavailable for now; retrying may help.
    Unavailable,
    /// 15: data was lost or corrupted.
    DataLoss,
    /// 16: the request has no valid credentials.
    Unauthenticated,
    /// Any number that is not a canonical code.
    Other(i32),
}

/// Every canonical code with its wire name, in numeric order, so that a
/// code's number is its index.
const NAMED: [(Code, &str); 17] = [
    (Code::Ok, "OK"),
    (Code::Cancelled, "CANCELLED"),
    (Code::Unknown, "UNKNOWN"),
    (Code::InvalidArgument, "INVALID_ARGUMENT"),
    (Code::DeadlineExceeded, "DEADLINE_EXCEEDED"),
    (Code::NotFound, "NOT_FOUND"),
    (Code::AlreadyExists, "ALREADY_EXISTS"),
    (Code::PermissionDenied, "PERMISSION_DENIED"),
    (Code::ResourceExhausted, "RESOURCE_EXHAUSTED"),
    (Code::FailedPrecondition, "FAILED_PRECONDITION"),
    (Code::Aborted, "ABORTED"),
    (Code::OutOfRange, "OUT_OF_RANGE"),
    (Code::Unimplemented, "UNIMPLEMENTED"),
    (Code::Internal, "INTERNAL"),
    (Code::Unavailable, "UNAVAILABLE"),
    (Code::DataLoss, "DATA_LOSS"),
    (Code::Unauthenticated, "UNAUTHENTICATED"),
];

impl Code {
    /// The numeric value.
    pub fn as_i32(self) -> i32 {
        match self {
            Code::Ok => 0,
            Code::Cancelled => 1,
            Code::Unknown => 2,
            Code::InvalidArgument => 3,
            Code::DeadlineExceeded => 4,
            Code::NotFound => 5,
            Code::AlreadyExists => 6,
            Code::PermissionDenied => 7,
            Code::ResourceExhausted => 8,
            Code::FailedPrecondition => 9,
            Code::Aborted => 10,
            Code::OutOfRange => 11,
            Code::Unimplemented => 12,
            Code::Internal => 13,
            Code::Unavailable => 14,
            Code::DataLoss => 15,
            Code::Unauthenticated => 16,
            Code::Other(n) => n,
        }
    }

    /// The wire name such as `NOT_FOUND`; `None` for [`Code::Other`].
    pub fn name(self) -> Option<&'static str> {
        NAMED.iter().find(|(code, _)| *code == self).map(|(_, name)| *name)
    }

    /// The code for a wire name such as `NOT_FOUND`.
    pub fn from_name(name: &str) -> Option<Code> {
        NAMED.iter().find(|(_, known)| *known == name).map(|(code, _)| *code)
    }

    /// The code Google's REST front end uses for an HTTP status, following
    /// the mapping in `google/rpc/code.proto`. `None` if there is none.
    pub fn from_http_status(status: u16) -> Option<Code> {
        Some(match status {
            200 => Code::Ok,
            400 => Code::InvalidArgument,
            401 => Code::Unauthenticated,
            403 => Code::PermissionDenied,
            404 => Code::NotFound,
            409 => Code::Aborted,
            429 => Code::ResourceExhausted,
            499 => Code::Cancelled,
            500 => Code::Internal,
            501 => Code::Unimplemented,
            503 => Code::Unavailable,
            504 => Code::DeadlineExceeded,
            _ => return None,
        })
    }
}

impl From<i32> for Code {
    fn from(number: i32) -> Self {
        usize::try_from(number).ok().and_then(|i| NAMED.get(i)).map_or(Code::Other(number), |(code, _)| *code)
    }
}

impl From<Code> for i32 {
    fn from(code: Code) -> Self {
        code.as_i32()
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "CODE({})", self.as_i32()),
        }
    }
}
