//! Polls a long-running operation until it is done, printing one progress
//! line per poll on stderr and the final operation as JSON on stdout.
//!
//! ```text
//! wait_operation --api workspaceevents|vision --name NAME [--endpoint URL] [--timeout SECS] [--initial-delay MS]
//! ```
//!
//! Exit codes: 0 the operation succeeded, 2 it finished with an error (the
//! Status is printed), 3 the deadline ran out, 1 any other failure, 64 a
//! usage error.

#[path = "common/mod.rs"]
mod common;

use common::Api;
use discogen_runtime::lro::{LongRunningOperation, PollPolicy};
use discogen_runtime::ErrorKind;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: wait_operation --api workspaceevents|vision --name NAME [--endpoint URL] [--timeout SECS] [--initial-delay MS]";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(64)
        }
    }
}

fn number(flags: &std::collections::HashMap<String, String>, name: &str) -> Result<Option<u64>, String> {
    flags
        .get(name)
        .map(|v| v.parse::<u64>().map_err(|_| format!("--{name} takes a whole number, not `{v}`\n{USAGE}")))
        .transpose()
}

async fn run() -> Result<ExitCode, String> {
    let flags = common::parse_flags(USAGE, &["api", "name", "endpoint", "timeout", "initial-delay"])?;
    let name = flags.get("name").cloned().ok_or_else(|| format!("--name is required\n{USAGE}"))?;
    let mut policy = PollPolicy::default();
    if let Some(secs) = number(&flags, "timeout")? {
        policy = policy.deadline(Duration::from_secs(secs));
    }
    if let Some(ms) = number(&flags, "initial-delay")? {
        policy = policy.initial_delay(Duration::from_millis(ms));
    }
    let api = common::client(&flags, USAGE, common::credentials().await?)?;
    Ok(match api {
        Api::WorkspaceEvents(c) => match c.operation_poller(&name) {
            Ok(p) => finish(p.policy(policy).on_progress(progress).wait().await, |op| {
                op.error.as_ref().map(serde_json::to_string)
            }),
            Err(e) => fail(&e),
        },
        Api::Vision(c) => match c.operation_poller(&name) {
            Ok(p) => finish(p.policy(policy).on_progress(progress).wait().await, |op| {
                op.error.as_ref().map(serde_json::to_string)
            }),
            Err(e) => fail(&e),
        },
    })
}

fn progress<Op: LongRunningOperation>(op: &Op) {
    let state = if op.is_done() { "done" } else { "pending" };
    eprintln!("poll: {} is {state}", op.operation_name().unwrap_or("(unnamed operation)"));
}

fn finish<Op: LongRunningOperation + discogen_runtime::serde::Serialize>(
    result: discogen_runtime::Result<Op>,
    error_json: impl Fn(&Op) -> Option<serde_json::Result<String>>,
) -> ExitCode {
    match result {
        Ok(op) => {
            match serde_json::to_string_pretty(&op) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("error: cannot print the operation: {e}");
                    return ExitCode::from(1);
                }
            }
            match error_json(&op) {
                Some(status) => {
                    eprintln!("operation failed: {}", status.unwrap_or_else(|e| e.to_string()));
                    ExitCode::from(2)
                }
                None => ExitCode::SUCCESS,
            }
        }
        Err(e) if e.kind() == ErrorKind::Deadline => {
            eprintln!("timeout: {}", common::one_line(&e));
            ExitCode::from(3)
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &discogen_runtime::Error) -> ExitCode {
    eprintln!("error: {}", common::one_line(e));
    ExitCode::from(1)
}
