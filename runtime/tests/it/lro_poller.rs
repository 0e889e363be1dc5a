//! The long-running-operation poller against a real HTTP server on loopback.
//!
//! Each test scripts the server's answers in order, runs a poller to the
//! end, then checks how many requests arrived and which sleeps the poller
//! chose (reported through `on_delay`). The clock is real: wiremock serves
//! from its own thread, and tokio's paused clock would jump past the
//! client's request timeouts while a response is on the wire. Delays are
//! therefore milliseconds, and every timing check is a lower bound (a sleep
//! never ends early), so a slow machine cannot make a test fail.

use std::collections::BTreeMap;
use std::error::Error as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use discogen_runtime::lro::{
    decode_any, DeadlineExceeded, DelayReason, Jitter, LongRunningOperation, PollDelay, PollPolicy, Poller, TypeUrl,
};
use discogen_runtime::request::RequestBuilder;
use discogen_runtime::{rpc, Client, ClientBuilder, ErrorKind};
use serde::Deserialize;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common;
use common::Api;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Scopes are only handed to the token provider, and these tests use none.
const SCOPES: &[&str] = &["https://www.googleapis.com/auth/cloud-platform"];
const OPERATION_PATH: &str = "/v1/operations/op-1";
const OPERATION_NAME: &str = "operations/op-1";

/// An `Operation` as the generator writes it, reduced to what the poller uses.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default)]
struct Operation {
    name: Option<String>,
    done: Option<bool>,
    error: Option<Status>,
    metadata: Option<BTreeMap<String, Value>>,
    response: Option<BTreeMap<String, Value>>,
}

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(default)]
struct Status {
    code: Option<i32>,
    message: Option<String>,
}

impl LongRunningOperation for Operation {
    fn is_done(&self) -> bool {
        self.done == Some(true)
    }
    fn operation_name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    fn error_status(&self) -> Option<rpc::Status> {
        let json = serde_json::to_value(self.error.as_ref()?).ok()?;
        serde_json::from_value(json).ok()
    }
}

/// A payload type for `decode_any`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AnnotateFilesResponse {
    output_uri: Option<String>,
}

impl TypeUrl for AnnotateFilesResponse {
    const SCHEMA_NAME: &'static str = "AnnotateFilesResponse";
}

// ---- server answers -------------------------------------------------------

fn pending(percent: u32) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "name": OPERATION_NAME,
        "done": false,
        "metadata": {
            "@type": "type.googleapis.com/google.cloud.vision.v1.OperationMetadata",
            "progressPercent": percent,
        },
    }))
}

fn done_with_response() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "name": OPERATION_NAME,
        "done": true,
        "response": {
            "@type": "type.googleapis.com/google.cloud.vision.v1.AnnotateFilesResponse",
            "outputUri": "gs://bucket/out/",
        },
    }))
}

fn done_with_error() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "name": OPERATION_NAME,
        "done": true,
        "error": {"code": 5, "message": "the input file is gone"},
    }))
}

/// An HTTP error with Google's error body.
fn http_error(code: u16, status: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({
        "error": {"code": code, "message": "scripted failure", "status": status},
    }))
}

fn unavailable() -> ResponseTemplate {
    http_error(503, "UNAVAILABLE")
}

// ---- harness ---------------------------------------------------------------

/// Answers with the scripted responses in order, repeating the last one,
/// and notes when each request arrived.
struct Script {
    steps: Vec<ResponseTemplate>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap_or_else(PoisonError::into_inner);
        let index = arrivals.len();
        arrivals.push(Instant::now());
        let step = self.steps.get(index).or(self.steps.last());
        step.cloned().unwrap_or_else(|| ResponseTemplate::new(500))
    }
}

/// A server playing one script, a client pointed at it, and records of
/// what the poller did.
struct Harness {
    server: MockServer,
    client: Client,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    delays: Arc<Mutex<Vec<PollDelay>>>,
    progress: Arc<Mutex<Vec<Operation>>>,
}

impl Harness {
    async fn start(steps: Vec<ResponseTemplate>) -> Result<Self, Box<dyn std::error::Error>> {
        Self::start_with(steps, |builder| builder).await
    }

