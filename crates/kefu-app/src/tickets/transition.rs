//! Moving a ticket through its status workflow.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::{StatusCategory, TransitionError};
use kefu_store::entity::ticket;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::save::{check_not_merged, check_version, save_and_commit};
use super::{TicketView, events, ticket_for_update};
use crate::{App, AppError, require};

/// Request to change status.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    /// Target status key.
    pub to: String,
    /// Expected version (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
    /// Optional reason, kept in the history.
    #[serde(default)]
    pub comment: Option<String>,
}

pub(crate) fn rule_error(e: TransitionError) -> AppError {
    match e {
        TransitionError::UnknownStatus(s) => {
            AppError::invalid("to", "unknown_status", format!("unknown status `{s}`"))
        }
        TransitionError::MissingPermission { permission, .. } => {
            AppError::Forbidden(format!("this transition needs permission `{permission}`"))
        }
        other => AppError::Rule {
            code: "transition_not_allowed",
            message: other.to_string(),
        },
    }
}

/// Sets status and the timestamps that follow from its category.
pub(crate) fn apply_status(
    t: &mut ticket::Model,
    to: &str,
    category: StatusCategory,
    now: DateTime<Utc>,
) {
    t.status = to.to_owned();
    match category {
        StatusCategory::Resolved => {
            t.resolved_at = t.resolved_at.or(Some(now));
            t.closed_at = None;
        }
        StatusCategory::Closed => {
            t.resolved_at = t.resolved_at.or(Some(now));
            t.closed_at = Some(now);
        }
        // Reopening restarts nothing but the resolution timer's completion.
        _ => {
            t.resolved_at = None;
            t.closed_at = None;
        }
    }
}

/// Changes status if the workflow allows it for this actor.
pub async fn transition_ticket(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: TransitionInput,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    let tx = app.store.begin().await?;
    let before = ticket_for_update(&tx, actor, id).await?;
    check_version(&before, req.version)?;
    check_not_merged(&before)?;
    let wf = super::workflow_of(app, &tx).await?;
    let perms = actor.permissions();
    if !actor.role.is_staff() {
        // Customers may only close their own resolved ticket or reopen it.
        let to_cat = wf.status(&req.to).map_err(rule_error)?.category;
        let from_cat = wf.status(&before.status).map_err(rule_error)?.category;
        if !(from_cat == StatusCategory::Resolved
            && matches!(to_cat, StatusCategory::Closed | StatusCategory::Open))
        {
            return Err(AppError::Forbidden(
                "customers can only confirm or reopen a resolved ticket".into(),
            ));
        }
    }
    wf.check(&before.status, &req.to, &perms)
        .map_err(rule_error)?;
    let category = wf.status(&req.to).map_err(rule_error)?.category;
    let now = app.now();
    // Sign-offs first: a closed gate files the missing requests and refuses the move.
    match super::approvals::gate(&tx, &before, &req.to).await? {
        super::approvals::Gate::Open(ids) => super::approvals::use_up(&tx, &ids, now).await?,
        super::approvals::Gate::Closed { missing, pending } => {
            tx.rollback().await?;
            return Err(
                super::approvals::request(app, actor, &before, &req.to, missing, pending).await,
            );
        }
    }
    let mut t = before.clone();
    apply_status(&mut t, &req.to, category, now);
    events::append(
        &tx,
        id,
        "status_changed",
        Some(actor.user_id),
        true,
        json!({"from": before.status, "to": req.to, "comment": req.comment}),
        now,
    )
    .await?;
    save_and_commit(app, tx, &before, t, now).await
}
