//! gzip on the wire: one compute-like `InstanceList` of 20,000 instances
//! (about 30 MB of JSON) fetched through the client from a loopback server,
//! as sent (identity) and compressed (gzip), with the bytes each puts on
//! the wire. Loopback has no bandwidth limit, so this measures what gzip
//! costs the client's CPU; on a real network the 10-20x fewer bytes are
//! what counts.
//!
//! `cargo bench -p discogen-runtime --bench gzip`

use std::io::Write as _;
use std::sync::Arc;

mod common;

use common::instance_list;
use discogen_runtime::http::Method;
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::{Client, ClientBuilder, Service};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

fn main() {
    let list = instance_list(20_000);
    let packed = gzip(&list);
    println!(
        "InstanceList of 20,000 instances: {} bytes as JSON, {} bytes gzip ({:.1}x smaller)",
        list.len(),
        packed.len(),
        list.len() as f64 / packed.len() as f64
    );
    divan::main();
}

struct Bench(Client);

impl Service for Bench {
    const ROOT_URL: &'static str = "http://127.0.0.1/";
    const SERVICE_PATH: &'static str = "";
    fn from_client(client: Client) -> Self {
        Bench(client)
    }
}

#[divan::bench(args = ["identity", "gzip"], sample_count = 20)]
fn fetch_instance_list(bencher: divan::Bencher, encoding: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let list = instance_list(20_000);
    let body = if encoding == "gzip" { gzip(&list) } else { list.clone() };
    let (root, client) = runtime.block_on(async {
        let root = serve(Arc::new(body), encoding == "gzip").await;
        let client =
            ClientBuilder::<Bench>::new().root_url(&root).max_response_bytes(64 << 20).build().expect("client").0;
        (root, client)
    });
    let _ = root;
    bencher.bench_local(|| {
        runtime.block_on(async {
            let request = RequestBuilder::new(&client, Method::GET, "instances").build().expect("request");
            let response = client.execute(request, &[]).await.expect("response");
            assert_eq!(response.body().len(), list.len());
        })
    });
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("compress");
    encoder.finish().expect("compress")
}

/// Answers every request on its own connection with `body`, marked gzip
/// when `compressed`.
async fn serve(body: Arc<Vec<u8>>, compressed: bool) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let root = format!("http://{}/", listener.local_addr().expect("address"));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let body = Arc::clone(&body);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let encoding = if compressed { "content-encoding: gzip\r\n" } else { "" };
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{encoding}content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    root
}
