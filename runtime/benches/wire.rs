//! The wire layer on a large response and on one request: decoding and
//! encoding a compute-like `InstanceList` of 2,000 instances (about 3 MB of
//! JSON) into structs written the way the generator writes them (the
//! runtime's `object!`, unknown members kept in `__extra`), and building one
//! request with a path and query parameters.
//!
//! `cargo bench -p discogen-runtime --bench wire`

mod common;

use discogen_runtime::http::Method;
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::serde_json::{self, Value};
use discogen_runtime::wire::U64;
use discogen_runtime::{Client, ClientBuilder, Service};
use std::collections::BTreeMap;

fn main() {
    divan::main();
}

/// A few of compute's `Instance` fields; the rest land in `__extra`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Instance {
    pub id: Option<u64>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub zone: Option<String>,
    pub machine_type: Option<String>,
    pub labels: Option<BTreeMap<String, String>>,
    pub tags: Option<Tags>,
    #[doc(hidden)]
    pub __extra: BTreeMap<String, Value>,
}

discogen_runtime::object! {
    Instance("Instance") {
        "id" => id as U64,
        "name" => name,
        "status" => status,
        "zone" => zone,
        "machineType" => machine_type,
        "labels" => labels,
        "tags" => tags,
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tags {
    pub items: Option<Vec<String>>,
    pub fingerprint: Option<String>,
    #[doc(hidden)]
    pub __extra: BTreeMap<String, Value>,
}

discogen_runtime::object! {
    Tags("Tags") {
        "items" => items,
        "fingerprint" => fingerprint,
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceList {
    pub items: Option<Vec<Instance>>,
    pub next_page_token: Option<String>,
    #[doc(hidden)]
    pub __extra: BTreeMap<String, Value>,
}

discogen_runtime::object! {
    InstanceList("InstanceList") {
        "items" => items,
        "nextPageToken" => next_page_token,
    }
}

const INSTANCES: usize = 2_000;

#[divan::bench(sample_count = 20)]
fn decode_instance_list(bencher: divan::Bencher) {
    let json = common::instance_list(INSTANCES);
    bencher.bench_local(|| serde_json::from_slice::<InstanceList>(&json).expect("decodes"));
}

#[divan::bench(sample_count = 20)]
fn encode_instance_list(bencher: divan::Bencher) {
    let list: InstanceList = serde_json::from_slice(&common::instance_list(INSTANCES)).expect("decodes");
    assert_eq!(list.items.as_ref().map(Vec::len), Some(INSTANCES));
    bencher.bench_local(|| serde_json::to_vec(&list).expect("encodes"));
}

struct Bench(Client);

impl Service for Bench {
    const ROOT_URL: &'static str = "https://compute.example.com/";
    const SERVICE_PATH: &'static str = "compute/v1/";
    fn from_client(client: Client) -> Self {
        Bench(client)
    }
}

#[divan::bench]
fn build_request(bencher: divan::Bencher) {
    let client = ClientBuilder::<Bench>::new().build().expect("client").0;
    bencher.bench_local(|| {
        let mut request =
            RequestBuilder::new(&client, Method::GET, "projects/my-project/zones/us-central1-a/instances");
        request.set_query("filter", "status = RUNNING AND labels.env = prod");
        request.set_query("maxResults", "500");
        request.set_query("pageToken", "Cg9wcm9qZWN0cy9wMS9pbnN0YW5jZXM");
        request.build().expect("builds")
    });
}