    async fn start_with(
        steps: Vec<ResponseTemplate>,
        configure: impl FnOnce(ClientBuilder<Api>) -> ClientBuilder<Api>,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let server = MockServer::start().await;
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        Mock::given(method("GET"))
            .and(path(OPERATION_PATH))
            .respond_with(Script { steps, arrivals: Arc::clone(&arrivals) })
            .mount(&server)
            .await;
        let Api(client) = configure(ClientBuilder::<Api>::new().root_url(server.uri())).build()?;
        Ok(Self { server, client, arrivals, delays: Arc::default(), progress: Arc::default() })
    }

    /// A poller for the scripted operation that records its progress and
    /// delays into the harness.
    fn poller(&self, policy: PollPolicy) -> Poller<Operation> {
        let client = self.client.clone();
        let delays = Arc::clone(&self.delays);
        let progress = Arc::clone(&self.progress);
        Poller::<Operation>::new(self.client.clone(), SCOPES, move || {
            RequestBuilder::new(&client, http::Method::GET, OPERATION_NAME).build()
        })
        .policy(policy)
        .on_delay(move |delay| lock(&delays).push(delay.clone()))
        .on_progress(move |operation| lock(&progress).push(operation.clone()))
    }

    /// Every request the server received, matched or not.
    async fn requests(&self) -> usize {
        let received = self.server.received_requests().await.unwrap_or_default();
        for request in &received {
            assert_eq!(request.method.as_str(), "GET");
            assert_eq!(request.url.path(), OPERATION_PATH);
        }
        received.len()
    }

    fn delays(&self) -> Vec<PollDelay> {
        lock(&self.delays).clone()
    }

    fn reasons(&self) -> Vec<DelayReason> {
        self.delays().iter().map(|d| d.reason).collect()
    }

    fn progress(&self) -> Vec<Operation> {
        lock(&self.progress).clone()
    }

