//! A subject token in a file that something else keeps fresh (a Kubernetes
//! projected service account token, a token an identity agent writes).

use std::path::PathBuf;

use super::source::{Format, SubjectToken};
use crate::auth::key_file::KeyFile;
use crate::error::Error;

/// Subject tokens are a few kilobytes; more is not one.
const MAX_BYTES: u64 = 1024 * 1024;

#[derive(Clone, Debug)]
pub(crate) struct FileSource {
    path: PathBuf,
    format: Format,
}

impl FileSource {
    pub(crate) fn parse(source: &KeyFile) -> Result<Self, Error> {
        Ok(Self { path: PathBuf::from(source.required("file")?), format: Format::parse(source)? })
    }

    /// Read on every exchange: the file is rewritten as its token rotates.
    pub(crate) async fn subject_token(&self) -> Result<SubjectToken, Error> {
        use tokio::io::AsyncReadExt as _;
        let from = format!("the subject token file {}", self.path.display());
        let file = tokio::fs::File::open(&self.path)
            .await
            .map_err(|e| Error::auth(format!("cannot read {from}")).with_source(e))?;
        let mut body = Vec::new();
        file.take(MAX_BYTES)
            .read_to_end(&mut body)
            .await
            .map_err(|e| Error::auth(format!("cannot read {from}")).with_source(e))?;
        self.format.read(&body, &from)
    }
}
