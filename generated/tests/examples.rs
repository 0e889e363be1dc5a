//! Runs the example programs the way a new user would, against a loopback
//! server (wiremock), and checks their output, exit codes and the requests
//! they sent.
//!
//! `cargo test` builds the examples before it runs the tests, into
//! `<target>/<profile>/examples/`, next to the `deps/` folder that holds this
//! test binary. When they are not there (for example under
//! `cargo test --test examples`, which builds no examples) each test fails
//! and says how to build them: a test never passes without running.
//!
//! The server answers from its own thread; the child process is awaited on
//! tokio's blocking pool so the test's runtime stays free.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const TOKEN: &str = "tok";

/// Where cargo put the example `name`. A missing binary fails the test.
fn example(name: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    // <target>/<profile>/deps/<this test> → <target>/<profile>/examples/<name>
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).ok_or("the test binary has no profile directory")?;
    let path = profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "example binary {} is not built; run `cargo test -p discogen-apis`, which builds the examples first",
            path.display()
        )
        .into())
    }
}

/// What a finished example printed and how it exited.
#[derive(Debug)]
struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    /// The progress lines `wait_operation` writes, one per poll.
    fn poll_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|line| line.starts_with("poll: ")).collect()
    }
}

/// Runs example `name` with `args` and `GOOGLE_OAUTH_ACCESS_TOKEN=tok`.
/// Fails when the example is not built.
async fn run(name: &str, args: &[&str]) -> Result<Output, Box<dyn std::error::Error>> {
    run_with_env(name, args, &[("GOOGLE_OAUTH_ACCESS_TOKEN", TOKEN)]).await
}

/// Runs example `name` with `args` and only the credential variables in
/// `env` (any the test process has are removed). Fails when the example is
/// not built.
async fn run_with_env(name: &str, args: &[&str], env: &[(&str, &str)]) -> Result<Output, Box<dyn std::error::Error>> {
    let program = example(name)?;
    let mut command = Command::new(program);
    command.args(args);
    for variable in
        ["GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST", "CLOUDSDK_CONFIG"]
    {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    // Loopback traffic must not be sent to a proxy the environment names.
    for proxy in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] {
        command.env_remove(proxy);
    }
    let output = tokio::task::spawn_blocking(move || command.output()).await??;
    Ok(Output {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout)?,
        stderr: String::from_utf8(output.stderr)?,
    })
}

/// Answers with the scripted responses in order and repeats the last one.
struct Script(Vec<ResponseTemplate>, std::sync::atomic::AtomicUsize);

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let index = self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.0.get(index).or(self.0.last()).cloned().unwrap_or_else(|| ResponseTemplate::new(500))
    }
}

async fn scripted_server(steps: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(Script(steps, Default::default())).mount(&server).await;
    server
}

async fn received(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("request recording is on by default")
}

/// Asserts that every request was `GET expected_path` with the token, and
/// returns how many there were.
async fn assert_all_polls(server: &MockServer, expected_path: &str) -> usize {
    let requests = received(server).await;
    for request in &requests {
        assert_eq!(request.method.as_str(), "GET");
        assert_eq!(request.url.path(), expected_path);
        assert_eq!(request.url.query(), None);
        let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok());
        assert_eq!(auth, Some("Bearer tok"));
    }
    requests.len()
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

fn pending(name: &str) -> Value {
    json!({"name": name, "done": false, "metadata": {"@type": "type.googleapis.com/x.OperationMetadata", "p": 1}})
}

fn succeeded(name: &str) -> Value {
    json!({"name": name, "done": true, "response": {"@type": "type.googleapis.com/x.Result", "rows": "3"}})
}

fn failed(name: &str) -> Value {
    json!({"name": name, "done": true, "error": {"code": 9, "message": "input was rejected"}})
}

fn not_found(message: &str) -> ResponseTemplate {
    ResponseTemplate::new(404).set_body_json(json!({
        "error": {
            "code": 404,
            "message": message,
            "status": "NOT_FOUND",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "GONE", "domain": "x"}],
        },
    }))
}

/// Asserts that stdout is the operation `expected`, pretty-printed.
fn assert_prints_operation(output: &Output, expected: &Value) -> TestResult {
    let printed: Value = serde_json::from_str(&output.stdout)?;
    assert_eq!(&printed, expected, "stdout: {}", output.stdout);
    assert!(output.stdout.contains("\n  \"name\": "), "pretty JSON expected: {}", output.stdout);
    Ok(())
}

