//! Pieces shared by the runtime's loopback test binaries: a minimal
//! service to build clients for, a GET request builder, and the smallest
//! operation the poller accepts.

// Each test binary compiles this module on its own and uses part of it.
#![allow(dead_code)]

use discogen_runtime::http::Method;
use discogen_runtime::lro::LongRunningOperation;
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::{rpc, Client, Service};

/// A service with a root URL that never resolves; tests pass their own.
pub struct Api(pub Client);

impl Service for Api {
    const ROOT_URL: &'static str = "https://example.invalid/";
    const SERVICE_PATH: &'static str = "v1/";
    fn from_client(client: Client) -> Self {
        Api(client)
    }
}

pub fn get(client: &Client, path: &str) -> discogen_runtime::http::Request<Vec<u8>> {
    RequestBuilder::new(client, Method::GET, path).build().expect("valid")
}

/// An operation with only a name and a done flag, which never fails.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Operation {
    pub name: Option<String>,
    pub done: Option<bool>,
}

impl LongRunningOperation for Operation {
    fn is_done(&self) -> bool {
        self.done == Some(true)
    }
    fn operation_name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn error_status(&self) -> Option<rpc::Status> {
        None
    }
}
