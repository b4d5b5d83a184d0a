//! Queue counts remembered per user, so that opening queue after queue does not count a million
//! tickets each time. An entry holds while no ticket event was written since it was counted
//! (anywhere: the newest event id is read from the database, an index lookup) and for at most
//! `MAX_AGE` of clock time, after which SLA-warning and breached counts may have moved on their
//! own.
//!
//! Counting again is single-flight per user: requests that arrive while the user's counts are
//! being taken wait for them and share the result (at most one count's duration old) instead
//! of each counting a million tickets once more.
//!
//! The one count over the whole history, "all", is split at an id watermark (ids are UUIDv7,
//! time-ordered): the tickets below it are counted at most every `TOTAL_MAX_AGE` and
//! remembered, the ones above it on every count, through the primary key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::QueueCount;

const MAX_AGE_SECS: i64 = 30;
/// How long the count of tickets below the watermark is reused.
const TOTAL_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);
/// How far behind now the watermark is set: a ticket whose id was made before it is committed
/// by the time it is counted (no write transaction lasts a minute).
const WATERMARK_LAG_MS: u64 = 60_000;
/// More entries than this and the cache starts over (one per signed-in user; bounds memory).
const MAX_ENTRIES: usize = 10_000;

/// Who the counts are for: the user and, for customer users, their company.
pub(crate) type Key = (Uuid, Option<Uuid>);

struct Entry {
    counts: Vec<QueueCount>,
    last_event: Option<Uuid>,
    counted_at: DateTime<Utc>,
    /// Bumped on every put, so a waiter can tell that counts were taken while it waited.
    generation: u64,
}

/// Unmerged tickets below `watermark`, counted at `taken`.
#[derive(Clone, Copy)]
pub(crate) struct Total {
    pub watermark: Uuid,
    pub below: u64,
    taken: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    flights: HashMap<Key, Arc<tokio::sync::Mutex<()>>>,
    total: Option<Total>,
    generation: u64,
}

/// The cache; cheap to clone.
#[derive(Clone, Default)]
pub struct CountCache(Arc<Mutex<Inner>>);

/// The smallest UUIDv7 of the instant `ms` milliseconds after the Unix epoch.
pub(crate) fn watermark_at(ms: u64) -> Uuid {
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = 0x70;
    b[8] = 0x80;
    Uuid::from_bytes(b)
}

impl CountCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The generation of `key`'s entry (0 without one), to pass to [`CountCache::since`].
    pub(crate) fn generation(&self, key: Key) -> u64 {
        self.lock().entries.get(&key).map_or(0, |e| e.generation)
    }

    /// The counts for `key` if they were taken after `generation` was read.
    pub(crate) fn since(&self, key: Key, generation: u64) -> Option<Vec<QueueCount>> {
        let g = self.lock();
        let e = g.entries.get(&key)?;
        (e.generation > generation).then(|| e.counts.clone())
    }

    /// The lock that makes counting for `key` single-flight.
    pub(crate) fn flight(&self, key: Key) -> Arc<tokio::sync::Mutex<()>> {
        let mut g = self.lock();
        if g.flights.len() >= MAX_ENTRIES {
            g.flights.retain(|_, m| Arc::strong_count(m) > 1);
        }
        g.flights.entry(key).or_default().clone()
    }

    /// The remembered count below the watermark, while fresh.
    pub(crate) fn total(&self) -> Option<Total> {
        self.lock()
            .total
            .filter(|t| t.taken.elapsed() < TOTAL_MAX_AGE)
    }

    /// A new watermark (a minute behind the system clock: ids come from it, not from the app's
    /// clock) for counting below it.
    pub(crate) fn new_watermark() -> Uuid {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        watermark_at(ms.saturating_sub(WATERMARK_LAG_MS))
    }

    /// Remembers the count below `watermark`.
    pub(crate) fn put_total(&self, watermark: Uuid, below: u64) -> Total {
        let t = Total {
            watermark,
            below,
            taken: Instant::now(),
        };
        self.lock().total = Some(t);
        t
    }

    /// Forgets the remembered total (a ticket below the watermark was merged away).
    pub fn forget_total(&self) {
        self.lock().total = None;
    }

    /// The counts for `key` if nothing changed since they were taken.
    pub(crate) fn get(
        &self,
        key: Key,
        last_event: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Option<Vec<QueueCount>> {
        let g = self.lock();
        let e = g.entries.get(&key)?;
        let age = now - e.counted_at;
        (e.last_event == last_event && age >= Duration::zero() && age.num_seconds() < MAX_AGE_SECS)
            .then(|| e.counts.clone())
    }

    /// Remembers counts taken when `last_event` was the newest event.
    pub(crate) fn put(
        &self,
        key: Key,
        last_event: Option<Uuid>,
        now: DateTime<Utc>,
        counts: Vec<QueueCount>,
    ) {
        let mut g = self.lock();
        if g.entries.len() >= MAX_ENTRIES {
            g.entries.clear();
        }
        g.generation += 1;
        let generation = g.generation;
        g.entries.insert(
            key,
            Entry {
                counts,
                last_event,
                counted_at: now,
                generation,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(n: u64) -> Vec<QueueCount> {
        vec![QueueCount {
            queue: "all".into(),
            count: n,
        }]
    }

    #[test]
    fn holds_until_an_event_or_max_age() {
        let c = CountCache::default();
        let key = (Uuid::nil(), None);
        let t0 = Utc::now();
        let e1 = Some(Uuid::now_v7());
        assert!(c.get(key, e1, t0).is_none());
        c.put(key, e1, t0, counts(3));
        assert_eq!(
            c.get(key, e1, t0 + Duration::seconds(29)).unwrap()[0].count,
            3
        );
        // Another user's counts are their own.
        assert!(c.get((Uuid::now_v7(), None), e1, t0).is_none());
        // A newer event, or too much time, or a clock that went back: count again.
        assert!(c.get(key, Some(Uuid::now_v7()), t0).is_none());
        assert!(c.get(key, e1, t0 + Duration::seconds(30)).is_none());
        assert!(c.get(key, e1, t0 - Duration::seconds(1)).is_none());
    }

    #[test]
    fn waiters_see_counts_taken_while_they_waited() {
        let c = CountCache::default();
        let key = (Uuid::nil(), None);
        let seen = c.generation(key);
        assert!(c.since(key, seen).is_none());
        c.put(key, None, Utc::now(), counts(5));
        assert_eq!(c.since(key, seen).unwrap()[0].count, 5);
        // Counts older than what the waiter saw do not count.
        assert!(c.since(key, c.generation(key)).is_none());
    }

    #[test]
    fn watermarks_order_like_v7_ids() {
        let ms = 1_764_000_000_000u64;
        let w = watermark_at(ms);
        assert_eq!(w.get_version_num(), 7);
        let before = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            (ms / 1000) - 1,
            0,
        ));
        let after = Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, 0));
        assert!(before < w, "{before} {w}");
        assert!(after >= w, "{after} {w}");
        let forgotten = CountCache::default();
        forgotten.put_total(w, 3);
        assert_eq!(forgotten.total().map(|t| t.below), Some(3));
        forgotten.forget_total();
        assert!(forgotten.total().is_none());
    }
}
