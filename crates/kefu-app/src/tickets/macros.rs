//! Macros: several changes applied with one click, in one transaction — all of them or none.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::{Macro, macro_problems};
use serde_json::{Map, json};
use uuid::Uuid;

use super::actions::{By, apply_actions};
use super::save::{check_not_merged, check_version, save_and_commit};
use super::{TicketView, ticket_for_update};
use crate::{App, AppError, FieldError, require, require_staff};

const KEY: &str = "macros";

/// The macros (staff).
pub async fn list_macros(app: &App, actor: &Actor) -> Result<Vec<Macro>, AppError> {
    require_staff(actor)?;
    crate::config::list_setting::cached_list(app, KEY).await
}

/// Replaces the macros (`config.manage`).
pub async fn save_macros(
    app: &App,
    actor: &Actor,
    list: Vec<Macro>,
) -> Result<Vec<Macro>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let problems = macro_problems(&list);
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|(i, f, m)| FieldError::new(format!("macros[{i}].{f}"), "invalid", m))
                .collect(),
        ));
    }
    crate::config::list_setting::write_list(app, actor, KEY, &list).await?;
    Ok(list)
}

/// Applies a macro to a ticket in one transaction. Anything the actor may not do, or the
/// workflow refuses, fails the whole macro; a status change waiting for sign-off files the
/// requests and refuses, like a transition.
pub async fn apply_macro(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    macro_id: Uuid,
    version: Option<i32>,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("macros are for staff".into()));
    }
    let m = list_macros(app, actor)
        .await?
        .into_iter()
        .find(|m| m.id == macro_id)
        .ok_or(AppError::NotFound("macro"))?;
    let tx = app.store.begin().await?;
    let before = ticket_for_update(&tx, actor, ticket_id).await?;
    check_version(&before, version)?;
    check_not_merged(&before)?;
    let now = app.now();
    let perms = actor.permissions();
    let mut tag = Map::new();
    tag.insert("macro".into(), json!(m.name));
    tag.insert("macro_id".into(), json!(m.id));
    let by = By {
        actor_id: Some(actor.user_id),
        perms: &perms,
        tag,
        strict: true,
    };
    let applied = apply_actions(app, &tx, &before, &m.actions, &by, now).await?;
    if let Some((to, missing, pending)) = applied.blocked {
        tx.rollback().await?;
        return Err(super::approvals::request(app, actor, &before, &to, missing, pending).await);
    }
    let after = applied.after.unwrap_or_else(|| before.clone());
    save_and_commit(app, tx, &before, after, now).await
}
