//! `cargo xtask fetch`: discovery documents from Google's Discovery service
//! (or a mirror), through the client this project generates from its own
//! spec of that service, `specs/discovery.v1.json`.
//!
//! The generated `apis.getRest` call would decode the answer into the typed
//! `RestDescription`, which keeps unknown members but not the document's
//! bytes. A spec should be stored exactly as served, so the call is only used
//! to build the request (path, encoding, standard parameters) and the raw
//! body comes from the runtime's `Client::execute_bytes`.

use crate::output;
use anyhow::anyhow;
use discogen_apis::discovery_v1;
use serde_json::Value;
use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Documents to download, as `NAME:VERSION` (for example `vision:v1`);
    /// each is stored as `NAME.VERSION.json`, replacing any older copy.
    #[arg(required_unless_present = "update", conflicts_with = "update")]
    apis: Vec<String>,
    /// Refresh every document in the directory whose service now serves a
    /// newer `revision`, leave the others alone, then regenerate.
    #[arg(long)]
    update: bool,
    /// The Discovery service to ask: a mirror, or a test server.
    #[arg(long, default_value = "https://www.googleapis.com/")]
    root_url: String,
    /// Where documents are stored (default: this workspace's specs/). With
    /// another directory, `--update` does not regenerate: `regen` reads only
    /// specs/.
    #[arg(long)]
    dir: Option<PathBuf>,
}

