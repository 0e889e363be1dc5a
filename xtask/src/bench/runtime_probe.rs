// Scratch program written by `cargo xtask bench` (from
// xtask/src/bench/runtime_probe.rs) and run in release mode. It prints one
// `RESULT` line per measurement for xtask to read back.

use discogen_apis::vision_v1;
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A finished Vision operation whose response carries label and text
/// annotations, grown until the JSON is at least 10 000 bytes.
fn sample_operation() -> String {
    let mut labels = Vec::new();
    let mut texts = Vec::new();
    let mut i = 0;
    loop {
        let op = json!({
            "name": "projects/my-project/locations/eu/operations/7d9d2f3c4e5a6b7c",
            "done": true,
            "metadata": {
                "@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata",
                "state": "DONE",
                "createTime": "2025-11-22T10:42:00.123456Z",
                "updateTime": "2025-11-22T10:42:03.654321Z"
            },
            "response": {
                "@type": "type.googleapis.com/google.cloud.vision.v1.BatchAnnotateImagesResponse",
                "responses": [{
                    "labelAnnotations": labels,
                    "textAnnotations": texts
                }]
            }
        });
        let text = op.to_string();
        if text.len() >= 10_000 {
            return text;
        }
        labels.push(json!({
            "mid": format!("/m/0{i:05x}"),
            "description": format!("label number {i}"),
            "score": 0.98 - i as f64 * 0.004,
            "topicality": 0.97 - i as f64 * 0.004
        }));
        texts.push(json!({
            "locale": "en",
            "description": format!("word{i}"),
            "boundingPoly": { "vertices": [
                { "x": i * 10, "y": 20 }, { "x": i * 10 + 40, "y": 20 },
                { "x": i * 10 + 40, "y": 36 }, { "x": i * 10, "y": 36 }
            ]}
        }));
        i += 1;
    }
}

/// Times `f` in batches sized to take about 5 ms each, and prints the
/// nanoseconds per call: median, p10, p90, min, max, then the call count.
fn measure<R>(name: &str, samples: usize, mut f: impl FnMut() -> R) {
    let mut batch: u64 = 1;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            black_box(f());
        }
        if start.elapsed() >= Duration::from_millis(5) || batch >= 1 << 30 {
            break;
        }
        batch *= 2;
    }
    let mut per_call: Vec<f64> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / batch as f64
        })
        .collect();
    per_call.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| per_call[((per_call.len() - 1) as f64 * p).round() as usize];
    println!(
        "RESULT\t{name}\t{:.1}\t{:.1}\t{:.1}\t{:.1}\t{:.1}\t{}",
        q(0.5),
        q(0.1),
        q(0.9),
        per_call[0],
        per_call[per_call.len() - 1],
        batch * samples as u64
    );
}

fn main() {
    let samples: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(51);
    let body = sample_operation();
    println!("INFO\tbytes\t{}", body.len());
    let bytes = body.as_bytes();

    // Both decodes must succeed and agree before anything is timed.
    let typed: vision_v1::Operation = serde_json::from_slice(bytes).expect("decode Operation");
    let value: Value = serde_json::from_slice(bytes).expect("decode Value");
    assert_eq!(serde_json::to_value(&typed).expect("encode"), value, "the typed round trip lost data");

    measure("decode_operation", samples, || serde_json::from_slice::<vision_v1::Operation>(black_box(bytes)).unwrap());
    measure("decode_value", samples, || serde_json::from_slice::<Value>(black_box(bytes)).unwrap());

    let client = vision_v1::Client::builder().bearer_token("token").build().expect("client");
    let call = client.projects().operations().get("projects/my-project/operations/7d9d2f3c4e5a6b7c");
    measure("build_request", samples, || call.build_request().unwrap());
    measure("call_and_build_request", samples, || {
        client.projects().operations().get(black_box("projects/my-project/operations/7d9d2f3c4e5a6b7c")).build_request().unwrap()
    });
}
