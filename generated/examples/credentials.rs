//! Builds a Vision client from credentials and sends one call: the
//! guide's authentication samples (docs/guide/src/authentication.md).
//!
//! ```text
//! credentials adc|service-account FILE|external-account FILE OPERATION
//! ```
//!
//! Needs the `adc` feature.

use discogen_apis::vision_v1::{self, prelude::*};
use vision_v1::runtime::auth::{ApplicationDefault, ExternalAccount, ServiceAccount};
use vision_v1::runtime::Result;

// ANCHOR: adc
/// GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file, then the metadata server.
async fn from_the_environment() -> Result<vision_v1::Client> {
    let credentials = ApplicationDefault::new().await?;
    vision_v1::Client::builder().token_provider(credentials).build()
}
// ANCHOR_END: adc

// ANCHOR: service_account
/// A service account's JSON key file.
fn from_a_key_file(path: &str) -> Result<vision_v1::Client> {
    let key = ServiceAccount::from_file(path)?;
    vision_v1::Client::builder().token_provider(key).build()
}
// ANCHOR_END: service_account

// ANCHOR: external_account
/// An `external_account` file (workload or workforce identity federation).
fn federated(path: &str) -> Result<vision_v1::Client> {
    let federated = ExternalAccount::from_file(path)?;
    vision_v1::Client::builder().token_provider(federated).build()
}
// ANCHOR_END: external_account

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args.get(1).map(String::as_str).unwrap_or("credentials.json");
    let client = match args.first().map(String::as_str) {
        Some("service-account") => from_a_key_file(file)?,
        Some("external-account") => federated(file)?,
        _ => from_the_environment().await?,
    };
    let name = args.last().cloned().unwrap_or_else(|| "operations/o1".into());
    let op = client.operations().get(name).fields("name,done").send().await?;
    println!("{} done: {}", op.name.unwrap_or_default(), op.done.unwrap_or(false));
    Ok(())
}
