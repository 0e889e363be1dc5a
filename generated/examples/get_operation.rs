//! Fetches one long-running operation and prints it as pretty JSON.
//!
//! ```text
//! get_operation --api workspaceevents|vision --name NAME [--endpoint URL]
//! ```
//!
//! The access token comes from `GOOGLE_OAUTH_ACCESS_TOKEN` when it is set;
//! built with the `adc` feature, from Application Default Credentials
//! otherwise.
//! With `--api vision`, the shape of NAME picks which of the four Vision
//! `operations.get` paths is called; a NAME that fits none is refused before
//! any request. Exit codes: 0 success, 1 failure, 64 usage error.

#[path = "common/mod.rs"]
mod common;

use common::Api;
use std::process::ExitCode;

const USAGE: &str = "usage: get_operation --api workspaceevents|vision --name NAME [--endpoint URL]";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let flags = match common::parse_flags(USAGE, &["api", "name", "endpoint"]) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        }
    };
    let Some(name) = flags.get("name").cloned() else {
        eprintln!("--name is required\n{USAGE}");
        return ExitCode::from(64);
    };
    let credentials = match common::credentials().await {
        Ok(credentials) => credentials,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(1);
        }
    };
    let api = match common::client(&flags, USAGE, credentials) {
        Ok(api) => api,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(64);
        }
    };
    let json = match api {
        Api::WorkspaceEvents(c) => c.get_operation(&name).await.map(|op| serde_json::to_string_pretty(&op)),
        Api::Vision(c) => c.get_operation(&name).await.map(|op| serde_json::to_string_pretty(&op)),
    };
    match json {
        Ok(Ok(text)) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => {
            eprintln!("error: cannot print the operation: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {}", common::one_line(&e));
            ExitCode::from(1)
        }
    }
}
