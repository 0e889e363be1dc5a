//! discogen: Google API Discovery documents → Rust source.
//!
//! The pipeline runs in one direction:
//!
//! ```text
//! JSON ──parse──▶ discovery model ──resolve──▶ IR ──emit──▶ tokens ──format──▶ files
//! ```
//!
//! [`generate`] runs all of it. The public surface is that function, its
//! [`Options`] and [`Output`], and [`Error`]; the stages stay private so that
//! their types can change freely. Benches that time the stages apart reach
//! them through the `internals` feature, which is not part of the API. This
//! crate does no I/O: callers hand it the text of a document and write the
//! files it returns.

/// Declares the stage modules: private, or public (and hidden) with the
/// `internals` feature, which is all `internals` can re-export.
macro_rules! stages {
    ($($(#[$attr:meta])* $name:ident;)*) => {$(
        $(#[$attr])* #[cfg(feature = "internals")] #[doc(hidden)] pub mod $name;
        $(#[$attr])* #[cfg(not(feature = "internals"))] mod $name;
    )*};
}

stages! {
    discovery;
    emit;
    error;
    ir;
    names;
    path_template;
    resolve;
}

pub use emit::GeneratedFile;
pub use error::{Error, Location};
pub use resolve::OTHER_VERSIONS;

/// The stages of the pipeline, for `codegen/benches` and tests that check
/// internal tables. Not part of the API: no stability, no docs.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod internals {
    pub use crate::{discovery, emit, ir, names, path_template, resolve};

    /// The parse stage of [`generate`](crate::generate).
    pub fn parse(source: &str) -> Result<discovery::RestDescription, crate::Error> {
        crate::parse(source)
    }

    /// The stack [`generate`](crate::generate) gives its pipeline thread,
    /// for callers of the stages that need the same.
    pub const PIPELINE_STACK: usize = crate::PIPELINE_STACK;
}

/// Options for [`generate`], set through a builder:
///
/// ```
/// let options = discogen::Options::new().module_name("vision").resource_features(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    pub(crate) module_name: Option<String>,
    pub(crate) only: Option<Vec<String>>,
    pub(crate) regen_command: String,
    pub(crate) enum_names: std::collections::BTreeMap<String, String>,
    pub(crate) resource_features: bool,
    pub(crate) other_versions: bool,
    pub(crate) example_path: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            module_name: None,
            only: None,
            regen_command: "cargo xtask regen".to_string(),
            enum_names: Default::default(),
            resource_features: false,
            other_versions: false,
            example_path: "{module}".to_string(),
        }
    }
}

impl Options {
    /// The defaults: every method, no features, the module named
    /// `{name}_{version}` in snake case.
    pub fn new() -> Self {
        Self::default()
    }

    /// Module name; by default `{name}_{version}` in snake case.
    pub fn module_name(mut self, name: impl Into<String>) -> Self {
        self.module_name = Some(name.into());
        self
    }

    /// Keep only these method ids and the types they reach.
    pub fn only<I, S>(mut self, method_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only = Some(method_ids.into_iter().map(Into::into).collect());
        self
    }

    /// The command that regenerates the output, named in each file's header
    /// (default `cargo xtask regen`).
    pub fn regen_command(mut self, command: impl Into<String>) -> Self {
        self.regen_command = command.into();
        self
    }

    /// Names for enums and inline structs that several fields share, keyed
    /// by any of those fields' type names or by the name the naming rule
    /// gives.
    pub fn enum_names(mut self, names: std::collections::BTreeMap<String, String>) -> Self {
        self.enum_names = names;
        self
    }

    /// One cargo feature per top-level resource; see [`Output::features`].
    pub fn resource_features(mut self, on: bool) -> Self {
        self.resource_features = on;
        self
    }

    /// The schemas of sibling API versions that no method reaches (Vision
    /// v1's `GoogleCloudVisionV1p1beta1*` copies) behind the
    /// [`OTHER_VERSIONS`] feature, off by default. For a module that is a
    /// crate of its own: in a crate of several APIs the one feature name
    /// would serve them all.
    pub fn other_versions(mut self, on: bool) -> Self {
        self.other_versions = on;
        self
    }

    /// The path by which the doc examples reach the API module, with
    /// `{module}` standing for its name: `my_crate::{module}` when the
    /// module sits in a crate of several APIs, or the crate's name when the
    /// module is the crate (the default, `{module}`).
    pub fn example_path(mut self, path: impl Into<String>) -> Self {
        self.example_path = path.into();
        self
    }
}

