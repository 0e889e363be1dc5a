use google_vision1::{hyper_rustls, hyper_util, Vision};

#[tokio::main]
async fn main() {
    let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default();
    let connector = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(builder) => builder.https_only().enable_http2().build(),
        Err(e) => return eprintln!("error: {e}"),
    };
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
    let hub = Vision::new(client, token);
    match hub.projects().operations_get("projects/p1/operations/o1").doit().await {
        Ok((_response, operation)) => println!("{operation:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
