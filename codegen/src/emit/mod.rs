//! IR → formatted Rust files. Emitters print the IR; they decide nothing.

mod calls;
mod client;
pub mod docs;
mod model;
pub mod types;

use crate::error::Error;
use crate::ir::Api;
use proc_macro2::TokenStream;

/// One file of a generated API module, relative to the module's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// The tokens of one file: its inner attributes and module docs, then its
/// items one at a time. Items are produced lazily and formatted one by one,
/// so a huge document never holds the whole token tree of a file in memory.
pub struct FileTokens<'a> {
    pub inner: TokenStream,
    pub items: Box<dyn Iterator<Item = TokenStream> + 'a>,
}

/// The token streams of the three files of a module, before formatting.
pub fn tokens(api: &Api) -> Vec<(&'static str, FileTokens<'_>)> {
    vec![("mod.rs", client::module_root(api)), ("model.rs", model::model(api)), ("resources.rs", calls::resources(api))]
}

/// Formats token streams with prettyplease and adds the generated-file header.
pub fn format(files: Vec<(&'static str, FileTokens<'_>)>, header: &str) -> Result<Vec<GeneratedFile>, Error> {
    files
        .into_iter()
        .map(|(path, tokens)| {
            let mut contents = format!("{header}\n");
            contents.push_str(&unparse(path, tokens.inner)?);
            for item in tokens.items {
                contents.push_str(&unparse(path, item)?);
            }
            Ok(GeneratedFile { path: path.to_string(), contents })
        })
        .collect()
}

fn unparse(path: &str, tokens: TokenStream) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error {
        location: None,
        message: format!(
            "internal error: generated {path} does not parse as Rust ({e}); please report this with the document"
        ),
    })?;
    Ok(prettyplease::unparse(&file))
}
