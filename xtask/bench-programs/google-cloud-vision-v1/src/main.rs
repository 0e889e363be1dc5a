use google_cloud_vision_v1::client::ImageAnnotator;

#[tokio::main]
async fn main() {
    let client = match ImageAnnotator::builder().build().await {
        Ok(client) => client,
        Err(e) => return eprintln!("error: {e}"),
    };
    match client.get_operation().set_name("projects/p1/operations/o1").send().await {
        Ok(operation) => println!("{operation:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