    /// Checks that each pair of requests was at least as far apart as the
    /// sleep the poller chose between them.
    fn assert_spacing(&self) {
        let arrivals = lock(&self.arrivals).clone();
        let delays = self.delays();
        assert_eq!(arrivals.len(), delays.len() + 1, "one sleep between each two polls");
        for (pair, delay) in arrivals.windows(2).zip(&delays) {
            let gap = pair[1].duration_since(pair[0]);
            assert!(gap >= delay.delay, "gap {gap:?} shorter than the sleep {delay:?}");
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Short, exact delays (5, 10, 20, 40, 50, 50 ms...) and a deadline far
/// beyond what any test needs.
fn fast() -> PollPolicy {
    PollPolicy::default()
        .initial_delay(Duration::from_millis(5))
        .multiplier(2.0)
        .max_delay(Duration::from_millis(50))
        .jitter(Jitter::None)
        .deadline(Duration::from_secs(30))
}

fn ms(values: &[u64]) -> Vec<Duration> {
    values.iter().copied().map(Duration::from_millis).collect()
}

// ---- tests -------------------------------------------------------------------

#[tokio::test]
async fn pending_until_done_then_the_response_decodes() -> TestResult {
    let harness = Harness::start(vec![pending(10), pending(40), pending(80), done_with_response()]).await?;
    let operation = harness.poller(fast()).wait().await?;

    assert!(operation.is_done());
    let response = operation.response.as_ref().ok_or("no response")?;
    let typed = decode_any::<AnnotateFilesResponse>(response)?;
    assert_eq!(typed.output_uri.as_deref(), Some("gs://bucket/out/"));

    assert_eq!(harness.requests().await, 4);
    let delays = harness.delays();
    assert_eq!(delays.iter().map(|d| d.delay).collect::<Vec<_>>(), ms(&[5, 10, 20]));
    assert_eq!(delays.iter().map(|d| d.attempt).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(harness.reasons(), [DelayReason::Pending; 3]);
    assert!(delays.iter().all(|d| d.server_asked.is_none()));
    harness.assert_spacing();

    // Progress sees every operation, the final one included, in order.
    let percents: Vec<Option<Value>> = harness
        .progress()
        .iter()
        .map(|op| op.metadata.as_ref().and_then(|m| m.get("progressPercent").cloned()))
        .collect();
    assert_eq!(percents, [Some(json!(10)), Some(json!(40)), Some(json!(80)), None]);
    Ok(())
}

#[tokio::test]
async fn a_failed_operation_is_returned_not_raised() -> TestResult {
    let harness = Harness::start(vec![pending(0), done_with_error()]).await?;
    let operation = harness.poller(fast()).wait().await?;

    let status = operation.error_status().ok_or("no error status")?;
    assert_eq!(status.code, 5);
    assert_eq!(status.code_enum(), rpc::Code::NotFound);
    assert_eq!(harness.requests().await, 2);
    assert_eq!(harness.progress().len(), 2);
    Ok(())
}

#[tokio::test]
async fn too_many_requests_waits_as_long_as_retry_after_says() -> TestResult {
    let throttled = http_error(429, "RESOURCE_EXHAUSTED").insert_header("Retry-After", "1");
    let harness = Harness::start(vec![throttled, done_with_response()]).await?;
    harness.poller(fast()).wait().await?;

    assert_eq!(harness.requests().await, 2);
    let delays = harness.delays();
    assert_eq!(delays.len(), 1);
    assert_eq!(delays[0].reason, DelayReason::Retrying);
    assert_eq!(delays[0].server_asked, Some(Duration::from_secs(1)));
    // The schedule alone would have waited 5 ms.
    assert_eq!(delays[0].delay, Duration::from_secs(1));
    harness.assert_spacing();
    Ok(())
}

#[tokio::test]
async fn a_retry_info_detail_sets_the_wait() -> TestResult {
    let with_detail = ResponseTemplate::new(503).set_body_json(json!({
        "error": {
            "code": 503,
            "message": "try later",
            "status": "UNAVAILABLE",
            "details": [{
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": "0.300s",
            }],
        },
    }));
    let harness = Harness::start(vec![with_detail, done_with_response()]).await?;
    harness.poller(fast()).wait().await?;

    assert_eq!(harness.requests().await, 2);
    let delays = harness.delays();
    assert_eq!(delays.len(), 1);
    assert_eq!(delays[0].server_asked, Some(Duration::from_millis(300)));
    assert_eq!(delays[0].delay, Duration::from_millis(300));
    harness.assert_spacing();
    Ok(())
}

#[tokio::test]
async fn a_burst_of_unavailable_is_ridden_out() -> TestResult {
    let harness = Harness::start(vec![
        unavailable(),
        http_error(502, "UNAVAILABLE"),
        unavailable(),
        pending(50),
        done_with_response(),
    ])
    .await?;
    let operation = harness.poller(fast().transient_retries(3)).wait().await?;

    assert!(operation.is_done());
    assert_eq!(harness.requests().await, 5);
    use DelayReason::{Pending, Retrying};
    assert_eq!(harness.reasons(), [Retrying, Retrying, Retrying, Pending]);
    // One schedule for both reasons: failures do not restart it.
    let delays: Vec<Duration> = harness.delays().iter().map(|d| d.delay).collect();
    assert_eq!(delays, ms(&[5, 10, 20, 40]));
    // Only answered polls reach the progress callback.
    assert_eq!(harness.progress().len(), 2);
    harness.assert_spacing();
    Ok(())
}

#[tokio::test]
async fn unavailable_beyond_the_budget_is_returned() -> TestResult {
    let harness = Harness::start(vec![unavailable()]).await?;
    let error = harness.poller(fast().transient_retries(2)).wait().await.err().ok_or("polling should fail")?;

    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(503));
    // The first try and two retries.
    assert_eq!(harness.requests().await, 3);
    assert_eq!(harness.reasons(), [DelayReason::Retrying; 2]);
    Ok(())
}

#[tokio::test]
async fn the_budget_counts_failures_in_a_row() -> TestResult {
    let harness = Harness::start(vec![
        unavailable(),
        unavailable(),
        pending(50),
        unavailable(),
        unavailable(),
        done_with_response(),
    ])
    .await?;
    let operation = harness.poller(fast().transient_retries(2)).wait().await?;

    assert!(operation.is_done());
    assert_eq!(harness.requests().await, 6);
    Ok(())
}

#[tokio::test]
async fn a_permanent_error_stops_at_once() -> TestResult {
    let harness =
        Harness::start(vec![pending(10), pending(20), http_error(404, "NOT_FOUND"), done_with_response()]).await?;
    let error = harness.poller(fast()).wait().await.err().ok_or("polling should fail")?;

    assert_eq!(error.kind(), ErrorKind::Http);
    assert_eq!(error.http_status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.status().map(|s| s.code_enum()), Some(rpc::Code::NotFound));
    assert_eq!(harness.requests().await, 3);
    // No sleep after the 404.
    assert_eq!(harness.reasons(), [DelayReason::Pending; 2]);
    Ok(())
}

#[tokio::test]
async fn a_malformed_body_is_a_decode_error() -> TestResult {
    let broken = ResponseTemplate::new(200)
        .insert_header("Content-Type", "application/json")
        .set_body_string("{\"name\": \"operations/op-1\", \"done\": tru");
    let harness = Harness::start(vec![pending(10), broken, done_with_response()]).await?;
    let error = harness.poller(fast()).wait().await.err().ok_or("polling should fail")?;

    assert_eq!(error.kind(), ErrorKind::Decode);
    assert!(error.body_excerpt().is_some_and(|b| b.contains("\"done\": tru")));
    assert_eq!(harness.requests().await, 2);
    Ok(())
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() -> TestResult {
    let slow = pending(10).set_delay(Duration::from_secs(5));
    let harness = Harness::start(vec![slow, done_with_response()]).await?;
    // A whole second, so that only the scripted delay can run out of it.
    let policy = fast().request_timeout(Duration::from_secs(1));
    let operation = harness.poller(policy).wait().await?;

    assert!(operation.is_done());
    assert_eq!(harness.requests().await, 2);
    assert_eq!(harness.reasons(), [DelayReason::Retrying]);
    // The slow answer never arrived, so only the final operation was seen.
    assert_eq!(harness.progress().len(), 1);
    Ok(())
}

#[tokio::test]
async fn the_client_timeout_is_transient_too() -> TestResult {
    let slow = pending(10).set_delay(Duration::from_secs(5));
    let harness =
        Harness::start_with(vec![slow, done_with_response()], |builder| builder.timeout(Duration::from_secs(1)))
            .await?;
    harness.poller(fast()).wait().await?;

    assert_eq!(harness.requests().await, 2);
    assert_eq!(harness.reasons(), [DelayReason::Retrying]);
    Ok(())
}

#[tokio::test]
async fn the_deadline_error_carries_the_last_operation() -> TestResult {
    let harness = Harness::start(vec![pending(10), pending(20)]).await?;
    // The schedule asks for an hour; the deadline cuts the sleep short and
    // leaves time for exactly one more poll.
    let deadline = Duration::from_millis(1500);
    let policy =
        fast().initial_delay(Duration::from_secs(3600)).max_delay(Duration::from_secs(3600)).deadline(deadline);
    let error = harness.poller(policy).wait().await.err().ok_or("polling should time out")?;

    assert_eq!(error.kind(), ErrorKind::Deadline);
    let details = DeadlineExceeded::<Operation>::from_error(&error).ok_or("no details")?;
    let last = details.last_operation().ok_or("no last operation")?;
    assert_eq!(last.name.as_deref(), Some(OPERATION_NAME));
    assert_eq!(last.metadata.as_ref().and_then(|m| m.get("progressPercent")), Some(&json!(20)));
    assert!(details.last_error().is_none());
    assert_eq!(details.polls(), 2);

    assert_eq!(harness.requests().await, 2);
    let delays = harness.delays();
    assert_eq!(delays.len(), 1);
    assert!(delays[0].delay <= deadline, "slept past the deadline: {delays:?}");
    harness.assert_spacing();
    Ok(())
}

#[tokio::test]
async fn a_zero_deadline_allows_one_poll() -> TestResult {
    let harness = Harness::start(vec![pending(10)]).await?;
    let error = harness.poller(fast().deadline(Duration::ZERO)).wait().await.err().ok_or("polling should time out")?;

    assert_eq!(error.kind(), ErrorKind::Deadline);
    assert_eq!(harness.requests().await, 1);
    assert!(harness.delays().is_empty());
    Ok(())
}

#[tokio::test]
async fn the_deadline_while_retrying_keeps_the_last_failure() -> TestResult {
    let harness = Harness::start(vec![unavailable()]).await?;
    let policy = fast().transient_retries(u32::MAX).deadline(Duration::from_secs(1));
    let error = harness.poller(policy).wait().await.err().ok_or("polling should time out")?;

    assert_eq!(error.kind(), ErrorKind::Deadline);
    let details = DeadlineExceeded::<Operation>::from_error(&error).ok_or("no details")?;
    assert!(details.last_operation().is_none());
    let cause = details.last_error().ok_or("no last error")?;
    assert_eq!(cause.http_status().map(|s| s.as_u16()), Some(503));
    // The chain leads from the deadline error to the HTTP failure.
    let chained = error.source().and_then(|s| s.source()).map(|s| s.to_string());
    assert!(chained.is_some_and(|text| text.contains("503")));

    let requests = harness.requests().await;
    assert!(requests >= 2, "{requests}");
    assert_eq!(u32::try_from(requests)?, details.polls());
    let slept: Duration = harness.delays().iter().map(|d| d.delay).sum();
    assert!(slept <= Duration::from_secs(1), "slept {slept:?} in all");
    Ok(())
}

#[tokio::test]
async fn polling_stops_at_the_first_done_even_if_it_flips_back() -> TestResult {
    let harness = Harness::start(vec![pending(10), done_with_response(), pending(20), pending(30)]).await?;
    let operation = harness.poller(fast()).wait().await?;

    assert!(operation.is_done());
    assert_eq!(harness.requests().await, 2);
    assert_eq!(harness.progress().len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_gives_up_at_once() -> TestResult {
    let a_year = 365 * 24 * 3600;
    let throttled = unavailable().insert_header("Retry-After", a_year.to_string());
    let harness = Harness::start(vec![pending(10), throttled]).await?;
    // The default ten-minute deadline. The outer timeout only guards against
    // a hang; the poller is expected to return right after the 503.
    let polling = harness.poller(fast().deadline(Duration::from_secs(600))).wait();
    let error = tokio::time::timeout(Duration::from_secs(60), polling).await?.err().ok_or("polling should give up")?;

    assert_eq!(error.kind(), ErrorKind::Deadline);
    assert!(error.to_string().contains("asked to wait"), "{error}");
    let details = DeadlineExceeded::<Operation>::from_error(&error).ok_or("no details")?;
    assert!(details.last_operation().is_some());
    assert_eq!(details.last_error().and_then(|e| e.retry_after()), Some(Duration::from_secs(a_year)));
    assert_eq!(harness.requests().await, 2);
    assert_eq!(harness.reasons(), [DelayReason::Pending]);
    Ok(())
}

#[tokio::test]
async fn a_request_that_cannot_be_built_sends_nothing() -> TestResult {
    let harness = Harness::start(vec![done_with_response()]).await?;
    let poller: Poller<Operation> = Poller::new(harness.client.clone(), SCOPES, || {
        Err(discogen_runtime::Error::invalid_argument("bad operation name"))
    });
    let error = poller.wait().await.err().ok_or("polling should fail")?;

    assert_eq!(error.kind(), ErrorKind::InvalidArgument);
    assert_eq!(harness.requests().await, 0);
    Ok(())
}

#[tokio::test]
async fn dropping_the_future_stops_polling() -> TestResult {
    let harness = Harness::start(vec![pending(10)]).await?;
    // Polls would go out every 200 ms; the wait is dropped during the first
    // sleep, and then given the time of several more polls.
    let policy = fast().initial_delay(Duration::from_millis(200)).multiplier(1.0);
    let cut = tokio::time::timeout(Duration::from_millis(100), harness.poller(policy).wait()).await;
    assert!(cut.is_err(), "the operation never finishes");
    tokio::time::sleep(Duration::from_millis(700)).await;
    // At most the first poll, which may have been cut off in flight on a
    // very slow machine.
    let requests = harness.requests().await;
    assert!(requests <= 1, "{requests} requests after the drop");
    Ok(())
}

#[test]
fn the_wait_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let Ok(Api(client)) = ClientBuilder::<Api>::new().build() else {
        panic!("a client with defaults builds");
    };
    let poller: Poller<Operation> = Poller::new(client.clone(), SCOPES, move || {
        RequestBuilder::new(&client, http::Method::GET, OPERATION_NAME).build()
    });
    let future = poller.on_progress(|_| {}).wait();
    assert_send(&future);
}
