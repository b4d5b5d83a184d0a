//! The agent's side: the chat console (waiting chats, mine, colleagues'), being available for
//! chats, taking a chat, writing, and ending it. Staff only (portal users never reach these);
//! agents write only in chats they took, supervisors and admins may step into any.

use chrono::Duration;
use kefu_domain::access::{Actor, Permission, Role};
use kefu_domain::chat::{self, ChatStatus, Sender};
use kefu_store::entity::{chat_presence, chat_session};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::view::{ChatMessageView, ChatSessionView, messages_view, names_of, sessions_view};
use super::visitor::available_agents;
use super::{close, messages};
use crate::{App, AppError, require};

/// Refuses anyone but staff who may answer chats.
pub fn may_answer(actor: &Actor) -> Result<(), AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("chats are answered by staff".into()));
    }
    require(actor, Permission::TicketUpdate)
}

/// What an agent's chat console shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChatConsole {
    /// This agent takes chats.
    pub available: bool,
    /// Agents taking chats now (this one included).
    pub agents_available: usize,
    /// Chats nobody took yet, oldest first.
    pub waiting: Vec<ChatSessionView>,
    /// Chats this agent is in.
    pub mine: Vec<ChatSessionView>,
    /// Colleagues' chats in progress.
    pub others: Vec<ChatSessionView>,
    /// This agent's chats ended in the last day, newest first.
    pub recent: Vec<ChatSessionView>,
}

