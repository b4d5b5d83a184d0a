//! What admins see of mail: the settings (password never shown), the message log with the
//! failed and ignored messages, and each message's raw bytes for download.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::mail_message;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::intake::MailSettings;
use crate::{App, AppError, require};

/// The `mail` setting as shown: the SMTP password left out.
pub async fn get_mail_settings(app: &App, actor: &Actor) -> Result<MailSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    Ok(MailSettings::load(app.store.conn()).await?.redacted())
}

/// One logged message.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MailMessageView {
    /// Id.
    pub id: Uuid,
    /// Message-ID (bare).
    pub message_id: String,
    /// `in` or `out`.
    pub direction: String,
    /// In: `ticket`, `reply`, `ignored`, `failed`. Out: `queued`, `sent`, `failed`.
    pub status: String,
    /// Why it was ignored or failed.
    pub reason: Option<String>,
    /// The ticket it belongs to.
    pub ticket_id: Option<Uuid>,
    /// Mailbox it came from.
    pub mailbox: Option<String>,
    /// Sender.
    pub from_email: Option<String>,
    /// Recipients (outbound).
    pub to_email: Option<String>,
    /// Subject.
    pub subject: String,
    /// Outbound purpose: `received`, `agent_reply`, `status_changed`, `sla_warning`.
    pub purpose: Option<String>,
    /// Size of the raw message in bytes.
    pub size: i64,
    /// Send attempts (outbound).
    pub attempts: i32,
    /// Raw bytes can be downloaded.
    pub has_raw: bool,
    /// When it arrived or was queued.
    pub created_at: DateTime<Utc>,
    /// When the server accepted it (outbound).
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<mail_message::Model> for MailMessageView {
    fn from(m: mail_message::Model) -> Self {
        MailMessageView {
            id: m.id,
            message_id: m.message_id,
            direction: m.direction,
            status: m.status,
            reason: m.reason,
            ticket_id: m.ticket_id,
            mailbox: m.mailbox,
            from_email: m.from_email,
            to_email: m.to_email,
            subject: m.subject,
            purpose: m.purpose,
            size: m.size,
            attempts: m.attempts,
            has_raw: m.raw_sha256.is_some(),
            created_at: m.created_at,
            sent_at: m.sent_at,
        }
    }
}

/// Filters of the message log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct MailLogQuery {
    /// Only this status (e.g. `failed`).
    pub status: Option<String>,
    /// Only `in` or `out`.
    pub direction: Option<String>,
    /// Only messages of this ticket.
    pub ticket_id: Option<Uuid>,
    /// Older than this id (paging).
    pub before: Option<Uuid>,
    /// Page size, at most 200 (default 50).
    pub limit: Option<u64>,
}

/// The message log, newest first (admins).
pub async fn list_mail_messages(
    app: &App,
    actor: &Actor,
    q: MailLogQuery,
) -> Result<Vec<MailMessageView>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let mut s = mail_message::Entity::find()
        .order_by_desc(mail_message::Column::Id)
        .limit(q.limit.unwrap_or(50).clamp(1, 200));
    if let Some(st) = q.status {
        s = s.filter(mail_message::Column::Status.eq(st));
    }
    if let Some(d) = q.direction {
        s = s.filter(mail_message::Column::Direction.eq(d));
    }
    if let Some(t) = q.ticket_id {
        s = s.filter(mail_message::Column::TicketId.eq(t));
    }
    if let Some(b) = q.before {
        s = s.filter(mail_message::Column::Id.lt(b));
    }
    Ok(s.all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// A logged message with its raw bytes (admins): kept exactly as received or sent.
pub async fn read_raw_mail(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<(MailMessageView, Vec<u8>), AppError> {
    require(actor, Permission::ConfigManage)?;
    let m = mail_message::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .ok_or(AppError::NotFound("mail message"))?;
    let sha = m.raw_sha256.clone().ok_or(AppError::NotFound("raw mail"))?;
    let bytes = crate::tickets::read_blob(app, &sha).await?;
    Ok((m.into(), bytes))
}
