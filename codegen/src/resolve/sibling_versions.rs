//! Schemas that belong to another version of the same API.
//!
//! Google's documents often carry the messages of sibling versions: Vision
//! v1 holds `GoogleCloudVisionV1p1beta1AsyncAnnotateFileResponse` and 193
//! more such copies, because an operation started through one version can
//! report in the types of another. They are told apart by the API's name
//! and a version that Google's naming puts inside the schema key: Cloud
//! Run v2's `GoogleDevtoolsCloudbuildV1Build` is another API's type, which
//! Run's own methods hand out inside operations, and is not one of them.

/// The version named inside `schema` when it is another version of API
/// `api_name` than `api_version`: for `GoogleCloudVisionV1p2beta1Page` in
/// `vision` `v1`, `Some("V1p2beta1")`. `None` when the key names no
/// version, names this one, does not name the API before the version, or
/// when `api_version` itself does not read as a version (then nothing can
/// be compared).
pub(super) fn other_version<'a>(schema: &'a str, api_name: &str, api_version: &str) -> Option<&'a str> {
    let own = own_version(api_version)?;
    let tokens: Vec<(usize, &str)> = version_tokens(schema).collect();
    let &(at, first) = tokens.first()?;
    if tokens.iter().any(|(_, t)| t.eq_ignore_ascii_case(own)) {
        return None;
    }
    let prefix = schema[..at].to_ascii_lowercase();
    (!api_name.is_empty() && prefix.contains(&api_name.to_ascii_lowercase())).then_some(first)
}

/// The version part of a document's `version`: `v1p1beta1`, or `v1` in
/// `directory_v1`.
fn own_version(version: &str) -> Option<&str> {
    let bytes = version.as_bytes();
    (0..bytes.len())
        .rev()
        .filter(|&i| bytes[i].eq_ignore_ascii_case(&b'v') && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()))
        .find_map(|i| {
            let end = i + version_len(&bytes[i..])?;
            (end == bytes.len()).then(|| &version[i..end])
        })
}

/// Versions written into a schema key in Google's style: a capital `V`
/// after a lower-case letter, the version, then the next word (a capital
/// or `_`) or the end of the key.
fn version_tokens(schema: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = schema.as_bytes();
    (1..bytes.len()).filter_map(move |i| {
        if bytes[i] != b'V' || !bytes[i - 1].is_ascii_lowercase() {
            return None;
        }
        let end = i + version_len(&bytes[i..])?;
        let next_word = bytes.get(end).is_none_or(|&c| c.is_ascii_uppercase() || c == b'_');
        next_word.then(|| (i, &schema[i..end]))
    })
}

/// The length of the version at the start of `s` (`v`, digits, then
/// optionally `p` and digits, then optionally `alpha` or `beta` and
/// digits), if one is there.
fn version_len(s: &[u8]) -> Option<usize> {
    let digits = |from: usize| s[from.min(s.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut at = 1;
    let major = digits(at);
    if major == 0 {
        return None;
    }
    at += major;
    if s.get(at) == Some(&b'p') && digits(at + 1) > 0 {
        at += 1 + digits(at + 1);
    }
    for stage in [&b"alpha"[..], b"beta"] {
        if s[at..].starts_with(stage) {
            at += stage.len();
            at += digits(at);
            break;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::other_version;

    #[test]
    fn sibling_versions_are_found_in_google_style_keys() {
        assert_eq!(other_version("GoogleCloudVisionV1p2beta1Page", "vision", "v1"), Some("V1p2beta1"));
        assert_eq!(
            other_version("GoogleCloudVideointelligenceV1beta2_Entity", "videointelligence", "v1"),
            Some("V1beta2")
        );
        assert_eq!(
            other_version("GoogleCloudMetastoreV1AlterMetadataResourceLocationResponse", "metastore", "v2beta"),
            Some("V1")
        );
        assert_eq!(other_version("GoogleCloudOsconfigV2__OperationMetadata", "osconfig", "v1"), Some("V2"));
        assert_eq!(other_version("GoogleCloudDialogflowCxV3Page", "dialogflow", "v3beta1"), Some("V3"));
        assert_eq!(other_version("OperationMetadataV1", "cloudfunctions", "v2alpha"), None, "no API name");
        assert_eq!(other_version("GoogleDevtoolsCloudbuildV1Build", "run", "v2"), None, "another API");
        assert_eq!(other_version("GoogleAdminV1User", "admin", "directory_v1"), None, "the document's own version");
    }

    #[test]
    fn the_documents_own_version_and_plain_words_are_not_siblings() {
        assert_eq!(other_version("GoogleCloudVisionV1p2beta1Page", "vision", "v1p2beta1"), None);
        assert_eq!(other_version("GoogleCloudVideointelligenceV1_Entity", "videointelligence", "v1"), None);
        assert_eq!(other_version("Page", "vision", "v1"), None);
        assert_eq!(other_version("ComputeIPV4Config", "compute", "v1"), None, "no lower-case letter before the V");
        assert_eq!(other_version("ComputeNetworkVlan", "compute", "v1"), None, "a word, not a version");
        assert_eq!(other_version("ComputeServerV2x", "compute", "v1"), None, "the version runs into a lower-case word");
        assert_eq!(other_version("GoogleCloudVisionV1p2beta1Page", "vision", "latest"), None, "no version to compare");
    }
}
