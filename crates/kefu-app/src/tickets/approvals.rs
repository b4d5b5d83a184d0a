//! Approvals: a transition that needs sign-off is refused until the steps are approved. The
//! first attempt files the requests (one per step); approvers decide with a comment; the
//! requester sees the outcome in the ticket's history; an approval is used up by the
//! transition it allowed.

use kefu_domain::access::{Actor, Permission, Role};
use kefu_domain::ticket::{ApprovalRule, required_steps};
use kefu_store::entity::{approval, ticket};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{events, ticket_for_update};
use crate::{App, AppError, FieldError, require};

/// An approval as listed and shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApprovalView {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// Ticket number.
    pub ticket_number: String,
    /// Ticket subject.
    pub ticket_subject: String,
    /// Step name.
    pub step: String,
    /// The transition's target status.
    pub to_status: String,
    /// Who may decide.
    pub approver_role: String,
    /// `pending`, `approved` or `rejected`.
    pub state: String,
    /// Requested at.
    pub requested_at: chrono::DateTime<chrono::Utc>,
    /// Decision comment.
    pub comment: Option<String>,
}

/// The approval rules (staff).
pub async fn approval_rules(app: &App, actor: &Actor) -> Result<Vec<ApprovalRule>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    rules(app.store.conn()).await
}

async fn rules(db: &impl ConnectionTrait) -> Result<Vec<ApprovalRule>, AppError> {
    crate::config::list_setting::read_list(db, "approval_rules").await
}

/// Replaces the approval rules (admins).
pub async fn save_approval_rules(
    app: &App,
    actor: &Actor,
    list: Vec<ApprovalRule>,
) -> Result<Vec<ApprovalRule>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let errors: Vec<FieldError> = list
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.problem()
                .map(|p| FieldError::new(format!("rules[{i}]"), "invalid", p))
        })
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    crate::config::list_setting::write_list(app, actor, "approval_rules", &list).await?;
    Ok(list)
}

/// What a transition still needs.
pub(crate) enum Gate {
    /// Go ahead; these approvals are used up by the transition.
    Open(Vec<Uuid>),
    /// These steps lack an approval; `pending` ones are already waiting for a decision.
    Closed {
        missing: Vec<ApprovalRule>,
        pending: Vec<String>,
    },
}

/// Checks the approvals a move of `t` to `to` needs, inside the transition's transaction.
pub(crate) async fn gate(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    to: &str,
) -> Result<Gate, AppError> {
    let all = rules(db).await?;
    let custom = t.custom_fields.as_object().cloned().unwrap_or_default();
    let steps = required_steps(&all, &t.kind, to, &custom);
    if steps.is_empty() {
        return Ok(Gate::Open(Vec::new()));
    }
    let existing = approval::Entity::find()
        .filter(approval::Column::TicketId.eq(t.id))
        .filter(approval::Column::ToStatus.eq(to))
        .filter(approval::Column::UsedAt.is_null())
        .order_by_desc(approval::Column::RequestedAt)
        .all(db)
        .await?;
    let (mut use_up, mut missing, mut pending) = (Vec::new(), Vec::new(), Vec::new());
    for s in steps {
        // The latest request of the step decides.
        match existing.iter().find(|a| a.step == s.step) {
            Some(a) if a.state == "approved" => use_up.push(a.id),
            Some(a) if a.state == "pending" => pending.push(s.step.clone()),
            // Never asked, or rejected: a new request is filed.
            _ => missing.push(s.clone()),
        }
    }
    if missing.is_empty() && pending.is_empty() {
        Ok(Gate::Open(use_up))
    } else {
        Ok(Gate::Closed { missing, pending })
    }
}

