//! A short-lived cache of configuration read on every ticket change or ticket page (SLA
//! policies with their calendars, the status workflow, ticket types with their forms, the staff
//! directory, list settings such as macros and canned replies), so that each one does not
//! re-read and re-parse them. Writes on this node clear it at once; other nodes see a change
//! within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use kefu_domain::sla::{BusinessCalendar, SlaPolicy};
use kefu_domain::ticket::Workflow;
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
pub type Policies = (Option<Uuid>, Arc<HashMap<Uuid, Arc<LoadedPolicy>>>);

/// Every ticket type, in display order.
pub type TicketTypes = Vec<crate::tickets::TicketTypeView>;

#[derive(Default)]
struct Inner {
    loaded_at: Option<Instant>,
    default_id: Option<Uuid>,
    policies: Arc<HashMap<Uuid, Arc<LoadedPolicy>>>,
    workflow: Option<(Instant, Arc<Workflow>)>,
    types: Option<(Instant, Arc<TicketTypes>)>,
    dispatch: Option<(Instant, Arc<crate::dispatch::DispatchConfig>)>,
    staff: Option<(Instant, Arc<Vec<crate::users::StaffEntry>>)>,
    settings: HashMap<String, (Instant, Arc<Option<serde_json::Value>>)>,
}

fn fresh<T: Clone>(slot: &Option<(Instant, T)>) -> Option<T> {
    slot.as_ref()
        .filter(|(t, _)| t.elapsed() < TTL)
        .map(|(_, v)| v.clone())
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
    pub fn put(&self, default_id: Option<Uuid>, policies: Arc<HashMap<Uuid, Arc<LoadedPolicy>>>) {
        let mut g = self.0.write().unwrap_or_else(|e| e.into_inner());
        g.loaded_at = Some(Instant::now());
        g.default_id = default_id;
        g.policies = policies;
    }

    /// The cached workflow if fresh.
    pub fn workflow(&self) -> Option<Arc<Workflow>> {
        fresh(&self.0.read().unwrap_or_else(|e| e.into_inner()).workflow)
    }

    /// Caches the workflow.
    pub fn put_workflow(&self, wf: Arc<Workflow>) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).workflow = Some((Instant::now(), wf));
    }

    /// The cached ticket types if fresh.
    pub fn types(&self) -> Option<Arc<TicketTypes>> {
        fresh(&self.0.read().unwrap_or_else(|e| e.into_inner()).types)
    }

    /// Caches the ticket types.
    pub fn put_types(&self, types: Arc<TicketTypes>) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).types = Some((Instant::now(), types));
    }

    /// The cached dispatch configuration if fresh.
    pub fn dispatch(&self) -> Option<Arc<crate::dispatch::DispatchConfig>> {
        fresh(&self.0.read().unwrap_or_else(|e| e.into_inner()).dispatch)
    }

    /// Caches the dispatch configuration.
    pub fn put_dispatch(&self, c: Arc<crate::dispatch::DispatchConfig>) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).dispatch = Some((Instant::now(), c));
    }

    /// The cached staff directory if fresh.
    pub fn staff(&self) -> Option<Arc<Vec<crate::users::StaffEntry>>> {
        fresh(&self.0.read().unwrap_or_else(|e| e.into_inner()).staff)
    }

    /// Caches the staff directory.
    pub fn put_staff(&self, staff: Arc<Vec<crate::users::StaffEntry>>) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).staff = Some((Instant::now(), staff));
    }

    /// The cached value of setting `key` (`None` inside when unset) if fresh.
    pub fn setting(&self, key: &str) -> Option<Arc<Option<serde_json::Value>>> {
        fresh(
            &self
                .0
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .settings
                .get(key)
                .cloned(),
        )
    }

    /// Caches the value of setting `key`.
    pub fn put_setting(&self, key: &str, value: Arc<Option<serde_json::Value>>) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .settings
            .insert(key.to_owned(), (Instant::now(), value));
    }

    /// Forgets everything.
    pub fn clear(&self) {
        let mut g = self.0.write().unwrap_or_else(|e| e.into_inner());
        g.loaded_at = None;
        g.workflow = None;
        g.types = None;
        g.dispatch = None;
        g.staff = None;
        g.settings.clear();
    }
}
