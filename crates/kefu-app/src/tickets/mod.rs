//! Tickets: one file per use case, plus the view and the helpers they share.

pub(crate) mod actions;
mod approval_reminders;
mod approvals;
mod assign;
mod attachments;
mod canned;
pub(crate) mod count_cache;
pub(crate) mod events;
mod history;
mod kinds;
mod list;
mod macros;
mod merge;
mod open;
mod open_once;
mod queues;
mod reply;
mod save;
mod sla_state;
mod sla_watch;
mod split;
mod transition;
mod update;
mod view;

pub use approval_reminders::{REMIND_AFTER, ReminderScan, remind_approvals};
pub use approvals::{
    ApprovalView, Decision, approval_rules, decide_approval, pending_approvals, save_approval_rules,
};
pub(crate) use approvals::{Gate, gate, request as request_approvals, use_up};
pub use assign::{AssignInput, assign_ticket};
pub use attachments::{AttachmentView, NewAttachment, add_attachment, read_attachment};
pub(crate) use attachments::{check_size, clean_name, clean_type, read_blob, store_blob};
pub use canned::{FilledReply, canned_replies, filled_replies, save_canned_replies};
pub use events::EventView;
pub use history::{ticket_history, ticket_with_history};
pub(crate) use kinds::fields_of;
pub use kinds::{TicketTypeView, form_fields, list_ticket_types};
pub use list::{TicketListQuery, TicketPage, list_tickets};
pub use macros::{apply_macro, list_macros, save_macros};
pub use merge::{MergeInput, merge_ticket};
pub use open::{NewTicket, open_ticket};
pub(crate) use open::{check_assignee, open_in};
pub use open_once::open_ticket_once;
pub(crate) use queues::finished_statuses_of as finished_statuses;
pub use queues::{Queue, QueueCount, queue_counts};
pub use reply::{ReplyInput, add_note, add_reply};
pub(crate) use save::write as write_ticket;
pub(crate) use sla_state::compute as sla_clock;
pub use sla_watch::{SlaScan, scan_sla};
pub use split::{SplitInput, split_ticket};
pub(crate) use transition::apply_status;
pub use transition::{TransitionInput, transition_ticket};
pub use update::{TicketPatch, update_ticket};
pub use view::{SlaTimerView, SlaView, TicketView, get_ticket, get_ticket_by_number};

use kefu_domain::access::Actor;
use kefu_store::entity::ticket;
use kefu_store::sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QuerySelect};
use uuid::Uuid;

use crate::{App, AppError};

/// Loads a ticket the actor may see; NotFound otherwise (portal users must not learn that other
/// customers' tickets exist).
pub(crate) async fn visible_ticket(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> Result<ticket::Model, AppError> {
    seen_by(actor, ticket::Entity::find_by_id(id).one(db).await?)
}

/// The ticket if `actor` may see it; NotFound when it is missing or not theirs.
fn seen_by(actor: &Actor, t: Option<ticket::Model>) -> Result<ticket::Model, AppError> {
    t.filter(|t| actor.can_see_customer(t.customer_id))
        .ok_or(AppError::NotFound("ticket"))
}

/// [`visible_ticket`] for a change inside the transaction `tx`: on PostgreSQL the row stays
/// locked (`FOR UPDATE`) until the commit, so concurrent changes to one ticket take turns and
/// each starts from the version the one before it wrote, instead of failing the version check
/// of the write; SQLite's transactions already hold the write lock from `BEGIN IMMEDIATE`.
pub(crate) async fn ticket_for_update(
    tx: &kefu_store::Tx,
    actor: &Actor,
    id: Uuid,
) -> Result<ticket::Model, AppError> {
    let mut q = ticket::Entity::find_by_id(id);
    if tx.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    seen_by(actor, q.one(tx).await?)
}

/// The status workflow in force, for screens that offer transitions.
pub async fn workflow_in_force(app: &App) -> Result<kefu_domain::ticket::Workflow, AppError> {
    Ok((*workflow_of(app, app.store.conn()).await?).clone())
}

/// The workflow in force through the configuration cache (read with `db` when stale).
pub(crate) async fn workflow_of(
    app: &App,
    db: &impl ConnectionTrait,
) -> Result<std::sync::Arc<kefu_domain::ticket::Workflow>, AppError> {
    if let Some(wf) = app.cache.workflow() {
        return Ok(wf);
    }
    let wf = std::sync::Arc::new(workflow(db).await?);
    app.cache.put_workflow(wf.clone());
    Ok(wf)
}

/// The workflow in force (stored in setting `workflow`, default otherwise).
pub(crate) async fn workflow(
    db: &impl ConnectionTrait,
) -> Result<kefu_domain::ticket::Workflow, AppError> {
    Ok(crate::sla::get_setting(db, "workflow")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}