/// Marks approvals used by the transition they allowed.
pub(crate) async fn use_up(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    if ids.is_empty() {
        return Ok(());
    }
    approval::Entity::update_many()
        .col_expr(approval::Column::UsedAt, Expr::value(now))
        .filter(approval::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Files requests for the missing steps (in their own transaction) and returns the error that
/// refuses the transition.
pub(crate) async fn request(
    app: &App,
    actor: &Actor,
    t: &ticket::Model,
    to: &str,
    missing: Vec<ApprovalRule>,
    pending: Vec<String>,
) -> AppError {
    let now = app.now();
    let filed = async {
        let tx = app.store.begin().await?;
        for r in &missing {
            let id = Uuid::now_v7();
            approval::Entity::insert(approval::ActiveModel {
                id: Set(id),
                ticket_id: Set(t.id),
                step: Set(r.step.clone()),
                to_status: Set(to.to_owned()),
                approver_role: Set(r.approver_role.as_str().to_owned()),
                state: Set("pending".into()),
                requested_by: Set(Some(actor.user_id)),
                requested_at: Set(now),
                decided_by: Set(None),
                decided_at: Set(None),
                comment: Set(None),
                used_at: Set(None),
            })
            .exec_without_returning(&tx)
            .await?;
            events::append(
                &tx,
                t.id,
                "approval_requested",
                Some(actor.user_id),
                false,
                json!({"approval_id": id, "step": r.step, "to": to, "approver_role": r.approver_role}),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(e) = filed {
        return e;
    }
    let mut steps: Vec<String> = missing.into_iter().map(|r| r.step).collect();
    steps.extend(pending);
    AppError::Rule {
        code: "approval_required",
        message: format!("needs approval first: {}", steps.join(", ")),
    }
}

fn view(a: approval::Model, t: Option<&ticket::Model>) -> ApprovalView {
    ApprovalView {
        id: a.id,
        ticket_id: a.ticket_id,
        ticket_number: t.map(|t| t.number.clone()).unwrap_or_default(),
        ticket_subject: t.map(|t| t.subject.clone()).unwrap_or_default(),
        step: a.step,
        to_status: a.to_status,
        approver_role: a.approver_role,
        state: a.state,
        requested_at: a.requested_at,
        comment: a.comment,
    }
}

/// Pending approvals the actor may decide, oldest first.
pub async fn pending_approvals(app: &App, actor: &Actor) -> Result<Vec<ApprovalView>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let mut q = approval::Entity::find().filter(approval::Column::State.eq("pending"));
    if actor.role != Role::Admin {
        q = q.filter(approval::Column::ApproverRole.eq(actor.role.as_str()));
    }
    let list = q
        .order_by_asc(approval::Column::RequestedAt)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = list.iter().map(|a| a.ticket_id).collect();
    let tickets: std::collections::HashMap<Uuid, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok(list
        .into_iter()
        .map(|a| {
            let t = tickets.get(&a.ticket_id);
            view(a, t)
        })
        .collect())
}

/// A decision.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Approve (true) or reject (false).
    pub approve: bool,
    /// Comment (required when rejecting).
    #[serde(default)]
    pub comment: Option<String>,
}

/// Approves or rejects a pending approval (its approver role, or an admin).
pub async fn decide_approval(
    app: &App,
    actor: &Actor,
    id: Uuid,
    d: Decision,
) -> Result<ApprovalView, AppError> {
    let comment = d
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if !d.approve && comment.is_none() {
        return Err(AppError::invalid(
            "comment",
            "required",
            "say why when rejecting",
        ));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    let a = approval::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("approval"))?;
    let role = Role::parse(&a.approver_role).unwrap_or(Role::Admin);
    if !(actor.role == role || actor.role == Role::Admin) {
        return Err(AppError::Forbidden(format!(
            "needs role `{}`",
            a.approver_role
        )));
    }
    let t = ticket_for_update(&tx, actor, a.ticket_id).await?;
    let state = if d.approve { "approved" } else { "rejected" };
    let done = approval::Entity::update_many()
        .col_expr(approval::Column::State, Expr::value(state))
        .col_expr(approval::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(approval::Column::DecidedAt, Expr::value(now))
        .col_expr(approval::Column::Comment, Expr::value(comment.clone()))
        .filter(approval::Column::Id.eq(id))
        .filter(approval::Column::State.eq("pending"))
        .exec(&tx)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict {
            code: "already_decided",
            message: "this approval was already decided".into(),
        });
    }
    events::append(
        &tx,
        a.ticket_id,
        if d.approve {
            "approval_approved"
        } else {
            "approval_rejected"
        },
        Some(actor.user_id),
        false,
        json!({"approval_id": id, "step": a.step, "to": a.to_status, "comment": comment}),
        now,
    )
    .await?;
    tx.commit().await?;
    let decided = approval::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .ok_or(AppError::NotFound("approval"))?;
    Ok(view(decided, Some(&t)))
}