// ---- get_operation -----------------------------------------------------------------

#[tokio::test]
async fn get_operation_prints_a_workspace_events_operation() -> TestResult {
    let served = succeeded("operations/abc");
    let server = scripted_server(vec![ok(served.clone())]).await;
    let output =
        run("get_operation", &["--api", "workspaceevents", "--name", "operations/abc", "--endpoint", &server.uri()])
            .await?;

    assert_eq!(output.code, Some(0), "{output:?}");
    assert_prints_operation(&output, &served)?;
    assert_eq!(output.stderr, "");
    assert_eq!(assert_all_polls(&server, "/v1beta/operations/abc").await, 1);
    Ok(())
}

#[tokio::test]
async fn get_operation_prints_a_vision_operation() -> TestResult {
    let served = failed("projects/p1/operations/o1");
    let server = scripted_server(vec![ok(served.clone())]).await;
    let output =
        run("get_operation", &["--api", "vision", "--name", "projects/p1/operations/o1", "--endpoint", &server.uri()])
            .await?;

    // A failed operation is still a successful fetch.
    assert_eq!(output.code, Some(0), "{output:?}");
    assert_prints_operation(&output, &served)?;
    assert_eq!(assert_all_polls(&server, "/v1/projects/p1/operations/o1").await, 1);
    Ok(())
}

#[tokio::test]
async fn get_operation_reports_a_google_error_on_one_line() -> TestResult {
    let server = scripted_server(vec![not_found("Operation operations/abc was not found.")]).await;
    let output =
        run("get_operation", &["--api", "workspaceevents", "--name", "operations/abc", "--endpoint", &server.uri()])
            .await?;

    assert_eq!(output.code, Some(1), "{output:?}");
    assert_eq!(output.stdout, "");
    let lines = output.stderr_lines();
    assert_eq!(lines.len(), 1, "one line on stderr: {:?}", output.stderr);
    assert!(lines[0].contains("Operation operations/abc was not found."), "{}", lines[0]);
    assert!(lines[0].contains("404") && lines[0].contains("NOT_FOUND"), "{}", lines[0]);
    assert!(!output.stderr.contains(&format!("Bearer {TOKEN}")), "no credential on stderr");
    assert_eq!(assert_all_polls(&server, "/v1beta/operations/abc").await, 1);
    Ok(())
}

#[tokio::test]
async fn get_operation_refuses_a_name_of_no_known_shape_before_any_request() -> TestResult {
    let server = scripted_server(vec![ok(succeeded("x"))]).await;
    let output = run("get_operation", &["--api", "vision", "--name", "nonsense", "--endpoint", &server.uri()]).await?;

    assert_ne!(output.code, Some(0), "{output:?}");
    assert_eq!(output.stdout, "");
    let lines = output.stderr_lines();
    assert_eq!(lines.len(), 1, "one line on stderr: {:?}", output.stderr);
    assert!(lines[0].contains("nonsense"), "{}", lines[0]);
    assert!(received(&server).await.is_empty(), "nothing may reach the server");
    Ok(())
}

#[tokio::test]
async fn get_operation_usage_errors_exit_64() -> TestResult {
    for args in [
        &["--name", "operations/abc"][..],
        &["--api", "vision"][..],
        &["--api", "vision", "--name", "operations/o1", "--bogus", "1"][..],
        &["--api", "other", "--name", "operations/o1"][..],
    ] {
        let output = run("get_operation", args).await?;
        assert_eq!(output.code, Some(64), "{args:?}: {output:?}");
        assert!(output.stderr.contains("usage: get_operation"), "{args:?}: {}", output.stderr);
        assert_eq!(output.stdout, "");
    }
    Ok(())
}

// ---- wait_operation ----------------------------------------------------------------------

#[tokio::test]
async fn wait_operation_exits_0_when_the_operation_succeeds() -> TestResult {
    let name = "projects/p1/locations/eu/operations/o7";
    let server = scripted_server(vec![ok(pending(name)), ok(pending(name)), ok(succeeded(name))]).await;
    let args = ["--api", "vision", "--name", name, "--endpoint", &server.uri(), "--initial-delay", "5"];
    let output = run("wait_operation", &args).await?;

    assert_eq!(output.code, Some(0), "{output:?}");
    assert_prints_operation(&output, &succeeded(name))?;
    let polls = assert_all_polls(&server, "/v1/projects/p1/locations/eu/operations/o7").await;
    assert_eq!(polls, 3);
    assert_eq!(
        output.poll_lines(),
        [format!("poll: {name} is pending"), format!("poll: {name} is pending"), format!("poll: {name} is done")]
    );
    assert_eq!(output.stderr_lines().len(), polls, "nothing but progress on stderr: {}", output.stderr);
    Ok(())
}

