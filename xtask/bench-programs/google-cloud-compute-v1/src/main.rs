use google_cloud_compute_v1::client::Instances;

#[tokio::main]
async fn main() {
    let client = match Instances::builder().build().await {
        Ok(client) => client,
        Err(e) => return eprintln!("error: {e}"),
    };
    match client.get().set_project("p1").set_zone("us-central1-a").set_instance("vm1").send().await {
        Ok(instance) => println!("{instance:?}"),
        Err(e) => eprintln!("error: {e}"),
    }
}
