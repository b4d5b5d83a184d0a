//! The visitor's side: what the widget offers, starting a chat, writing, reading, leaving, and
//! the "leave us a message" form when nobody is there. A visitor is known only by the secret
//! token handed out when the chat started (stored hashed).

use chrono::{DateTime, Utc};
use kefu_domain::chat::{self, ChatStatus, Offer, Sender};
use kefu_store::entity::{bot_answer, chat_presence, chat_session, kb_article, user};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::settings::ChatSettings;
use super::view::{ChatMessageView, messages_view, names_of};
use super::{close, messages};
use crate::auth::{random_token, sha256_hex};
use crate::{App, AppError, FieldError};

/// What the widget shows when it opens.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    /// `chat`, `outside_hours`, `no_agent` or `disabled`.
    #[schema(value_type = String)]
    pub offer: Offer,
    /// Widget title.
    pub title: String,
    /// Greeting line.
    pub greeting: String,
    /// The bot answers the first question before a person is asked for.
    pub bot: bool,
}

/// Agents at their console and taking chats right now.
pub(super) async fn available_agents(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let present = chat_presence::Entity::find()
        .filter(chat_presence::Column::Available.eq(true))
        .filter(chat_presence::Column::SeenAt.gte(now - chat::PRESENCE_TTL))
        .all(db)
        .await?;
    if present.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = present.iter().map(|p| p.user_id).collect();
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?
        .len())
}

/// What the widget offers now: live chat, or a message form and why.
pub async fn offer_now(app: &App) -> Result<OfferView, AppError> {
    let db = app.store.conn();
    let s = ChatSettings::load(db).await?;
    let now = app.now();
    let open = crate::sla::policy_for(app, db, None)
        .await?
        .calendar
        .is_open_at(now);
    let agents = if s.enabled {
        available_agents(db, now).await?
    } else {
        0
    };
    Ok(OfferView {
        offer: chat::offer(s.enabled, s.hours_only, open, agents),
        bot: s.enabled && s.bot_first,
        title: s.title,
        greeting: s.greeting,
    })
}

/// A visitor's opening: who they are (all optional but the message) and what they ask.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StartChat {
    /// Their name (default "访客 / Visitor").
    #[serde(default)]
    pub name: String,
    /// Mail address, to find them among customers and to answer later.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// The first message.
    pub message: String,
    /// The page the widget sits on.
    #[serde(default)]
    pub page_url: Option<String>,
    /// `zh-CN` (default) or `en`.
    #[serde(default)]
    pub locale: Option<String>,
    /// The bot's answer to this question that did not help (`POST /api/v1/bot/ask`): it is
    /// linked to the chat and shown to the agent.
    #[serde(default)]
    pub bot_answer_id: Option<Uuid>,
}

/// The "leave us a message" form: like a chat opening, but with a way to answer required.
pub type LeaveMessage = StartChat;

/// A started chat: the visitor keeps the token to write and read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Started {
    /// The chat.
    pub session_id: Uuid,
    /// The visitor's secret for this chat.
    pub token: String,
    /// `waiting`.
    pub status: String,
}

/// A message left for later: the ticket it became.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeftMessage {
    /// Ticket number to quote.
    pub number: String,
}

/// The visitor's view of their chat.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VisitorState {
    /// The chat.
    pub session_id: Uuid,
    /// `waiting`, `active` or `ended`.
    pub status: String,
    /// The agent who took it.
    pub agent_name: Option<String>,
    /// The ticket it became, once ended.
    pub ticket_number: Option<String>,
    /// Lines after the asked-for number.
    pub messages: Vec<ChatMessageView>,
}

/// Checked visitor details.
pub(super) struct Visitor {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub message: String,
    pub page_url: Option<String>,
    pub locale: String,
}