#[tokio::test]
async fn wait_operation_exits_2_when_the_operation_fails() -> TestResult {
    let name = "operations/abc";
    let server = scripted_server(vec![ok(pending(name)), ok(failed(name))]).await;
    let args = ["--api", "workspaceevents", "--name", name, "--endpoint", &server.uri(), "--initial-delay", "5"];
    let output = run("wait_operation", &args).await?;

    assert_eq!(output.code, Some(2), "{output:?}");
    assert_prints_operation(&output, &failed(name))?;
    let polls = assert_all_polls(&server, "/v1beta/operations/abc").await;
    assert_eq!(polls, 2);
    assert_eq!(output.poll_lines().len(), polls);
    let last = output.stderr_lines().last().copied().unwrap_or_default();
    assert!(last.starts_with("operation failed: ") && last.contains("input was rejected"), "{}", output.stderr);
    Ok(())
}

#[tokio::test]
async fn wait_operation_exits_3_when_the_deadline_runs_out() -> TestResult {
    let name = "operations/slow";
    let server = scripted_server(vec![ok(pending(name))]).await;
    let args = [
        "--api",
        "workspaceevents",
        "--name",
        name,
        "--endpoint",
        &server.uri(),
        "--timeout",
        "1",
        "--initial-delay",
        "50",
    ];
    let output = run("wait_operation", &args).await?;

    assert_eq!(output.code, Some(3), "{output:?}");
    assert_eq!(output.stdout, "");
    let polls = assert_all_polls(&server, "/v1beta/operations/slow").await;
    assert!(polls >= 1);
    let progress = output.poll_lines();
    assert_eq!(progress.len(), polls, "one progress line per poll: {}", output.stderr);
    assert!(progress.iter().all(|line| *line == format!("poll: {name} is pending")), "{}", output.stderr);
    let lines = output.stderr_lines();
    assert_eq!(lines.len(), polls + 1, "progress, then one line about the timeout: {}", output.stderr);
    assert!(lines[polls].starts_with("timeout: "), "{}", lines[polls]);
    Ok(())
}

#[tokio::test]
async fn wait_operation_exits_1_on_other_failures() -> TestResult {
    // A permanent HTTP error stops the wait at once.
    let server = scripted_server(vec![ok(pending("operations/abc")), not_found("gone for good")]).await;
    let args =
        ["--api", "workspaceevents", "--name", "operations/abc", "--endpoint", &server.uri(), "--initial-delay", "5"];
    let output = run("wait_operation", &args).await?;
    assert_eq!(output.code, Some(1), "{output:?}");
    assert_eq!(output.stdout, "");
    assert_eq!(assert_all_polls(&server, "/v1beta/operations/abc").await, 2);
    assert_eq!(output.poll_lines().len(), 1, "only the answered poll reports progress");
    let last = output.stderr_lines().last().copied().unwrap_or_default();
    assert!(last.starts_with("error: ") && last.contains("gone for good"), "{}", output.stderr);

    // A name of no known shape is refused before any request.
    let server = scripted_server(vec![ok(succeeded("x"))]).await;
    let args = ["--api", "vision", "--name", "nonsense", "--endpoint", &server.uri()];
    let output = run("wait_operation", &args).await?;
    assert_eq!(output.code, Some(1), "{output:?}");
    assert_eq!(output.stderr_lines().len(), 1, "{}", output.stderr);
    assert!(output.stderr.contains("nonsense"), "{}", output.stderr);
    assert!(received(&server).await.is_empty(), "nothing may reach the server");
    Ok(())
}

// ---- get_operation with Application Default Credentials (feature `adc`) -----------

#[cfg(feature = "adc")]
#[path = "../../runtime/tests/it/jwt_check.rs"]
mod jwt_check;

