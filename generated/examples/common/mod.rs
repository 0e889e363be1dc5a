// Shared by the examples: argument parsing and client construction.
// (Included with `#[path]`, so it is not an example of its own.)

use discogen_apis::runtime::auth::Credentials;
use discogen_apis::{vision_v1, workspaceevents_v1beta};
use std::collections::HashMap;

/// Which API the example talks to.
pub enum Api {
    WorkspaceEvents(workspaceevents_v1beta::Client),
    Vision(vision_v1::Client),
}

/// Parses `--flag value` pairs; anything else is a usage error.
pub fn parse_flags(usage: &str, known: &[&str]) -> Result<HashMap<String, String>, String> {
    let mut flags = HashMap::new();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(usage.to_string());
        }
        let Some(name) = flag.strip_prefix("--").filter(|n| known.contains(n)) else {
            return Err(format!("unknown argument `{flag}`\n{usage}"));
        };
        let value = args.next().ok_or_else(|| format!("`{flag}` needs a value\n{usage}"))?;
        flags.insert(name.to_string(), value);
    }
    Ok(flags)
}

/// Builds the client for `--api`, with `credentials` and `--endpoint` as
/// root URL.
pub fn client(flags: &HashMap<String, String>, usage: &str, credentials: Credentials) -> Result<Api, String> {
    let endpoint = flags.get("endpoint");
    macro_rules! build {
        ($client:ty) => {{
            let mut builder = <$client>::builder().credentials(credentials);
            if let Some(url) = endpoint {
                builder = builder.root_url(url.clone());
            }
            builder.build().map_err(|e| e.to_string())?
        }};
    }
    match flags.get("api").map(String::as_str) {
        Some("workspaceevents") => Ok(Api::WorkspaceEvents(build!(workspaceevents_v1beta::Client))),
        Some("vision") => Ok(Api::Vision(build!(vision_v1::Client))),
        Some(other) => Err(format!("unknown API `{other}` (expected workspaceevents or vision)\n{usage}")),
        None => Err(format!("--api is required\n{usage}")),
    }
}

/// The token in `GOOGLE_OAUTH_ACCESS_TOKEN` when it is set. Otherwise, when
/// built with the `adc` feature, Application Default Credentials (a key
/// file named by `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's login, or the
/// metadata server), and without it none.
pub async fn credentials() -> Result<Credentials, String> {
    if let Some(token) = std::env::var("GOOGLE_OAUTH_ACCESS_TOKEN").ok().filter(|t| !t.is_empty()) {
        return Ok(Credentials::bearer(token));
    }
    #[cfg(feature = "adc")]
    {
        let adc = discogen_apis::runtime::auth::ApplicationDefault::new().await.map_err(|e| one_line(&e))?;
        Ok(Credentials::token_provider(adc))
    }
    #[cfg(not(feature = "adc"))]
    Ok(Credentials::none())
}

/// One line for stderr: the runtime's message already includes the decoded
/// Google error (`HTTP 404 Not Found: NOT_FOUND: ...`) where there is one.
pub fn one_line(e: &discogen_apis::runtime::Error) -> String {
    e.to_string().replace('\n', " ")
}