/// What one document produced.
#[derive(Debug, Clone)]
pub struct Output {
    module_name: String,
    files: Vec<GeneratedFile>,
    warnings: Vec<String>,
    stats: Stats,
    features: Vec<String>,
    default_features: Vec<String>,
}

impl Output {
    /// The Rust module name of the API (`vision_v1`).
    pub fn module_name(&self) -> &str {
        &self.module_name
    }

    /// The module's files: `mod.rs`, `model.rs`, `resources.rs`.
    pub fn files(&self) -> &[GeneratedFile] {
        &self.files
    }

    /// The file at `path` (`model.rs`), if the module has one.
    pub fn file(&self, path: &str) -> Option<&GeneratedFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Things that were generated with a fallback, each with its JSON path.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Counts for reports.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The cargo features the module's items are gated on, for the crate's
    /// `[features]`: with [`Options::resource_features`] one per top-level
    /// resource, then with [`Options::other_versions`] [`OTHER_VERSIONS`] if
    /// the document has such schemas.
    pub fn features(&self) -> &[String] {
        &self.features
    }

    /// Those of [`features`](Self::features) that are on unless the user
    /// says otherwise: every resource feature, not `other-versions`.
    pub fn default_features(&self) -> &[String] {
        &self.default_features
    }
}

impl GeneratedFile {
    /// The file's path relative to the module's directory (`model.rs`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The formatted Rust source.
    pub fn contents(&self) -> &str {
        &self.contents
    }
}

/// Counts for reports.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Stats {
    /// Schemas in the document.
    pub schemas: usize,
    /// Rust types generated (schemas, inline objects and enums).
    pub types: usize,
    /// Call builders generated.
    pub methods: usize,
    /// Lines of the generated files.
    pub lines: usize,
}

/// Checks that `source` parses as a discovery document, without
/// generating anything: what `cargo xtask fetch` asks before it stores a
/// download. Syntax and shape errors carry line and column.
pub fn check_syntax(source: &str) -> Result<(), Error> {
    parse(source).map(drop)
}

/// Parses a document. Syntax and shape errors carry line and column.
pub(crate) fn parse(source: &str) -> Result<discovery::RestDescription, Error> {
    serde_json::from_str(source).map_err(|e| Error::from_json(&e))
}

/// Stack for the pipeline. Parsing and printing Rust recurse once per level
/// of nested types (`Vec<BTreeMap<String, Vec<...>>>`), which a legal
/// document can push far past a default thread stack. The memory is only
/// reserved; pages that are never touched cost nothing.
pub(crate) const PIPELINE_STACK: usize = 512 << 20;

/// Runs the whole pipeline on the text of one document.
///
/// It runs on a thread of its own with a large stack, so that deeply nested
/// (but legal) documents cannot overflow the caller's stack.
pub fn generate(source: &str, options: &Options) -> Result<Output, Error> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("discogen".into())
            .stack_size(PIPELINE_STACK)
            .spawn_scoped(scope, || generate_here(source, options));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: run on the caller's stack instead.
            Err(_) => generate_here(source, options),
        }
    })
}

fn generate_here(source: &str, options: &Options) -> Result<Output, Error> {
    let doc = parse(source)?;
    let (api, warnings) = resolve::resolve(&doc, options)?;
    let header = format!(
        "// @generated by discogen from the `{}` discovery document. Do not edit by hand;\n// run `{}` to regenerate.",
        api_id(&api),
        options.regen_command
    );
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let files = emit::render(&api, &header, threads, PIPELINE_STACK)?;
    let stats = Stats {
        schemas: doc.schemas.len(),
        types: api.types.len(),
        methods: count_methods(&api.root),
        lines: files.iter().map(|f| f.contents.lines().count()).sum(),
    };
    let features = api.features.map(|f| f.names).unwrap_or_default();
    let default_features = features.iter().filter(|f| *f != OTHER_VERSIONS).cloned().collect();
    Ok(Output { module_name: api.module_name, files, warnings, stats, features, default_features })
}

fn api_id(api: &ir::Api) -> String {
    // The id is printed into a comment: keep it to plain characters.
    format!("{}:{}", api.name, api.version).chars().filter(|c| c.is_ascii_graphic()).collect()
}

fn count_methods(r: &ir::Resource) -> usize {
    r.methods.len() + r.children.iter().map(count_methods).sum::<usize>()
}
