//! Login rate limit: at most `MAX_FAILURES` failed attempts per key (account + client address)
//! within `WINDOW`; further attempts are refused until the window passes.
//!
//! In memory, per process: behind a load balancer each node limits on its own, which still
//! bounds guessing to `nodes × MAX_FAILURES` per window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// Failed attempts allowed per window.
pub const MAX_FAILURES: usize = 5;
/// The window.
pub const WINDOW: Duration = Duration::minutes(5);

/// Tracks recent failures (or, used as a plain rate limit, attempts) per key.
#[derive(Clone, Debug)]
pub struct LoginLimiter {
    failures: Arc<Mutex<HashMap<String, Vec<DateTime<Utc>>>>>,
    max: usize,
    window: Duration,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::with_limit(MAX_FAILURES, WINDOW)
    }
}

impl LoginLimiter {
    /// A limiter allowing `max` recorded events per key within `window`.
    pub fn with_limit(max: usize, window: Duration) -> Self {
        LoginLimiter {
            failures: Default::default(),
            max,
            window,
        }
    }

    /// `Err(seconds_to_wait)` if the key is locked out at `now`.
    pub fn check(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let Some(list) = map.get_mut(key) else {
            return Ok(());
        };
        list.retain(|t| now - *t < self.window);
        if list.len() >= self.max {
            let oldest = list[0];
            return Err((self.window - (now - oldest)).num_seconds().max(1) as u64);
        }
        Ok(())
    }

    /// Records a failure.
    pub fn fail(&self, key: &str, now: DateTime<Utc>) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            // Bound memory under a spray of random keys.
            let window = self.window;
            map.retain(|_, v| v.iter().any(|t| now - *t < window));
        }
        map.entry(key.to_owned()).or_default().push(now);
    }

    /// Forgets failures after a successful login.
    pub fn succeed(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_failures_and_unlocks_after_window() {
        let l = LoginLimiter::default();
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for i in 0..MAX_FAILURES {
            assert!(l.check("a", t0).is_ok(), "attempt {i}");
            l.fail("a", t0);
        }
        assert!(l.check("a", t0 + Duration::seconds(10)).is_err());
        assert!(l.check("b", t0).is_ok());
        assert!(l.check("a", t0 + WINDOW + Duration::seconds(1)).is_ok());
    }

    #[test]
    fn a_custom_limit_counts_its_own_window() {
        let l = LoginLimiter::with_limit(2, Duration::seconds(60));
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        l.fail("a", t0);
        l.fail("a", t0 + Duration::seconds(30));
        assert_eq!(l.check("a", t0 + Duration::seconds(40)), Err(20));
        assert!(l.check("a", t0 + Duration::seconds(61)).is_ok());
    }
}
