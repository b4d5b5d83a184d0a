//! Queue counts remembered per user, so that opening queue after queue does not count a million
//! tickets each time. An entry holds while no ticket event was written since it was counted
//! (anywhere: the newest event id is read from the database, an index lookup) and for at most
//! `MAX_AGE` of clock time, after which SLA-warning and breached counts may have moved on their
//! own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::QueueCount;

const MAX_AGE_SECS: i64 = 30;
/// More entries than this and the cache starts over (one per signed-in user; bounds memory).
const MAX_ENTRIES: usize = 10_000;

/// Who the counts are for: the user and, for customer users, their company.
pub(crate) type Key = (Uuid, Option<Uuid>);

struct Entry {
    counts: Vec<QueueCount>,
    last_event: Option<Uuid>,
    counted_at: DateTime<Utc>,
}

/// The cache; cheap to clone.
#[derive(Clone, Default)]
pub struct CountCache(Arc<Mutex<HashMap<Key, Entry>>>);

impl CountCache {
    /// The counts for `key` if nothing changed since they were taken.
    pub(crate) fn get(
        &self,
        key: Key,
        last_event: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Option<Vec<QueueCount>> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let e = g.get(&key)?;
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
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if g.len() >= MAX_ENTRIES {
            g.clear();
        }
        g.insert(
            key,
            Entry {
                counts,
                last_event,
                counted_at: now,
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
}
