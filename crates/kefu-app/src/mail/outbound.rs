//! Outbound mail: [`queue_mail`] records a message (row `mail_messages`, direction `out`,
//! status `queued`) and a `mail.send` job in the caller's transaction; [`send_queued`] (the
//! job) renders, sends over SMTP, keeps the raw bytes and records the outcome. A message the
//! server refuses for good, or that runs out of attempts, is marked `failed` and noted on its
//! ticket (internal event `mail_failed`), so agents see it.

use chrono::{DateTime, Utc};
use kefu_channels::mail::{
    Mailbox, OutboundAttachment, OutboundMail, SendError, SmtpSender, compose, new_message_id,
    references_for_reply,
};
use kefu_jobs::{Job, NewJob};
use kefu_store::entity::mail_message;
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::intake::{MailSettings, OutboundSettings};
use crate::tickets::events;
use crate::{App, AppError};

/// The job kind that sends one queued message.
pub const SEND_JOB: &str = "mail.send";

/// What to send, as kept in the job until it is sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MailSpec {
    /// Recipients: (name, address).
    pub to: Vec<(Option<String>, String)>,
    /// Subject, ticket number included.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// The message answered (bare id).
    pub in_reply_to: Option<String>,
    /// Thread so far (bare ids, oldest first).
    pub references: Vec<String>,
    /// Stored files: (name, content type, sha256).
    pub attachments: Vec<(String, String, String)>,
    /// A notification rather than a person's reply.
    pub auto_submitted: bool,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    mail_id: Uuid,
    spec: MailSpec,
}

/// The In-Reply-To and References for new mail on `ticket_id`: the customer's newest message
/// (or our newest, when they never wrote), and the chain of the ticket's messages, root first.
pub(crate) async fn thread_of(
    db: &impl ConnectionTrait,
    ticket_id: Uuid,
) -> Result<(Option<String>, Vec<String>), AppError> {
    let mut rows: Vec<(String, String)> = mail_message::Entity::find()
        .select_only()
        .column(mail_message::Column::MessageId)
        .column(mail_message::Column::Direction)
        .filter(mail_message::Column::TicketId.eq(ticket_id))
        .filter(mail_message::Column::Status.is_not_in(["failed", "ignored"]))
        // Mail to staff about the ticket is not part of the customer's thread.
        .filter(
            Condition::any()
                .add(mail_message::Column::Purpose.is_null())
                .add(mail_message::Column::Purpose.ne("sla_warning")),
        )
        .order_by_desc(mail_message::Column::CreatedAt)
        .limit(50)
        .into_tuple()
        .all(db)
        .await?;
    rows.reverse();
    let Some(parent) = rows
        .iter()
        .rev()
        .find(|(_, d)| d == "in")
        .or(rows.last())
        .map(|(id, _)| id.clone())
    else {
        return Ok((None, Vec::new()));
    };
    let others: Vec<String> = rows
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| *id != parent)
        .collect();
    let refs = references_for_reply(&others, &parent);
    Ok((Some(parent), refs))
}

