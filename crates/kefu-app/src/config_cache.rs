//! A short-lived cache of SLA configuration (policies with their calendars), so that each ticket
//! change does not re-read and re-parse them. Writes on this node clear it at once; other nodes
//! see a change within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kefu_domain::sla::{BusinessCalendar, SlaPolicy};
use uuid::Uuid;

const TTL: Duration = Duration::from_secs(5);

/// A policy ready to compute with.
#[derive(Debug, Clone)]
pub struct LoadedPolicy {
    /// Policy id.
    pub id: Uuid,
    /// The rules.
    pub policy: SlaPolicy,
    /// Its calendar.
    pub calendar: Arc<BusinessCalendar>,
}

/// Default policy id and every loaded policy by id.
pub type Policies = (Option<Uuid>, HashMap<Uuid, Arc<LoadedPolicy>>);

#[derive(Default)]
struct Inner {
    loaded_at: Option<Instant>,
    default_id: Option<Uuid>,
    policies: HashMap<Uuid, Arc<LoadedPolicy>>,
}

/// The cache; cheap to clone.
#[derive(Clone, Default)]
pub struct ConfigCache(Arc<RwLock<Inner>>);

impl ConfigCache {
    /// The cached policies if fresh: (default id, by id).
    pub fn get(&self) -> Option<Policies> {
        let g = self.0.read().unwrap_or_else(|e| e.into_inner());
        g.loaded_at
            .filter(|t| t.elapsed() < TTL)
            .map(|_| (g.default_id, g.policies.clone()))
    }

    /// Replaces the cached policies.
    pub fn put(&self, default_id: Option<Uuid>, policies: HashMap<Uuid, Arc<LoadedPolicy>>) {
        let mut g = self.0.write().unwrap_or_else(|e| e.into_inner());
        *g = Inner {
            loaded_at: Some(Instant::now()),
            default_id,
            policies,
        };
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).loaded_at = None;
    }
}
