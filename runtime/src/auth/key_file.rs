//! Reading the JSON credential files Google hands out: service account
//! keys and the `authorized_user` files `gcloud auth application-default
//! login` writes.
//!
//! Errors name the file and the field, never a value: every value in these
//! files is either a secret or beside one.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::Error;

/// A parsed credential file and where it came from, for errors.
pub(crate) struct KeyFile {
    fields: Map<String, Value>,
    source: String,
}

impl KeyFile {
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let source = format!("credential file {}", path.display());
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::auth(format!("cannot read the {source}")).with_source(e))?;
        Self::parse(&text, source)
    }

    /// `source` says where `text` came from ("credential file /x.json").
    pub(crate) fn parse(text: &str, source: String) -> Result<Self, Error> {
        // serde_json's message would quote the text around a syntax error.
        match serde_json::from_str(text) {
            Ok(Value::Object(fields)) => Ok(Self { fields, source }),
            Ok(_) => Err(Error::auth(format!("the {source} is not a JSON object"))),
            Err(e) => {
                Err(Error::auth(format!("the {source} is not valid JSON (line {}, column {})", e.line(), e.column())))
            }
        }
    }

    /// A credential object found inside another (`installed` in a client
    /// secrets file, `source_credentials` in an impersonation file).
    pub(crate) fn from_object(fields: Map<String, Value>, source: String) -> Self {
        Self { fields, source }
    }

    /// The object in `field`, if there is one.
    pub(crate) fn object(&self, field: &str) -> Result<Option<Map<String, Value>>, Error> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(object)) => Ok(Some(object.clone())),
            Some(_) => Err(Error::auth(format!("the {} has a `{field}` that is not an object", self.source))),
        }
    }

    /// The list of strings in `field`; none if it is missing.
    pub(crate) fn strings(&self, field: &str) -> Result<Vec<String>, Error> {
        let wrong = || Error::auth(format!("the {} has a `{field}` that is not a list of strings", self.source));
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                items.iter().map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong)).collect()
            }
            Some(_) => Err(wrong()),
        }
    }

    /// The `universe_domain` field, `googleapis.com` if there is none.
    pub(crate) fn universe_domain(&self) -> Result<String, Error> {
        let universe = self.optional("universe_domain")?.unwrap_or(crate::universe::DEFAULT_UNIVERSE);
        crate::universe::determine(Some(universe), None)
            .map_err(|_| Error::auth(format!("the {} has a `universe_domain` that is not a domain name", self.source)))
    }

    /// The `type` field: `service_account`, `authorized_user`, ...
    pub(crate) fn kind(&self) -> Result<&str, Error> {
        self.required("type")
    }

    pub(crate) fn required(&self, field: &str) -> Result<&str, Error> {
        match self.fields.get(field) {
            Some(Value::String(value)) if !value.is_empty() => Ok(value),
            Some(Value::String(_)) => Err(Error::auth(format!("the {} has an empty `{field}`", self.source))),
            Some(_) => Err(Error::auth(format!("the {} has a `{field}` that is not a string", self.source))),
            None => Err(Error::auth(format!("the {} has no `{field}`", self.source))),
        }
    }

    pub(crate) fn optional(&self, field: &str) -> Result<Option<&str>, Error> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.required(field).map(Some),
        }
    }

    /// Whether `field` is there and not null.
    pub(crate) fn has(&self, field: &str) -> bool {
        !matches!(self.fields.get(field), None | Some(Value::Null))
    }

    /// A whole number of at least 0, if `field` is there.
    pub(crate) fn optional_u64(&self, field: &str) -> Result<Option<u64>, Error> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| Error::auth(format!("the {} has a `{field}` that is not a whole number", self.source))),
        }
    }

    pub(crate) fn source(&self) -> &str {
        &self.source
    }
}

/// Checks that a token URI from a file is `https`, or plain `http` on
/// loopback (for tests and local emulators): the request carries a signed
/// assertion or a refresh token.
pub(crate) fn check_token_uri(uri: &str, file: &KeyFile) -> Result<(), Error> {
    check_secure_url(uri, "token_uri", file)
}

/// [`check_token_uri`] for a URL in any `field`.
pub(crate) fn check_secure_url(uri: &str, field: &str, file: &KeyFile) -> Result<(), Error> {
    let refuse = |why: &str| Error::auth(format!("the `{field}` of the {} is not usable: {why}", file.source()));
    let parsed: http::Uri = uri.parse().map_err(|_| refuse("it is not a valid URI"))?;
    let host = parsed.host().ok_or_else(|| refuse("it has no host"))?;
    match parsed.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if crate::host::is_loopback(host) => Ok(()),
        Some("http") => Err(refuse("plain http is only allowed for loopback hosts")),
        _ => Err(refuse("the scheme must be https")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Result<KeyFile, Error> {
        KeyFile::parse(text, "credential file k.json".to_owned())
    }

    #[test]
    fn errors_name_the_field_and_never_the_value() {
        let key = file(r#"{"type": "service_account", "private_key": 7, "client_email": ""}"#).unwrap();
        assert_eq!(key.kind().unwrap(), "service_account");
        let message = key.required("private_key").unwrap_err().to_string();
        assert!(message.contains("`private_key` that is not a string") && message.contains("k.json"), "{message}");
        assert!(key.required("client_email").unwrap_err().to_string().contains("empty `client_email`"));
        assert!(key.required("token_uri").unwrap_err().to_string().contains("no `token_uri`"));
        assert_eq!(key.optional("quota_project_id").unwrap(), None);
        let broken = file(r#"{"private_key": "SECRET"#).err().unwrap().to_string();
        assert!(broken.contains("not valid JSON") && !broken.contains("SECRET"), "{broken}");
    }

    #[test]
    fn token_uri_must_be_https_or_loopback() {
        let key = file("{}").unwrap();
        assert!(check_token_uri("https://oauth2.googleapis.com/token", &key).is_ok());
        assert!(check_token_uri("http://127.0.0.1:9/token", &key).is_ok());
        assert!(check_token_uri("http://example.com/token", &key).is_err());
        assert!(check_token_uri("ftp://example.com/token", &key).is_err());
        assert!(check_token_uri("not a uri", &key).is_err());
    }
}
