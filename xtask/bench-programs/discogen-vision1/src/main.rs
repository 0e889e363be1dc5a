#[tokio::main]
async fn main() {
    let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default();
    let client = match api::Client::builder().bearer_token(token).build() {
        Ok(client) => client,
        Err(e) => return eprintln!("error: {e}"),
    };
    match client.projects().operations().get("projects/p1/operations/o1").send().await {
        Ok(operation) => println!("{operation:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
