//! Resolved API tokens, remembered for a few seconds so that each API request does not read
//! the token and its user again. Revoking a token or changing a user on this node clears the
//! cache at once; other nodes honour the change within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kefu_domain::access::Actor;

const TTL: Duration = Duration::from_secs(10);
/// More entries than this and the cache starts over (tokens are few; this bounds memory).
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone)]
struct Entry {
    actor: Actor,
    /// The token's own expiry, if any, still applies while cached.
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    cached_at: Instant,
}

/// Token hash → actor.
#[derive(Clone, Default)]
pub struct TokenCache(Arc<Mutex<HashMap<String, Entry>>>);

impl TokenCache {
    /// The actor of a token hash, if cached, fresh and not expired at `now`.
    pub fn get(&self, hash: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Actor> {
        let g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        g.get(hash)
            .filter(|e| e.cached_at.elapsed() < TTL && e.expires_at.is_none_or(|x| x > now))
            .map(|e| e.actor.clone())
    }

    /// Remembers a resolved token.
    pub fn put(
        &self,
        hash: String,
        actor: Actor,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        let mut g = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if g.len() >= MAX_ENTRIES {
            g.clear();
        }
        g.insert(
            hash,
            Entry {
                actor,
                expires_at,
                cached_at: Instant::now(),
            },
        );
    }

    /// Forgets every token (after a revocation or a user change).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
