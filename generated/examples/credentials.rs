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

async fn client(args: &[String]) -> vision_v1::runtime::Result<vision_v1::Client> {
    let file = || args.get(1).map(String::as_str).unwrap_or("credentials.json");
    Ok(match args.first().map(String::as_str) {
        Some("service-account") => {
            // ANCHOR: service_account
            let key = ServiceAccount::from_file(file())?; // a JSON key file
            vision_v1::Client::builder().token_provider(key).build()?
            // ANCHOR_END: service_account
        }
        Some("external-account") => {
            // ANCHOR: external_account
            let federated = ExternalAccount::from_file(file())?;
            vision_v1::Client::builder().token_provider(federated).build()?
            // ANCHOR_END: external_account
        }
        _ => {
            // ANCHOR: adc
            // GOOGLE_APPLICATION_CREDENTIALS, then gcloud's file, then the metadata server.
            let credentials = ApplicationDefault::new().await?;
            vision_v1::Client::builder().token_provider(credentials).build()?
            // ANCHOR_END: adc
        }
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> vision_v1::runtime::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let client = client(&args).await?;
    let name = args.last().cloned().unwrap_or_else(|| "operations/o1".into());
    let op = client.operations().get(name).fields("name,done").send().await?;
    println!("{} done: {}", op.name.unwrap_or_default(), op.done.unwrap_or(false));
    Ok(())
}
