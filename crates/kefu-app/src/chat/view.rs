//! What callers see of chats and their messages.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_store::entity::{chat_message, chat_session, ticket, user};
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::AppError;

/// One line of a chat.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChatMessageView {
    /// 1, 2, 3 … within the chat.
    pub seq: i32,
    /// `visitor`, `agent` or `system`.
    pub sender: String,
    /// Who wrote it (visitor's or agent's name; empty for system lines).
    pub name: String,
    /// The text.
    pub body: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A chat as agents see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChatSessionView {
    /// Id.
    pub id: Uuid,
    /// `waiting`, `active` or `ended`.
    pub status: String,
    /// The visitor's name.
    pub visitor_name: String,
    /// Their address, if given.
    pub visitor_email: Option<String>,
    /// Their phone, if given.
    pub visitor_phone: Option<String>,
    /// Page the chat was started from.
    pub page_url: Option<String>,
    /// Visitor's language.
    pub locale: String,
    /// Agent who took it.
    pub agent_id: Option<Uuid>,
    /// Their name.
    pub agent_name: Option<String>,
    /// The ticket with the transcript (after the end).
    pub ticket_id: Option<Uuid>,
    /// Its number.
    pub ticket_number: Option<String>,
    /// Newest message number.
    pub last_seq: i32,
    /// Started.
    pub created_at: DateTime<Utc>,
    /// Taken by an agent.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// `visitor`, `agent` or `timeout`.
    pub ended_by: Option<String>,
}

/// Agent names by id.
pub(super) async fn names_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>, AppError> {
    let mut ids: Vec<Uuid> = ids.into_iter().collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

/// Views of sessions, with agent names and ticket numbers looked up once for all.
pub(super) async fn sessions_view(
    db: &impl ConnectionTrait,
    rows: Vec<chat_session::Model>,
) -> Result<Vec<ChatSessionView>, AppError> {
    let names = names_of(db, rows.iter().filter_map(|s| s.agent_id)).await?;
    let ticket_ids: Vec<Uuid> = rows.iter().filter_map(|s| s.ticket_id).collect();
    let numbers: HashMap<Uuid, String> = if ticket_ids.is_empty() {
        HashMap::new()
    } else {
        ticket::Entity::find()
            .filter(ticket::Column::Id.is_in(ticket_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.number))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|s| ChatSessionView {
            agent_name: s.agent_id.and_then(|a| names.get(&a).cloned()),
            ticket_number: s.ticket_id.and_then(|t| numbers.get(&t).cloned()),
            id: s.id,
            status: s.status,
            visitor_name: s.visitor_name,
            visitor_email: s.visitor_email,
            visitor_phone: s.visitor_phone,
            page_url: s.page_url,
            locale: s.locale,
            agent_id: s.agent_id,
            ticket_id: s.ticket_id,
            last_seq: s.last_seq,
            created_at: s.created_at,
            accepted_at: s.accepted_at,
            ended_at: s.ended_at,
            ended_by: s.ended_by,
        })
        .collect())
}

/// Views of messages: visitor lines carry the session's visitor name, agent lines the agent's.
pub(super) async fn messages_view(
    db: &impl ConnectionTrait,
    session: &chat_session::Model,
    rows: Vec<chat_message::Model>,
) -> Result<Vec<ChatMessageView>, AppError> {
    let names = names_of(db, rows.iter().filter_map(|m| m.user_id)).await?;
    Ok(rows
        .into_iter()
        .map(|m| ChatMessageView {
            name: match m.sender.as_str() {
                "visitor" => session.visitor_name.clone(),
                "agent" => m
                    .user_id
                    .and_then(|u| names.get(&u).cloned())
                    .unwrap_or_default(),
                _ => String::new(),
            },
            seq: m.seq,
            sender: m.sender,
            body: m.body,
            at: m.created_at,
        })
        .collect())
}
