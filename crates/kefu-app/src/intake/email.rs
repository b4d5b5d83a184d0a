//! Inbound mail: raw bytes (from a mailbox poll or `kefu mail ingest`) become a new ticket or a
//! customer message on one. The raw bytes are stored before anything else and every message
//! gets a `mail_messages` row, so nothing is lost: a message that cannot be parsed or placed is
//! kept with the reason (status `failed`), noise is kept but does not reach a ticket (status
//! `ignored`), and a message fetched twice is recognised by its Message-ID.
//!
//! Threading: a reply lands on its ticket through In-Reply-To/References naming a message we
//! sent or received, or through `[SR-…]` in the subject when the sender is a contact of that
//! ticket's customer; never by subject similarity alone.

use chrono::{DateTime, Duration, Utc};
use kefu_channels::mail::{InboundMail, Noise, strip_quoted, ticket_number_in};
use kefu_domain::access::Actor;
use kefu_domain::ticket::StatusCategory;
use kefu_store::entity::{attachment, contact, mail_message, ticket};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::contact::contact_for;
use super::mail_settings::MailSettings;
use super::reopen::reopen_on_message;
use crate::tickets::{self, NewTicket, events};
use crate::{App, AppError};

/// What became of an inbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum MailOutcome {
    /// A new ticket was opened.
    Opened {
        /// The ticket.
        ticket_id: Uuid,
        /// Its number.
        number: String,
    },
    /// The message was added to an existing ticket.
    Appended {
        /// The ticket.
        ticket_id: Uuid,
        /// Its number.
        number: String,
        /// The ticket was closed or resolved and is open again.
        reopened: bool,
    },
    /// The same Message-ID was taken in before.
    Duplicate {
        /// Where it went then.
        ticket_id: Option<Uuid>,
    },
    /// Kept, but not turned into a ticket message (auto-reply, list, bounce, rate limit).
    Ignored {
        /// Why (`auto_reply`, `bulk`, `list`, `bounce`, `rate_limited`).
        reason: String,
    },
    /// Kept raw and flagged for an admin.
    Failed {
        /// Why.
        reason: String,
    },
}

