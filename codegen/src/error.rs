//! Errors that point at the place in the document that caused them.

use std::fmt;

/// Where in a document a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A JSON syntax or shape problem, 1-based.
    LineColumn { line: usize, column: usize },
    /// A meaning problem, as a dotted JSON path such as
    /// `schemas.Operation.properties.error.$ref`.
    Path(String),
}

/// A document the generator cannot turn into code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub(crate) location: Option<Location>,
    pub(crate) message: String,
}

impl Error {
    /// Where in the document the problem is, when a place can be named.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The reason, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error { location: Some(Location::Path(printable(&path.into()))), message: printable(&message.into()) }
    }

    /// A problem with the document as a whole, which no path points at.
    pub(crate) fn not_discovery(message: impl Into<String>) -> Self {
        Error { location: None, message: printable(&message.into()) }
    }

    pub(crate) fn from_json(err: &serde_json::Error) -> Self {
        // serde_json appends " at line X column Y" to its message; the
        // location is reported separately, so keep only the reason.
        let full = err.to_string();
        let message = match full.rfind(" at line ") {
            Some(cut) => full[..cut].to_string(),
            None => full,
        };
        Error { location: Some(Location::LineColumn { line: err.line(), column: err.column() }), message }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(Location::LineColumn { line, column }) => write!(f, "{line}:{column}: {}", self.message),
            Some(Location::Path(path)) => write!(f, "at {path}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

/// Document text quoted in a message, with control, bidirectional and
/// zero-width characters written as escapes: messages end up on terminals,
/// where such characters could move the cursor or hide the text.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2069 | 0xFEFF | 0x061C);
        if c.is_control() || hidden {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}
