//! The SLA clock of a ticket, recomputed from its status history whenever something that
//! affects it changes (priority, policy, customer tier, status, first reply, resolution).

use chrono::{DateTime, Utc};
use kefu_domain::customer::Tier;
use kefu_domain::sla::{SlaHistory, SlaStatus, compute_with_policy, pauses_from_status_changes};
use kefu_domain::ticket::Priority;
use kefu_store::entity::{customer, ticket, ticket_event};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::AppError;
use crate::sla::LoadedPolicy;

/// The customer's tier (standard when there is no customer).
pub(crate) async fn tier_of(
    db: &impl ConnectionTrait,
    customer_id: Option<Uuid>,
) -> Result<Tier, AppError> {
    let Some(id) = customer_id else {
        return Ok(Tier::Standard);
    };
    Ok(customer::Entity::find_by_id(id)
        .one(db)
        .await?
        .and_then(|c| Tier::parse(&c.tier))
        .unwrap_or_default())
}

/// The `status_changed` events of a ticket, oldest first: (when, new status).
pub(crate) async fn status_changes(
    db: &impl ConnectionTrait,
    ticket_id: Uuid,
) -> Result<Vec<(DateTime<Utc>, String)>, AppError> {
    Ok(status_changes_in(
        &ticket_event::Entity::find()
            .filter(ticket_event::Column::TicketId.eq(ticket_id))
            .filter(ticket_event::Column::Kind.eq("status_changed"))
            .order_by_asc(ticket_event::Column::CreatedAt)
            .order_by_asc(ticket_event::Column::Id)
            .all(db)
            .await?,
    ))
}

/// The status changes among `events` (a ticket's events, oldest first): (when, new status).
pub(crate) fn status_changes_in(events: &[ticket_event::Model]) -> Vec<(DateTime<Utc>, String)> {
    events
        .iter()
        .filter(|e| e.kind == "status_changed")
        .filter_map(|e| {
            e.data
                .get("to")
                .and_then(|v| v.as_str())
                .map(|s| (e.created_at, s.to_owned()))
        })
        .collect()
}

/// The clock of a ticket from its row and its status changes (pure).
pub(crate) fn compute(
    t: &ticket::Model,
    lp: &LoadedPolicy,
    tier: Tier,
    changes: &[(DateTime<Utc>, String)],
    now: DateTime<Utc>,
) -> SlaStatus {
    let initial = changes.first().map_or(t.status.as_str(), |_| "new");
    let h = SlaHistory {
        created_at: t.created_at,
        pauses: pauses_from_status_changes(changes, initial, t.created_at, &lp.policy),
        first_responded_at: t.first_responded_at,
        resolved_at: t.resolved_at,
    };
    let priority = Priority::parse(&t.priority).unwrap_or_default();
    compute_with_policy(&lp.policy, priority, tier, &lp.calendar, &h, now)
}

/// The full clock of a ticket at `now`.
pub(crate) async fn status(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    lp: &LoadedPolicy,
    now: DateTime<Utc>,
) -> Result<SlaStatus, AppError> {
    let changes = status_changes(db, t.id).await?;
    status_with(db, t, lp, &changes, now).await
}

/// [`status`] with the ticket's status changes already read.
pub(crate) async fn status_with(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    lp: &LoadedPolicy,
    changes: &[(DateTime<Utc>, String)],
    now: DateTime<Utc>,
) -> Result<SlaStatus, AppError> {
    let tier = tier_of(db, t.customer_id).await?;
    Ok(compute(t, lp, tier, changes, now))
}

/// Recomputes and sets the stored SLA projection (`*_due_at`, `sla_paused_since`,
/// `sla_check_at`, `sla_warn_at`) on `am` from
/// the ticket as it will be after this change (`after`), inside the caller's transaction.
pub(crate) async fn refresh(
    db: &impl ConnectionTrait,
    after: &ticket::Model,
    lp: &LoadedPolicy,
    am: &mut ticket::ActiveModel,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let s = status(db, after, lp, now).await?;
    project(after, lp, &s, am, now);
    Ok(())
}

/// Sets the stored SLA projection on `am` from a computed clock `s`.
pub(crate) fn project(
    after: &ticket::Model,
    lp: &LoadedPolicy,
    s: &SlaStatus,
    am: &mut ticket::ActiveModel,
    now: DateTime<Utc>,
) {
    let paused_since = if lp.policy.pauses_in(&after.status) {
        Some(after.sla_paused_since.unwrap_or(now))
    } else {
        None
    };
    set_if_changed(
        &mut am.first_response_due_at,
        after.first_response_due_at,
        s.first_response.due_at,
    );
    set_if_changed(
        &mut am.resolution_due_at,
        after.resolution_due_at,
        s.resolution.due_at,
    );
    set_if_changed(
        &mut am.sla_paused_since,
        after.sla_paused_since,
        paused_since,
    );
    let (check, warn) = if after.closed_at.is_some() || after.merged_into_id.is_some() {
        (None, None)
    } else {
        watch_marks(s, lp, now)
    };
    set_if_changed(&mut am.sla_check_at, after.sla_check_at, check);
    set_if_changed(&mut am.sla_warn_at, after.sla_warn_at, warn);
    if lp.id != Uuid::nil() && after.sla_policy_id.is_none() {
        am.sla_policy_id = Set(Some(lp.id));
    }
}

/// What the SLA watch keeps on a ticket whose clock is `s`: when to look at it next
/// (`sla_check_at`) and when it enters its warning band (`sla_warn_at`).
pub(crate) fn watch_marks(
    s: &SlaStatus,
    lp: &LoadedPolicy,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (
        kefu_domain::sla::next_check(s, &lp.policy, &lp.calendar, now),
        kefu_domain::sla::warn_at(s, &lp.policy, &lp.calendar, now),
    )
}

fn set_if_changed<T: PartialEq + Into<kefu_store::sea_orm::Value> + Clone>(
    field: &mut kefu_store::sea_orm::ActiveValue<T>,
    old: T,
    new: T,
) {
    if old != new {
        *field = Set(new);
    }
}
