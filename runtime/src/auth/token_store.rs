//! A file of refresh tokens, one per client id and scope set, for
//! [`super::InstalledApp`] to use again on the next run.
//!
//! The file is created readable by its owner only (0600 on Unix) and is
//! always replaced whole: the new contents go to a temporary file in the
//! same directory, which is then renamed over the old one, so a crash or a
//! full disk leaves the old file as it was. A file that others can read or
//! write is refused rather than used, as ssh refuses a private key that is.
//!
//! Errors name the file, never a value from it.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde_json::{json, Value};

use crate::error::Error;

const VERSION: u64 = 1;

/// Where refresh tokens are kept between runs.
pub(crate) struct TokenStore {
    path: PathBuf,
    /// Serialises read-modify-write within this process.
    lock: Mutex<()>,
}

/// One stored refresh token.
#[derive(Clone, PartialEq, Eq)]
struct Entry {
    client_id: String,
    scopes: Vec<String>,
    refresh_token: String,
}

impl TokenStore {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path, lock: Mutex::new(()) }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The refresh token kept for `client_id` and exactly these `scopes`
    /// (in canonical order), if any.
    pub(crate) fn get(&self, client_id: &str, scopes: &[&str]) -> Result<Option<String>, Error> {
        let _held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = self.read()?;
        Ok(entries.into_iter().find(|e| e.matches(client_id, scopes)).map(|e| e.refresh_token))
    }

    /// Keeps `refresh_token` for `client_id` and `scopes`, replacing the
    /// entry there was; `None` removes it.
    pub(crate) fn put(&self, client_id: &str, scopes: &[&str], refresh_token: Option<&str>) -> Result<(), Error> {
        let _held = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        let mut entries = self.read()?;
        entries.retain(|e| !e.matches(client_id, scopes));
        if let Some(token) = refresh_token {
            entries.push(Entry {
                client_id: client_id.to_owned(),
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                refresh_token: token.to_owned(),
            });
        }
        self.write(&entries)
    }

    fn describe(&self) -> String {
        format!("token store {}", self.path.display())
    }

    fn read(&self) -> Result<Vec<Entry>, Error> {
        let file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::auth(format!("cannot read the {}", self.describe())).with_source(e)),
        };
        check_private(&file, &self.describe())?;
        let text = std::io::read_to_string(file)
            .map_err(|e| Error::auth(format!("cannot read the {}", self.describe())).with_source(e))?;
        parse(&text).map_err(|why| {
            Error::auth(format!("the {} is corrupt ({why}); remove it to sign in again", self.describe()))
        })
    }

    fn write(&self, entries: &[Entry]) -> Result<(), Error> {
        let list: Vec<Value> = entries
            .iter()
            .map(|e| json!({"client_id": e.client_id, "scopes": e.scopes, "refresh_token": e.refresh_token}))
            .collect();
        let text = json!({"version": VERSION, "tokens": list}).to_string();
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut suffix = [0u8; 8];
        getrandom::getrandom(&mut suffix).map_err(|_| Error::auth("the system has no randomness to name a file"))?;
        let temp = dir.join(format!(".{name}.{:016x}.tmp", u64::from_le_bytes(suffix)));
        let written = write_private(&temp, text.as_bytes()).and_then(|()| std::fs::rename(&temp, &self.path));
        written.map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Error::auth(format!("cannot write the {}; it is unchanged", self.describe())).with_source(e)
        })
    }
}

impl Entry {
    fn matches(&self, client_id: &str, scopes: &[&str]) -> bool {
        self.client_id == client_id && self.scopes.iter().map(String::as_str).eq(scopes.iter().copied())
    }
}

