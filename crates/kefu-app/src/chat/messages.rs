//! Writing and reading chat lines. A line takes the session's next number under the session
//! row's lock (the counter update), so concurrent writers never share a number and a line is
//! never written into a chat that has ended meanwhile.

use chrono::{DateTime, Utc};
use kefu_domain::chat::{self, ChatError, ChatStatus, Sender};
use kefu_store::entity::{chat_message, chat_session};
use kefu_store::sea_orm::sea_query::{Expr, ExprTrait};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::{AppError, FieldError};

/// Most lines returned by one read.
pub(super) const PAGE: u64 = 500;

/// The domain's refusal as the caller's error.
pub(super) fn chat_error(e: ChatError) -> AppError {
    match e {
        ChatError::Empty => AppError::Invalid(vec![FieldError::new(
            "body",
            "required",
            "the message is empty",
        )]),
        ChatError::TooLong => AppError::Invalid(vec![FieldError::new(
            "body",
            "too_long",
            format!("at most {} characters", chat::MAX_MESSAGE_CHARS),
        )]),
        ChatError::Ended => AppError::Conflict {
            code: "chat_ended",
            message: "the chat has ended".into(),
        },
    }
}

/// Appends a line to the session inside `tx`; returns the session as it now stands and the
/// line. Refuses when the session has ended.
pub(super) async fn append(
    tx: &kefu_store::Tx,
    session_id: Uuid,
    sender: Sender,
    user_id: Option<Uuid>,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(chat_session::Model, chat_message::Model), AppError> {
    // The counter update takes the row lock (PostgreSQL) before the status is read, so an end
    // committed by another request is seen here.
    chat_session::Entity::update_many()
        .col_expr(
            chat_session::Column::LastSeq,
            Expr::col(chat_session::Column::LastSeq).add(1),
        )
        .col_expr(chat_session::Column::UpdatedAt, Expr::value(now))
        .filter(chat_session::Column::Id.eq(session_id))
        .exec(tx)
        .await?;
    let session = chat_session::Entity::find_by_id(session_id)
        .one(tx)
        .await?
        .ok_or(AppError::NotFound("chat"))?;
    let status = ChatStatus::parse(&session.status).unwrap_or(ChatStatus::Ended);
    chat::may_write(status, sender).map_err(chat_error)?;
    let line = chat_message::Model {
        id: Uuid::now_v7(),
        session_id,
        seq: session.last_seq,
        sender: sender.as_str().into(),
        user_id,
        body: body.to_owned(),
        created_at: now,
    };
    chat_message::Entity::insert(chat_message::ActiveModel {
        id: Set(line.id),
        session_id: Set(line.session_id),
        seq: Set(line.seq),
        sender: Set(line.sender.clone()),
        user_id: Set(line.user_id),
        body: Set(line.body.clone()),
        created_at: Set(line.created_at),
    })
    .exec_without_returning(tx)
    .await?;
    Ok((session, line))
}

/// Lines after `after`, oldest first, at most [`PAGE`].
pub(super) async fn after(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    after: i32,
) -> Result<Vec<chat_message::Model>, AppError> {
    Ok(chat_message::Entity::find()
        .filter(chat_message::Column::SessionId.eq(session_id))
        .filter(chat_message::Column::Seq.gt(after))
        .order_by_asc(chat_message::Column::Seq)
        .limit(PAGE)
        .all(db)
        .await?)
}

/// Every line of the session, oldest first.
pub(super) async fn all(
    db: &impl ConnectionTrait,
    session_id: Uuid,
) -> Result<Vec<chat_message::Model>, AppError> {
    Ok(chat_message::Entity::find()
        .filter(chat_message::Column::SessionId.eq(session_id))
        .order_by_asc(chat_message::Column::Seq)
        .all(db)
        .await?)
}

/// Says `body` as kefu in the live chat of ticket `ticket_id`, if one is still open (a survey
/// link after the agent resolved the ticket during the chat); the session to wake after commit,
/// none when there is no open chat.
pub(crate) async fn say_in_live_chat(
    tx: &kefu_store::Tx,
    ticket_id: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, AppError> {
    let live = chat_session::Entity::find()
        .filter(chat_session::Column::TicketId.eq(ticket_id))
        .filter(chat_session::Column::Status.ne(ChatStatus::Ended.as_str()))
        .one(tx)
        .await?;
    let Some(s) = live else { return Ok(None) };
    append(tx, s.id, Sender::System, None, body, now).await?;
    Ok(Some(s.id))
}
