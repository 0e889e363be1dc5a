//! The delays between attempts, shared by call retries, resumable uploads
//! and the poller of long-running operations: an exponential schedule with
//! jitter, bounded by what the server asks for and by a deadline.

use std::time::Duration;

/// The shortest delay a schedule allows. A zero delay would turn a retry or
/// poll loop into a busy loop against the server, so smaller settings are
/// raised to this.
pub(crate) const MIN_DELAY: Duration = Duration::from_millis(1);

/// How a delay between attempts is randomised.
///
/// Without jitter, every client that failed (or started an operation) at
/// the same moment would come back in lockstep. Both kinds take the delay
/// the schedule asks for, `d`, and pick a random point below it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Jitter {
    /// Wait exactly `d`.
    None,
    /// Wait anywhere in `[0, d]`. Spreads clients the most, but a wait can
    /// come out close to zero: the usual choice for retries.
    Full,
    /// Wait anywhere in `[d/2, d]`. Spreads clients while keeping the
    /// schedule's growth: the poller's default, so an operation that takes
    /// minutes is not polled in quick bursts.
    #[default]
    Equal,
}

/// An exponential schedule of delays between attempts: the first delay,
/// the growth factor, the cap, and the jitter applied to each delay.
///
/// One type serves both [`RetryPolicy`](super::RetryPolicy) (retries of a
/// call) and [`PollPolicy`](crate::lro::PollPolicy) (the polls of a
/// long-running operation);
/// each takes one through its `backoff` setter. Built with
/// [`Backoff::builder`]; the builder starts from [`Backoff::default`].
///
/// ```
/// use std::time::Duration;
/// use discogen_runtime::retry::{Backoff, Jitter, RetryPolicy};
///
/// let backoff = Backoff::builder()
///     .initial_delay(Duration::from_millis(200))
///     .multiplier(3.0)
///     .max_delay(Duration::from_secs(10))
///     .jitter(Jitter::Equal)
///     .build();
/// let policy = RetryPolicy::new().backoff(backoff.clone());
/// assert_eq!(backoff.max_delay(), Duration::from_secs(10));
/// # let _ = policy;
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Backoff {
    pub(crate) initial_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) multiplier: f64,
    pub(crate) jitter: Jitter,
}

impl Default for Backoff {
    /// The retry policy's schedule: 1 s, doubling up to 30 s, with
    /// [`Jitter::Full`]. (A `PollPolicy`'s own default grows more slowly:
    /// 1 s, ×1.5 up to 60 s, [`Jitter::Equal`].)
    fn default() -> Self {
        Self {
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            multiplier: 2.0,
            jitter: Jitter::Full,
        }
    }
}

impl Backoff {
    /// A builder starting from [`Backoff::default`].
    pub fn builder() -> BackoffBuilder {
        BackoffBuilder(Self::default())
    }

    /// The delay before the first retry or second poll.
    pub fn initial_delay(&self) -> Duration {
        self.initial_delay
    }

    /// The longest delay the schedule grows to.
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// How much each delay grows over the one before.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// How each delay is randomised.
    pub fn jitter(&self) -> Jitter {
        self.jitter
    }

    pub(crate) fn set_initial_delay(&mut self, delay: Duration) {
        self.initial_delay = delay.max(MIN_DELAY);
    }

    pub(crate) fn set_max_delay(&mut self, delay: Duration) {
        self.max_delay = delay.max(MIN_DELAY);
    }

    pub(crate) fn set_multiplier(&mut self, factor: f64) {
        // `max` returns the other operand when one is NaN, so NaN becomes 1.
        self.multiplier = factor.max(1.0);
    }

    /// A fresh schedule with jitter from a generator seeded by the system.
    pub(crate) fn schedule(&self) -> Schedule {
        Schedule::new(self, fastrand::Rng::new())
    }
}

impl From<Backoff> for BackoffBuilder {
    /// A builder starting from `backoff`, to change some of its settings.
    fn from(backoff: Backoff) -> Self {
        Self(backoff)
    }
}

/// Builds a [`Backoff`]. Every setter accepts any value and never panics;
/// values that make no sense are adjusted as each setter describes.
#[derive(Clone, Debug, PartialEq)]
pub struct BackoffBuilder(Backoff);

