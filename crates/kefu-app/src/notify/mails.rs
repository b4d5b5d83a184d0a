//! Mail about a ticket: to its contact (received, agent reply, status changed) and to staff
//! (SLA warning), rendered from the templates and queued through [`crate::mail::outbound`].

use kefu_store::entity::{attachment, ticket, ticket_event};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::dispatch::Batch;
use super::text::timer_name;
use crate::mail::outbound::{MailSpec, queue_mail, thread_of};
use crate::mail::templates::render;
use crate::{App, AppError};

fn status_name(app_wf: &kefu_domain::ticket::Workflow, key: &str, en: bool) -> String {
    match app_wf.status(key) {
        Ok(s) if en => s.name_en.clone(),
        Ok(s) => s.name_zh.clone(),
        Err(_) => key.to_owned(),
    }
}

/// Queues mail of `purpose` to the ticket's contact; false when there is nobody to mail.
pub(crate) async fn mail_customer(
    app: &App,
    tx: &kefu_store::Tx,
    b: &Batch,
    purpose: &'static str,
    ev: &ticket_event::Model,
    t: &ticket::Model,
) -> Result<bool, AppError> {
    let Some(contact) = t.contact_id.and_then(|c| b.contacts.get(&c)) else {
        return Ok(false);
    };
    let Some(email) = contact.email.clone().filter(|e| e.contains('@')) else {
        return Ok(false);
    };
    if !b.out.ready() {
        return Ok(false);
    }
    let en = b.out.language == "en";
    let tmpl = b.templates.get(purpose, &b.out.language)?;
    let wf = crate::tickets::workflow_of(app, tx).await?;
    let data = &ev.data;
    let body = data.get("body").and_then(|v| v.as_str()).unwrap_or("");
    let status = data
        .get("to")
        .and_then(|v| v.as_str())
        .map(|k| status_name(&wf, k, en))
        .unwrap_or_default();
    let agent = ev
        .actor_id
        .and_then(|a| b.users.get(&a))
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let link = if app.settings.public_url.is_empty() {
        String::new()
    } else {
        format!("{}/portal/tickets/{}", app.settings.public_url, t.id)
    };
    let quote = data.get("number").and_then(|v| v.as_str()).unwrap_or("");
    let amount = data
        .get("due_cents")
        .and_then(|v| v.as_i64())
        .map(kefu_domain::charges::yuan)
        .unwrap_or_default();
    let vars = [
        ("quote", quote),
        ("amount", amount.as_str()),
        ("number", t.number.as_str()),
        ("subject", t.subject.as_str()),
        ("contact", contact.name.as_str()),
        ("company", b.out.from_name.as_str()),
        ("status", status.as_str()),
        ("body", body),
        ("agent", agent.as_str()),
        ("link", link.as_str()),
    ];
    let subject =
        kefu_channels::mail::subject_with_number(&render(&tmpl.subject, &vars), &t.number);
    let mut attachments = Vec::new();
    if purpose == "agent_reply" {
        let ids: Vec<Uuid> = data
            .get("attachment_ids")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str()?.parse().ok()).collect())
            .unwrap_or_default();
        if !ids.is_empty() {
            for a in attachment::Entity::find()
                .filter(attachment::Column::Id.is_in(ids))
                .filter(attachment::Column::TicketId.eq(t.id))
                .all(tx)
                .await?
            {
                attachments.push((a.file_name, a.content_type, a.sha256));
            }
        }
    }
    let (in_reply_to, references) = thread_of(tx, t.id).await?;
    let spec = MailSpec {
        to: vec![(Some(contact.name.clone()), email)],
        subject,
        text: render(&tmpl.body, &vars),
        in_reply_to,
        references,
        attachments,
        auto_submitted: purpose != "agent_reply",
    };
    Ok(
        queue_mail(tx, &b.out, Some(t.id), Some(ev.id), purpose, spec, b.now)
            .await?
            .is_some(),
    )
}

/// Queues mail of `purpose` to a staff member, in their language.
pub(crate) async fn mail_staff(
    app: &App,
    tx: &kefu_store::Tx,
    b: &Batch,
    user_id: Uuid,
    purpose: &'static str,
    ev: &ticket_event::Model,
    t: &ticket::Model,
) -> Result<bool, AppError> {
    let Some(u) = b
        .users
        .get(&user_id)
        .filter(|u| u.active && u.email.contains('@'))
    else {
        return Ok(false);
    };
    if !b.out.ready() {
        return Ok(false);
    }
    let lang = if u.locale.starts_with("en") {
        "en"
    } else {
        "zh-CN"
    };
    let en = lang == "en";
    let tmpl = b.templates.get(purpose, lang)?;
    let data = &ev.data;
    let target = timer_name(data.get("timer").and_then(|v| v.as_str()).unwrap_or(""), en);
    let due = data
        .get("due_at")
        .and_then(|v| v.as_str())
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map(|d| {
            let tz: chrono_tz::Tz = u.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai);
            d.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
        })
        .unwrap_or_default();
    let customer = b.customer_name(t);
    let link = if app.settings.public_url.is_empty() {
        String::new()
    } else {
        format!("{}/tickets/{}", app.settings.public_url, t.id)
    };
    let quote = data.get("number").and_then(|v| v.as_str()).unwrap_or("");
    let amount = data
        .get("due_cents")
        .and_then(|v| v.as_i64())
        .map(kefu_domain::charges::yuan)
        .unwrap_or_default();
    let vars = [
        ("quote", quote),
        ("amount", amount.as_str()),
        ("number", t.number.as_str()),
        ("subject", t.subject.as_str()),
        ("customer", customer),
        ("target", target),
        ("due", due.as_str()),
        ("link", link.as_str()),
    ];
    let spec = MailSpec {
        to: vec![(Some(u.name.clone()), u.email.clone())],
        subject: kefu_channels::mail::subject_with_number(&render(&tmpl.subject, &vars), &t.number),
        text: render(&tmpl.body, &vars),
        in_reply_to: None,
        references: Vec::new(),
        attachments: Vec::new(),
        auto_submitted: true,
    };
    Ok(
        queue_mail(tx, &b.out, Some(t.id), Some(ev.id), purpose, spec, b.now)
            .await?
            .is_some(),
    )
}
