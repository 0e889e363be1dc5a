//! Pieces shared by the runtime's loopback tests: a minimal service to
//! build clients for, a GET request builder, the smallest operation the
//! poller accepts, and the lock of the process's environment.

// Without the `adc` feature the credential tests that use some of it are
// not compiled.
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

/// Held by every test that sets or removes environment variables (the
/// external-account sources read `AWS_*` and
/// `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES`): the tests share one
/// process, and one test's variables must not leak into another's case.
pub static ENV_VARS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Everything an error can show a user or a log: `Display`, both `Debug`
/// forms, the message, the body excerpt, the status (and as JSON), and
/// each cause in its turn. The secrets tests check each of these.
pub fn error_texts(error: &discogen_runtime::Error) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}"), format!("{error:#?}"), error.message().to_string()];
    texts.push(error.body_excerpt().unwrap_or_default().to_string());
    if let Some(status) = error.status() {
        texts.push(format!("{status:?}"));
        texts.push(format!("{status:#?}"));
    }
    if let Some(object) = error.status_as::<serde_json::Value>() {
        texts.push(object.to_string());
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        texts.extend([cause.to_string(), format!("{cause:?}"), format!("{cause:#?}")]);
        source = cause.source();
    }
    texts
}
