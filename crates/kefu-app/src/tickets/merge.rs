//! Merging a duplicate ticket into another: the duplicate is closed and points at the target;
//! both histories record the merge.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::StatusCategory;
use kefu_store::entity::ticket;
use kefu_store::sea_orm::ActiveModelTrait;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::save::{check_not_merged, check_version, save_and_commit};
use super::transition::apply_status;
use super::{TicketView, events, sla_state, ticket_for_update};
use crate::{App, AppError, require};

/// Merge request, sent to the duplicate.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The ticket that survives.
    pub into_id: Uuid,
    /// Expected version of the duplicate (or send `If-Match`).
    #[serde(default)]
    pub version: Option<i32>,
}

/// Merges ticket `id` into `req.into_id` in one transaction and returns the duplicate.
pub async fn merge_ticket(
    app: &App,
    actor: &Actor,
    id: Uuid,
    req: MergeInput,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketMerge)?;
    if id == req.into_id {
        return Err(AppError::invalid(
            "into_id",
            "same_ticket",
            "a ticket cannot be merged into itself",
        ));
    }
    let tx = app.store.begin().await?;
    // Both rows locked in id order, so merging A into B while B goes into A cannot deadlock.
    let lock_target = || async {
        ticket_for_update(&tx, actor, req.into_id)
            .await
            .map_err(|e| {
                e.when_not_found(AppError::invalid("into_id", "not_found", "no such ticket"))
            })
    };
    let (src, target) = if id < req.into_id {
        let src = ticket_for_update(&tx, actor, id).await?;
        (src, lock_target().await?)
    } else {
        let target = lock_target().await;
        (ticket_for_update(&tx, actor, id).await?, target?)
    };
    check_version(&src, req.version)?;
    check_not_merged(&src)?;
    if target.merged_into_id.is_some() {
        return Err(AppError::invalid(
            "into_id",
            "merged",
            "the target was itself merged",
        ));
    }
    if src.customer_id.is_some()
        && target.customer_id.is_some()
        && src.customer_id != target.customer_id
    {
        return Err(AppError::invalid(
            "into_id",
            "other_customer",
            "tickets of different customers cannot be merged",
        ));
    }
    let wf = super::workflow_of(app, &tx).await?;
    let closed = wf
        .statuses
        .iter()
        .find(|s| s.category == StatusCategory::Closed)
        .ok_or_else(|| AppError::Rule {
            code: "no_closed_status",
            message: "the workflow has no closed status".into(),
        })?
        .key
        .clone();
    let now = app.now();
    events::append(
        &tx,
        target.id,
        "merged",
        Some(actor.user_id),
        false,
        json!({"source_id": src.id, "source_number": src.number}),
        now,
    )
    .await?;
    let mut tgt_after = target.clone();
    tgt_after.updated_at = now;
    let lp = crate::sla::policy_for(app, &tx, tgt_after.sla_policy_id).await?;
    let mut am = ticket::ActiveModel::from(tgt_after.clone()).reset_all();
    sla_state::refresh(&tx, &tgt_after, &lp, &mut am, now).await?;
    kefu_store::update_ticket_versioned(&tx, target.id, target.version, am).await?;

    events::append(
        &tx,
        src.id,
        "merged_into",
        Some(actor.user_id),
        true,
        json!({"target_id": target.id, "target_number": target.number}),
        now,
    )
    .await?;
    let mut s = src.clone();
    s.merged_into_id = Some(target.id);
    if s.status != closed {
        events::append(
            &tx,
            src.id,
            "status_changed",
            Some(actor.user_id),
            true,
            json!({"from": s.status, "to": closed, "comment": "merged"}),
            now,
        )
        .await?;
        apply_status(&mut s, &closed, StatusCategory::Closed, now);
    }
    let merged = save_and_commit(app, tx, &src, s, now).await?;
    // The remembered "all" count may hold the merged ticket.
    app.counts.forget_total();
    Ok(merged)
}