/// The console of `actor`.
pub async fn console(app: &App, actor: &Actor) -> Result<ChatConsole, AppError> {
    may_answer(actor)?;
    let db = app.store.conn();
    let now = app.now();
    let available = chat_presence::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .is_some_and(|p| p.available && chat::present(p.seen_at, now));
    let waiting = chat_session::Entity::find()
        .filter(chat_session::Column::Status.eq(ChatStatus::Waiting.as_str()))
        .order_by_asc(chat_session::Column::CreatedAt)
        .limit(100)
        .all(db)
        .await?;
    let active = chat_session::Entity::find()
        .filter(chat_session::Column::Status.eq(ChatStatus::Active.as_str()))
        .order_by_asc(chat_session::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?;
    let (mine, others): (Vec<_>, Vec<_>) = active
        .into_iter()
        .partition(|s| s.agent_id == Some(actor.user_id));
    let recent = chat_session::Entity::find()
        .filter(chat_session::Column::Status.eq(ChatStatus::Ended.as_str()))
        .filter(chat_session::Column::AgentId.eq(actor.user_id))
        .filter(chat_session::Column::EndedAt.gte(now - Duration::days(1)))
        .order_by_desc(chat_session::Column::EndedAt)
        .limit(20)
        .all(db)
        .await?;
    Ok(ChatConsole {
        available,
        agents_available: available_agents(db, now).await?,
        waiting: sessions_view(db, waiting).await?,
        mine: sessions_view(db, mine).await?,
        others: sessions_view(db, others).await?,
        recent: sessions_view(db, recent).await?,
    })
}

/// The console is open: records the heartbeat and, when given, whether the agent takes
/// chats. Returns whether they do.
pub async fn set_presence(
    app: &App,
    actor: &Actor,
    available: Option<bool>,
) -> Result<bool, AppError> {
    may_answer(actor)?;
    let db = app.store.conn();
    let now = app.now();
    let current = chat_presence::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?;
    let value = available.unwrap_or(current.as_ref().is_some_and(|p| p.available));
    let am = chat_presence::ActiveModel {
        user_id: Set(actor.user_id),
        available: Set(value),
        seen_at: Set(now),
    };
    if current.is_some() {
        chat_presence::Entity::update(am).exec(db).await?;
    } else {
        chat_presence::Entity::insert(am)
            .exec_without_returning(db)
            .await?;
    }
    Ok(value)
}

async fn session(app: &App, id: Uuid) -> Result<chat_session::Model, AppError> {
    chat_session::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .ok_or(AppError::NotFound("chat"))
}

fn may_speak(actor: &Actor, s: &chat_session::Model) -> Result<(), AppError> {
    let supervises = matches!(actor.role, Role::Admin | Role::Supervisor);
    if s.agent_id.is_some_and(|a| a != actor.user_id) && !supervises {
        return Err(AppError::Forbidden("another agent is in this chat".into()));
    }
    Ok(())
}

/// One chat.
pub async fn get_chat(app: &App, actor: &Actor, id: Uuid) -> Result<ChatSessionView, AppError> {
    may_answer(actor)?;
    let s = session(app, id).await?;
    Ok(sessions_view(app.store.conn(), vec![s]).await?.remove(0))
}

/// Lines of a chat after `after`.
pub async fn chat_messages(
    app: &App,
    actor: &Actor,
    id: Uuid,
    after: i32,
) -> Result<Vec<ChatMessageView>, AppError> {
    may_answer(actor)?;
    let db = app.store.conn();
    let s = session(app, id).await?;
    let rows = messages::after(db, id, after).await?;
    messages_view(db, &s, rows).await
}

/// Takes a waiting chat. Taking one's own chat again is a no-op; a chat a colleague took is a
/// conflict.
pub async fn accept_chat(app: &App, actor: &Actor, id: Uuid) -> Result<ChatSessionView, AppError> {
    may_answer(actor)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let taken = chat_session::Entity::update_many()
        .col_expr(
            chat_session::Column::Status,
            Expr::value(ChatStatus::Active.as_str()),
        )
        .col_expr(chat_session::Column::AgentId, Expr::value(actor.user_id))
        .col_expr(chat_session::Column::AcceptedAt, Expr::value(now))
        .filter(chat_session::Column::Id.eq(id))
        .filter(chat_session::Column::Status.eq(ChatStatus::Waiting.as_str()))
        .exec(&tx)
        .await?
        .rows_affected;
    if taken == 0 {
        tx.rollback().await?;
        let s = session(app, id).await?;
        if s.status == ChatStatus::Active.as_str() && s.agent_id == Some(actor.user_id) {
            return Ok(sessions_view(app.store.conn(), vec![s]).await?.remove(0));
        }
        return Err(AppError::Conflict {
            code: if s.status == ChatStatus::Ended.as_str() {
                "chat_ended"
            } else {
                "chat_taken"
            },
            message: "this chat is no longer waiting".into(),
        });
    }
    let name = names_of(&tx, [actor.user_id])
        .await?
        .remove(&actor.user_id)
        .unwrap_or_default();
    let note = format!("{name} 接入了对话 / joined the chat");
    let (s, _) = messages::append(&tx, id, Sender::System, Some(actor.user_id), &note, now).await?;
    tx.commit().await?;
    app.chat_hub.notify(id);
    Ok(sessions_view(app.store.conn(), vec![s]).await?.remove(0))
}

/// The agent writes; writing into a waiting chat takes it first.
pub async fn agent_say(
    app: &App,
    actor: &Actor,
    id: Uuid,
    body: &str,
) -> Result<ChatMessageView, AppError> {
    may_answer(actor)?;
    let body = chat::message_body(body).map_err(messages::chat_error)?;
    let mut s = session(app, id).await?;
    if s.status == ChatStatus::Waiting.as_str() {
        accept_chat(app, actor, id).await?;
        s = session(app, id).await?;
    }
    may_speak(actor, &s)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let (s, line) =
        messages::append(&tx, id, Sender::Agent, Some(actor.user_id), &body, now).await?;
    tx.commit().await?;
    app.chat_hub.notify(id);
    Ok(messages_view(app.store.conn(), &s, vec![line])
        .await?
        .remove(0))
}

/// Ends the chat; the transcript becomes a ticket assigned to the agent who took it, resolved
/// at once when `resolved`.
pub async fn end_chat(
    app: &App,
    actor: &Actor,
    id: Uuid,
    resolved: bool,
) -> Result<ChatSessionView, AppError> {
    may_answer(actor)?;
    let s = session(app, id).await?;
    may_speak(actor, &s)?;
    let ended = close::end(app, id, "agent", Some(actor.user_id), resolved).await?;
    Ok(sessions_view(app.store.conn(), vec![ended])
        .await?
        .remove(0))
}
