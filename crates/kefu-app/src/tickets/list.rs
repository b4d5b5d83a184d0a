//! Ticket listings with filters and cursor pagination (newest first).

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::sla::{SlaStatus, Timer, TimerState};
use kefu_store::entity::ticket;
use kefu_store::{TicketCursor, TicketFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::queues::Queue;
use super::view::{SlaView, TicketView};
use crate::sla::LoadedPolicy;
use crate::{App, AppError, require};

/// Query parameters of a ticket listing.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TicketListQuery {
    /// Comma-separated statuses.
    pub status: Option<String>,
    /// Comma-separated priorities.
    pub priority: Option<String>,
    /// Comma-separated types.
    pub kind: Option<String>,
    /// Customer.
    pub customer_id: Option<Uuid>,
    /// Assignee; `me` is accepted by the API and resolved before this point.
    pub assignee_id: Option<Uuid>,
    /// Only unassigned tickets.
    pub unassigned: Option<bool>,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Tag.
    pub tag: Option<String>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created before.
    pub created_to: Option<DateTime<Utc>>,
    /// Text in subject or number.
    pub q: Option<String>,
    /// Cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u64>,
    /// A named queue: `mine`, `unassigned`, `team`, `sla_warning`, `breached`,
    /// `pending_parts`, `open` or `all` (the default).
    pub queue: Option<String>,
    /// `newest` (default) or `oldest`, by creation time.
    pub sort: Option<String>,
}

/// One page of tickets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketPage {
    /// The tickets.
    pub items: Vec<TicketView>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn split(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_owned())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The SLA state of a listed ticket from its stored projection (no history read per row).
fn brief_timer(
    target: u32,
    due: Option<DateTime<Utc>>,
    done: Option<DateTime<Utc>>,
    paused: bool,
    lp: &LoadedPolicy,
    now: DateTime<Utc>,
) -> Timer {
    let (state, remaining) = match (done, due) {
        (Some(d), Some(due)) => (
            if d <= due {
                TimerState::Met
            } else {
                TimerState::MetLate
            },
            None,
        ),
        (Some(_), None) => (TimerState::Met, None),
        (None, _) if paused => (TimerState::Paused, None),
        (None, None) => (TimerState::Paused, None),
        (None, Some(due)) if now >= due => (
            TimerState::Breached,
            Some(-lp.calendar.business_time_between(due, now).num_seconds()),
        ),
        (None, Some(due)) => {
            let left = lp.calendar.business_time_between(now, due).num_seconds();
            let warn = i64::from(target) * 60 * i64::from(lp.policy.warn_before_percent) / 100;
            (
                if left <= warn {
                    TimerState::Warning
                } else {
                    TimerState::OnTrack
                },
                Some(left),
            )
        }
    };
    Timer {
        target_minutes: target,
        due_at: due,
        state,
        remaining_seconds: remaining,
        completed_at: done,
    }
}

/// The SLA clock of a ticket from its stored projection (no history read).
pub(crate) fn brief_status(
    t: &ticket::Model,
    lp: &LoadedPolicy,
    tier: kefu_domain::customer::Tier,
    now: DateTime<Utc>,
) -> SlaStatus {
    let prio = kefu_domain::ticket::Priority::parse(&t.priority).unwrap_or_default();
    let targets = lp.policy.targets_for(prio, tier);
    let paused = t.sla_paused_since.is_some();
    SlaStatus {
        first_response: brief_timer(
            targets.first_response_minutes,
            t.first_response_due_at,
            t.first_responded_at,
            paused,
            lp,
            now,
        ),
        resolution: brief_timer(
            targets.resolution_minutes,
            t.resolution_due_at,
            t.resolved_at,
            paused,
            lp,
            now,
        ),
    }
}

/// A list view of `t` with its clock (see [`brief_status`]).
pub(crate) fn brief_view(t: ticket::Model, lp: &LoadedPolicy, s: SlaStatus) -> TicketView {
    let pid = (lp.id != Uuid::nil()).then_some(lp.id);
    let paused = t.sla_paused_since.is_some();
    TicketView::new(t, SlaView::new(pid, paused, s))
}

/// Brief views of `rows` with the policy each runs under: the customers' tiers in one query,
/// the policies from the configuration cache.
pub(crate) async fn briefs(
    app: &App,
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    rows: Vec<ticket::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<(TicketView, SlaStatus, std::sync::Arc<LoadedPolicy>)>, AppError> {
    let customer_ids: Vec<Uuid> = rows.iter().filter_map(|t| t.customer_id).collect();
    let tiers = crate::customers::tiers_of(db, customer_ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for t in rows {
        let lp = crate::sla::policy_for(app, db, t.sla_policy_id).await?;
        let tier = t
            .customer_id
            .and_then(|c| tiers.get(&c).copied())
            .unwrap_or_default();
        let s = brief_status(&t, &lp, tier, now);
        out.push((brief_view(t, &lp, s), s, lp));
    }
    Ok(out)
}

/// Lists tickets the actor may see.
pub async fn list_tickets(
    app: &App,
    actor: &Actor,
    q: TicketListQuery,
) -> Result<TicketPage, AppError> {
    require(actor, Permission::TicketRead)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid("limit", "out_of_range", "1 to 200"));
    }
    // An empty cursor (`?cursor=`) is the first page, as for clients that always send one.
    let after =
        match q.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(c) => Some(TicketCursor::decode(c).ok_or_else(|| {
                AppError::invalid("cursor", "invalid", "not a cursor from this API")
            })?),
            None => None,
        };
    let mut f = TicketFilter {
        statuses: split(&q.status),
        priorities: split(&q.priority),
        kinds: split(&q.kind),
        customer_id: q.customer_id,
        assignee_id: q.assignee_id,
        unassigned: q.unassigned.unwrap_or(false),
        team_id: q.team_id,
        tag: q.tag.clone(),
        created_from: q.created_from,
        created_to: q.created_to,
        text: q.q.clone().filter(|s| !s.trim().is_empty()),
        include_merged: false,
        customer_scope: actor.customer_scope(),
        oldest_first: match q.sort.as_deref() {
            None | Some("") | Some("newest") => false,
            Some("oldest") => true,
            Some(_) => return Err(AppError::invalid("sort", "invalid", "newest or oldest")),
        },
        ..Default::default()
    };
    let db = app.store.conn();
    let now = app.now();
    let queue = match q.queue.as_deref() {
        None | Some("") => Queue::All,
        Some(name) => Queue::parse(name)
            .ok_or_else(|| AppError::invalid("queue", "invalid", "unknown queue"))?,
    };
    super::queues::narrow(app, db, actor, queue, now, &mut f).await?;
    let rows = kefu_store::list_tickets(db, &f, after, limit + 1).await?;
    let has_more = rows.len() as u64 > limit;
    let rows: Vec<_> = rows.into_iter().take(limit as usize).collect();
    let next_cursor = if has_more {
        rows.last().map(|t| {
            TicketCursor {
                created_at: t.created_at,
                id: t.id,
            }
            .encode()
        })
    } else {
        None
    };
    let items: Vec<TicketView> = briefs(app, db, rows, now)
        .await?
        .into_iter()
        .map(|(v, _, _)| v)
        .collect();
    Ok(TicketPage { items, next_cursor })
}