impl BackoffBuilder {
    /// The first delay (default 1 s). Raised to 1 ms if smaller, so that a
    /// retry or poll loop can never spin.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.0.set_initial_delay(delay);
        self
    }

    /// The longest delay (default 30 s; at least 1 ms). The schedule stops
    /// growing here; a `Retry-After` from the server may still ask for
    /// more. A value below the initial delay caps the schedule at the
    /// initial delay instead.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.0.set_max_delay(delay);
        self
    }

    /// How much each delay grows over the one before (default 2). Values
    /// below 1, and NaN, become 1: a constant delay. Infinity jumps
    /// straight to the maximum delay after the first one.
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.0.set_multiplier(factor);
        self
    }

    /// How each delay is randomised (default [`Jitter::Full`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.0.jitter = jitter;
        self
    }

    /// The schedule.
    pub fn build(self) -> Backoff {
        self.0
    }
}

/// One loop's run through a [`Backoff`], with jitter applied.
#[derive(Debug)]
pub(crate) struct Schedule {
    /// The delay the schedule asks for next, before jitter.
    nominal: Duration,
    max: Duration,
    multiplier: f64,
    jitter: Jitter,
    rng: fastrand::Rng,
}

impl Schedule {
    /// A schedule for `settings`, with jitter drawn from `rng`.
    pub(crate) fn new(settings: &Backoff, rng: fastrand::Rng) -> Self {
        Self {
            nominal: settings.initial_delay,
            // A cap below the first delay would make the schedule shrink,
            // which no caller means; the first delay wins instead.
            max: settings.max_delay.max(settings.initial_delay),
            multiplier: settings.multiplier,
            jitter: settings.jitter,
            rng,
        }
    }

    /// The next delay, jittered, and advances the schedule.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let nominal = self.nominal;
        self.nominal = grow(nominal, self.multiplier, self.max);
        let fraction = match self.jitter {
            Jitter::None => return nominal,
            Jitter::Full => self.rng.f64(),
            Jitter::Equal => 0.5 + 0.5 * self.rng.f64(),
        };
        scale(nominal, fraction)
    }
}

/// `delay × multiplier`, capped at `max`. An overflowing product is capped
/// too, rather than panicking as `Duration::mul_f64` would.
fn grow(delay: Duration, multiplier: f64, max: Duration) -> Duration {
    Duration::try_from_secs_f64(delay.as_secs_f64() * multiplier).map_or(max, |grown| grown.min(max))
}

/// `delay × fraction` for a fraction in `[0, 1]`.
fn scale(delay: Duration, fraction: f64) -> Duration {
    Duration::try_from_secs_f64(delay.as_secs_f64() * fraction).map_or(delay, |scaled| scaled.min(delay))
}

/// Why a loop ends instead of sleeping.
#[derive(Debug, PartialEq)]
pub(crate) enum Stop {
    /// No time is left for another attempt.
    DeadlinePassed,
    /// The server asked for a wait longer than the time left.
    ServerWaitTooLong(Duration),
}

/// How long to sleep before the next attempt: the schedule's delay, at
/// least what the server asked for, and never past the deadline.
///
/// `remaining` is the time left before the deadline, `None` without one.
/// When the server asks for more than is left, trying before its time
/// would disregard the request and waiting would outlast the deadline, so
/// no further attempt can follow the rules and the loop stops at once. When
/// only the schedule overshoots, the sleep is cut to the deadline so that
/// one last attempt can still be made.
pub(crate) fn plan_sleep(
    scheduled: Duration,
    server_asked: Option<Duration>,
    remaining: Option<Duration>,
) -> Result<Duration, Stop> {
    let left = remaining.unwrap_or(Duration::MAX);
    if left.is_zero() {
        return Err(Stop::DeadlinePassed);
    }
    let delay = match server_asked {
        Some(asked) if asked > left => return Err(Stop::ServerWaitTooLong(asked)),
        Some(asked) => scheduled.max(asked),
        None => scheduled,
    };
    Ok(delay.min(left))
}

