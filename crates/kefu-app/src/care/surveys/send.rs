//! The survey sender (worker job): every survey whose time has come goes out — by mail to the
//! contact, as a line in the ticket's chat if that chat is still open, and always on the
//! customer's portal page — and links past their expiry are marked expired.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_store::entity::{contact, survey, ticket};
use kefu_store::sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::links::{link_key, sign};
use super::survey_url;
use crate::intake::MailSettings;
use crate::mail::outbound::{MailSpec, queue_mail};
use crate::mail::{Templates, render};
use crate::{App, AppError};

/// What one sending pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SendScan {
    /// Surveys sent (mail queued, chat line written, or left on the portal).
    pub sent: usize,
    /// Of those, by mail.
    pub mailed: usize,
    /// Skipped: the ticket was reopened before the question went out.
    pub skipped: usize,
    /// Links that expired unanswered.
    pub expired: usize,
}

/// Most surveys sent per pass.
const BATCH: u64 = 500;

/// Sends the surveys that are due and expires stale links.
pub async fn send_due_surveys(app: &App) -> Result<SendScan, AppError> {
    let now = app.now();
    let mut scan = SendScan::default();
    let tx = app.store.begin().await?;
    scan.expired = survey::Entity::update_many()
        .col_expr(survey::Column::Status, Expr::val("expired"))
        .filter(survey::Column::Status.is_in(["sent", "scheduled"]))
        .filter(survey::Column::ExpiresAt.lt(now))
        .exec(&tx)
        .await?
        .rows_affected as usize;
    let due = survey::Entity::find()
        .filter(survey::Column::Status.eq("scheduled"))
        .filter(survey::Column::SendAt.lte(now))
        .order_by_asc(survey::Column::SendAt)
        .limit(BATCH)
        .all(&tx)
        .await?;
    if due.is_empty() {
        tx.commit().await?;
        return Ok(scan);
    }
    let key = link_key(&tx, now).await?;
    let out = MailSettings::load(&tx).await?.outbound;
    let templates = Templates::load(&tx).await?;
    let mut wake = Vec::new();
    // Their tickets and contacts in two queries, not two per survey.
    let tickets: HashMap<Uuid, ticket::Model> = ticket::Entity::find()
        .filter(ticket::Column::Id.is_in(due.iter().filter_map(|s| s.ticket_id)))
        .all(&tx)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let contacts: HashMap<Uuid, contact::Model> = contact::Entity::find()
        .filter(contact::Column::Id.is_in(due.iter().filter_map(|s| s.contact_id)))
        .all(&tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    for s in due {
        let t = s.ticket_id.and_then(|id| tickets.get(&id));
        if s.kind == "csat" && t.as_ref().is_none_or(|t| t.resolved_at.is_none()) {
            // Reopened meanwhile: asked again when it is resolved again.
            mark(&tx, s.id, "skipped", None).await?;
            scan.skipped += 1;
            continue;
        }
        let link = survey_url(&app.settings.public_url, &sign(&key, s.id));
        let person = s.contact_id.and_then(|c| contacts.get(&c));
        let mut channel = "portal";
        if s.channel == "chat"
            && let Some(t) = &t
        {
            let line = format!("请为本次服务评分 / Please rate our service: {link}");
            if let Some(session) = crate::chat::say_in_live_chat(&tx, t.id, &line, now).await? {
                wake.push(session);
                channel = "chat";
            }
        }
        if channel == "portal"
            && let Some(p) = &person
            && let Some(email) = p.email.clone().filter(|e| e.contains('@'))
            && out.ready()
        {
            let purpose = if s.kind == "nps" { "nps" } else { "survey" };
            let tmpl = templates.get(purpose, &out.language)?;
            let (number, subject) = t
                .as_ref()
                .map(|t| (t.number.as_str(), t.subject.as_str()))
                .unwrap_or(("", ""));
            let vars = [
                ("number", number),
                ("subject", subject),
                ("contact", p.name.as_str()),
                ("company", out.from_name.as_str()),
                ("link", link.as_str()),
            ];
            let mut subject_line = render(&tmpl.subject, &vars);
            if !number.is_empty() {
                subject_line = kefu_channels::mail::subject_with_number(&subject_line, number);
            }
            let spec = MailSpec {
                to: vec![(Some(p.name.clone()), email)],
                subject: subject_line,
                text: render(&tmpl.body, &vars),
                in_reply_to: None,
                references: Vec::new(),
                attachments: Vec::new(),
                auto_submitted: true,
            };
            if queue_mail(&tx, &out, s.ticket_id, None, purpose, spec, now)
                .await?
                .is_some()
            {
                channel = "email";
                scan.mailed += 1;
            }
        }
        mark(&tx, s.id, "sent", Some((channel, now))).await?;
        if let Some(t) = &t {
            crate::tickets::events::append(
                &tx,
                t.id,
                "survey_sent",
                None,
                false,
                json!({"survey_id": s.id, "kind": s.kind, "channel": channel,
                    "expires_at": s.expires_at}),
                now,
            )
            .await?;
        }
        scan.sent += 1;
    }
    tx.commit().await?;
    for session in wake {
        app.chat_hub.notify(session);
    }
    Ok(scan)
}

async fn mark(
    tx: &kefu_store::Tx,
    id: Uuid,
    status: &str,
    sent: Option<(&str, DateTime<Utc>)>,
) -> Result<(), AppError> {
    let mut q = survey::Entity::update_many()
        .col_expr(survey::Column::Status, Expr::val(status))
        .filter(survey::Column::Id.eq(id));
    if let Some((channel, at)) = sent {
        q = q
            .col_expr(survey::Column::Channel, Expr::val(channel))
            .col_expr(survey::Column::SentAt, Expr::val(at));
    }
    q.exec(tx).await?;
    Ok(())
}
