//! `cargo xtask gen`: one document → a crate that builds on its own or as a
//! member of the user's workspace.

use crate::output::{self, Tree};
use anyhow::anyhow;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// Above this many methods, the crate's doc examples are not compiled as
/// doc tests by default: each is a program of its own to build and link.
const DOCTEST_METHODS: usize = 200;

/// Marks a directory as written by `gen`, so that a rerun may replace it.
const MARKER: &str = ".discogen-generated";

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// The discovery document.
    #[arg(long)]
    pub spec: PathBuf,
    /// The directory to write the crate into. Inside a cargo workspace
    /// the crate is written as a member of it (no `[workspace]` table of
    /// its own); elsewhere it stands alone.
    #[arg(long)]
    pub out: PathBuf,
    /// Package name of the crate (default: the module name with dashes).
    #[arg(long)]
    pub crate_name: Option<String>,
    /// Keep only these comma-separated method ids and the schemas they use.
    #[arg(long, value_delimiter = ',')]
    pub only: Option<Vec<String>>,
    /// Replace a non-empty directory that this command did not create.
    #[arg(long)]
    pub force: bool,
    /// Depend on this version of discogen-runtime from a registry instead
    /// of on this checkout's runtime by a path relative to --out.
    #[arg(long)]
    pub runtime_version: Option<String>,
    /// Give the crate its own [workspace] table even inside another
    /// workspace, which then does not own it.
    #[arg(long)]
    pub standalone: bool,
    /// One cargo feature per top-level resource, each compiling that
    /// resource's calls and the types they reach.
    #[arg(long)]
    pub resource_features: bool,
    /// The comma-separated features on by default, `all` or `none`.
    /// Without it: every resource feature, and not `other-versions`.
    #[arg(long, value_delimiter = ',')]
    pub default_features: Option<Vec<String>>,
}

/// How the generated crate finds `discogen-runtime`.
pub enum RuntimeDep {
    /// A path, written as given (relative to the crate for `gen`).
    Path(String),
    /// A version requirement, for a runtime taken from a registry.
    Version(String),
}

