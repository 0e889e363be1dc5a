//! Where an external account's subject token comes from, as the file's
//! `credential_source` says, and how a token is read out of what the
//! source hands back (`format`).

use std::fmt;

use serde_json::Value;

use super::aws::Aws;
use super::executable::Executable;
use super::file::FileSource;
use super::url::UrlSource;
use crate::auth::key_file::KeyFile;
use crate::error::Error;
use crate::transport::Transport;

/// A token from the external identity provider: an OIDC ID token, a SAML
/// assertion, a signed AWS request. `Debug` hides it.
pub(crate) struct SubjectToken {
    pub(crate) token: String,
    /// Secrets inside the token that a server could quote on their own (an
    /// AWS session token, a signature), to scrub from errors too.
    pub(crate) inner_secrets: Vec<String>,
}

impl SubjectToken {
    pub(crate) fn new(token: String) -> Self {
        Self { token, inner_secrets: Vec::new() }
    }
}

impl fmt::Debug for SubjectToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SubjectToken(****)")
    }
}

/// What a source may need to know about the credential asking it.
pub(crate) struct Context<'a> {
    pub(crate) audience: &'a str,
    pub(crate) token_type: &'a str,
    /// The service account to be impersonated with the STS token, if any.
    pub(crate) impersonated: Option<&'a str>,
    pub(crate) transport: &'a dyn Transport,
}

#[derive(Clone, Debug)]
pub(crate) enum Source {
    File(FileSource),
    Url(UrlSource),
    Executable(Executable),
    Aws(Aws),
}

impl Source {
    /// The `credential_source` object of `file`.
    pub(crate) fn parse(file: &KeyFile) -> Result<Self, Error> {
        let object = file
            .object("credential_source")?
            .ok_or_else(|| Error::auth(format!("the {} has no `credential_source` object", file.source())))?;
        let source = KeyFile::from_object(object, format!("`credential_source` of the {}", file.source()));
        let has = |field: &str| source.has(field);
        if has("environment_id") {
            return Ok(Self::Aws(Aws::parse(&source)?));
        }
        if has("certificate") {
            return Err(Error::auth(format!(
                "the {} names a `certificate` (X.509 workload federation), which is not supported",
                source.source()
            )));
        }
        let named: Vec<&str> = ["file", "url", "executable"].into_iter().filter(|f| has(f)).collect();
        match named.as_slice() {
            ["file"] => Ok(Self::File(FileSource::parse(&source)?)),
            ["url"] => Ok(Self::Url(UrlSource::parse(&source)?)),
            ["executable"] => Ok(Self::Executable(Executable::parse(&source)?)),
            [] => Err(Error::auth(format!(
                "the {} names no subject token source (one of `file`, `url`, `executable` or `environment_id`)",
                source.source()
            ))),
            _ => Err(Error::auth(format!(
                "the {} names more than one subject token source ({}); it must name one",
                source.source(),
                named.join(", ")
            ))),
        }
    }

    pub(crate) async fn subject_token(&self, context: &Context<'_>) -> Result<SubjectToken, Error> {
        match self {
            Self::File(source) => source.subject_token().await,
            Self::Url(source) => source.subject_token(context).await,
            Self::Executable(source) => source.subject_token(context).await,
            Self::Aws(source) => source.subject_token(context).await,
        }
    }

    /// A name for `Debug`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::File(_) => "file",
            Self::Url(_) => "url",
            Self::Executable(_) => "executable",
            Self::Aws(_) => "aws",
        }
    }
}

/// How the token sits in what a file or URL source hands back.
#[derive(Clone, Debug)]
pub(crate) enum Format {
    /// The whole text is the token.
    Text,
    /// A JSON object, the token in this field.
    Json(String),
}

impl Format {
    /// The `format` object of a file or URL source; text if there is none.
    pub(crate) fn parse(source: &KeyFile) -> Result<Self, Error> {
        let Some(object) = source.object("format")? else { return Ok(Self::Text) };
        let format = KeyFile::from_object(object, format!("`format` of the {}", source.source()));
        match format.optional("type")? {
            None | Some("text") => Ok(Self::Text),
            Some("json") => Ok(Self::Json(format.required("subject_token_field_name")?.to_owned())),
            Some(other) => Err(Error::auth(format!(
                "the {} has a `type` of {}; it must be \"text\" or \"json\"",
                format.source(),
                crate::text::quoted(other)
            ))),
        }
    }

    /// The token in `body`. Errors never quote the body: it holds the token.
    pub(crate) fn read(&self, body: &[u8], from: &str) -> Result<SubjectToken, Error> {
        let token = match self {
            Self::Text => std::str::from_utf8(body)
                .map_err(|_| Error::auth(format!("{from} is not UTF-8 text")))?
                .trim()
                .to_owned(),
            Self::Json(field) => {
                let json: Value = serde_json::from_slice(body)
                    .map_err(|_| Error::auth(format!("{from} is not JSON, which its `format` says it is")))?;
                match json.get(field) {
                    Some(Value::String(token)) => token.trim().to_owned(),
                    Some(_) => return Err(Error::auth(format!("{from} has a `{field}` that is not a string"))),
                    None => return Err(Error::auth(format!("{from} has no `{field}` field"))),
                }
            }
        };
        if token.is_empty() {
            return Err(Error::auth(format!("{from} holds an empty subject token")));
        }
        Ok(SubjectToken::new(token))
    }
}