/// A directory of its own under the system's temporary directory.
#[cfg(feature = "adc")]
fn scratch_dir(label: &str) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("discogen-examples-{label}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// A server that hands out `adc-token` at `token_path` (checked by
/// `matcher`) and serves `operations/abc` only to that token.
#[cfg(feature = "adc")]
async fn adc_servers(token_method: &str, token_path: &str) -> (MockServer, MockServer) {
    use wiremock::matchers::{header, method, path};
    let tokens = MockServer::start().await;
    Mock::given(method(token_method))
        .and(path(token_path))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "adc-token", "expires_in": 3600})),
        )
        .mount(&tokens)
        .await;
    let api = MockServer::start().await;
    Mock::given(header("authorization", "Bearer adc-token"))
        .respond_with(ok(succeeded("operations/abc")))
        .mount(&api)
        .await;
    Mock::given(any()).respond_with(not_found("no or wrong token")).mount(&api).await;
    (tokens, api)
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn get_operation_signs_in_with_a_service_account_key_file() -> TestResult {
    let (tokens, api) = adc_servers("POST", "/token").await;
    let token_uri = format!("{}/token", tokens.uri());
    let key = json!({
        "type": "service_account",
        "private_key_id": "key-1",
        "private_key": jwt_check::key_pem(),
        "client_email": "robot@example-project.iam.gserviceaccount.com",
        "token_uri": token_uri,
    });
    let dir = scratch_dir("service-account")?;
    let key_file = dir.join("key.json");
    std::fs::write(&key_file, key.to_string())?;
    let env = [("GOOGLE_APPLICATION_CREDENTIALS", key_file.to_str().ok_or("path")?)];
    let args = ["--api", "workspaceevents", "--name", "operations/abc", "--endpoint", &api.uri()];
    let output = run_with_env("get_operation", &args, &env).await;
    std::fs::remove_dir_all(&dir)?;
    let output = output?;

    assert_eq!(output.code, Some(0), "{output:?}");
    assert_prints_operation(&output, &succeeded("operations/abc"))?;
    // The token server saw a JWT signed with the key file's private key...
    let asked = received(&tokens).await;
    assert_eq!(asked.len(), 1);
    let form: Vec<(String, String)> = url_form(&asked[0].body);
    let assertion = form.iter().find(|(k, _)| k == "assertion").map(|(_, v)| v.as_str()).ok_or("no assertion")?;
    let claims = jwt_check::verified_claims(assertion);
    assert_eq!(claims["iss"], "robot@example-project.iam.gserviceaccount.com");
    assert_eq!(claims["aud"], token_uri);
    assert!(claims["scope"].as_str().is_some_and(|s| s.contains("https://www.googleapis.com/auth/")), "{claims}");
    // ...and the API server the token it handed out.
    let calls = received(&api).await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].headers["authorization"], "Bearer adc-token");
    Ok(())
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn get_operation_signs_in_through_the_metadata_server() -> TestResult {
    let (metadata, api) = adc_servers("GET", "/computeMetadata/v1/instance/service-accounts/default/token").await;
    let host = metadata.uri().trim_start_matches("http://").to_owned();
    // An empty gcloud config, so that no developer login on this machine is used.
    let dir = scratch_dir("metadata")?;
    let config = dir.to_str().ok_or("path")?.to_owned();
    let env = [("GCE_METADATA_HOST", host.as_str()), ("CLOUDSDK_CONFIG", config.as_str())];
    let args = ["--api", "workspaceevents", "--name", "operations/abc", "--endpoint", &api.uri()];
    let output = run_with_env("get_operation", &args, &env).await;
    std::fs::remove_dir_all(&dir)?;
    let output = output?;

    assert_eq!(output.code, Some(0), "{output:?}");
    let asked = received(&metadata).await;
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].headers["metadata-flavor"], "Google");
    assert!(asked[0].url.query().is_some_and(|q| q.starts_with("scopes=")), "{}", asked[0].url);
    assert_eq!(received(&api).await[0].headers["authorization"], "Bearer adc-token");
    Ok(())
}