/// What the generated `Cargo.toml` says.
pub struct Manifest<'a> {
    pub crate_name: &'a str,
    pub runtime: &'a RuntimeDep,
    /// Whether the crate declares an empty workspace of its own, which keeps
    /// it out of any workspace above it. A member of a workspace must not.
    pub own_workspace: bool,
    /// With resource features, the ones on by default; `None` for all.
    pub default_features: Option<&'a [String]>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Args { spec, out, crate_name, only, force, runtime_version, standalone, resource_features, default_features } =
        args;
    let example_crate = crate_name.as_deref().map(|c| c.replace('-', "_"));
    let mut options = discogen::Options::new()
        .resource_features(resource_features)
        .other_versions(true)
        .example_path(example_crate.unwrap_or_else(|| "{module}".to_string()))
        .regen_command(format!("cargo xtask gen --spec {}", spec.display()));
    if let Some(only) = only {
        options = options.only(only);
    }
    let generated = output::generate(&spec, &options)?;
    let default_features = default_features.map(|d| chosen_defaults(&d, generated.features())).transpose()?;
    check_target(&out, force)?;
    let crate_name = crate_name.unwrap_or_else(|| generated.module_name().replace('_', "-"));
    if crate_name.is_empty() || !crate_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(anyhow!("`{crate_name}` is not a valid crate name"));
    }
    let out_abs = resolved(&out)?;
    let runtime = match runtime_version {
        Some(v) => RuntimeDep::Version(checked_version(&v)?),
        None => RuntimeDep::Path(path_text(&relative_path(&out_abs, &runtime_dir()?))),
    };
    let workspace = if standalone { None } else { enclosing_workspace(&out_abs)? };
    let manifest = Manifest {
        crate_name: &crate_name,
        runtime: &runtime,
        own_workspace: workspace.is_none(),
        default_features: default_features.as_deref(),
    };
    let tree = crate_tree(&generated, &manifest);
    output::replace_dir(&out, &tree)?;
    eprintln!(
        "wrote crate `{crate_name}` to {} ({} types, {} methods, {} lines)",
        out.display(),
        generated.stats().types,
        generated.stats().methods,
        generated.stats().lines
    );
    let defaults = manifest.default_features.unwrap_or(generated.default_features());
    if generated.features().iter().any(|f| f == discogen::OTHER_VERSIONS)
        && !defaults.iter().any(|f| f == discogen::OTHER_VERSIONS)
    {
        eprintln!(
            "the schemas of other versions of the API, which no method takes or returns, are behind the `{}` \
             feature, off by default",
            discogen::OTHER_VERSIONS
        );
    }
    if let Some(ws) = workspace {
        let member = path_text(&relative_path(&ws.root, &out_abs));
        let manifest = ws.root.join("Cargo.toml");
        if ws.members.iter().any(|m| m.trim_end_matches('/') == member) {
            eprintln!("it is already listed in the members of the workspace at {}", manifest.display());
        } else {
            eprintln!(
                "{} lies inside the cargo workspace at {}: it has no [workspace] table of its own, \
                 so add it to that workspace (unless a glob there already covers it):\n\n\
                 [workspace]\nmembers = [\n    # ...\n    {},\n]",
                out.display(),
                manifest.display(),
                toml_string(&member)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The default set `--default-features` asks for, checked against the
/// features the document gave: `all`, `none`, or names from `features`.
fn chosen_defaults(asked: &[String], features: &[String]) -> anyhow::Result<Vec<String>> {
    match asked {
        [one] if one == "all" => return Ok(features.to_vec()),
        [one] if one == "none" || one.is_empty() => return Ok(Vec::new()),
        _ => {}
    }
    let unknown: Vec<&str> = asked.iter().map(|a| a.trim()).filter(|a| !features.iter().any(|f| f == a)).collect();
    if !unknown.is_empty() && features.is_empty() {
        return Err(anyhow!(
            "--default-features names {}, but the crate has no features (add --resource-features for one per \
             resource)",
            unknown.join(", ")
        ));
    }
    if !unknown.is_empty() {
        let shown: Vec<&str> = features.iter().take(20).map(String::as_str).collect();
        let more = if features.len() > shown.len() { ", ..." } else { "" };
        return Err(anyhow!(
            "--default-features names features the crate does not have: {} (it has: {}{more})",
            unknown.join(", "),
            shown.join(", ")
        ));
    }
    Ok(asked.iter().map(|a| a.trim().to_string()).collect())
}

/// Refuses to overwrite a directory with content that `gen` did not write.
fn check_target(out: &Path, force: bool) -> anyhow::Result<()> {
    let Ok(mut entries) = fs::read_dir(out) else { return Ok(()) };
    let non_empty = entries.next().is_some();
    if non_empty && !out.join(MARKER).exists() && !force {
        return Err(anyhow!(
            "{} is not empty and was not written by `cargo xtask gen`; pass --force to replace it",
            out.display()
        ));
    }
    Ok(())
}

fn runtime_dir() -> anyhow::Result<PathBuf> {
    let dir = output::workspace_root().join("runtime");
    dir.canonicalize().map_err(|e| anyhow!("cannot find the runtime crate at {}: {e}", dir.display()))
}

/// The absolute form of `path` with symbolic links resolved as far as the
/// path exists, and `.`/`..` folded in the part that does not exist yet, so
/// that it compares with the canonical runtime path component by component.
fn resolved(path: &Path) -> anyhow::Result<PathBuf> {
    let absolute = std::path::absolute(path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    let canonical = loop {
        match existing.canonicalize() {
            Ok(c) => break c,
            Err(_) => {
                let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
                    return Err(anyhow!("{}: no part of this path exists", path.display()));
                };
                rest.push(name.to_os_string());
                existing = parent;
            }
        }
    };
    let mut result = canonical;
    for name in rest.into_iter().rev() {
        match Path::new(&name).components().next() {
            Some(Component::ParentDir) => {
                result.pop();
            }
            Some(Component::CurDir) | None => {}
            Some(_) => result.push(name),
        }
    }
    Ok(result)
}

/// `to` as seen from directory `from`; both absolute and resolved. Paths on
/// different roots (Windows drives) have no relative form: `to` is returned
/// whole.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    if from.first() != to.first() {
        return to.iter().collect();
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in common..from.len() {
        rel.push("..");
    }
    for c in &to[common..] {
        rel.push(c);
    }
    if rel.as_os_str().is_empty() {
        rel.push(".");
    }
    rel
}

/// A path as cargo reads it on every platform.
fn path_text(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// A version requirement for the runtime, refused if it holds anything that
/// could break out of the TOML string it is written into.
fn checked_version(v: &str) -> anyhow::Result<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || " .^~=<>*,+-".contains(c);
    if v.trim().is_empty() || !v.chars().all(allowed) {
        return Err(anyhow!("--runtime-version `{}` is not a version requirement", v.escape_debug()));
    }
    Ok(v.trim().to_string())
}

/// A cargo workspace found above a directory.
struct Workspace {
    root: PathBuf,
    /// Its `members` entries, as written.
    members: Vec<String>,
}

/// The nearest directory strictly above `dir` whose `Cargo.toml` declares a
/// `[workspace]`, which is the one cargo would make the crate a member of.
/// `dir` itself is skipped: its manifest, if any, is the one being replaced.
fn enclosing_workspace(dir: &Path) -> anyhow::Result<Option<Workspace>> {
    for ancestor in dir.ancestors().skip(1) {
        let manifest = ancestor.join("Cargo.toml");
        let Ok(text) = fs::read_to_string(&manifest) else { continue };
        let table: toml::Table = toml::from_str(&text)
            .map_err(|e| anyhow!("{}: cannot tell whether it declares a workspace: {e}", manifest.display()))?;
        if let Some(workspace) = table.get("workspace") {
            let members = workspace
                .get("members")
                .and_then(toml::Value::as_array)
                .map(|a| a.iter().filter_map(toml::Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            return Ok(Some(Workspace { root: ancestor.to_path_buf(), members }));
        }
    }
    Ok(None)
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The files of a crate around one generated module.
pub fn crate_tree(generated: &discogen::Output, manifest: &Manifest) -> Tree {
    let mut tree = Tree::new();
    // The API module is the crate root, so that every item has one path
    // (`vision1::Client`, `vision1::model::Operation`).
    for f in generated.files() {
        let path = if f.path() == "mod.rs" { "lib.rs" } else { f.path() };
        tree.insert(Path::new("src").join(path), f.contents().to_string());
    }
    let facts = ModuleFacts {
        features: generated.features(),
        default_features: generated.default_features(),
        methods: generated.stats().methods,
    };
    tree.insert(PathBuf::from("Cargo.toml"), cargo_toml(&facts, manifest));
    tree.insert(PathBuf::from(MARKER), "This directory is written by `cargo xtask gen`.\n".into());
    tree
}

/// What the manifest says of the generated module.
struct ModuleFacts<'a> {
    features: &'a [String],
    default_features: &'a [String],
    methods: usize,
}

/// The crate's `Cargo.toml`.
fn cargo_toml(generated: &ModuleFacts, manifest: &Manifest) -> String {
    let runtime = match manifest.runtime {
        RuntimeDep::Path(path) => format!("{{ path = {} }}", toml_string(path)),
        RuntimeDep::Version(version) => toml_string(version),
    };
    let mut text = format!(
        "# @generated by discogen.\n[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\ndiscogen-runtime = {runtime}\n",
        manifest.crate_name
    );
    if !generated.features.is_empty() {
        let defaults = manifest.default_features.unwrap_or(generated.default_features);
        let quoted = |names: &[String]| names.iter().map(|n| toml_string(n)).collect::<Vec<_>>().join(", ");
        // Feature names are snake-case words or `other-versions`, which TOML
        // takes as bare keys; quoting is for anything else.
        let key = |name: &str| {
            if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                name.to_string()
            } else {
                toml_string(name)
            }
        };
        text.push('\n');
        if !generated.default_features.is_empty() {
            text.push_str("# One feature per top-level resource: its calls and the types they reach.\n");
        }
        if generated.features.iter().any(|f| f == discogen::OTHER_VERSIONS) {
            text.push_str(&format!(
                "# `{0}`: the schemas of other versions of the API that no method here\n\
                 # takes or returns, such as the payloads their operations report. Off\n\
                 # unless asked for: turn it on to decode those payloads.\n",
                discogen::OTHER_VERSIONS
            ));
        }
        text.push_str(&format!("[features]\ndefault = [{}]\n", quoted(defaults)));
        for feature in generated.features {
            text.push_str(&format!("{} = []\n", key(feature)));
        }
    }
    if generated.methods > DOCTEST_METHODS {
        text.push_str(&format!(
            "\n# Each call builder's docs hold a `no_run` example; this API has {} methods,\n\
             # and compiling one doc test per example would make `cargo test` of a\n\
             # workspace that holds this crate much slower. Remove this to test them.\n\
             [lib]\ndoctest = false\n",
            generated.methods
        ));
    }
    if manifest.own_workspace {
        text.push_str("\n# Keep this crate out of any workspace it happens to sit in.\n[workspace]\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_ancestor() {
        let rel = |a: &str, b: &str| path_text(&relative_path(Path::new(a), Path::new(b)));
        assert_eq!(rel("/w/user/api", "/w/discogen/runtime"), "../../discogen/runtime");
        assert_eq!(rel("/w/discogen/target/x", "/w/discogen/runtime"), "../../runtime");
        assert_eq!(rel("/w/ws", "/w/ws/crates/api"), "crates/api");
        assert_eq!(rel("/w", "/w"), ".");
    }

    #[test]
    fn versions_that_could_break_the_manifest_are_refused() {
        assert_eq!(checked_version("0.1").ok().as_deref(), Some("0.1"));
        assert_eq!(checked_version(">=0.1, <0.3").ok().as_deref(), Some(">=0.1, <0.3"));
        for bad in ["", "0.1\"\n[workspace]", "0.1\\", "1\n"] {
            assert!(checked_version(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn default_features_are_all_none_or_names_the_crate_has() {
        let features: Vec<String> = ["instances", "projects", "zones"].map(String::from).to_vec();
        let asked = |list: &[&str]| chosen_defaults(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &features);
        assert_eq!(asked(&["all"]).ok(), Some(features.clone()));
        assert_eq!(asked(&["none"]).ok(), Some(Vec::new()));
        assert_eq!(asked(&["zones", "instances"]).ok(), Some(vec!["zones".to_string(), "instances".to_string()]));
        let Err(message) = asked(&["instances", "disks"]).map_err(|e| e.to_string()) else {
            panic!("an unknown feature was accepted")
        };
        assert!(message.contains("disks") && message.contains("it has: instances, projects, zones"), "{message}");
        let Err(message) = chosen_defaults(&["instances".to_string()], &[]).map_err(|e| e.to_string()) else {
            panic!("a feature of a crate without features was accepted")
        };
        assert!(message.contains("no features") && message.contains("--resource-features"), "{message}");
        assert_eq!(chosen_defaults(&["all".to_string()], &[]).ok(), Some(Vec::new()));
    }

    #[test]
    fn the_manifest_lists_the_features_and_the_default_set() {
        let (mut features, mut default_features) =
            (vec!["instances".to_string(), "type".to_string()], vec!["instances".to_string(), "type".to_string()]);
        let runtime = RuntimeDep::Version("0.1".into());
        let defaults = vec!["type".to_string()];
        let manifest =
            Manifest { crate_name: "api", runtime: &runtime, own_workspace: false, default_features: Some(&defaults) };
        let text = |features: &[String], default_features: &[String], m: &Manifest| {
            cargo_toml(&ModuleFacts { features, default_features, methods: 1 }, m)
        };
        let with = text(&features, &default_features, &manifest);
        assert!(with.ends_with("[features]\ndefault = [\"type\"]\ninstances = []\ntype = []\n"), "{with}");
        features = vec!["instances".into(), discogen::OTHER_VERSIONS.into()];
        default_features = vec!["instances".into()];
        let unchosen = Manifest { default_features: None, ..manifest };
        let with = text(&features, &default_features, &unchosen);
        assert!(
            with.ends_with("[features]\ndefault = [\"instances\"]\ninstances = []\nother-versions = []\n"),
            "other-versions is declared and off by default: {with}"
        );
        features.clear();
        default_features.clear();
        assert!(!text(&features, &default_features, &unchosen).contains("[features]"), "no table without features");
    }

    #[test]
    fn toml_strings_escape_quotes_backslashes_and_controls() {
        assert_eq!(toml_string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(toml_string("x\ny"), r#""x\u000Ay""#);
    }
}