/// Records `spec` for sending and enqueues its job, in the caller's transaction. Returns the
/// row id, or `None` when outbound mail is off.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn queue_mail(
    db: &impl ConnectionTrait,
    out: &OutboundSettings,
    ticket_id: Option<Uuid>,
    event_id: Option<Uuid>,
    purpose: &str,
    spec: MailSpec,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, AppError> {
    if !out.ready() || spec.to.is_empty() {
        return Ok(None);
    }
    let id = Uuid::now_v7();
    let message_id = new_message_id(&id.simple().to_string(), out.domain());
    mail_message::Entity::insert(mail_message::ActiveModel {
        id: Set(id),
        message_id: Set(message_id),
        direction: Set("out".into()),
        ticket_id: Set(ticket_id),
        event_id: Set(event_id),
        mailbox: Set(None),
        from_email: Set(Some(out.from_address.to_lowercase())),
        subject: Set(spec.subject.chars().take(500).collect()),
        status: Set("queued".into()),
        reason: Set(None),
        raw_sha256: Set(None),
        size: Set(0),
        to_email: Set(Some(
            spec.to
                .iter()
                .map(|(_, a)| a.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
        attempts: Set(0),
        sent_at: Set(None),
        purpose: Set(Some(purpose.to_owned())),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    let payload =
        serde_json::to_value(Payload { mail_id: id, spec }).map_err(anyhow::Error::from)?;
    kefu_jobs::enqueue(
        db,
        NewJob::new(SEND_JOB, payload)
            .dedup_key(format!("mail:{id}"))
            .max_attempts(out.max_attempts),
        now,
    )
    .await
    .map_err(anyhow::Error::from)?;
    Ok(Some(id))
}

/// What became of one send attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Accepted by the server.
    Sent,
    /// Already sent earlier (the job ran twice).
    AlreadySent,
    /// Given up: refused for good, not configured, or out of attempts.
    Failed(String),
    /// Will be retried.
    Retry(String),
}

/// The `mail.send` job: sends the queued message. `Err` asks the queue to retry later.
pub async fn send_queued(app: &App, job: &Job) -> Result<SendOutcome, AppError> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("bad mail.send payload: {e}")))?;
    let Some(row) = mail_message::Entity::find_by_id(p.mail_id)
        .one(app.store.conn())
        .await?
    else {
        return Ok(SendOutcome::Failed("message row is gone".into()));
    };
    if row.status == "sent" {
        return Ok(SendOutcome::AlreadySent);
    }
    let settings = MailSettings::load(app.store.conn()).await?.outbound;
    let last_attempt = job.attempts >= job.max_attempts;
    let result = match render(app, &settings, &row, &p.spec).await {
        Ok(raw) => deliver(app, &settings, &p.spec, &raw).await.map(|_| raw),
        Err(e) => Err(e),
    };
    let now = app.now();
    match result {
        Ok(raw) => {
            let sha = crate::tickets::store_blob(app, &raw).await?;
            mail_message::Entity::update(mail_message::ActiveModel {
                id: Set(row.id),
                status: Set("sent".into()),
                reason: Set(None),
                raw_sha256: Set(Some(sha)),
                size: Set(raw.len() as i64),
                attempts: Set(row.attempts + 1),
                sent_at: Set(Some(now)),
                ..Default::default()
            })
            .exec(app.store.conn())
            .await?;
            Ok(SendOutcome::Sent)
        }
        Err(e) if e.is_transient() && !last_attempt => {
            mail_message::Entity::update(mail_message::ActiveModel {
                id: Set(row.id),
                reason: Set(Some(e.to_string())),
                attempts: Set(row.attempts + 1),
                ..Default::default()
            })
            .exec(app.store.conn())
            .await?;
            Ok(SendOutcome::Retry(e.to_string()))
        }
        Err(e) => {
            let reason = e.to_string();
            give_up(app, &row, &reason, now).await?;
            Ok(SendOutcome::Failed(reason))
        }
    }
}

async fn give_up(
    app: &App,
    row: &mail_message::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let tx = app.store.begin().await?;
    mail_message::Entity::update(mail_message::ActiveModel {
        id: Set(row.id),
        status: Set("failed".into()),
        reason: Set(Some(reason.chars().take(2000).collect())),
        attempts: Set(row.attempts + 1),
        ..Default::default()
    })
    .exec(&tx)
    .await?;
    if let Some(ticket_id) = row.ticket_id {
        events::append(
            &tx,
            ticket_id,
            "mail_failed",
            None,
            false,
            serde_json::json!({
                "mail_id": row.id,
                "to": row.to_email,
                "subject": row.subject,
                "purpose": row.purpose,
                "reason": reason,
            }),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    tracing::warn!(mail_id = %row.id, reason, "outbound mail given up");
    Ok(())
}

async fn render(
    app: &App,
    s: &OutboundSettings,
    row: &mail_message::Model,
    spec: &MailSpec,
) -> Result<Vec<u8>, SendError> {
    if !s.ready() {
        return Err(SendError::Permanent(
            "outbound mail is not configured".into(),
        ));
    }
    let mut attachments = Vec::with_capacity(spec.attachments.len());
    for (name, content_type, sha) in &spec.attachments {
        let bytes = crate::tickets::read_blob(app, sha)
            .await
            .map_err(|e| SendError::Transient(format!("attachment {name}: {e}")))?;
        attachments.push(OutboundAttachment {
            name: name.clone(),
            content_type: content_type.clone(),
            bytes,
        });
    }
    let m = OutboundMail {
        from: Mailbox {
            name: Some(s.from_name.clone()).filter(|n| !n.is_empty()),
            email: s.from_address.clone(),
        },
        to: spec
            .to
            .iter()
            .map(|(name, email)| Mailbox {
                name: name.clone(),
                email: email.clone(),
            })
            .collect(),
        subject: spec.subject.clone(),
        text: spec.text.clone(),
        message_id: row.message_id.clone(),
        in_reply_to: spec.in_reply_to.clone(),
        references: spec.references.clone(),
        attachments,
        auto_submitted: spec.auto_submitted,
        extra_headers: row
            .ticket_id
            .map(|t| vec![("X-Kefu-Ticket".to_owned(), t.to_string())])
            .unwrap_or_default(),
        ..Default::default()
    };
    compose(&m).map_err(|e| SendError::Permanent(e.to_string()))
}

async fn deliver(
    app: &App,
    s: &OutboundSettings,
    spec: &MailSpec,
    raw: &[u8],
) -> Result<(), SendError> {
    let sender: SmtpSender = app.smtp_sender(&s.smtp())?;
    let to: Vec<String> = spec.to.iter().map(|(_, a)| a.clone()).collect();
    sender.send(&s.from_address, &to, raw).await
}
