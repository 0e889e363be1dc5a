//! Turning generator results into files, and writing them so that a failure
//! never leaves a half-written tree behind.

use anyhow::anyhow;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Files to write, by path relative to the tree's root.
pub type Tree = BTreeMap<PathBuf, String>;

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// Generates one document, naming the file in any error. A
/// `NAME.enum-names.toml` beside `NAME.json` names its shared enums.
pub fn generate(path: &Path, options: &discogen::Options) -> anyhow::Result<discogen::Output> {
    let source = fs::read_to_string(path).map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
    let mut options = options.clone();
    let overrides = path.with_extension("enum-names.toml");
    if overrides.is_file() {
        options = options.enum_names(enum_names(&overrides)?);
    }
    let output = discogen::generate(&source, &options).map_err(|e| {
        let in_overrides =
            matches!(e.location(), Some(discogen::Location::Path(p)) if p.starts_with("enum name overrides."));
        let file = if in_overrides { &overrides } else { path };
        anyhow!("{}:{}", file.display(), located(&e))
    })?;
    for w in output.warnings() {
        eprintln!("warning: {}: {w}", path.display());
    }
    Ok(output)
}

/// The override table: `FieldTypeName = "EnumName"` lines.
fn enum_names(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text = fs::read_to_string(path).map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| anyhow!("{}: {}", path.display(), e.to_string().trim_end()))
}

fn located(e: &discogen::Error) -> String {
    match e.location() {
        Some(discogen::Location::LineColumn { .. }) => e.to_string(),
        _ => format!(" {e}"),
    }
}

/// Adds a module's files under `dir/module/`.
pub fn add_module(tree: &mut Tree, dir: &Path, output: &discogen::Output) {
    for f in output.files() {
        tree.insert(dir.join(output.module_name()).join(f.path()), f.contents().to_string());
    }
}

/// Replaces directory `target` by exactly the files of `tree`.
///
/// Everything is written into a fresh sibling directory first; only when
/// that succeeded are the old and new directories swapped by rename. A
/// failure before the swap removes the partial copy and leaves `target`
/// untouched.
pub fn replace_dir(target: &Path, tree: &Tree) -> anyhow::Result<()> {
    let parent = target.parent().ok_or_else(|| anyhow!("{} has no parent directory", target.display()))?;
    fs::create_dir_all(parent)?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.old-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    if let Err(e) = write_tree(&staging, tree) {
        let _ = fs::remove_dir_all(&staging);
        return Err(anyhow!("writing {}: {e}", staging.display()));
    }
    if target.exists() {
        fs::rename(target, &retired).map_err(|e| anyhow!("moving {} aside: {e}", target.display()))?;
    }
    if let Err(e) = fs::rename(&staging, target) {
        // Put the previous output back before reporting.
        let _ = fs::rename(&retired, target);
        let _ = fs::remove_dir_all(&staging);
        return Err(anyhow!("moving new output into {}: {e}", target.display()));
    }
    let _ = fs::remove_dir_all(&retired);
    Ok(())
}

/// Replaces file `target` by `contents`: written beside it under a temporary
/// name, then renamed over it, so that a reader sees the old file or the new
/// one, never a part of either.
#[cfg(feature = "fetch")]
pub fn replace_file(target: &Path, contents: &[u8]) -> anyhow::Result<()> {
    let parent = target.parent().ok_or_else(|| anyhow!("{} has no parent directory", target.display()))?;
    fs::create_dir_all(parent).map_err(|e| anyhow!("creating {}: {e}", parent.display()))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let written = fault_injection("before-write").and_then(|()| fs::write(&staging, contents));
    if let Err(e) = written.and_then(|()| fs::rename(&staging, target)) {
        let _ = fs::remove_file(&staging);
        return Err(anyhow!("writing {}: {e}", target.display()));
    }
    Ok(())
}

fn write_tree(root: &Path, tree: &Tree) -> std::io::Result<()> {
    fault_injection("before-write")?;
    for (rel, contents) in tree {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(&path, contents)?;
        fault_injection("mid-write")?;
    }
    Ok(())
}

/// Tests set `DISCOGEN_FAIL_AT` to make a write fail on purpose, to prove that
/// the previous output survives an interrupted run.
fn fault_injection(point: &str) -> std::io::Result<()> {
    match std::env::var("DISCOGEN_FAIL_AT") {
        Ok(p) if p == point => Err(std::io::Error::other(format!("injected failure at {point}"))),
        _ => Ok(()),
    }
}

/// Reads every file below `dir` into a tree (relative paths).
pub fn read_tree(dir: &Path) -> Tree {
    let mut tree = Tree::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let (Ok(rel), Ok(text)) = (path.strip_prefix(dir), fs::read_to_string(&path)) {
                tree.insert(rel.to_path_buf(), text);
            }
        }
    }
    tree
}

/// The `*.json` files of a directory, sorted by name.
pub fn json_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| anyhow!("{}: cannot read directory: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}
