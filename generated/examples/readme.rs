//! The README's example: get a Vision operation, then wait for it.
use discogen_apis::vision_v1::{self, prelude::*};
use vision_v1::runtime::lro::{OperationResult, PollPolicy};

#[tokio::main(flavor = "current_thread")]
async fn main() -> vision_v1::runtime::Result<()> {
    let client = vision_v1::Client::builder()
        .bearer_token(std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default())
        .build()?;
    let name = std::env::args().nth(1).unwrap_or_else(|| "projects/p1/operations/o1".into());
    let operations = client.projects().operations();
    // `fields` is a standard parameter: its setter comes with the prelude.
    let op = operations.get(&name).fields("name,done,error").send().await?;
    match op.result() {
        OperationResult::Pending => println!("still running"),
        OperationResult::Succeeded(response) => println!("done: {response:?}"),
        OperationResult::Failed(status) => println!("failed: {} {}", status.code_enum(), status.message),
    }
    // Poll until it is done: backoff, jitter and a 10-minute deadline by default.
    let done = operations.get(&name).wait(PollPolicy::default()).await?;
    println!("finished: {}", done.name.unwrap_or_default());
    Ok(())
}
