use google_compute1::{hyper_rustls, hyper_util, Compute};

#[tokio::main]
async fn main() {
    let token = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").unwrap_or_default();
    let connector = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(builder) => builder.https_only().enable_http2().build(),
        Err(e) => return eprintln!("error: {e}"),
    };
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
    let hub = Compute::new(client, token);
    match hub.instances().get("p1", "us-central1-a", "vm1").doit().await {
        Ok((_response, instance)) => println!("{instance:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