fn check(req: StartChat, need_contact: bool) -> Result<Visitor, AppError> {
    let mut errors = Vec::new();
    let name = req.name.trim();
    let name = if name.is_empty() {
        "访客 / Visitor".to_owned()
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            "too_long",
            "at most 100 characters",
        ));
        String::new()
    } else {
        name.to_owned()
    };
    let email = req
        .email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    if let Some(e) = &email {
        let ok = e.len() <= 254
            && !e.contains(char::is_whitespace)
            && e.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
        if !ok {
            errors.push(FieldError::new("email", "invalid", "a mail address"));
        }
    }
    let phone = req
        .phone
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    if let Some(p) = &phone {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        if p.chars().count() > 40
            || digits < 5
            || !p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        {
            errors.push(FieldError::new("phone", "invalid", "a phone number"));
        }
    }
    if need_contact && email.is_none() && phone.is_none() {
        errors.push(FieldError::new(
            "email",
            "required",
            "a mail address or phone number, so we can answer",
        ));
    }
    let message = match chat::message_body(&req.message) {
        Ok(m) => m,
        Err(e) => {
            let code = match e {
                chat::ChatError::TooLong => "too_long",
                _ => "required",
            };
            errors.push(FieldError::new("message", code, e.to_string()));
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let page_url = req
        .page_url
        .map(|u| u.trim().chars().take(500).collect::<String>())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    let locale = match req.locale.as_deref() {
        Some("en") => "en",
        _ => "zh-CN",
    }
    .to_owned();
    Ok(Visitor {
        name,
        email,
        phone,
        message,
        page_url,
        locale,
    })
}

fn limited(app: &App, client: &str, now: DateTime<Utc>) -> Result<(), AppError> {
    let key = format!("chat:{client}");
    app.chat_limiter
        .check(&key, now)
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    app.chat_limiter.fail(&key, now);
    Ok(())
}

/// Starts a chat (only while live chat is offered). `client` is the visitor's address, for the
/// limit on chats started per address.
pub async fn start_chat(app: &App, req: StartChat, client: &str) -> Result<Started, AppError> {
    let bot_answer_id = req.bot_answer_id;
    let v = check(req, false)?;
    let offer = offer_now(app).await?;
    if offer.offer != Offer::Chat {
        return Err(AppError::Rule {
            code: "chat_unavailable",
            message: "nobody is taking chats now; leave a message instead".into(),
        });
    }
    let now = app.now();
    limited(app, client, now)?;
    let token = random_token(32);
    let id = Uuid::now_v7();
    let tx = app.store.begin().await?;
    chat_session::Entity::insert(chat_session::ActiveModel {
        id: Set(id),
        token_hash: Set(sha256_hex(token.as_bytes())),
        status: Set(ChatStatus::Waiting.as_str().into()),
        visitor_name: Set(v.name),
        visitor_email: Set(v.email),
        visitor_phone: Set(v.phone),
        locale: Set(v.locale),
        page_url: Set(v.page_url),
        customer_id: Set(None),
        contact_id: Set(None),
        agent_id: Set(None),
        ticket_id: Set(None),
        last_seq: Set(0),
        ended_by: Set(None),
        created_at: Set(now),
        accepted_at: Set(None),
        ended_at: Set(None),
        visitor_seen_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&tx)
    .await?;
    messages::append(&tx, id, Sender::Visitor, None, &v.message, now).await?;
    if let Some(answer) = bot_answer_id {
        link_bot_answer(&tx, id, answer, now).await?;
    }
    tx.commit().await?;
    app.chat_hub.notify(id);
    Ok(Started {
        session_id: id,
        token,
        status: ChatStatus::Waiting.as_str().into(),
    })
}

/// Links the bot's answer that did not help to the chat it led to, and tells the agent in a
/// system line what the bot already offered. An unknown, old or already linked answer is
/// left alone (it must not stop the visitor from reaching a person).
async fn link_bot_answer(
    tx: &kefu_store::Tx,
    session_id: Uuid,
    answer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(a) = bot_answer::Entity::find_by_id(answer_id).one(tx).await? else {
        return Ok(());
    };
    if a.chat_session_id.is_some() || now - a.created_at > chrono::Duration::hours(1) {
        return Ok(());
    }
    bot_answer::Entity::update_many()
        .col_expr(bot_answer::Column::ChatSessionId, Expr::value(session_id))
        .filter(bot_answer::Column::Id.eq(answer_id))
        .exec(tx)
        .await?;
    let title = match a.article_id {
        Some(article) => kb_article::Entity::find_by_id(article)
            .one(tx)
            .await?
            .map(|x| x.title),
        None => None,
    };
    let line = match title {
        Some(t) => format!(
            "自助机器人已用文章「{t}」答复，访客仍需人工。/ The bot answered with “{t}”; the visitor asked for a person."
        ),
        None => {
            "自助机器人未能答复，已转人工。/ The bot could not answer; handed over to a person."
                .to_owned()
        }
    };
    messages::append(tx, session_id, Sender::System, None, &line, now).await?;
    Ok(())
}

/// Leaves a message when no chat is possible: it becomes a ticket at once.
pub async fn leave_message(
    app: &App,
    req: LeaveMessage,
    client: &str,
) -> Result<LeftMessage, AppError> {
    let s = ChatSettings::load(app.store.conn()).await?;
    if !s.enabled {
        return Err(AppError::Rule {
            code: "chat_disabled",
            message: "web chat is switched off".into(),
        });
    }
    let v = check(req, true)?;
    let now = app.now();
    limited(app, client, now)?;
    let tx = app.store.begin().await?;
    let t = close::ticket_for_message(app, &tx, &v, now).await?;
    tx.commit().await?;
    Ok(LeftMessage { number: t.number })
}

/// The visitor's chat by their token.
pub(super) async fn by_token(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<chat_session::Model, AppError> {
    if token.len() != 64 {
        return Err(AppError::NotFound("chat"));
    }
    chat_session::Entity::find()
        .filter(chat_session::Column::TokenHash.eq(sha256_hex(token.as_bytes())))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("chat"))
}

/// The visitor's chat and its lines after `after`.
pub async fn visitor_state(app: &App, token: &str, after: i32) -> Result<VisitorState, AppError> {
    let db = app.store.conn();
    let s = by_token(db, token).await?;
    let rows = messages::after(db, s.id, after).await?;
    let lines = messages_view(db, &s, rows).await?;
    let agent_name = match s.agent_id {
        Some(a) => names_of(db, [a]).await?.remove(&a),
        None => None,
    };
    let ticket_number = match s.ticket_id {
        Some(t) => kefu_store::entity::ticket::Entity::find_by_id(t)
            .one(db)
            .await?
            .map(|t| t.number),
        None => None,
    };
    Ok(VisitorState {
        session_id: s.id,
        status: s.status,
        agent_name,
        ticket_number,
        messages: lines,
    })
}

/// The visitor writes.
pub async fn visitor_say(app: &App, token: &str, body: &str) -> Result<ChatMessageView, AppError> {
    let body = chat::message_body(body).map_err(messages::chat_error)?;
    let now = app.now();
    let s = by_token(app.store.conn(), token).await?;
    let tx = app.store.begin().await?;
    let (s, line) = messages::append(&tx, s.id, Sender::Visitor, None, &body, now).await?;
    chat_session::Entity::update_many()
        .col_expr(chat_session::Column::VisitorSeenAt, Expr::value(now))
        .filter(chat_session::Column::Id.eq(s.id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    app.chat_hub.notify(s.id);
    Ok(messages_view(app.store.conn(), &s, vec![line])
        .await?
        .remove(0))
}

/// The visitor closes the chat; its transcript becomes a ticket.
pub async fn visitor_end(app: &App, token: &str) -> Result<VisitorState, AppError> {
    let s = by_token(app.store.conn(), token).await?;
    close::end(app, s.id, "visitor", None, false).await?;
    visitor_state(app, token, i32::MAX).await
}

/// The visitor is still there (their connection is open): at most one write per 20 s.
pub async fn visitor_seen(app: &App, session_id: Uuid) -> Result<(), AppError> {
    let now = app.now();
    chat_session::Entity::update_many()
        .col_expr(chat_session::Column::VisitorSeenAt, Expr::value(now))
        .filter(chat_session::Column::Id.eq(session_id))
        .filter(chat_session::Column::Status.ne(ChatStatus::Ended.as_str()))
        .filter(chat_session::Column::VisitorSeenAt.lt(now - chrono::Duration::seconds(20)))
        .exec(app.store.conn())
        .await?;
    Ok(())
}
