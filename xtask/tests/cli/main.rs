//! The `cargo xtask` command line, run as a user runs it: broken documents
//! and interrupted writes (`documents`), crates that join a workspace or
//! stand alone (`workspace`), a user program that survives a new enum
//! value (`enum_revisions`), the enum name table (`enum_names`), and `fetch` against a loopback Discovery
//! service (`fetch`).

mod corpus;
mod documents;
mod enum_names;
mod enum_revisions;
#[cfg(feature = "fetch")]
mod fetch;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("discogen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

pub fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("xtask runs")
}

pub fn gen(spec: &Path, out: &Path, env: &[(&str, &str)]) -> Output {
    xtask(&["gen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()], env)
}

pub const GOOD: &str = r#"{
  "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "tiny:v1", "name": "tiny", "version": "v1",
  "title": "Tiny", "rootUrl": "https://tiny.example.com/", "servicePath": "", "protocol": "rest",
  "schemas": {"Thing": {"id": "Thing", "type": "object", "properties": {"name": {"type": "string"}}}},
  "resources": {"things": {"methods": {"get": {"id": "tiny.things.get", "path": "v1/{+name}", "httpMethod": "GET",
    "parameters": {"name": {"type": "string", "location": "path", "required": true}}, "parameterOrder": ["name"],
    "response": {"$ref": "Thing"}}}}}
}"#;
