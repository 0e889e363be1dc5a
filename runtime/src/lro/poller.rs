//! The poll loop: send `operations.get` until the operation is done, the
//! deadline passes, or a poll fails for good.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument as _;

use super::deadline::DeadlineExceeded;
use super::policy::PollPolicy;
use super::LongRunningOperation;
use crate::client::Client;
use crate::error::Error;
use crate::retry::backoff::{plan_sleep, server_wait, Stop};
use crate::retry::CallOptions;
use crate::retry::RetryPolicy;

/// Makes the request of one poll. Called again for every poll, because a
/// request is consumed by sending it.
type BuildRequest = Box<dyn Fn() -> crate::error::Result<http::Request<Vec<u8>>> + Send + Sync>;

/// The caller's hook for each operation received.
type ProgressHook<Op> = Box<dyn FnMut(&Op) + Send>;

/// The caller's hook for each sleep.
type DelayHook = Box<dyn FnMut(&PollDelay) + Send>;

/// Why the poller is about to sleep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DelayReason {
    /// The last poll found the operation still running.
    Pending,
    /// The last poll failed with a transient error and will be retried.
    Retrying,
}

/// A sleep the poller is about to take, as reported to
/// [`Poller::on_delay`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct PollDelay {
    /// The number of the poll that just ended, counting from 1.
    pub attempt: u32,
    /// How long the poller will sleep before the next poll.
    pub delay: Duration,
    /// Why it sleeps.
    pub reason: DelayReason,
    /// The wait the server asked for through `Retry-After` or a `RetryInfo`
    /// detail, if it asked. `delay` is never shorter than this.
    pub server_asked: Option<Duration>,
}

/// Polls a long-running operation until it is done.
///
/// Generated `operations.get` call builders make one with `poller()`; the
/// request they build is sent again for each poll. Nothing happens until
/// [`Poller::wait`] is awaited.
///
/// Cancel-safe: the poller spawns no tasks, so dropping the `wait` future
/// stops polling at once, including any request in flight.
pub struct Poller<Op> {
    client: Client,
    scopes: &'static [&'static str],
    build: BuildRequest,
    policy: PollPolicy,
    on_progress: Option<ProgressHook<Op>>,
    on_delay: Option<DelayHook>,
}

