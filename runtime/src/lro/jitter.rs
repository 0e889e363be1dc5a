//! A small pseudo-random source for spreading out poll delays.
//!
//! Jitter only needs to keep many clients from polling in lockstep; it does
//! not need to be unpredictable to an attacker. A xorshift generator does
//! that in a few lines and spares every generated crate a `rand` dependency.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Counts generators made by this process, so that two pollers created in the
/// same clock tick still start from different seeds.
static CREATED: AtomicU64 = AtomicU64::new(0);

/// Marsaglia's xorshift64* generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    // Never zero: zero is the one state xorshift cannot leave.
    state: u64,
}

impl Rng {
    /// A generator seeded from the wall clock and a process-wide counter.
    pub(crate) fn from_entropy() -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
        let count = CREATED.fetch_add(1, Ordering::Relaxed);
        Self::seeded(nanos ^ count.rotate_left(32))
    }

    /// A generator with a fixed seed; any value, zero included, is fine.
    pub(crate) fn seeded(seed: u64) -> Self {
        // splitmix64's finaliser scatters seeds that differ in a few low bits
        // (consecutive counters, nearby timestamps) across the whole word.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self { state: if z == 0 { 0x2545_F491_4F6C_DD1D } else { z } }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `[0, 1)`.
    pub(crate) fn next_unit(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly, so every result is
        // representable and 1.0 itself can never come out.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_seed_still_moves() {
        let mut rng = Rng::seeded(0);
        let first = rng.next_u64();
        assert_ne!(first, rng.next_u64());
    }

    #[test]
    fn unit_values_stay_in_range_and_spread() {
        let mut rng = Rng::seeded(42);
        let values: Vec<f64> = (0..10_000).map(|_| rng.next_unit()).collect();
        assert!(values.iter().all(|v| (0.0..1.0).contains(v)));
        let low = values.iter().filter(|v| **v < 0.5).count();
        // A fair split would be 5000; this only catches a broken generator.
        assert!((4000..6000).contains(&low), "{low}");
    }

    #[test]
    fn nearby_seeds_diverge() {
        let a = Rng::seeded(1).next_u64();
        let b = Rng::seeded(2).next_u64();
        assert_ne!(a, b);
        assert_ne!(Rng::from_entropy().next_u64(), Rng::from_entropy().next_u64());
    }
}
