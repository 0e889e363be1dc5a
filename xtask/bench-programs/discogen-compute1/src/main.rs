#[tokio::main]
async fn main() {
    let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default();
    let client = match api::Client::builder().bearer_token(token).build() {
        Ok(client) => client,
        Err(e) => return eprintln!("error: {e}"),
    };
    match client.instances().get("p1", "us-central1-a", "vm1").send().await {
        Ok(instance) => println!("{instance:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