impl<Op: LongRunningOperation> Poller<Op> {
    /// A poller that sends the request made by `build` through `client`,
    /// with the OAuth `scopes` of the method, under the default policy.
    pub fn new(
        client: Client,
        scopes: &'static [&'static str],
        build: impl Fn() -> crate::error::Result<http::Request<Vec<u8>>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            client,
            scopes,
            build: Box::new(build),
            policy: PollPolicy::default(),
            on_progress: None,
            on_delay: None,
        }
    }

    /// Replaces the policy: delays, deadline and retry budget.
    pub fn policy(mut self, policy: PollPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Calls `progress` with every operation received, the final one
    /// included, for example to report the progress in its metadata.
    pub fn on_progress(mut self, progress: impl FnMut(&Op) + Send + 'static) -> Self {
        self.on_progress = Some(Box::new(progress));
        self
    }

    /// Calls `observe` before every sleep with the delay chosen and why,
    /// for logging or metrics.
    pub fn on_delay(mut self, observe: impl FnMut(&PollDelay) + Send + 'static) -> Self {
        self.on_delay = Some(Box::new(observe));
        self
    }

    /// Polls until the operation is done and returns it.
    ///
    /// The first poll goes out at once. The loop ends at the first
    /// operation that is done, whether it succeeded or failed: a failed
    /// operation is an answer, not a polling error, so it comes back as
    /// `Ok` for the caller to inspect with the generated `result()`.
    ///
    /// # Errors
    ///
    /// - A permanent error (such as HTTP 400, 403 or 404, a body that does
    ///   not decode, or a request that cannot be built) is returned at once.
    /// - A transient error (HTTP 429, 500, 502, 503, 504, a failed
    ///   connection, a timeout) is retried after a delay that honours the
    ///   server's `Retry-After` or `RetryInfo`; once more of them come in a
    ///   row than the policy allows, the last one is returned.
    /// - When the policy's deadline passes, or the server asks for a wait
    ///   that would end after it, the error has kind
    ///   [`crate::error::ErrorKind::Deadline`] and its source is a
    ///   [`DeadlineExceeded`] holding the last operation received.
    pub async fn wait(self) -> crate::error::Result<Op> {
        // Taken apart so that the future holds no reference to the hooks,
        // which are `Send` but not `Sync`; the future stays `Send`.
        let Poller { client, scopes, build, policy, mut on_progress, mut on_delay } = self;
        let started = Instant::now();
        // `None` when the deadline is too far away to represent: no limit.
        let deadline = started.checked_add(policy.deadline);
        let mut backoff = policy.backoff.schedule();
        let mut attempt: u32 = 0;
        let mut failures_in_a_row: u32 = 0;
        let mut last_operation: Option<Op> = None;
        let mut slept = Duration::ZERO;

        loop {
            attempt = attempt.saturating_add(1);
            let span = tracing::debug_span!(
                "discogen.poll",
                attempt,
                delay_ms = millis(slept),
                outcome = tracing::field::Empty,
            );
            let polled =
                poll_once::<Op>(&client, scopes, &build, policy.request_timeout).instrument(span.clone()).await;

            let (reason, server_asked, last_error) = match polled {
                Ok(operation) => {
                    if let Some(progress) = on_progress.as_mut() {
                        progress(&operation);
                    }
                    if operation.is_done() {
                        let failed = operation.error_status().map(|status| status.code);
                        span.record("outcome", "done");
                        tracing::debug!(parent: &span, error_code = failed, "operation is done");
                        return Ok(operation);
                    }
                    span.record("outcome", "pending");
                    failures_in_a_row = 0;
                    last_operation = Some(operation);
                    (DelayReason::Pending, None, None)
                }
                Err(error) if !error.is_transient() => {
                    span.record("outcome", "failed");
                    return Err(error);
                }
                Err(error) => {
                    failures_in_a_row = failures_in_a_row.saturating_add(1);
                    if failures_in_a_row > policy.transient_retries {
                        span.record("outcome", "out of retries");
                        return Err(error);
                    }
                    span.record("outcome", "retrying");
                    // The client has already scrubbed credentials from the error.
                    tracing::debug!(parent: &span, error = %error, "poll failed; will retry");
                    (DelayReason::Retrying, server_wait(&error), Some(error))
                }
            };

            let remaining = deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let delay = match plan_sleep(backoff.next_delay(), server_asked, remaining) {
                Ok(delay) => delay,
                Err(stop) => {
                    let why = match stop {
                        Stop::DeadlinePassed => format!("the poll deadline of {:?} has passed", policy.deadline),
                        Stop::ServerWaitTooLong(asked) => format!(
                            "the server asked to wait {asked:?} before the next poll, past the poll deadline of {:?}",
                            policy.deadline
                        ),
                    };
                    let details =
                        DeadlineExceeded { last_operation, last_error, polls: attempt, elapsed: started.elapsed() };
                    return Err(Error::deadline(format!("{why}; {details}")).with_source(details));
                }
            };
            if let Some(observe) = on_delay.as_mut() {
                observe(&PollDelay { attempt, delay, reason, server_asked });
            }
            tokio::time::sleep(delay).await;
            slept = delay;
        }
    }
}

/// Sends one poll and decodes the operation it returns.
async fn poll_once<Op: LongRunningOperation>(
    client: &Client,
    scopes: &'static [&'static str],
    build: &BuildRequest,
    request_timeout: Option<Duration>,
) -> crate::error::Result<Op> {
    let mut request = build()?;
    // The poller rides out transient failures itself, within its own budget
    // and deadline; letting the client retry each poll as well would
    // multiply the two.
    let mut options = request.extensions().get::<CallOptions>().cloned().unwrap_or_default();
    options.set_retry_policy(RetryPolicy::never());
    request.extensions_mut().insert(options);
    let sending = client.execute_json::<Op>(request, scopes);
    match request_timeout {
        None => sending.await,
        Some(limit) => tokio::time::timeout(limit, sending)
            .await
            .unwrap_or_else(|_| Err(Error::timeout(format!("no answer to the poll within {limit:?}")))),
    }
}

/// A duration in whole milliseconds for span fields.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl<Op> fmt::Debug for Poller<Op> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("client", &self.client)
            .field("scopes", &self.scopes)
            .field("policy", &self.policy)
            .field("on_progress", &self.on_progress.is_some())
            .field("on_delay", &self.on_delay.is_some())
            .finish_non_exhaustive()
    }
}
