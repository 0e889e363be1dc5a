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

/// A file as its emitter describes it: inner attributes, then `len` items,
/// any of which can be produced on its own by index. That lets formatting,
/// the slow part, run on several threads.
pub struct ItemSource<'a> {
    pub inner: TokenStream,
    pub len: usize,
    pub item: Box<dyn Fn(usize) -> TokenStream + Sync + 'a>,
}

fn sources(api: &Api) -> Vec<(&'static str, ItemSource<'_>)> {
    vec![("mod.rs", client::module_root(api)), ("model.rs", model::model(api)), ("resources.rs", calls::resources(api))]
}

/// The token streams of the three files of a module, before formatting.
pub fn tokens(api: &Api) -> Vec<(&'static str, FileTokens<'_>)> {
    sources(api)
        .into_iter()
        .map(|(path, source)| {
            let ItemSource { inner, len, item } = source;
            (path, FileTokens { inner, items: Box::new((0..len).map(item)) })
        })
        .collect()
}

/// Below this many items a file is formatted on the current thread: a
/// thread costs more than it saves.
const PARALLEL_MIN_ITEMS: usize = 64;

/// Emits and formats every file, splitting each file's items across up to
/// `threads` threads. The output does not depend on the thread count.
pub fn render(api: &Api, header: &str, threads: usize, stack: usize) -> Result<Vec<GeneratedFile>, Error> {
    sources(api)
        .into_iter()
        .map(|(path, source)| {
            let mut contents = format!("{header}\n");
            contents.push_str(&unparse(path, source.inner)?);
            let item: &(dyn Fn(usize) -> TokenStream + Sync) = &*source.item;
            let chunk = |range: std::ops::Range<usize>| -> Result<String, Error> {
                let mut out = String::new();
                for i in range {
                    out.push_str(&unparse(path, item(i))?);
                }
                Ok(out)
            };
            let workers = threads.clamp(1, 16).min(source.len / PARALLEL_MIN_ITEMS.max(1)).max(1);
            if workers == 1 {
                contents.push_str(&chunk(0..source.len)?);
            } else {
                let per = source.len.div_ceil(workers);
                let parts: Vec<Result<String, Error>> = std::thread::scope(|scope| {
                    let handles: Vec<_> = (0..workers)
                        .map(|w| {
                            let range = (w * per).min(source.len)..((w + 1) * per).min(source.len);
                            let chunk = &chunk;
                            std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, move || chunk(range))
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| match h {
                            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                            Err(e) => {
                                Err(Error { location: None, message: format!("cannot start a formatting thread: {e}") })
                            }
                        })
                        .collect()
                });
                for part in parts {
                    contents.push_str(&part?);
                }
            }
            Ok(GeneratedFile { path: path.to_string(), contents })
        })
        .collect()
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
