//! Canned replies: stored as configuration, filled in for a ticket for the reply box.

use std::collections::BTreeMap;

use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::{CannedReply, fill, unknown_variables};
use serde::Serialize;

use super::TicketView;
use crate::{App, AppError, FieldError, require};

/// A canned reply filled in for one ticket.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FilledReply {
    /// Title.
    pub title: String,
    /// Text with the ticket's values.
    pub body: String,
}

/// The canned replies (staff).
pub async fn canned_replies(app: &App, actor: &Actor) -> Result<Vec<CannedReply>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    crate::config::list_setting::cached_list(app, "canned_replies").await
}

/// Replaces the canned replies (admins); unknown `{{variables}}` are refused.
pub async fn save_canned_replies(
    app: &App,
    actor: &Actor,
    list: Vec<CannedReply>,
) -> Result<Vec<CannedReply>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let mut errors = Vec::new();
    for (i, r) in list.iter().enumerate() {
        if r.title.trim().is_empty() || r.body.trim().is_empty() {
            errors.push(FieldError::new(
                format!("replies[{i}]"),
                "required",
                "title and body",
            ));
        }
        for v in unknown_variables(&r.body) {
            errors.push(FieldError::new(
                format!("replies[{i}].body"),
                "unknown_variable",
                format!(
                    "no variable `{v}`; use {}",
                    kefu_domain::ticket::VARIABLES.join(", ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    crate::config::list_setting::write_list(app, actor, "canned_replies", &list).await?;
    Ok(list)
}

/// Every canned reply filled in for `t` (customer, contact, number, subject, agent, status).
pub async fn filled_replies(
    app: &App,
    actor: &Actor,
    t: &TicketView,
    customer: Option<&str>,
    contact: Option<&str>,
    agent: &str,
    status: &str,
) -> Result<Vec<FilledReply>, AppError> {
    let vars = BTreeMap::from([
        ("customer", customer.unwrap_or("").to_owned()),
        ("contact", contact.unwrap_or("").to_owned()),
        ("number", t.number.clone()),
        ("subject", t.subject.clone()),
        ("agent", agent.to_owned()),
        ("status", status.to_owned()),
    ]);
    Ok(canned_replies(app, actor)
        .await?
        .into_iter()
        .map(|r| FilledReply {
            title: r.title,
            body: fill(&r.body, &vars),
        })
        .collect())
}
