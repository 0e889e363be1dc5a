//! A small program written against the generated Vision and Workspace
//! Events crates: it builds two requests with standard parameters (no I/O)
//! and reads the state of a failed operation.

use discogen_apis::vision_v1::{self, model::Operation};
use discogen_apis::workspaceevents_v1beta;
use discogen_runtime::lro::OperationResult;
use discogen_runtime::params::Xgafv;
use discogen_runtime::prelude::*;

fn describe(operation: &Operation) -> String {
    match operation.result() {
        OperationResult::Pending => "still running".to_string(),
        OperationResult::Succeeded(_) => "done".to_string(),
        OperationResult::Failed(status) => {
            format!("failed: {} ({})", status.code_enum(), status.message)
        }
    }
}

fn main() -> discogen_runtime::Result<()> {
    let vision = vision_v1::Client::builder().bearer_token("a-token").build()?;
    let request =
        vision.operations().get("operations/o1").fields("name,done,error").xgafv(Xgafv::V2).build_request()?;
    println!("{} {}", request.method(), request.uri());

    let events = workspaceevents_v1beta::Client::builder().bearer_token("a-token").build()?;
    let request = events.operations().get("operations/o2").quota_user("me").build_request()?;
    println!("{} {}", request.method(), request.uri());

    let failed = r#"{"name": "operations/o1", "done": true, "error": {"code": 5, "message": "the image is gone"}}"#;
    let operation: Operation = serde_json::from_str(failed).expect("an operation");
    println!("{}", describe(&operation));
    Ok(())
}
