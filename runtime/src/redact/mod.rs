//! Keeping credentials out of what the runtime shows: URLs in `Debug`
//! output ([`url`]) and the text an error keeps from a server or a cause
//! ([`error`]). One mark, [`MARK`], stands for every value hidden.

pub(crate) mod error;
pub(crate) mod url;

/// What a hidden value is replaced with, wherever it was.
pub(crate) const MARK: &str = "[REDACTED]";

/// Query parameters whose values are credentials.
const SECRET_PARAMS: [&str; 3] = ["key", "access_token", "oauth_token"];

/// Whether the query parameter `name` (decoded) carries a credential.
fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(name))
}
