//! Turning a [`PollPolicy`] into the sequence of delays between polls.

use std::time::Duration;

use super::jitter::Rng;
use super::policy::{Jitter, PollPolicy};

/// The exponential schedule of one poll loop, with jitter applied.
#[derive(Debug)]
pub(crate) struct Backoff {
    /// The delay the schedule asks for next, before jitter.
    nominal: Duration,
    max: Duration,
    multiplier: f64,
    jitter: Jitter,
    rng: Rng,
}

impl Backoff {
    /// A schedule for `policy`, with jitter drawn from `rng`.
    pub(crate) fn new(policy: &PollPolicy, rng: Rng) -> Self {
        Self {
            nominal: policy.initial_delay,
            // A cap below the first delay would make the schedule shrink,
            // which no caller means; the first delay wins instead.
            max: policy.max_delay.max(policy.initial_delay),
            multiplier: policy.multiplier,
            jitter: policy.jitter,
            rng,
        }
    }

    /// The next delay, jittered, and advances the schedule.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let nominal = self.nominal;
        self.nominal = grow(nominal, self.multiplier, self.max);
        let fraction = match self.jitter {
            Jitter::None => return nominal,
            Jitter::Full => self.rng.next_unit(),
            Jitter::Equal => 0.5 + 0.5 * self.rng.next_unit(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn delays(policy: &PollPolicy, count: usize) -> Vec<Duration> {
        let mut backoff = Backoff::new(policy, Rng::seeded(7));
        (0..count).map(|_| backoff.next_delay()).collect()
    }

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn grows_to_the_cap_without_jitter() {
        let policy = PollPolicy::default()
            .initial_delay(Duration::from_millis(100))
            .multiplier(2.0)
            .max_delay(Duration::from_millis(500))
            .jitter(Jitter::None);
        assert_eq!(delays(&policy, 6), ms(&[100, 200, 400, 500, 500, 500]));
    }

    #[test]
    fn cap_below_initial_keeps_the_initial_delay() {
        let policy = PollPolicy::default()
            .initial_delay(Duration::from_millis(300))
            .max_delay(Duration::from_millis(100))
            .jitter(Jitter::None);
        assert_eq!(delays(&policy, 3), ms(&[300, 300, 300]));
    }

    #[test]
    fn infinite_multiplier_jumps_to_the_cap() {
        let policy = PollPolicy::default()
            .initial_delay(Duration::from_millis(10))
            .multiplier(f64::INFINITY)
            .max_delay(Duration::from_secs(5))
            .jitter(Jitter::None);
        assert_eq!(delays(&policy, 3), ms(&[10, 5000, 5000]));
    }

    #[test]
    fn huge_values_do_not_panic() {
        let policy = PollPolicy::default()
            .initial_delay(Duration::MAX)
            .max_delay(Duration::MAX)
            .multiplier(1e300)
            .jitter(Jitter::Full);
        for delay in delays(&policy, 4) {
            assert!(delay <= Duration::MAX);
        }
    }

    #[test]
    fn jitter_stays_within_its_band() {
        let base = PollPolicy::default().initial_delay(Duration::from_secs(8)).multiplier(1.0);
        for delay in delays(&base.clone().jitter(Jitter::Equal), 500) {
            assert!(delay >= Duration::from_secs(4) && delay <= Duration::from_secs(8));
        }
        let full = delays(&base.jitter(Jitter::Full), 500);
        assert!(full.iter().all(|d| *d <= Duration::from_secs(8)));
        // Full jitter really reaches into the lower half.
        assert!(full.iter().any(|d| *d < Duration::from_secs(4)));
    }
}