/// Creates `path` (which must not exist) readable by its owner only, and
/// writes `bytes` to disk.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(unix)]
fn check_private(file: &std::fs::File, what: &str) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = file
        .metadata()
        .map_err(|e| Error::auth(format!("cannot read the {what}")).with_source(e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Error::auth(format!(
            "the {what} can be read or written by others (mode {:03o}); it holds refresh tokens, so it must be \
             private to its owner (chmod 600)",
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &std::fs::File, _: &str) -> Result<(), Error> {
    Ok(())
}

/// The entries of a store's text; the reason it is unusable otherwise.
fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let json: Value = serde_json::from_str(text)
        .map_err(|e| format!("not valid JSON at line {}, column {}", e.line(), e.column()))?;
    match json.get("version").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(other) => return Err(format!("version {other}, where {VERSION} is known")),
        None => return Err("no `version`".to_owned()),
    }
    let list = json.get("tokens").and_then(Value::as_array).ok_or("no `tokens` list")?;
    list.iter()
        .enumerate()
        .map(|(i, item)| {
            let text = |name: &str| {
                item.get(name)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| format!("entry {i} has no string `{name}`"))
            };
            let scopes = item
                .get("scopes")
                .and_then(Value::as_array)
                .and_then(|list| list.iter().map(|s| s.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
                .ok_or_else(|| format!("entry {i} has no `scopes` list of strings"))?;
            Ok(Entry { client_id: text("client_id")?, scopes, refresh_token: text("refresh_token")? })
        })
        .collect()
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("refresh_token", &"****")
            .finish()
    }
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenStore").field(&self.path).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        let mut n = [0u8; 8];
        getrandom::getrandom(&mut n).unwrap();
        std::env::temp_dir().join(format!("discogen-store-{name}-{:x}.json", u64::from_le_bytes(n)))
    }

    #[test]
    fn entries_are_kept_per_client_and_scope_set() {
        let path = temp_path("entries");
        let store = TokenStore::new(path.clone());
        assert_eq!(store.get("a", &["s1"]).unwrap(), None);
        store.put("a", &["s1"], Some("r1")).unwrap();
        store.put("a", &["s1", "s2"], Some("r2")).unwrap();
        store.put("b", &["s1"], Some("r3")).unwrap();
        assert_eq!(store.get("a", &["s1"]).unwrap().as_deref(), Some("r1"));
        assert_eq!(store.get("a", &["s1", "s2"]).unwrap().as_deref(), Some("r2"));
        assert_eq!(store.get("b", &["s1"]).unwrap().as_deref(), Some("r3"));
        store.put("a", &["s1"], None).unwrap();
        assert_eq!(store.get("a", &["s1"]).unwrap(), None);
        assert_eq!(store.get("b", &["s1"]).unwrap().as_deref(), Some("r3"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        // No temporary file is left behind.
        let dir = path.parent().unwrap();
        let stem = path.file_name().unwrap().to_string_lossy().into_owned();
        let leftovers = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(&format!(".{stem}")))
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_file(path).unwrap();
    }

    #[test]
    fn corrupt_stores_say_why_without_quoting() {
        assert!(parse(r#"{"version": 1, "tokens": []}"#).unwrap().is_empty());
        assert!(parse("{\"version\": 1, \"tokens\": [\"1//SECRET").unwrap_err().contains("not valid JSON"));
        assert!(parse(r#"{"tokens": []}"#).unwrap_err().contains("no `version`"));
        assert!(parse(r#"{"version": 2, "tokens": []}"#).unwrap_err().contains("version 2"));
        assert!(parse(r#"{"version": 1}"#).unwrap_err().contains("`tokens`"));
        let no_token = r#"{"version": 1, "tokens": [{"client_id": "a", "scopes": ["s"]}]}"#;
        assert_eq!(parse(no_token).unwrap_err(), "entry 0 has no string `refresh_token`");
        let bad_scopes =
            r#"{"version": 1, "tokens": [{"client_id": "a", "scopes": [1], "refresh_token": "1//SECRET"}]}"#;
        let why = parse(bad_scopes).unwrap_err();
        assert!(why.contains("`scopes`") && !why.contains("SECRET"), "{why}");
    }
}
