//! Records the compiler's version for the `x-goog-api-client` header, which
//! tells Google which language runtime sent a request. Cargo sets no
//! variable with it, and the version the crate declares (`rust-version`)
//! is a minimum, not the compiler in use.

use std::process::Command;

fn main() {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    // `rustc 1.95.0 (abcdef 2026-01-01)` → `1.95.0`; a wrapper that prints
    // something else gives "unknown" rather than a broken header.
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.split_whitespace().nth(1).map(str::to_owned))
        .filter(|v| v.bytes().all(|b| b.is_ascii_alphanumeric() || b".-_".contains(&b)))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=DISCOGEN_RUSTC_VERSION={version}");
    println!("cargo:rerun-if-changed=build.rs");
}
