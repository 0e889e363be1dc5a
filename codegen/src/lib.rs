//! discogen: Google API Discovery documents → Rust source.
//!
//! The pipeline runs in one direction:
//!
//! ```text
//! JSON ──parse──▶ discovery model ──resolve──▶ IR ──emit──▶ tokens ──format──▶ files
//! ```
//!
//! [`generate`] runs all of it. The stages are public too, so that tools can
//! time them separately. This crate does no I/O: callers hand it the text of
//! a document and write the files it returns.

pub mod discovery;
pub mod emit;
pub mod error;
pub mod ir;
pub mod names;
pub mod path_template;
pub mod resolve;

pub use emit::GeneratedFile;
pub use error::{Error, Location};
pub use resolve::{ResolveOptions, OTHER_VERSIONS};

/// Options for [`generate`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Module name; by default `{name}_{version}` in snake case.
    pub module_name: Option<String>,
    /// Keep only these method ids and the types they reach.
    pub only: Option<Vec<String>>,
    /// The command that regenerates the output, named in each file's header.
    pub regen_command: String,
    /// Names for enums that several fields share (see `ResolveOptions`).
    pub enum_names: std::collections::BTreeMap<String, String>,
    /// One cargo feature per top-level resource; see [`Output::features`].
    pub resource_features: bool,
    /// The schemas of sibling API versions that no method reaches (Vision
    /// v1's `GoogleCloudVisionV1p1beta1*` copies) behind the
    /// `other-versions` feature, off by default. For a module that is a
    /// crate of its own: in a crate of several APIs the one feature name
    /// would serve them all.
    pub other_versions: bool,
    /// The path by which the doc examples reach the API module, with
    /// `{module}` standing for its name: `my_crate::{module}` when the
    /// module sits in a crate of several APIs, or the crate's name when
    /// the module is the crate.
    pub example_path: String,
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

/// What one document produced.
#[derive(Debug, Clone)]
pub struct Output {
    /// The Rust module name of the API (`vision_v1`).
    pub module_name: String,
    /// The module's files: `mod.rs`, `model.rs`, `resources.rs`.
    pub files: Vec<GeneratedFile>,
    /// Things that were generated with a fallback, each with its JSON path.
    pub warnings: Vec<String>,
    pub stats: Stats,
    /// The cargo features the module's items are gated on, for the
    /// crate's `[features]`: with `resource_features` one per top-level
    /// resource, then with `other_versions` [`OTHER_VERSIONS`] if the
    /// document has such schemas.
    pub features: Vec<String>,
    /// Those of `features` that are on unless the user says otherwise:
    /// every resource feature, not `other-versions`.
    pub default_features: Vec<String>,
}

/// Counts for reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub schemas: usize,
    pub types: usize,
    pub methods: usize,
    pub lines: usize,
}

/// Parses a document. Syntax and shape errors carry line and column.
pub fn parse(source: &str) -> Result<discovery::RestDescription, Error> {
    serde_json::from_str(source).map_err(|e| Error::from_json(&e))
}

/// Stack for the pipeline. Parsing and printing Rust recurse once per level
/// of nested types (`Vec<BTreeMap<String, Vec<...>>>`), which a legal
/// document can push far past a default thread stack. The memory is only
/// reserved; pages that are never touched cost nothing.
const PIPELINE_STACK: usize = 512 << 20;

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
    let resolve_options = ResolveOptions {
        module_name: options.module_name.clone(),
        only: options.only.clone(),
        enum_names: options.enum_names.clone(),
        resource_features: options.resource_features,
        other_versions: options.other_versions,
        example_path: options.example_path.clone(),
    };
    let (api, warnings) = resolve::resolve(&doc, &resolve_options)?;
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
