//! The knobs of a poll loop: how long to wait between polls, how long to
//! wait in total, and how many transient failures to ride out.

use std::time::Duration;

use crate::retry::backoff::MIN_DELAY;
// The schedule is the retry policy's type: one `Backoff` for both loops.
pub use crate::retry::{Backoff, Jitter};

/// How a [`crate::lro::Poller`] paces its requests and when it gives up.
///
/// The first poll is sent at once. After each poll that finds the operation
/// still running, or that fails in a way worth retrying, the poller sleeps;
/// the sleeps start at [`initial_delay`](Self::initial_delay()) and grow by
/// [`multiplier`](Self::multiplier()) up to [`max_delay`](Self::max_delay()),
/// with [`jitter`](Self::jitter()) applied to each: a [`Backoff`], which
/// [`backoff`](Self::backoff()) sets at once.
///
/// The defaults suit operations that take seconds to minutes: 1 s first
/// delay, ×1.5 growth, 60 s cap, equal jitter, a 10 minute deadline, 5
/// transient failures in a row, and the client's own request timeout.
///
/// Every setter accepts any value and never panics; values that make no
/// sense are adjusted as each setter describes.
#[derive(Clone, Debug, PartialEq)]
pub struct PollPolicy {
    pub(crate) backoff: Backoff,
    pub(crate) deadline: Duration,
    pub(crate) transient_retries: u32,
    pub(crate) request_timeout: Option<Duration>,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            backoff: Backoff {
                initial_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(60),
                multiplier: 1.5,
                jitter: Jitter::Equal,
            },
            deadline: Duration::from_secs(10 * 60),
            transient_retries: 5,
            request_timeout: None,
        }
    }
}

impl PollPolicy {
    /// The same as [`PollPolicy::default`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The schedule of delays between polls (default 1 s, ×1.5 up to 60 s,
    /// [`Jitter::Equal`]: slower than [`Backoff::default`], the retry
    /// policy's). The four setters below change one setting of it each.
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The delay after the first poll (default 1 s). Raised to 1 ms if
    /// smaller, so that polling can never spin.
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.backoff.set_initial_delay(delay);
        self
    }

    /// The longest delay between two polls (default 60 s). The schedule
    /// stops growing here; a `Retry-After` from the server may still ask for
    /// more. A value below the initial delay caps the schedule at the
    /// initial delay instead.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.backoff.set_max_delay(delay);
        self
    }

    /// How much each delay grows over the previous one (default 1.5).
    /// Values below 1, and NaN, become 1: a constant delay. Infinity jumps
    /// straight to the maximum delay after the first one.
    pub fn multiplier(mut self, factor: f64) -> Self {
        self.backoff.set_multiplier(factor);
        self
    }

    /// How each delay is randomised (default [`Jitter::Equal`]).
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.backoff.jitter = jitter;
        self
    }

    /// How long to keep polling in total, from the start of
    /// [`Poller::wait`](crate::lro::Poller::wait) (default 10 minutes).
    ///
    /// No sleep reaches past the deadline: when the schedule's next delay
    /// would, the poller sleeps until the deadline and polls one last time,
    /// since the operation may have finished meanwhile. That last poll may
    /// end after the deadline, within its request timeout; wrap the wait in
    /// `tokio::time::timeout` if the bound must be exact. A poll that ends
    /// at or after the deadline without a finished operation ends the wait,
    /// so a deadline of zero allows only the first poll. For an effectively unbounded wait pass
    /// `Duration::MAX`; that has to be asked for explicitly.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How many transient failures in a row (HTTP 429, 500, 502, 503, 504,
    /// connection failures, timeouts) are retried before the last one is
    /// returned (default 5). The count starts over after every poll that
    /// gets an answer. Zero returns the first transient failure.
    pub fn transient_retries(mut self, retries: u32) -> Self {
        self.transient_retries = retries;
        self
    }

    /// A time limit for each poll request, instead of only the client's.
    ///
    /// The client's own timeout still applies to every request it sends, so
    /// this can shorten the limit but not lengthen it. A request that runs
    /// out of time counts as a transient failure. Raised to 1 ms if smaller.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout.max(MIN_DELAY));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_bounded() {
        let policy = PollPolicy::default();
        assert_eq!(policy.backoff.initial_delay, Duration::from_secs(1));
        assert_eq!(policy.backoff.max_delay, Duration::from_secs(60));
        assert_eq!(policy.backoff.multiplier, 1.5);
        assert_eq!(policy.backoff.jitter, Jitter::Equal);
        assert_eq!(policy.deadline, Duration::from_secs(600));
        assert_eq!(policy.transient_retries, 5);
        assert_eq!(policy.request_timeout, None);
        assert_eq!(PollPolicy::new(), policy);
    }

    #[test]
    fn nonsense_values_are_adjusted() {
        let policy = PollPolicy::default()
            .initial_delay(Duration::ZERO)
            .max_delay(Duration::ZERO)
            .request_timeout(Duration::ZERO);
        assert_eq!(policy.backoff.initial_delay, MIN_DELAY);
        assert_eq!(policy.backoff.max_delay, MIN_DELAY);
        assert_eq!(policy.request_timeout, Some(MIN_DELAY));
        for factor in [0.0, -3.0, 0.5, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(PollPolicy::default().multiplier(factor).backoff.multiplier, 1.0, "{factor}");
        }
        assert_eq!(PollPolicy::default().multiplier(2.0).backoff.multiplier, 2.0);
        assert!(PollPolicy::default().multiplier(f64::INFINITY).backoff.multiplier.is_infinite());
    }

    #[test]
    fn a_backoff_replaces_the_whole_schedule() {
        let backoff = Backoff::builder()
            .initial_delay(Duration::from_millis(5))
            .max_delay(Duration::from_millis(50))
            .multiplier(3.0)
            .jitter(Jitter::None)
            .build();
        let policy = PollPolicy::default().deadline(Duration::from_secs(1)).backoff(backoff.clone());
        assert_eq!(policy.backoff, backoff);
        // The same as the four setters, and the other settings stay.
        let by_setters = PollPolicy::default()
            .deadline(Duration::from_secs(1))
            .initial_delay(Duration::from_millis(5))
            .max_delay(Duration::from_millis(50))
            .multiplier(3.0)
            .jitter(Jitter::None);
        assert_eq!(policy, by_setters);
        assert_eq!(policy.deadline, Duration::from_secs(1));
    }
}