/// The wait the server asked for in a failed response.
///
/// The error already merges `Retry-After` with a `RetryInfo` detail; the
/// detail is read again here in case the error was made by hand or by a
/// transport that did not merge them.
pub(crate) fn server_wait(error: &crate::error::Error) -> Option<Duration> {
    let from_detail = error.status().and_then(crate::rpc::Status::retry_delay);
    error.retry_after().max(from_detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Policy(Backoff);

    impl Policy {
        fn new() -> Self {
            Policy(Backoff {
                initial_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(60),
                multiplier: 1.5,
                jitter: Jitter::Equal,
            })
        }
        fn initial_delay(mut self, d: Duration) -> Self {
            self.0.set_initial_delay(d);
            self
        }
        fn max_delay(mut self, d: Duration) -> Self {
            self.0.set_max_delay(d);
            self
        }
        fn multiplier(mut self, m: f64) -> Self {
            self.0.set_multiplier(m);
            self
        }
        fn jitter(mut self, j: Jitter) -> Self {
            self.0.jitter = j;
            self
        }
    }

    fn delays(policy: &Policy, count: usize) -> Vec<Duration> {
        let mut backoff = Schedule::new(&policy.0, fastrand::Rng::with_seed(7));
        (0..count).map(|_| backoff.next_delay()).collect()
    }

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn grows_to_the_cap_without_jitter() {
        let policy = Policy::new()
            .initial_delay(Duration::from_millis(100))
            .multiplier(2.0)
            .max_delay(Duration::from_millis(500))
            .jitter(Jitter::None);
        assert_eq!(delays(&policy, 6), ms(&[100, 200, 400, 500, 500, 500]));
    }

    #[test]
    fn cap_below_initial_keeps_the_initial_delay() {
        let policy = Policy::new()
            .initial_delay(Duration::from_millis(300))
            .max_delay(Duration::from_millis(100))
            .jitter(Jitter::None);
        assert_eq!(delays(&policy, 3), ms(&[300, 300, 300]));
    }

    #[test]
    fn infinite_multiplier_jumps_to_the_cap() {
        let policy = Policy::new()
            .initial_delay(Duration::from_millis(10))
            .multiplier(f64::INFINITY)
            .max_delay(Duration::from_secs(5))
            .jitter(Jitter::None);
        assert_eq!(delays(&policy, 3), ms(&[10, 5000, 5000]));
    }

    #[test]
    fn huge_values_do_not_panic() {
        let policy =
            Policy::new().initial_delay(Duration::MAX).max_delay(Duration::MAX).multiplier(1e300).jitter(Jitter::Full);
        for delay in delays(&policy, 4) {
            assert!(delay <= Duration::MAX);
        }
    }

    #[test]
    fn jitter_stays_within_its_band() {
        let base = Policy::new().initial_delay(Duration::from_secs(8)).multiplier(1.0);
        for delay in
            delays(&Policy::new().initial_delay(Duration::from_secs(8)).multiplier(1.0).jitter(Jitter::Equal), 500)
        {
            assert!(delay >= Duration::from_secs(4) && delay <= Duration::from_secs(8));
        }
        let full = delays(&base.jitter(Jitter::Full), 500);
        assert!(full.iter().all(|d| *d <= Duration::from_secs(8)));
        // Full jitter really reaches into the lower half.
        assert!(full.iter().any(|d| *d < Duration::from_secs(4)));
    }

    const fn one(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn the_schedule_applies_without_other_limits() {
        assert_eq!(plan_sleep(one(500), None, None), Ok(one(500)));
        assert_eq!(plan_sleep(one(500), None, Some(one(900))), Ok(one(500)));
    }

    #[test]
    fn the_server_can_only_lengthen_the_sleep() {
        assert_eq!(plan_sleep(one(500), Some(one(2000)), None), Ok(one(2000)));
        assert_eq!(plan_sleep(one(500), Some(one(100)), Some(one(900))), Ok(one(500)));
        assert_eq!(plan_sleep(one(500), Some(one(900)), Some(one(900))), Ok(one(900)));
    }

    #[test]
    fn the_deadline_cuts_the_schedule_but_not_the_server() {
        assert_eq!(plan_sleep(one(5000), None, Some(one(300))), Ok(one(300)));
        assert_eq!(plan_sleep(one(5), Some(one(301)), Some(one(300))), Err(Stop::ServerWaitTooLong(one(301))));
        assert_eq!(plan_sleep(one(5), None, Some(Duration::ZERO)), Err(Stop::DeadlinePassed));
        assert_eq!(plan_sleep(one(5), Some(one(1)), Some(Duration::ZERO)), Err(Stop::DeadlinePassed));
    }
}