/// An STS that exchanges `wif-subject` (workload identity federation) for
/// `adc-token`, and refreshes `1//workforce` (a workforce user) to it too.
#[cfg(feature = "adc")]
async fn sts_and_api() -> (MockServer, MockServer) {
    use wiremock::matchers::{header, method, path};
    let sts = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/token"))
        .respond_with(|request: &Request| {
            let form = url_form(&request.body);
            let field = |k: &str| form.iter().find(|(name, _)| name == k).map(|(_, v)| v.as_str());
            let exchange = field("grant_type") == Some("urn:ietf:params:oauth:grant-type:token-exchange")
                && field("subject_token") == Some("wif-subject")
                && field("requested_token_type") == Some("urn:ietf:params:oauth:token-type:access_token");
            let refresh =
                field("grant_type") == Some("refresh_token") && field("refresh_token") == Some("1//workforce");
            if exchange || refresh {
                ResponseTemplate::new(200).set_body_json(json!({"access_token": "adc-token", "expires_in": 3600}))
            } else {
                ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}))
            }
        })
        .mount(&sts)
        .await;
    let api = MockServer::start().await;
    Mock::given(header("authorization", "Bearer adc-token"))
        .respond_with(ok(succeeded("operations/abc")))
        .mount(&api)
        .await;
    Mock::given(any()).respond_with(not_found("no or wrong token")).mount(&api).await;
    (sts, api)
}

/// Application Default Credentials take an `external_account` file named
/// by GOOGLE_APPLICATION_CREDENTIALS over gcloud's file, and gcloud's file
/// (here a workforce user's) when the variable is unset, as Google's
/// libraries order them.
#[cfg(feature = "adc")]
#[tokio::test]
async fn get_operation_signs_in_with_external_accounts_in_adc_order() -> TestResult {
    let (sts, api) = sts_and_api().await;
    let dir = scratch_dir("external-account")?;
    let subject = dir.join("subject");
    std::fs::write(&subject, "wif-subject")?;
    let federated = dir.join("wif.json");
    std::fs::write(
        &federated,
        json!({
            "type": "external_account",
            "audience": "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/k8s",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": format!("{}/v1/token", sts.uri()),
            "credential_source": {"file": subject},
        })
        .to_string(),
    )?;
    std::fs::write(
        dir.join("application_default_credentials.json"),
        json!({
            "type": "external_account_authorized_user",
            "audience": "//iam.googleapis.com/locations/global/workforcePools/staff/providers/oidc",
            "client_id": "pool-client", "client_secret": "pool-secret", "refresh_token": "1//workforce",
            "token_url": format!("{}/v1/token", sts.uri()),
        })
        .to_string(),
    )?;
    let (config, federated) = (dir.to_str().ok_or("path")?.to_owned(), federated.to_str().ok_or("path")?.to_owned());
    let args = ["--api", "workspaceevents", "--name", "operations/abc", "--endpoint", &api.uri()];
    let both = [("GOOGLE_APPLICATION_CREDENTIALS", federated.as_str()), ("CLOUDSDK_CONFIG", config.as_str())];
    let first = run_with_env("get_operation", &args, &both).await;
    let second = run_with_env("get_operation", &args, &[("CLOUDSDK_CONFIG", config.as_str())]).await;
    std::fs::remove_dir_all(&dir)?;
    let (first, second) = (first?, second?);
    assert_eq!(first.code, Some(0), "{first:?}");
    assert_eq!(second.code, Some(0), "{second:?}");
    assert_prints_operation(&first, &succeeded("operations/abc"))?;

    let grants: Vec<String> = received(&sts)
        .await
        .iter()
        .filter_map(|r| url_form(&r.body).into_iter().find(|(k, _)| k == "grant_type").map(|(_, v)| v))
        .collect();
    assert_eq!(grants, ["urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token"]);
    assert!(received(&api).await.iter().all(|r| r.headers["authorization"] == "Bearer adc-token"));
    Ok(())
}

/// The fields of a form body.
#[cfg(feature = "adc")]
fn url_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// The user program of CHANGELOG.md's port: two requests with standard
/// parameters, built without I/O, and a failed operation described.
#[tokio::test]
async fn the_ported_user_program_builds_its_requests_and_reads_the_status() -> TestResult {
    let out = run("user_program", &[]).await?;
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "GET https://vision.googleapis.com/v1/operations/o1?$.xgafv=2&fields=name,done,error\n\
         GET https://workspaceevents.googleapis.com/v1beta/operations/o2?quotaUser=me\n\
         failed: NOT_FOUND (the image is gone)\n"
    );
    Ok(())
}

// ---- drive_files: a person signs in with InstalledApp (feature `adc`) ----------------

