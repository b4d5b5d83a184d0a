//! Assigning a ticket to a team and/or a person.

use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::team;
use kefu_store::sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::open::check_assignee;
use super::save::{check_not_merged, check_version, save_and_commit};
use super::{TicketView, events, ticket_for_update};
use crate::{App, AppError, FieldError, require};

/// Who should work on the ticket; `null` clears.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// Assignee (staff user), or null to unassign.
    pub assignee_id: Option<Uuid>,
    /// Team; absent keeps the current team.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// Expected version (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
}

/// Assigns in one transaction, recording an `assigned` event.
pub async fn assign_ticket(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: AssignInput,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketAssign)?;
    let tx = app.store.begin().await?;
    let before = ticket_for_update(&tx, actor, id).await?;
    check_version(&before, req.version)?;
    check_not_merged(&before)?;
    let mut errors = Vec::new();
    check_assignee(&tx, "assignee_id", req.assignee_id, &mut errors).await?;
    if let Some(tid) = req.team_id
        && team::Entity::find_by_id(tid).one(&tx).await?.is_none()
    {
        errors.push(FieldError::new("team_id", "not_found", "no such team"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut t = before.clone();
    t.assignee_id = req.assignee_id;
    t.team_id = req.team_id.or(before.team_id);
    let now = app.now();
    if t.assignee_id == before.assignee_id && t.team_id == before.team_id {
        return super::view::full_view(app, &tx, before).await;
    }
    events::append(&tx, id, "assigned", Some(actor.user_id), false, json!({"from": before.assignee_id, "to": t.assignee_id, "team_from": before.team_id, "team_to": t.team_id}), now).await?;
    save_and_commit(app, tx, &before, t, now).await
}