/// Takes in one raw message. `mailbox` names where it came from (for the admin's list).
/// An `Err` means nothing was recorded and the caller should try again later (the mailbox
/// message stays unread, an MTA pipe gets a temporary failure).
pub async fn ingest_mail(
    app: &App,
    raw: &[u8],
    mailbox: Option<&str>,
) -> Result<MailOutcome, AppError> {
    let sha = tickets::store_blob(app, raw).await?;
    let now = app.now();
    let parsed = kefu_channels::mail::parse(raw);
    let (message_id, subject, from_email) = match &parsed {
        Ok(m) => (
            m.message_id.clone().unwrap_or_else(|| synthetic_id(&sha)),
            m.subject.clone(),
            m.from.as_ref().map(|f| f.email.clone()),
        ),
        Err(_) => (synthetic_id(&sha), String::new(), None),
    };
    let row = mail_message::Model {
        id: Uuid::now_v7(),
        message_id: message_id.chars().take(500).collect(),
        direction: "in".into(),
        ticket_id: None,
        event_id: None,
        mailbox: mailbox.map(str::to_owned),
        from_email,
        subject: subject.chars().take(500).collect(),
        status: "failed".into(),
        reason: None,
        raw_sha256: Some(sha),
        size: raw.len() as i64,
        to_email: None,
        attempts: 0,
        sent_at: None,
        purpose: None,
        created_at: now,
    };
    if let Some(seen) = seen(app.store.conn(), &row.message_id).await? {
        return Ok(MailOutcome::Duplicate {
            ticket_id: seen.ticket_id,
        });
    }
    // Files are written (and synced) before the transaction, so that no database lock is held
    // across an fsync; an unreferenced file is all a failure leaves.
    let stored = match parsed {
        Ok(mail) => Ok(Stored {
            shas: store_files(app, &mail).await?,
            mail,
        }),
        Err(e) => Err(e),
    };
    let tx = app.store.begin().await?;
    let mut placed = row.clone();
    let result = match &stored {
        Err(e) => Ok(failed(&mut placed, e.to_string())),
        Ok(m) => place(app, &tx, m, &mut placed, now).await,
    };
    let (outcome, tx, placed) = match result {
        Ok(o) => (o, tx, placed),
        // A message the rules refuse is kept and flagged, in a fresh transaction.
        Err(e @ (AppError::Invalid(_) | AppError::Rule { .. } | AppError::NotFound(_))) => {
            drop(tx);
            let mut again = row;
            let o = failed(&mut again, e.to_string());
            (o, app.store.begin().await?, again)
        }
        Err(e) => return Err(e),
    };
    match mail_message::Entity::insert(mail_message::ActiveModel::from(placed))
        .exec_without_returning(&tx)
        .await
        .map_err(kefu_store::StoreError::from)
    {
        Ok(_) => {}
        // The same message taken in concurrently (two pollers): the other one placed it.
        Err(kefu_store::StoreError::Conflict { .. }) => {
            drop(tx);
            let seen = seen(app.store.conn(), &message_id).await?;
            return Ok(MailOutcome::Duplicate {
                ticket_id: seen.and_then(|s| s.ticket_id),
            });
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(outcome)
}

/// A parsed message whose attachments are already stored: `shas[i]` is the hash of
/// attachment `i`, `None` when it is empty or over the size limit (not stored).
struct Stored {
    mail: InboundMail,
    shas: Vec<Option<String>>,
}

impl std::ops::Deref for Stored {
    type Target = InboundMail;
    fn deref(&self) -> &InboundMail {
        &self.mail
    }
}

async fn store_files(app: &App, m: &InboundMail) -> Result<Vec<Option<String>>, AppError> {
    let mut shas = Vec::with_capacity(m.attachments.len());
    for a in &m.attachments {
        let fits = !a.bytes.is_empty() && a.bytes.len() as u64 <= app.settings.max_attachment_bytes;
        shas.push(match fits {
            true => Some(tickets::store_blob(app, &a.bytes).await?),
            false => None,
        });
    }
    Ok(shas)
}

fn synthetic_id(sha: &str) -> String {
    format!("{sha}@no-message-id.kefu.invalid")
}

fn failed(row: &mut mail_message::Model, reason: String) -> MailOutcome {
    row.status = "failed".into();
    row.reason = Some(reason.clone());
    MailOutcome::Failed { reason }
}

async fn seen(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    message_id: &str,
) -> Result<Option<mail_message::Model>, AppError> {
    Ok(mail_message::Entity::find()
        .filter(mail_message::Column::MessageId.eq(message_id))
        .one(db)
        .await?)
}

/// Decides where a parsed message goes and writes it there.
async fn place(
    app: &App,
    tx: &kefu_store::Tx,
    m: &Stored,
    row: &mut mail_message::Model,
    now: DateTime<Utc>,
) -> Result<MailOutcome, AppError> {
    let settings = MailSettings::load(tx).await?;
    let Some(from) = &m.from else {
        return Ok(failed(row, "no sender address".into()));
    };
    if let Some(noise) = m.noise {
        row.status = "ignored".into();
        row.reason = Some(noise.code().into());
        if noise == Noise::Bounce {
            note_bounce(tx, m, row, now).await?;
        }
        return Ok(MailOutcome::Ignored {
            reason: noise.code().into(),
        });
    }
    let recent = mail_message::Entity::find()
        .filter(mail_message::Column::FromEmail.eq(&from.email))
        .filter(mail_message::Column::Direction.eq("in"))
        .filter(mail_message::Column::CreatedAt.gt(now - Duration::hours(1)))
        .count(tx)
        .await?;
    if recent >= u64::from(settings.max_per_sender_per_hour) {
        row.status = "ignored".into();
        row.reason = Some("rate_limited".into());
        return Ok(MailOutcome::Ignored {
            reason: "rate_limited".into(),
        });
    }
    let body = {
        let b = strip_quoted(&m.text);
        if b.trim().is_empty() {
            "（空白邮件 / empty message）".to_owned()
        } else {
            b.chars().take(100_000).collect()
        }
    };
    match thread(app, tx, m, &from.email).await? {
        Some(t) => {
            let wf = tickets::workflow_of(app, tx).await?;
            let category = wf.status(&t.status).map(|s| s.category).ok();
            let reopen_allowed = wf
                .check(&t.status, "open", &Actor::system().permissions())
                .is_ok();
            if category == Some(StatusCategory::Closed)
                && (settings.closed_reply == "follow_up" || !reopen_allowed)
            {
                return open_new(app, tx, m, row, body, Some(t.id), &settings, now).await;
            }
            append(app, tx, &wf, t, m, row, body, now).await
        }
        None => open_new(app, tx, m, row, body, None, &settings, now).await,
    }
}

/// The ticket a message replies to, if any (following merges).
async fn thread(
    app: &App,
    tx: &kefu_store::Tx,
    m: &Stored,
    from_email: &str,
) -> Result<Option<ticket::Model>, AppError> {
    let mut ids: Vec<&String> = m.in_reply_to.iter().chain(&m.references).collect();
    ids.sort();
    ids.dedup();
    let mut found = None;
    if !ids.is_empty() {
        let known = mail_message::Entity::find()
            .filter(mail_message::Column::MessageId.is_in(ids.into_iter().cloned()))
            .filter(mail_message::Column::TicketId.is_not_null())
            .order_by_desc(mail_message::Column::CreatedAt)
            .one(tx)
            .await?;
        if let Some(id) = known.and_then(|k| k.ticket_id) {
            found = ticket::Entity::find_by_id(id).one(tx).await?;
        }
    }
    if found.is_none()
        && let Some(number) = ticket_number_in(&m.subject, &app.settings.ticket_prefix)
        && let Some(t) = ticket::Entity::find()
            .filter(ticket::Column::Number.eq(number))
            .one(tx)
            .await?
    {
        // The number alone is guessable: only the ticket's own customer may reply by it.
        let known_sender = match t.customer_id {
            Some(c) => contact::Entity::find()
                .filter(contact::Column::CustomerId.eq(c))
                .filter(contact::Column::Email.eq(from_email))
                .one(tx)
                .await?
                .is_some(),
            None => false,
        };
        if known_sender {
            found = Some(t);
        }
    }
    // A merged ticket's messages go to the ticket it was merged into.
    let mut hops = 0;
    while let Some(into) = found.as_ref().and_then(|t| t.merged_into_id)
        && hops < 5
    {
        found = ticket::Entity::find_by_id(into).one(tx).await?;
        hops += 1;
    }
    Ok(found)
}

/// A customer message on an existing ticket; a ticket waiting, resolved or closed opens again.
#[allow(clippy::too_many_arguments)]
async fn append(
    app: &App,
    tx: &kefu_store::Tx,
    wf: &kefu_domain::ticket::Workflow,
    before: ticket::Model,
    m: &Stored,
    row: &mut mail_message::Model,
    body: String,
    now: DateTime<Utc>,
) -> Result<MailOutcome, AppError> {
    let from = m.from.as_ref().expect("checked by the caller");
    let event_id = events::append(
        tx,
        before.id,
        "reply",
        None,
        true,
        json!({
            "body": body, "from": "customer", "channel": "email", "subject": m.subject,
            "from_email": from.email, "from_name": from.name, "mail_id": row.id,
        }),
        now,
    )
    .await?;
    attach(tx, before.id, Some(event_id), m, now).await?;
    let (after, reopened) = reopen_on_message(tx, wf, &before, "email", now).await?;
    tickets::write_ticket(app, tx, &before, after, now).await?;
    row.status = "reply".into();
    row.ticket_id = Some(before.id);
    row.event_id = Some(event_id);
    Ok(MailOutcome::Appended {
        ticket_id: before.id,
        number: before.number,
        reopened,
    })
}

/// A new ticket from the message (a follow-up of `parent` when replying to a closed one).
#[allow(clippy::too_many_arguments)]
async fn open_new(
    app: &App,
    tx: &kefu_store::Tx,
    m: &Stored,
    row: &mut mail_message::Model,
    body: String,
    parent: Option<Uuid>,
    settings: &MailSettings,
    now: DateTime<Utc>,
) -> Result<MailOutcome, AppError> {
    let from = m.from.as_ref().expect("checked by the caller");
    let party = contact_for(
        tx,
        &from.email,
        from.name.as_deref(),
        &settings.free_mail_domains,
        now,
    )
    .await?;
    let subject = kefu_channels::mail::normalize_subject(&m.subject);
    let subject: String = if subject.trim().is_empty() {
        "（无主题 / no subject）".into()
    } else {
        subject.chars().take(200).collect()
    };
    let req = NewTicket {
        subject,
        description: Some(body),
        channel: Some("email".into()),
        customer_id: Some(party.customer_id),
        contact_id: Some(party.contact_id),
        ..Default::default()
    };
    let (t, _tier) = tickets::open_in(app, tx, &Actor::system(), req, parent).await?;
    attach(tx, t.id, None, m, now).await?;
    row.status = "ticket".into();
    row.ticket_id = Some(t.id);
    Ok(MailOutcome::Opened {
        ticket_id: t.id,
        number: t.number,
    })
}

/// Stores the message's files on the ticket, under `event_id` or, for a new ticket, each with
/// its own `attachment_added` event. Files over the size limit are listed, not stored.
async fn attach(
    tx: &kefu_store::Tx,
    ticket_id: Uuid,
    event_id: Option<Uuid>,
    m: &Stored,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for (a, sha) in m.attachments.iter().zip(&m.shas) {
        let name = tickets::clean_name(&a.name);
        let Some(sha) = sha else {
            events::append(
                tx,
                ticket_id,
                "attachment_skipped",
                None,
                false,
                json!({"file_name": name, "size": a.bytes.len(), "reason": if a.bytes.is_empty() { "empty" } else { "too_large" }}),
                now,
            )
            .await?;
            continue;
        };
        let id = Uuid::now_v7();
        let event_id = match event_id {
            Some(e) => e,
            None => {
                events::append(
                    tx,
                    ticket_id,
                    "attachment_added",
                    None,
                    true,
                    json!({"attachment_id": id, "file_name": name, "size": a.bytes.len()}),
                    now,
                )
                .await?
            }
        };
        attachment::Entity::insert(attachment::ActiveModel {
            id: Set(id),
            ticket_id: Set(ticket_id),
            event_id: Set(Some(event_id)),
            file_name: Set(name),
            content_type: Set(tickets::clean_type(Some(&a.content_type))),
            size: Set(a.bytes.len() as i64),
            sha256: Set(sha.clone()),
            created_by: Set(None),
            created_at: Set(now),
        })
        .exec_without_returning(tx)
        .await?;
    }
    Ok(())
}

/// A bounce of a message we sent goes on that message's ticket as an internal event.
async fn note_bounce(
    tx: &kefu_store::Tx,
    m: &Stored,
    row: &mut mail_message::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(id) = &m.bounced_message_id else {
        return Ok(());
    };
    let Some(sent) = seen(tx, id).await? else {
        return Ok(());
    };
    let Some(ticket_id) = sent.ticket_id else {
        return Ok(());
    };
    let event_id = events::append(
        tx,
        ticket_id,
        "mail_bounced",
        None,
        false,
        json!({"message_id": id, "report_from": m.from.as_ref().map(|f| &f.email), "subject": m.subject}),
        now,
    )
    .await?;
    row.ticket_id = Some(ticket_id);
    row.event_id = Some(event_id);
    Ok(())
}
