//! IR → formatted Rust files. Emitters print the IR; they decide nothing.
//!
//! One emitter per file of a generated module, named after it: `mod_rs`
//! writes `mod.rs`, `model` writes `model.rs`, `resources` writes
//! `resources.rs`. They read only `crate::ir`.

mod cfg;
pub mod docs;
mod examples;
mod layout;
mod mod_rs;
mod model;
mod resources;
pub mod types;

use crate::error::Error;
use crate::ir::Api;
use proc_macro2::TokenStream;

/// One file of a generated API module, relative to the module's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub(crate) path: String,
    pub(crate) contents: String,
}

/// The tokens of one file: its inner attributes and module docs, then its
/// items one at a time. Items are produced lazily and formatted one by one,
/// so a huge document never holds the whole token tree of a file in memory.
// Used apart from `render` by the stage benches only.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub struct FileTokens<'a> {
    pub inner: TokenStream,
    pub items: Box<dyn Iterator<Item = Item> + 'a>,
}

/// One item of a file: tokens to format, then text written out as it is.
///
/// The text is each struct's `object!` invocation, which `layout` lays out
/// from the emitter's tokens more cheaply than syn and prettyplease could.
pub struct Item {
    pub tokens: TokenStream,
    pub verbatim: String,
    /// The `#[cfg]` that each Rust item of `tokens` gets when it is
    /// formatted (`verbatim` has it written in already).
    gate: cfg::Gate,
}

impl Item {
    /// An item followed by an `object!` invocation laid out by `layout`.
    fn with_object(tokens: TokenStream, object: TokenStream) -> Self {
        Self { tokens, verbatim: layout::object_list(object), gate: cfg::Gate::default() }
    }
}

impl From<TokenStream> for Item {
    fn from(tokens: TokenStream) -> Self {
        Self { tokens, verbatim: String::new(), gate: cfg::Gate::default() }
    }
}

/// A file as its emitter describes it: inner attributes, then `len` items,
/// any of which can be produced on its own by index. That lets formatting,
/// the slow part, run on several threads.
pub struct ItemSource<'a> {
    pub inner: TokenStream,
    pub len: usize,
    pub item: Box<dyn Fn(usize) -> Item + Sync + 'a>,
}

fn sources(api: &Api) -> Vec<(&'static str, ItemSource<'_>)> {
    let mut files = vec![
        ("mod.rs", mod_rs::module_root(api)),
        ("model.rs", model::model(api)),
        ("resources.rs", resources::resources(api)),
    ];
    for (_, source) in &mut files {
        // Every generated path goes through `__rt` (the runtime's
        // `__private` module); see that module for why.
        source.inner.extend(quote::quote! {
            #[allow(unused_imports)]
            use ::discogen_runtime::__private as __rt;
        });
    }
    files
}

/// The token streams of the three files of a module, before formatting.
/// Only for the benchmark, which times emitting and formatting apart.
#[doc(hidden)]
// Used apart from `render` by the stage benches only.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn tokens(api: &Api) -> Vec<(&'static str, FileTokens<'_>)> {
    sources(api)
        .into_iter()
        .map(|(path, source)| {
            let ItemSource { inner, len, item } = source;
            (path, FileTokens { inner, items: Box::new((0..len).map(item)) })
        })
        .collect()
}

/// Below this many items in all a module is formatted on the current
/// thread: a thread costs more than it saves.
const PARALLEL_MIN_ITEMS: usize = 64;

/// Items per unit of work handed to a formatting thread. Small enough to
/// balance items of very different sizes (a call builder is several times a
/// small struct), large enough that taking work stays cheap.
const BLOCK_ITEMS: usize = 16;

