//! Named queues of the agent workspace (my tickets, unassigned, my teams, SLA warning, breached,
//! pending parts, open, all) and their counts.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::TicketFilter;
use kefu_store::entity::team_member;
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, require};

/// A named queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// Open tickets assigned to me.
    Mine,
    /// Open tickets nobody is assigned to.
    Unassigned,
    /// Open tickets of my teams.
    Team,
    /// Open tickets whose SLA is about to be breached.
    SlaWarning,
    /// Open tickets whose SLA is breached.
    Breached,
    /// Waiting for spare parts.
    PendingParts,
    /// Everything not resolved or closed.
    Open,
    /// Everything.
    All,
}

impl Queue {
    /// Every queue, in menu order.
    pub const ALL: [Queue; 8] = [
        Queue::Mine,
        Queue::Unassigned,
        Queue::Team,
        Queue::SlaWarning,
        Queue::Breached,
        Queue::PendingParts,
        Queue::Open,
        Queue::All,
    ];

    /// Parses a queue code.
    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.code() == s)
    }

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::Team => "team",
            Queue::SlaWarning => "sla_warning",
            Queue::Breached => "breached",
            Queue::PendingParts => "pending_parts",
            Queue::Open => "open",
            Queue::All => "all",
        }
    }
}

/// Statuses that count as finished (resolved or closed) in the workflow in force.
pub(crate) async fn finished_statuses_of(
    app: &App,
    db: &impl ConnectionTrait,
) -> Result<Vec<String>, AppError> {
    Ok(super::workflow_of(app, db).await?.finished_statuses())
}

/// Teams the user belongs to.
pub(crate) async fn teams_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    Ok(team_member::Entity::find()
        .filter(team_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.team_id)
        .collect())
}

/// Narrows `f` to `queue` for `actor`.
pub(crate) async fn narrow(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    queue: Queue,
    now: DateTime<Utc>,
    f: &mut TicketFilter,
) -> Result<(), AppError> {
    if queue == Queue::All {
        return Ok(());
    }
    if queue != Queue::PendingParts {
        f.exclude_statuses = finished_statuses_of(app, db).await?;
    }
    match queue {
        Queue::Mine => f.assignee_id = Some(actor.user_id),
        Queue::Unassigned => f.unassigned = true,
        Queue::Team => {
            f.team_ids = teams_of(db, actor.user_id).await?;
            if f.team_ids.is_empty() {
                // No team: an empty queue rather than everything.
                f.team_ids = vec![Uuid::nil()];
            }
        }
        Queue::SlaWarning => f.sla_warning_at = Some(now),
        Queue::Breached => f.sla_due_before = Some(now),
        Queue::PendingParts => f.statuses = vec!["pending_parts".into()],
        Queue::Open | Queue::All => {}
    }
    Ok(())
}

/// How many tickets each queue holds for the actor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueCount {
    /// Queue code.
    pub queue: String,
    /// Tickets in it.
    pub count: u64,
}

/// Counts every queue, from the per-user cache while no ticket changed (see `count_cache`);
/// counting again is single-flight per user.
pub async fn queue_counts(app: &App, actor: &Actor) -> Result<Vec<QueueCount>, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    let now = app.now();
    let key = (actor.user_id, actor.customer_scope());
    let last_event = kefu_store::last_ticket_event_id(db).await?;
    if let Some(hit) = app.counts.get(key, last_event, now) {
        return Ok(hit);
    }
    let seen = app.counts.generation(key);
    let flight = app.counts.flight(key);
    let _counting = flight.lock().await;
    // Taken by the request we waited for: at most one count's duration old.
    if let Some(shared) = app.counts.since(key, seen) {
        return Ok(shared);
    }
    let counts = count_all(app, db, actor, now).await?;
    app.counts.put(key, last_event, now, counts.clone());
    Ok(counts)
}

/// Counts every queue. One aggregate over the working set (unmerged tickets in an unfinished
/// status, through the status index) gives mine, unassigned, team, SLA warning, breached,
/// pending parts and open; "all" is the remembered count below the id watermark plus the
/// newer tickets.
async fn count_all(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<QueueCount>, AppError> {
    let unfinished = super::workflow_of(app, db).await?.unfinished_statuses();
    let scope = actor.customer_scope();
    let teams = teams_of(db, actor.user_id).await?;
    let tally =
        kefu_store::open_ticket_tally(db, &unfinished, scope, actor.user_id, &teams, now).await?;
    let all = count_every_ticket(app, db, scope).await?;
    Ok(Queue::ALL
        .into_iter()
        .map(|queue| {
            let count = match queue {
                Queue::Mine => tally.mine,
                Queue::Unassigned => tally.unassigned,
                Queue::Team => tally.team,
                Queue::SlaWarning => tally.warning,
                Queue::Breached => tally.breached,
                Queue::PendingParts => tally.pending_parts,
                Queue::Open => tally.open,
                Queue::All => all,
            };
            QueueCount {
                queue: queue.code().into(),
                count,
            }
        })
        .collect())
}

/// Unmerged tickets, of one customer or of everyone. A customer's are few and counted; for
/// everyone, the tickets below the id watermark are counted at most every ten minutes.
async fn count_every_ticket(
    app: &App,
    db: &impl ConnectionTrait,
    scope: Option<uuid::Uuid>,
) -> Result<u64, AppError> {
    let mut f = TicketFilter {
        customer_scope: scope,
        ..Default::default()
    };
    if scope.is_some() {
        return Ok(kefu_store::count_tickets(db, &f).await?);
    }
    let total = match app.counts.total() {
        Some(t) => t,
        None => {
            let watermark = super::count_cache::CountCache::new_watermark();
            f.id_below = Some(watermark);
            let below = kefu_store::count_tickets(db, &f).await?;
            f.id_below = None;
            app.counts.put_total(watermark, below)
        }
    };
    f.id_from = Some(total.watermark);
    Ok(total.below + kefu_store::count_tickets(db, &f).await?)
}
