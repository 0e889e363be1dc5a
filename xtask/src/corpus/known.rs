//! A committed list of documents that are expected to fail, each with its
//! cause.
//!
//! Over a large public corpus, some documents fail because of generator bugs
//! that are known and being fixed. The sweep still has to catch every new
//! failure, so it fails on a document that is not on the list, and it also
//! fails when a listed document passes or is no longer in the corpus: the
//! list can only shrink, and it never hides a fix nobody noticed.
//!
//! Format: one document per line, its file name without `.json`, then the
//! cause. `#` starts a comment line; blank lines are ignored.

use anyhow::anyhow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct KnownFailures {
    path: PathBuf,
    /// Document name → the cause written in the file.
    causes: BTreeMap<String, String>,
}

/// What the sweep made of the list.
#[derive(Default)]
pub struct Verdict {
    /// Failed, but not listed.
    pub unexpected: Vec<String>,
    /// Listed, but passed.
    pub now_passing: Vec<String>,
    /// Listed, but not in the corpus at all.
    pub absent: Vec<String>,
    /// Listed and failed, as expected.
    pub expected: usize,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.unexpected.is_empty() && self.now_passing.is_empty() && self.absent.is_empty()
    }
}

impl KnownFailures {
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> anyhow::Result<Self> {
        let mut causes = BTreeMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = || format!("{}:{}", path.display(), index + 1);
            let (name, cause) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let cause = cause.trim();
            if cause.is_empty() {
                return Err(anyhow!("{}: `{name}` needs a cause after the name", at()));
            }
            if causes.insert(name.to_string(), cause.to_string()).is_some() {
                return Err(anyhow!("{}: `{name}` is listed twice", at()));
            }
        }
        Ok(KnownFailures { path: path.to_path_buf(), causes })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn cause(&self, name: &str) -> Option<&str> {
        self.causes.get(name).map(String::as_str)
    }

    /// Compares the list with the sweep's results: `(document, passed)`;
    /// documents that were neither passed nor failed (not compiled because
    /// of their size) are left out by the caller.
    pub fn judge<'a>(&self, results: impl IntoIterator<Item = (&'a str, bool)>) -> Verdict {
        let mut verdict = Verdict::default();
        let mut seen = std::collections::BTreeSet::new();
        for (name, passed) in results {
            seen.insert(name);
            match (self.causes.contains_key(name), passed) {
                (true, true) => verdict.now_passing.push(name.to_string()),
                (true, false) => verdict.expected += 1,
                (false, false) => verdict.unexpected.push(name.to_string()),
                (false, true) => {}
            }
        }
        verdict.absent = self.causes.keys().filter(|k| !seen.contains(k.as_str())).cloned().collect();
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> anyhow::Result<KnownFailures> {
        KnownFailures::parse(Path::new("known.txt"), text)
    }

    #[test]
    fn each_entry_needs_a_cause_and_appears_once() {
        let Err(e) = list("# comment\n\ndataform.v1\n") else { panic!("a bare name was accepted") };
        assert_eq!(e.to_string(), "known.txt:3: `dataform.v1` needs a cause after the name");
        let Err(e) = list("a.v1 one\na.v1 two\n") else { panic!("a duplicate was accepted") };
        assert_eq!(e.to_string(), "known.txt:2: `a.v1` is listed twice");
    }

    #[test]
    fn new_failures_fixed_entries_and_absent_entries_all_count_against_the_list() {
        let known = list("a.v1  query parameter `path`\nb.v1 E0609\ngone.v1 removed upstream\n").unwrap_or_else(|e| {
            panic!("{e}");
        });
        assert_eq!(known.cause("a.v1"), Some("query parameter `path`"));
        let verdict = known.judge([("a.v1", false), ("b.v1", true), ("c.v1", false), ("d.v1", true)]);
        assert_eq!(verdict.expected, 1);
        assert_eq!(verdict.unexpected, ["c.v1"]);
        assert_eq!(verdict.now_passing, ["b.v1"]);
        assert_eq!(verdict.absent, ["gone.v1"]);
        assert!(!verdict.is_clean());
        assert!(known.judge([("a.v1", false), ("b.v1", false), ("gone.v1", false)]).is_clean());
    }
}