/// Sends `GET url` over a plain socket and returns the whole answer, for
/// playing the browser from the thread that reads the example's stderr.
#[cfg(feature = "adc")]
fn browser_get(url: &str) -> std::io::Result<String> {
    use std::io::{Read as _, Write as _};
    let rest = url.strip_prefix("http://").ok_or_else(|| std::io::Error::other(format!("not http: {url}")))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = std::net::TcpStream::connect(authority)?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

/// Runs `drive_files` with `args`; every consent URL it prints on stderr is
/// "opened": the consent page's redirect is followed to the example's
/// loopback server. Returns the output and the pages the browser ended on.
#[cfg(feature = "adc")]
async fn run_drive_files(args: &[&str]) -> Result<(Output, Vec<String>), Box<dyn std::error::Error>> {
    use std::io::BufRead as _;
    use std::process::Stdio;
    let mut command = Command::new(example("drive_files")?);
    command.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for variable in
        ["GOOGLE_OAUTH_ACCESS_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST", "CLOUDSDK_CONFIG"]
            .into_iter()
            .chain(["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"])
    {
        command.env_remove(variable);
    }
    let mut child = command.spawn()?;
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let browser = std::thread::spawn(move || {
        let (mut text, mut pages) = (String::new(), Vec::new());
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
            let Some(url) = line.trim().strip_prefix("http://").map(|rest| format!("http://{rest}")) else { continue };
            let consent = browser_get(&url).unwrap_or_default();
            let location = consent
                .lines()
                .find_map(|l| {
                    l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("location")).map(|(_, v)| v.trim())
                })
                .unwrap_or_default()
                .to_owned();
            pages.push(browser_get(&location).unwrap_or_else(|e| format!("no page: {e}")));
        }
        (text, pages)
    });
    let output = tokio::task::spawn_blocking(move || child.wait_with_output()).await??;
    let (stderr, pages) = browser.join().map_err(|_| "the browser thread panicked")?;
    Ok((Output { code: output.status.code(), stdout: String::from_utf8(output.stdout)?, stderr }, pages))
}

/// An authorization server (consent at `/auth`, which consents at once;
/// tokens at `/token`, checking the PKCE verifier and redirect URI) and a
/// Drive-like `files.list` with two pages, for its tokens only.
#[cfg(feature = "adc")]
async fn drive_servers() -> (MockServer, MockServer) {
    use base64::Engine as _;
    use rsa::sha2::{Digest as _, Sha256};
    use std::sync::{Arc, Mutex};
    use wiremock::matchers::{method, path, query_param};

    let auth = MockServer::start().await;
    let granted: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    let grant = granted.clone();
    Mock::given(method("GET"))
        .and(path("/auth"))
        .respond_with(move |request: &Request| {
            let q: std::collections::HashMap<String, String> = request.url.query_pairs().into_owned().collect();
            let get = |k: &str| q.get(k).cloned().unwrap_or_default();
            if get("client_id") != "desktop.apps.googleusercontent.com"
                || get("code_challenge_method") != "S256"
                || get("scope") != "https://www.googleapis.com/auth/drive.metadata.readonly"
            {
                return ResponseTemplate::new(400);
            }
            *grant.lock().unwrap() = Some((get("code_challenge"), get("redirect_uri")));
            let location = format!("{}?state={}&code=4%2Fdrive-code", get("redirect_uri"), get("state"));
            ResponseTemplate::new(302).insert_header("location", location.as_str())
        })
        .mount(&auth)
        .await;
    Mock::given(method("POST"))
        .and(path("/token"))
        .respond_with(move |request: &Request| {
            let form = url_form(&request.body);
            let field = |k: &str| form.iter().find(|(name, _)| name == k).map(|(_, v)| v.clone()).unwrap_or_default();
            let refuse = || ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_grant"}));
            if field("client_secret") != "GOCSPX-desktop" {
                return refuse();
            }
            match field("grant_type").as_str() {
                "authorization_code" => {
                    let Some((challenge, redirect)) = granted.lock().unwrap().take() else { return refuse() };
                    let hashed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode(Sha256::digest(field("code_verifier").as_bytes()));
                    if field("code") != "4/drive-code" || hashed != challenge || field("redirect_uri") != redirect {
                        return refuse();
                    }
                    ResponseTemplate::new(200).set_body_json(json!({
                        "access_token": "drive-token-1", "expires_in": 3599, "refresh_token": "1//drive-refresh",
                    }))
                }
                "refresh_token" if field("refresh_token") == "1//drive-refresh" => ResponseTemplate::new(200)
                    .set_body_json(json!({"access_token": "drive-token-2", "expires_in": 3599})),
                _ => refuse(),
            }
        })
        .mount(&auth)
        .await;

    let drive = MockServer::start().await;
    let fields = "nextPageToken,files(id,name,mimeType)";
    for (token, answer) in [
        (Some("p2"), json!({"files": [{"id": "3", "name": "budget.xlsx", "mimeType": "application/vnd.ms-excel"}]})),
        (
            None,
            json!({"nextPageToken": "p2", "files": [
                {"id": "1", "name": "notes.txt", "mimeType": "text/plain"},
                {"id": "2", "name": "Trip", "mimeType": "application/vnd.google-apps.folder"},
            ]}),
        ),
    ] {
        let mut mock = Mock::given(method("GET")).and(path("/drive/v3/files")).and(query_param("fields", fields));
        if let Some(token) = token {
            mock = mock.and(query_param("pageToken", token));
        }
        mock.respond_with(move |request: &Request| {
            let auth = request.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
            if auth.starts_with("Bearer drive-token-") {
                ok(answer.clone())
            } else {
                ResponseTemplate::new(401).set_body_json(json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}))
            }
        })
        .mount(&drive)
        .await;
    }
    (auth, drive)
}

