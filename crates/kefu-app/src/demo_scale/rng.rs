//! A small deterministic pseudo-random generator (xorshift64*) with the draws the generator
//! needs. Same seed, same data: no crate, no global state.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// xorshift64* (Vigna 2016): fast, 64 bits of state, good enough for test data.
pub(super) struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value, zero included).
    pub(super) fn new(seed: u64) -> Rng {
        // splitmix64 spreads small seeds over the whole state and never yields zero here.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    /// The next 64 random bits.
    pub(super) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..hi` (`hi` > `lo`).
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo) as u64) as i64
    }

    /// Uniform in `[0, 1)`.
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub(super) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// One value of `(value, weight)` pairs, with probability proportional to its weight.
    pub(super) fn weighted<T: Copy>(&mut self, xs: &[(T, u32)]) -> T {
        let total: u64 = xs.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (x, w) in xs {
            if r < u64::from(*w) {
                return *x;
            }
            r -= u64::from(*w);
        }
        xs[xs.len() - 1].0
    }

    /// A random duration in `[lo, hi)` minutes, with microseconds.
    pub(super) fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        Duration::microseconds(self.range(lo * 60_000_000, hi * 60_000_000))
    }

    /// A UUIDv7 for an instant; `order` (0–15) sorts ids that share a millisecond, as
    /// `Uuid::now_v7` does for events written by one use case.
    pub(super) fn uuid_v7(&mut self, at: DateTime<Utc>, order: u8) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        bytes[0] = order & 0x0F;
        let ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid()
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn same_seed_same_stream_and_draws_stay_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let x = a.range(-3, 5);
            assert!((-3..5).contains(&x));
            b.range(-3, 5);
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn ids_of_one_millisecond_sort_by_order() {
        let mut r = Rng::new(1);
        let at = chrono::Utc::now();
        let ids: Vec<_> = (0..10).map(|i| r.uuid_v7(at, i)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ids[0].get_version_num(), 7);
    }
}