/// Emits and formats every file, spreading the items of all three files
/// over up to `threads` threads, which take blocks of items as they become
/// free. The output does not depend on the thread count.
pub fn render(api: &Api, header: &str, threads: usize, stack: usize) -> Result<Vec<GeneratedFile>, Error> {
    let sources = sources(api);
    // (file, first item, end) per block, files in order.
    let blocks: Vec<(usize, usize, usize)> = sources
        .iter()
        .enumerate()
        .flat_map(|(f, (_, source))| {
            (0..source.len).step_by(BLOCK_ITEMS).map(move |start| (f, start, (start + BLOCK_ITEMS).min(source.len)))
        })
        .collect();
    // Only the item functions cross threads; the files' inner tokens stay here.
    let emitters: Vec<(&str, &(dyn Fn(usize) -> Item + Sync))> =
        sources.iter().map(|(path, source)| (*path, &*source.item)).collect();
    let run = |&(f, start, end): &(usize, usize, usize)| -> Result<String, Error> {
        let (path, item) = emitters[f];
        let mut out = String::new();
        for i in start..end {
            push_item(&mut out, path, item(i))?;
        }
        Ok(out)
    };
    let total: usize = sources.iter().map(|(_, s)| s.len).sum();
    let workers = threads.clamp(1, 16).min(total / PARALLEL_MIN_ITEMS).max(1);
    let mut done: Vec<Option<String>> = vec![None; blocks.len()];
    if workers == 1 {
        for (slot, block) in done.iter_mut().zip(&blocks) {
            *slot = Some(run(block)?);
        }
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let work = || -> Result<Vec<(usize, String)>, Error> {
            let mut mine = Vec::new();
            loop {
                let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(block) = blocks.get(b) else { return Ok(mine) };
                mine.push((b, run(block)?));
            }
        };
        let results: Vec<Result<Vec<(usize, String)>, Error>> = std::thread::scope(|scope| {
            let handles: Vec<_> =
                (0..workers).map(|_| std::thread::Builder::new().stack_size(stack).spawn_scoped(scope, work)).collect();
            handles
                .into_iter()
                .map(|h| match h {
                    Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    Err(e) => Err(Error { location: None, message: format!("cannot start a formatting thread: {e}") }),
                })
                .collect()
        });
        for result in results {
            for (b, text) in result? {
                done[b] = Some(text);
            }
        }
    }
    let mut bodies: Vec<String> = vec![String::new(); sources.len()];
    for (&(f, _, _), text) in blocks.iter().zip(done) {
        let text = text.ok_or_else(|| Error {
            location: None,
            message: "internal error: a block of items was never formatted; please report this".into(),
        })?;
        bodies[f].push_str(&text);
    }
    sources
        .iter()
        .zip(bodies)
        .map(|((path, source), body)| {
            let mut contents = format!("{header}\n");
            contents.push_str(&unparse(path, source.inner.clone())?);
            contents.push_str(&body);
            Ok(GeneratedFile { path: path.to_string(), contents })
        })
        .collect()
}

/// Formats token streams with prettyplease and adds the generated-file header.
/// Only for the benchmark; [`render`] is what `generate` uses.
#[doc(hidden)]
// Used apart from `render` by the stage benches only.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn format(files: Vec<(&'static str, FileTokens<'_>)>, header: &str) -> Result<Vec<GeneratedFile>, Error> {
    files
        .into_iter()
        .map(|(path, tokens)| {
            let mut contents = format!("{header}\n");
            contents.push_str(&unparse(path, tokens.inner)?);
            for item in tokens.items {
                push_item(&mut contents, path, item)?;
            }
            Ok(GeneratedFile { path: path.to_string(), contents })
        })
        .collect()
}

/// Appends one emitted item, after a blank line: every item starts with
/// one, so the text is the same however the items were split into blocks.
fn push_item(out: &mut String, path: &str, item: Item) -> Result<(), Error> {
    if !item.tokens.is_empty() {
        out.push('\n');
        out.push_str(&unparse_gated(path, item.tokens, &item.gate)?);
    }
    if !item.verbatim.is_empty() {
        out.push('\n');
        out.push_str(&item.verbatim);
    }
    Ok(())
}

/// Formats `tokens` with a blank line between Rust items, as rustfmt-styled
/// code reads, but none inside a run of `use` or of `mod name;` lines.
fn unparse(path: &str, tokens: TokenStream) -> Result<String, Error> {
    unparse_gated(path, tokens, &cfg::Gate::default())
}

/// [`unparse`], with `gate` put first on every item: the items are told
/// apart by the one parse formatting needs anyway.
fn unparse_gated(path: &str, tokens: TokenStream, gate: &cfg::Gate) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error {
        location: None,
        message: format!(
            "internal error: generated {path} does not parse as Rust ({e}); please report this with the document"
        ),
    })?;
    let syn::File { shebang, attrs, mut items } = file;
    if !gate.is_empty() {
        for item in &mut items {
            cfg::put_first(item, gate);
        }
    }
    let mut out = prettyplease::unparse(&syn::File { shebang, attrs, items: Vec::new() });
    let mut previous = None;
    for item in items {
        let group = match &item {
            syn::Item::Use(_) => Some("use"),
            syn::Item::Mod(m) if m.content.is_none() => Some("mod"),
            _ => None,
        };
        if !out.is_empty() && (group.is_none() || group != previous) {
            out.push('\n');
        }
        out.push_str(&prettyplease::unparse(&syn::File { shebang: None, attrs: Vec::new(), items: vec![item] }));
        previous = group;
    }
    Ok(out)
}