#[cfg(feature = "adc")]
#[tokio::test]
async fn drive_files_signs_a_person_in_once_and_lists_every_page() -> TestResult {
    let (auth, drive) = drive_servers().await;
    let dir = scratch_dir("drive-files")?;
    let secrets = dir.join("client_secret.json");
    std::fs::write(
        &secrets,
        json!({"installed": {
            "client_id": "desktop.apps.googleusercontent.com", "client_secret": "GOCSPX-desktop",
            "auth_uri": format!("{}/auth", auth.uri()), "token_uri": format!("{}/token", auth.uri()),
            "redirect_uris": ["http://localhost"],
        }})
        .to_string(),
    )?;
    let store = dir.join("tokens.json");
    let (secrets, store) = (secrets.to_str().ok_or("path")?.to_owned(), store.to_str().ok_or("path")?.to_owned());
    let args = ["--client-secrets", secrets.as_str(), "--store", store.as_str(), "--endpoint", &drive.uri()];
    let listing = "1\ttext/plain\tnotes.txt\n2\tapplication/vnd.google-apps.folder\tTrip\n\
                   3\tapplication/vnd.ms-excel\tbudget.xlsx\n";

    // First run: the consent URL is printed, the "browser" consents.
    let (first, pages) = run_drive_files(&args).await?;
    assert_eq!(first.code, Some(0), "{first:?}");
    assert_eq!(first.stdout, listing);
    assert_eq!(pages.len(), 1, "one consent: {first:?}");
    assert!(pages[0].starts_with("HTTP/1.1 200") && pages[0].contains("Signed in"), "{}", pages[0]);
    // Second run: the stored refresh token, no browser.
    let (second, pages) = run_drive_files(&args).await?;
    let stored = std::fs::read_to_string(&store)?;
    std::fs::remove_dir_all(&dir)?;
    assert_eq!(second.code, Some(0), "{second:?}");
    assert_eq!(second.stdout, listing);
    assert!(pages.is_empty() && !second.stderr.contains("http://"), "{second:?}");
    assert!(stored.contains("1//drive-refresh"));

    let calls = received(&drive).await;
    let auths: Vec<&str> = calls.iter().filter_map(|r| r.headers.get("authorization")?.to_str().ok()).collect();
    assert_eq!(auths, ["Bearer drive-token-1", "Bearer drive-token-1", "Bearer drive-token-2", "Bearer drive-token-2"]);
    let grants: Vec<String> = received(&auth)
        .await
        .iter()
        .filter(|r| r.url.path() == "/token")
        .filter_map(|r| url_form(&r.body).into_iter().find(|(k, _)| k == "grant_type").map(|(_, v)| v))
        .collect();
    assert_eq!(grants, ["authorization_code", "refresh_token"]);

    // Without its one required flag: a usage error.
    let (usage, _) = run_drive_files(&[]).await?;
    assert_eq!(usage.code, Some(64), "{usage:?}");
    assert!(usage.stderr.contains("--client-secrets is required"), "{usage:?}");
    Ok(())
}
