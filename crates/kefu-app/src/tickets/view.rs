//! How a ticket looks to API callers, with its live SLA clock.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::sla::{SlaStatus, Timer};
use kefu_store::entity::ticket;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{sla_state, visible_ticket};
use crate::{App, AppError, require};

/// One SLA timer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlaTimerView {
    /// Target in business minutes.
    pub target_minutes: u32,
    /// Due instant; absent while paused.
    pub due_at: Option<DateTime<Utc>>,
    /// `on_track`, `warning`, `breached`, `paused`, `met` or `met_late`.
    pub state: String,
    /// Business seconds left (negative once breached); absent once completed.
    pub remaining_seconds: Option<i64>,
    /// When the timer was stopped.
    pub completed_at: Option<DateTime<Utc>>,
}

/// The SLA clock of a ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SlaView {
    /// The policy in force.
    pub policy_id: Option<Uuid>,
    /// Whether the clock is stopped right now.
    pub paused: bool,
    /// Time to first public reply.
    pub first_response: SlaTimerView,
    /// Time to resolution.
    pub resolution: SlaTimerView,
}

fn timer_view(t: Timer) -> SlaTimerView {
    SlaTimerView {
        target_minutes: t.target_minutes,
        due_at: t.due_at,
        state: serde_json::to_value(t.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        remaining_seconds: t.remaining_seconds,
        completed_at: t.completed_at,
    }
}

impl SlaView {
    pub(crate) fn new(policy_id: Option<Uuid>, paused: bool, s: SlaStatus) -> Self {
        SlaView {
            policy_id,
            paused,
            first_response: timer_view(s.first_response),
            resolution: timer_view(s.resolution),
        }
    }

    /// Whether a running timer is in its warning band (and none is breached).
    pub fn in_warning(&self) -> bool {
        let states = [
            self.first_response.state.as_str(),
            self.resolution.state.as_str(),
        ];
        states.contains(&"warning") && !states.contains(&"breached")
    }
}

/// A ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    /// Id.
    pub id: Uuid,
    /// Human number, e.g. `SR-202611-000123`.
    pub number: String,
    /// Type code.
    pub kind: String,
    /// Channel it came in through.
    pub channel: String,
    /// `P1`–`P4`.
    pub priority: String,
    /// Status key.
    pub status: String,
    /// Subject.
    pub subject: String,
    /// Customer.
    pub customer_id: Option<Uuid>,
    /// Contact.
    pub contact_id: Option<Uuid>,
    /// Asset.
    pub asset_id: Option<Uuid>,
    /// Order.
    pub order_id: Option<Uuid>,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Assignee.
    pub assignee_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom fields.
    #[schema(value_type = Object)]
    pub custom_fields: Value,
    /// Ticket this one was split from.
    pub parent_id: Option<Uuid>,
    /// Ticket this one was merged into.
    pub merged_into_id: Option<Uuid>,
    /// First public reply.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Resolution.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Closing.
    pub closed_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Version; send it back as `If-Match` or `version` when changing the ticket.
    pub version: i32,
    /// SLA clock.
    pub sla: SlaView,
}

impl TicketView {
    pub(crate) fn new(t: ticket::Model, sla: SlaView) -> Self {
        TicketView {
            id: t.id,
            number: t.number,
            kind: t.kind,
            channel: t.channel,
            priority: t.priority,
            status: t.status,
            subject: t.subject,
            customer_id: t.customer_id,
            contact_id: t.contact_id,
            asset_id: t.asset_id,
            order_id: t.order_id,
            team_id: t.team_id,
            assignee_id: t.assignee_id,
            tags: serde_json::from_value(t.tags).unwrap_or_default(),
            custom_fields: t.custom_fields,
            parent_id: t.parent_id,
            merged_into_id: t.merged_into_id,
            first_responded_at: t.first_responded_at,
            resolved_at: t.resolved_at,
            closed_at: t.closed_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
            version: t.version,
            sla,
        }
    }
}

/// Builds the full view of a stored ticket, computing its SLA clock from the history.
pub(crate) async fn full_view(
    app: &App,
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    t: ticket::Model,
) -> Result<TicketView, AppError> {
    let changes = sla_state::status_changes(db, t.id).await?;
    full_view_with(app, db, t, &changes).await
}

/// [`full_view`] with the ticket's status changes already read.
pub(crate) async fn full_view_with(
    app: &App,
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    t: ticket::Model,
    changes: &[(DateTime<Utc>, String)],
) -> Result<TicketView, AppError> {
    let lp = crate::sla::policy_for(app, db, t.sla_policy_id).await?;
    let s = sla_state::status_with(db, &t, &lp, changes, app.now()).await?;
    let paused = t.sla_paused_since.is_some();
    let policy_id = (lp.id != Uuid::nil()).then_some(lp.id);
    Ok(TicketView::new(t, SlaView::new(policy_id, paused, s)))
}

/// One ticket by id.
pub async fn get_ticket(app: &App, actor: &Actor, id: Uuid) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    let t = visible_ticket(db, actor, id).await?;
    full_view(app, db, t).await
}

/// One ticket by its human number.
pub async fn get_ticket_by_number(
    app: &App,
    actor: &Actor,
    number: &str,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketRead)?;
    let db = app.store.conn();
    let t = ticket::Entity::find()
        .filter(ticket::Column::Number.eq(number))
        .one(db)
        .await?
        .filter(|t| actor.can_see_customer(t.customer_id))
        .ok_or(AppError::NotFound("ticket"))?;
    full_view(app, db, t).await
}
