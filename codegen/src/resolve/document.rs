//! The document's identity: name, version and root URL. Like the public
//! generators, a document that leaves one out is still generated, with a
//! warning; only a name that cannot be found anywhere is refused.

use super::Resolver;
use crate::error::Error;

pub(super) struct Identity {
    pub name: String,
    pub version: String,
    /// Empty when the document names none: the client must then be given
    /// one with `ClientBuilder::root_url`, or `build()` fails saying so.
    pub root_url: String,
}

/// The version used when nothing in the document names one.
const UNKNOWN_VERSION: &str = "unversioned";

impl Resolver<'_> {
    pub(super) fn identity(&mut self) -> Result<Identity, Error> {
        let doc = self.doc;
        // `id` is `name:version` in every published document.
        let (id_name, id_version) = match doc.id.as_deref().and_then(|id| id.split_once(':')) {
            Some((n, v)) if !n.trim().is_empty() && !v.trim().is_empty() => (Some(n), Some(v)),
            _ => (None, None),
        };
        let name = match (&doc.name, id_name) {
            (Some(name), _) => name.clone(),
            (None, Some(n)) => {
                self.warn("name", format!("the document has no `name`; `{n}` is taken from `id`"));
                n.to_string()
            }
            (None, None) => return Err(Error::at("name", "the document has no `name`, and no `id` to take one from")),
        };
        let version = match (&doc.version, id_version) {
            (Some(version), _) => version.clone(),
            (None, Some(v)) => {
                self.warn("version", format!("the document has no `version`; `{v}` is taken from `id`"));
                v.to_string()
            }
            (None, None) => {
                let from_path = [&doc.service_path, &doc.base_path]
                    .into_iter()
                    .flatten()
                    .flat_map(|p| p.split('/'))
                    .find(|segment| looks_like_version(segment))
                    .map(str::to_string);
                let (version, source) = match from_path {
                    Some(v) => (v, "taken from the service path"),
                    None => (UNKNOWN_VERSION.to_string(), "used in its place"),
                };
                self.warn("version", format!("the document has no `version`; `{version}` is {source}"));
                version
            }
        };
        let root_url = match doc.root_url.clone().or_else(|| doc.base_url.clone()) {
            Some(url) => {
                if !url.starts_with("https://") && !url.starts_with("http://") {
                    return Err(Error::at("rootUrl", format!("`{url}` is not an http(s) URL")));
                }
                url
            }
            None => {
                self.warn(
                    "rootUrl",
                    "the document has neither `rootUrl` nor `baseUrl`; clients must be given a root URL".into(),
                );
                String::new()
            }
        };
        Ok(Identity { name, version, root_url })
    }
}

/// Whether the API wraps its JSON bodies in `{"data": ...}`, which the
/// document says in its `features` list. The wire format changes, the
/// types do not, so the flag is all an emitter needs.
pub(super) fn data_wrapper(doc: &crate::discovery::RestDescription) -> bool {
    doc.features.iter().any(|f| f == "dataWrapper")
}

/// `v1`, `v2beta3`, `v1.4`: a `v`, a digit, then anything.
fn looks_like_version(segment: &str) -> bool {
    let mut chars = segment.chars();
    chars.next() == Some('v') && chars.next().is_some_and(|c| c.is_ascii_digit())
}