/// The members of a discovery document that `fetch` reads.
struct Facts {
    name: String,
    version: String,
    revision: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let regenerate = args.dir.is_none();
    let dir = args.dir.unwrap_or_else(|| output::workspace_root().join("specs"));
    let client = discovery_v1::Client::builder()
        .root_url(args.root_url.as_str())
        .build()
        .map_err(|e| anyhow!("--root-url {}: {e}", args.root_url))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow!("cannot start the async runtime: {e}"))?;
    if args.update {
        let changed = runtime.block_on(update(&client, &dir))?;
        if changed == 0 {
            eprintln!("every spec is current; nothing to regenerate");
        } else if regenerate {
            return crate::regen::run(false);
        } else {
            eprintln!("{changed} specs changed in {}; regenerate what uses them", dir.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    for api in &args.apis {
        let (name, version) = split_id(api)?;
        let (body, facts) = runtime.block_on(download(&client, name, version))?;
        let path = dir.join(format!("{name}.{version}.json"));
        let before = fs::read(&path).ok().and_then(|old| facts_of(&old).ok()).and_then(|f| f.revision);
        output::replace_file(&path, &body)?;
        eprintln!(
            "stored {api} in {} (revision {}{})",
            path.display(),
            facts.revision.as_deref().unwrap_or("none"),
            before.map(|b| format!(", was {b}")).unwrap_or_default()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Refreshes each document of `dir` that has a newer revision; returns how
/// many were replaced. One document failing (unreachable, refused, broken)
/// stops nothing else, but fails the command at the end.
async fn update(client: &discovery_v1::Client, dir: &Path) -> anyhow::Result<usize> {
    let mut changed = 0;
    let mut failures = Vec::new();
    for path in output::json_files(dir)? {
        let shown = path.display().to_string();
        let stored = match fs::read(&path).map_err(|e| e.to_string()).and_then(|b| facts_of(&b)) {
            Ok(facts) => facts,
            Err(e) => {
                failures.push(format!("{shown}: {e}"));
                continue;
            }
        };
        let (body, served) = match download(client, &stored.name, &stored.version).await {
            Ok(found) => found,
            Err(e) => {
                failures.push(format!("{shown}: {e}"));
                continue;
            }
        };
        let (old, new) = (stored.revision.as_deref(), served.revision.as_deref());
        if is_newer(new, old) {
            output::replace_file(&path, &body)?;
            changed += 1;
            eprintln!("{shown}: revision {} -> {}, replaced", old.unwrap_or("none"), new.unwrap_or("none"));
        } else {
            eprintln!(
                "{shown}: revision {} is current (served: {}), kept",
                old.unwrap_or("none"),
                new.unwrap_or("none")
            );
        }
    }
    if failures.is_empty() {
        Ok(changed)
    } else {
        Err(anyhow!(
            "{} of the specs could not be refreshed ({changed} were replaced):\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}

/// Downloads one document and checks it before anything is stored: it must
/// parse as a discovery document, and be the one asked for.
async fn download(client: &discovery_v1::Client, name: &str, version: &str) -> anyhow::Result<(Vec<u8>, Facts)> {
    let what = format!("{name}:{version}");
    let call = client.apis().get_rest(name, version);
    let request = call.build_request().map_err(|e| anyhow!("{what}: {e}"))?;
    let body = client
        .runtime()
        .execute_bytes(request, discovery_v1::resources::ApisGetRestCall::SCOPES)
        .await
        .map_err(|e| anyhow!("{what}: {e}"))?;
    let facts = facts_of(&body).map_err(|e| anyhow!("{what}: the server's answer: {e}"))?;
    if facts.name != name || facts.version != version {
        return Err(anyhow!("{what}: the server answered with {}:{}; nothing stored", facts.name, facts.version));
    }
    let text = std::str::from_utf8(&body).map_err(|e| anyhow!("{what}: not UTF-8: {e}"))?;
    discogen::check_syntax(text).map_err(|e| anyhow!("{what}: not stored, the document does not parse: {e}"))?;
    Ok((body.to_vec(), facts))
}

/// Reads name, version and revision, refusing anything that is not a
/// discovery document.
fn facts_of(bytes: &[u8]) -> Result<Facts, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
    let text = |key: &str| doc.get(key).and_then(Value::as_str).map(str::to_string);
    if text("kind").as_deref() != Some("discovery#restDescription") {
        return Err("not a discovery document (`kind` is not `discovery#restDescription`)".into());
    }
    let (Some(name), Some(version)) = (text("name"), text("version")) else {
        return Err("a discovery document without `name` or `version`".into());
    };
    Ok(Facts { name, version, revision: text("revision") })
}

/// `NAME:VERSION`, each part limited to what can name a file and a path
/// segment safely.
fn split_id(id: &str) -> anyhow::Result<(&str, &str)> {
    let safe = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    };
    match id.split_once(':') {
        Some((name, version)) if safe(name) && safe(version) => Ok((name, version)),
        _ => Err(anyhow!("`{}` is not NAME:VERSION (such as vision:v1)", id.escape_debug())),
    }
}

/// Whether `served` is a later revision than `stored`. Revisions are dates
/// (`YYYYMMDD`); digits compare as numbers, anything else as text. A document
/// without a revision is replaced by one with it, never the other way round.
fn is_newer(served: Option<&str>, stored: Option<&str>) -> bool {
    match (served, stored) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(new), Some(old)) => {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let order = if digits(new) && digits(old) {
                let (new, old) = (new.trim_start_matches('0'), old.trim_start_matches('0'));
                new.len().cmp(&old.len()).then_with(|| new.cmp(old))
            } else {
                new.cmp(old)
            };
            order == Ordering::Greater
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_compare_as_dates() {
        assert!(is_newer(Some("20260102"), Some("20260101")));
        assert!(!is_newer(Some("20260101"), Some("20260101")));
        assert!(!is_newer(Some("20251231"), Some("20260101")));
        assert!(is_newer(Some("100000000"), Some("99999999")), "more digits is later");
        assert!(is_newer(Some("20260101"), None));
        assert!(!is_newer(None, Some("20260101")));
    }

    #[test]
    fn ids_that_could_escape_the_directory_are_refused() {
        assert_eq!(split_id("vision:v1").ok(), Some(("vision", "v1")));
        assert_eq!(split_id("admin:directory_v1").ok(), Some(("admin", "directory_v1")));
        for bad in ["vision", ":v1", "vision:", "../x:v1", "a/b:v1", "a:v1/..", "a:..", "a:v1:x"] {
            assert!(split_id(bad).is_err(), "{bad} was accepted");
        }
    }
}
