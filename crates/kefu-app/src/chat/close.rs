//! The end of a chat and the tickets that come from the widget: the transcript of an ended
//! chat, or a message left when nobody was there. The visitor becomes (or is found as) a
//! contact; an answered chat counts as first response; an agent may mark it resolved.

use chrono::{DateTime, Utc};
use kefu_domain::access::Actor;
use kefu_domain::chat::{self, ChatStatus, Line, Sender};
use kefu_domain::ticket::StatusCategory;
use kefu_store::entity::{chat_session, contact, customer, ticket};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::messages;
use super::view::names_of;
use super::visitor::Visitor;
use crate::intake::{MailSettings, Party, contact_for, new_person};
use crate::tickets::{self, NewTicket, events};
use crate::{App, AppError};

/// Ends the chat (if not ended yet) and files its transcript as a ticket, in one transaction.
/// `by` is `visitor`, `agent` or `timeout`; `resolved` (agents only) resolves the ticket too.
pub(super) async fn end(
    app: &App,
    session_id: Uuid,
    by: &str,
    agent: Option<Uuid>,
    resolved: bool,
) -> Result<chat_session::Model, AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let note = match by {
        "visitor" => "访客结束了对话 / the visitor ended the chat",
        "agent" => "客服结束了对话 / the agent ended the chat",
        _ => "访客已离开，对话结束 / the visitor left; the chat ended",
    };
    let session = match messages::append(&tx, session_id, Sender::System, agent, note, now).await {
        Ok((s, _)) => s,
        Err(AppError::Conflict {
            code: "chat_ended", ..
        }) => {
            tx.rollback().await?;
            return chat_session::Entity::find_by_id(session_id)
                .one(app.store.conn())
                .await?
                .ok_or(AppError::NotFound("chat"));
        }
        Err(e) => return Err(e),
    };
    let t = ticket_for_chat(app, &tx, &session, resolved, now).await?;
    let mut am: chat_session::ActiveModel = session.clone().into();
    am.status = Set(ChatStatus::Ended.as_str().into());
    am.ended_at = Set(Some(now));
    am.ended_by = Set(Some(by.into()));
    am.ticket_id = Set(Some(t.id));
    am.customer_id = Set(t.customer_id);
    am.contact_id = Set(t.contact_id);
    am.updated_at = Set(now);
    let ended = chat_session::Entity::update(am).exec(&tx).await?;
    tx.commit().await?;
    app.chat_hub.notify(session_id);
    Ok(ended)
}

/// The customer and contact behind a visitor: by mail address (as for mail), else by phone,
/// else a new person-customer.
async fn party_for(
    tx: &kefu_store::Tx,
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Party, AppError> {
    if let Some(email) = email {
        let free = MailSettings::load(tx).await?.free_mail_domains;
        return contact_for(tx, email, Some(name), &free, now).await;
    }
    if let Some(phone) = phone
        && let (Some(contact_id), Some(customer_id)) = crate::calls::match_caller(tx, phone).await?
    {
        return Ok(Party {
            customer_id,
            contact_id,
        });
    }
    let p = new_person(
        tx,
        name,
        None,
        None,
        "由在线客服自动创建 / created from web chat",
        now,
    )
    .await?;
    if let Some(phone) = phone {
        contact::Entity::update_many()
            .col_expr(contact::Column::Phone, phone.into())
            .filter(contact::Column::Id.eq(p.contact_id))
            .exec(tx)
            .await?;
        customer::Entity::update_many()
            .col_expr(customer::Column::Phone, phone.into())
            .filter(customer::Column::Id.eq(p.customer_id))
            .exec(tx)
            .await?;
    }
    Ok(p)
}

fn with_page(text: String, page_url: Option<&str>) -> String {
    match page_url {
        Some(u) => format!("{text}\n\n—\n页面 / page: {u}"),
        None => text,
    }
}

/// A ticket holding the chat's transcript, assigned to the agent who took the chat.
async fn ticket_for_chat(
    app: &App,
    tx: &kefu_store::Tx,
    s: &chat_session::Model,
    resolved: bool,
    now: DateTime<Utc>,
) -> Result<ticket::Model, AppError> {
    let rows = messages::all(tx, s.id).await?;
    let names = names_of(tx, rows.iter().filter_map(|m| m.user_id)).await?;
    let tz = crate::sla::policy_for(app, tx, None).await?.calendar.tz;
    let lines: Vec<Line<'_>> = rows
        .iter()
        .map(|m| {
            let sender = Sender::parse(&m.sender).unwrap_or(Sender::System);
            Line {
                at: m.created_at,
                sender,
                name: match sender {
                    Sender::Visitor => &s.visitor_name,
                    _ => m
                        .user_id
                        .and_then(|u| names.get(&u))
                        .map_or("", String::as_str),
                },
                body: &m.body,
            }
        })
        .collect();
    let first = rows
        .iter()
        .find(|m| m.sender == Sender::Visitor.as_str())
        .map(|m| m.body.as_str());
    let answered = rows.iter().any(|m| m.sender == Sender::Agent.as_str());
    let party = party_for(
        tx,
        &s.visitor_name,
        s.visitor_email.as_deref(),
        s.visitor_phone.as_deref(),
        now,
    )
    .await?;
    let req = NewTicket {
        subject: chat::subject(first),
        description: Some(with_page(
            chat::transcript(&lines, tz),
            s.page_url.as_deref(),
        )),
        channel: Some("chat".into()),
        customer_id: Some(party.customer_id),
        contact_id: Some(party.contact_id),
        assignee_id: s.agent_id,
        ..Default::default()
    };
    let (t, _) = tickets::open_in(app, tx, &Actor::system(), req, None).await?;
    let mut after = t.clone();
    if answered {
        after.first_responded_at = Some(now);
    }
    if resolved {
        let wf = tickets::workflow_of(app, tx).await?;
        let target = wf
            .statuses
            .iter()
            .find(|d| d.category == StatusCategory::Resolved)
            .map(|d| (d.key.clone(), d.category));
        if let Some((to, category)) = target {
            // A type whose resolution needs a sign-off stays open: the chat does not skip it.
            if let tickets::Gate::Open(ids) = tickets::gate(tx, &t, &to).await? {
                tickets::use_up(tx, &ids, now).await?;
                events::append(
                    tx,
                    t.id,
                    "status_changed",
                    s.agent_id,
                    true,
                    json!({"from": t.status, "to": to, "comment": "chat"}),
                    now,
                )
                .await?;
                tickets::apply_status(&mut after, &to, category, now);
            }
        }
    }
    if after != t {
        tickets::write_ticket(app, tx, &t, after.clone(), now).await?;
        after.version = t.version + 1;
    }
    Ok(after)
}

/// A ticket from a message left in the widget.
pub(super) async fn ticket_for_message(
    app: &App,
    tx: &kefu_store::Tx,
    v: &Visitor,
    now: DateTime<Utc>,
) -> Result<ticket::Model, AppError> {
    let party = party_for(tx, &v.name, v.email.as_deref(), v.phone.as_deref(), now).await?;
    let req = NewTicket {
        subject: chat::subject(Some(&v.message)),
        description: Some(with_page(v.message.clone(), v.page_url.as_deref())),
        channel: Some("chat".into()),
        customer_id: Some(party.customer_id),
        contact_id: Some(party.contact_id),
        ..Default::default()
    };
    let (t, _) = tickets::open_in(app, tx, &Actor::system(), req, None).await?;
    Ok(t)
}
