//! Lists the files in a person's Google Drive, signed in as that person:
//! consent in a browser the first time, a stored refresh token after that.
//!
//! ```text
//! drive_files --client-secrets FILE [--store FILE] [--endpoint URL]
//! ```
//!
//! FILE is the `client_secret_….json` the Cloud console downloads for a
//! desktop client; the consent URL is printed on stderr. `--store` keeps
//! the refresh token (created 0600) so later runs skip the browser.
//! Drive is not among `specs/`, so the call is built with the runtime's
//! request builder, as a generated `files().list()` would build it.
//! Needs the `adc` feature. Exit codes: 0 success, 1 failure, 64 usage error.

use std::process::ExitCode;

use discogen_apis::runtime::auth::InstalledApp;
use discogen_apis::runtime::http::Method;
use discogen_apis::runtime::request::RequestBuilder;
use discogen_apis::runtime::{Client, ClientBuilder, Service};
use serde_json::Value;

const USAGE: &str = "usage: drive_files --client-secrets FILE [--store FILE] [--endpoint URL]";
const SCOPES: &[&str] = &["https://www.googleapis.com/auth/drive.metadata.readonly"];

struct Drive(Client);

impl Service for Drive {
    const ROOT_URL: &'static str = "https://www.googleapis.com/";
    const SERVICE_PATH: &'static str = "drive/v3/";
    fn from_client(client: Client) -> Self {
        Drive(client)
    }
}

struct Flags {
    client_secrets: String,
    store: Option<String>,
    endpoint: Option<String>,
}

fn flags() -> Result<Flags, String> {
    let (mut client_secrets, mut store, mut endpoint) = (None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--client-secrets" => &mut client_secrets,
            "--store" => &mut store,
            "--endpoint" => &mut endpoint,
            _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
        };
        *slot = Some(args.next().ok_or_else(|| format!("`{flag}` needs a value\n{USAGE}"))?);
    }
    let client_secrets = client_secrets.ok_or_else(|| format!("--client-secrets is required\n{USAGE}"))?;
    Ok(Flags { client_secrets, store, endpoint })
}

/// Every file, page by page: id, MIME type and name, tab-separated.
async fn list(flags: &Flags) -> discogen_apis::runtime::Result<()> {
    // ANCHOR: installed_app
    let mut app = InstalledApp::from_client_secrets_file(&flags.client_secrets)?;
    if let Some(store) = &flags.store {
        app = app.token_store(store);
    }
    let mut builder = ClientBuilder::<Drive>::new().token_provider(app);
    if let Some(endpoint) = &flags.endpoint {
        builder = builder.root_url(endpoint.clone());
    }
    let Drive(drive) = builder.build()?;
    let mut page_token: Option<String> = None;
    loop {
        let mut request = RequestBuilder::new(&drive, Method::GET, "files");
        request.set_query("fields", "nextPageToken,files(id,name,mimeType)");
        request.set_query("pageSize", "100");
        if let Some(token) = &page_token {
            request.set_query("pageToken", token);
        }
        let page: Value = drive.execute_json(request.build()?, SCOPES).await?;
        for file in page["files"].as_array().into_iter().flatten() {
            let field = |name: &str| file[name].as_str().unwrap_or("").to_owned();
            println!("{}\t{}\t{}", field("id"), field("mimeType"), field("name"));
        }
        match page["nextPageToken"].as_str() {
            Some(token) if !token.is_empty() => page_token = Some(token.to_owned()),
            _ => return Ok(()),
        }
    }
    // ANCHOR_END: installed_app
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let flags = match flags() {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(64);
        }
    };
    match list(&flags).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
