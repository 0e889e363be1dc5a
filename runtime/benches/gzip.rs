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

/// A page of `count` instances shaped like compute v1's `Instance`, every
/// one with its own name, id, addresses and timestamps.
fn instance_list(count: usize) -> Vec<u8> {
    let mut out = String::with_capacity(count * 1600);
    out.push_str(r#"{"kind":"compute#instanceList","id":"projects/p1/zones/us-central1-a/instances","items":["#);
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let zone = ["us-central1-a", "us-central1-b", "europe-west1-c"][i % 3];
        let base = "https://www.googleapis.com/compute/v1/projects/p1";
        out.push_str(&format!(
            concat!(
                r#"{{"kind":"compute#instance","id":"{id}","creationTimestamp":"2026-{m:02}-{d:02}T{h:02}:{mi:02}:07.123-07:00","#,
                r#""name":"worker-{i}","description":"","tags":{{"items":["http-server","pool-{p}"],"fingerprint":"{fp}"}},"#,
                r#""machineType":"{base}/zones/{zone}/machineTypes/e2-standard-{cpus}","status":"RUNNING","zone":"{base}/zones/{zone}","#,
                r#""canIpForward":false,"networkInterfaces":[{{"kind":"compute#networkInterface","network":"{base}/global/networks/default","#,
                r#""subnetwork":"{base}/regions/us-central1/subnetworks/default","networkIP":"10.{a}.{b}.{c}","name":"nic0","#,
                r#""accessConfigs":[{{"kind":"compute#accessConfig","type":"ONE_TO_ONE_NAT","name":"External NAT","natIP":"34.{b}.{c}.{a}","networkTier":"PREMIUM"}}],"#,
                r#""fingerprint":"{fp2}","stackType":"IPV4_ONLY"}}],"disks":[{{"kind":"compute#attachedDisk","type":"PERSISTENT","mode":"READ_WRITE","#,
                r#""source":"{base}/zones/{zone}/disks/worker-{i}","deviceName":"persistent-disk-0","index":0,"boot":true,"autoDelete":true,"#,
                r#""licenses":["https://www.googleapis.com/compute/v1/projects/debian-cloud/global/licenses/debian-12-bookworm"],"#,
                r#""interface":"SCSI","guestOsFeatures":[{{"type":"UEFI_COMPATIBLE"}},{{"type":"VIRTIO_SCSI_MULTIQUEUE"}},{{"type":"GVNIC"}}],"#,
                r#""diskSizeGb":"{gb}","architecture":"X86_64"}}],"metadata":{{"kind":"compute#metadata","fingerprint":"{fp3}","#,
                r##""items":[{{"key":"startup-script","value":"#!/bin/bash\necho worker {i} > /etc/motd\n"}}]}},"##,
                r#""serviceAccounts":[{{"email":"{n}-compute@developer.gserviceaccount.com","scopes":["https://www.googleapis.com/auth/devstorage.read_only","https://www.googleapis.com/auth/logging.write","https://www.googleapis.com/auth/monitoring.write"]}}],"#,
                r#""selfLink":"{base}/zones/{zone}/instances/worker-{i}","scheduling":{{"onHostMaintenance":"MIGRATE","automaticRestart":true,"preemptible":false,"provisioningModel":"STANDARD"}},"#,
                r#""cpuPlatform":"Intel Broadwell","labels":{{"team":"t{p}","env":"prod"}},"labelFingerprint":"{fp4}","startRestricted":false,"deletionProtection":false,"#,
                r#""shieldedInstanceConfig":{{"enableSecureBoot":false,"enableVtpm":true,"enableIntegrityMonitoring":true}},"fingerprint":"{fp5}","lastStartTimestamp":"2026-{m:02}-{d:02}T{h:02}:{mi:02}:21.456-07:00"}}"#
            ),
            id = 4_000_000_000_000_000_000u64 + (i as u64) * 7919,
            m = 1 + i % 12,
            d = 1 + i % 28,
            h = i % 24,
            mi = i % 60,
            i = i,
            p = i % 17,
            fp = fingerprint(i, 1),
            fp2 = fingerprint(i, 2),
            fp3 = fingerprint(i, 3),
            fp4 = fingerprint(i, 4),
            fp5 = fingerprint(i, 5),
            base = base,
            zone = zone,
            cpus = [2, 4, 8, 16][i % 4],
            a = i % 256,
            b = (i / 256) % 256,
            c = (i * 7) % 256,
            gb = [10, 20, 50, 100][i % 4],
            n = 100_000_000_000u64 + (i as u64 % 5),
        ));
    }
    out.push_str(r#"],"selfLink":"https://www.googleapis.com/compute/v1/projects/p1/zones/us-central1-a/instances"}"#);
    out.into_bytes()
}

/// An 11-character base64-like fingerprint that differs for every input.
fn fingerprint(i: usize, salt: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03);
    (0..11)
        .map(|_| {
            x ^= x >> 29;
            x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            ALPHABET[(x >> 58) as usize] as char
        })
        .chain("=".chars())
        .collect()
}
