//! Messages pushed to the official account's callback: verified (signature, or AES safe
//! mode), deduplicated by MsgId, and turned into a ticket or a reply on the sender's open
//! WeChat ticket — the same intake rules as mail: contact by OpenID (created on first
//! contact), events recorded but never opening tickets.

use chrono::{DateTime, Utc};
use kefu_channels::wechat::{
    Event, InboundMessage, MessageKind, MsgCrypt, parse_message, verify_signature,
};
use kefu_domain::access::Actor;
use kefu_domain::ticket::StatusCategory;
use kefu_store::entity::{contact, ticket, wechat_message};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::settings::WeChatSettings;
use crate::intake::{new_person, reopen_on_message};
use crate::tickets::{self, NewTicket, events};
use crate::{App, AppError};

/// The query string WeChat adds to each callback.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackQuery {
    /// SHA1 signature of token, timestamp and nonce.
    pub signature: Option<String>,
    /// Unix seconds, as text.
    pub timestamp: Option<String>,
    /// Random text.
    pub nonce: Option<String>,
    /// URL verification: the text to echo.
    pub echostr: Option<String>,
    /// `aes` in safe mode.
    pub encrypt_type: Option<String>,
    /// Safe mode: signature over the ciphertext too.
    pub msg_signature: Option<String>,
    /// The sender (informational; the body is what counts).
    pub openid: Option<String>,
}

/// Why a callback was refused (answered 401/400; WeChat retries nothing it got an answer to).
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The account is not set up or switched off.
    #[error("the WeChat channel is not enabled")]
    Disabled,
    /// Signature missing or wrong.
    #[error("bad signature")]
    Signature,
    /// Body unreadable.
    #[error("bad message: {0}")]
    Message(String),
    /// kefu's own failure: WeChat should retry.
    #[error(transparent)]
    App(#[from] AppError),
}

/// URL verification (GET): the echo string when the signature is right.
pub async fn verify_url(app: &App, q: &CallbackQuery) -> Result<String, CallbackError> {
    let s = WeChatSettings::load(app.store.conn()).await?;
    if !s.enabled || s.token.is_empty() {
        return Err(CallbackError::Disabled);
    }
    let (Some(sig), Some(ts), Some(nonce), Some(echo)) =
        (&q.signature, &q.timestamp, &q.nonce, &q.echostr)
    else {
        return Err(CallbackError::Signature);
    };
    if !verify_signature(&s.token, ts, nonce, sig) {
        return Err(CallbackError::Signature);
    }
    Ok(echo.clone())
}

/// What became of a pushed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeChatOutcome {
    /// A new ticket.
    Opened {
        /// Ticket.
        ticket_id: Uuid,
    },
    /// Added to the sender's open ticket.
    Appended {
        /// Ticket.
        ticket_id: Uuid,
    },
    /// Pushed before (WeChat retries after 5 s without an answer).
    Duplicate,
    /// Recorded, no ticket (events such as subscribe, unknown types).
    Ignored,
}

/// A pushed message (POST): verify, decrypt, parse, take in.
pub async fn receive(
    app: &App,
    q: &CallbackQuery,
    body: &str,
) -> Result<WeChatOutcome, CallbackError> {
    let s = WeChatSettings::load(app.store.conn()).await?;
    if !s.enabled || s.token.is_empty() {
        return Err(CallbackError::Disabled);
    }
    let (Some(ts), Some(nonce)) = (&q.timestamp, &q.nonce) else {
        return Err(CallbackError::Signature);
    };
    let xml = if q.encrypt_type.as_deref() == Some("aes") {
        let crypt = MsgCrypt::new(&s.token, &s.encoding_aes_key, &s.app_id)
            .map_err(|e| CallbackError::Message(e.to_string()))?;
        let sig = q.msg_signature.as_deref().ok_or(CallbackError::Signature)?;
        crypt
            .decrypt_message(body, sig, ts, nonce)
            .map_err(|_| CallbackError::Signature)?
    } else {
        let sig = q.signature.as_deref().ok_or(CallbackError::Signature)?;
        if !verify_signature(&s.token, ts, nonce, sig) {
            return Err(CallbackError::Signature);
        }
        body.to_owned()
    };
    let msg = parse_message(&xml).map_err(|e| CallbackError::Message(e.to_string()))?;
    Ok(take_in(app, &msg).await?)
}

fn text_of(m: &InboundMessage) -> Option<(String, &'static str)> {
    Some(match &m.kind {
        MessageKind::Text { content } => (content.clone(), "text"),
        MessageKind::Image { pic_url, .. } => (format!("[图片 / image] {pic_url}"), "image"),
        MessageKind::Voice { recognition, .. } => (
            match recognition {
                Some(r) if !r.is_empty() => format!("[语音 / voice] {r}"),
                _ => "[语音 / voice]".into(),
            },
            "voice",
        ),
        MessageKind::Video { .. } | MessageKind::ShortVideo { .. } => {
            ("[视频 / video]".into(), "video")
        }
        MessageKind::Location { x, y, label, .. } => {
            (format!("[位置 / location] {label} ({x}, {y})"), "location")
        }
        MessageKind::Link { title, url, .. } => (format!("[链接 / link] {title} {url}"), "link"),
        MessageKind::Event(_) | MessageKind::Unknown(_) => return None,
    })
}

async fn take_in(app: &App, m: &InboundMessage) -> Result<WeChatOutcome, AppError> {
    let now = app.now();
    let key = m.dedup_key();
    let openid = m.openid().to_owned();
    if wechat_message::Entity::find()
        .filter(wechat_message::Column::MsgKey.eq(key.clone()))
        .one(app.store.conn())
        .await?
        .is_some()
    {
        return Ok(WeChatOutcome::Duplicate);
    }
    let tx = app.store.begin().await?;
    let mut row = wechat_message::Model {
        id: Uuid::now_v7(),
        msg_key: key.chars().take(200).collect(),
        openid: openid.clone(),
        direction: "in".into(),
        msg_type: m.msg_type.clone(),
        content: String::new(),
        ticket_id: None,
        event_id: None,
        status: "ignored".into(),
        reason: None,
        attempts: 0,
        created_at: now,
    };
    let outcome = match text_of(m) {
        None => {
            row.reason = Some(match &m.kind {
                MessageKind::Event(Event::Subscribe { .. }) => "subscribe".into(),
                MessageKind::Event(Event::Unsubscribe) => "unsubscribe".into(),
                MessageKind::Event(_) => "event".into(),
                _ => format!("unsupported type {}", m.msg_type),
            });
            WeChatOutcome::Ignored
        }
        Some((text, _)) => {
            row.content = text.chars().take(4000).collect();
            let (customer_id, contact_id) = contact_for_openid(&tx, &openid, now).await?;
            match open_ticket_of(app, &tx, contact_id).await? {
                Some(t) => {
                    let event_id = events::append(
                        &tx,
                        t.id,
                        "reply",
                        None,
                        true,
                        json!({"body": row.content, "from": "customer", "channel": "wechat", "openid": openid}),
                        now,
                    )
                    .await?;
                    reopen_if_waiting(app, &tx, &t, now).await?;
                    row.status = "reply".into();
                    row.ticket_id = Some(t.id);
                    row.event_id = Some(event_id);
                    WeChatOutcome::Appended { ticket_id: t.id }
                }
                None => {
                    let subject: String = row
                        .content
                        .lines()
                        .next()
                        .unwrap_or("")
                        .chars()
                        .take(40)
                        .collect();
                    let (t, _) = tickets::open_in(
                        app,
                        &tx,
                        &Actor::system(),
                        NewTicket {
                            subject: if subject.trim().is_empty() {
                                "微信咨询 / WeChat".into()
                            } else {
                                subject
                            },
                            description: Some(row.content.clone()),
                            channel: Some("wechat".into()),
                            customer_id: Some(customer_id),
                            contact_id: Some(contact_id),
                            ..Default::default()
                        },
                        None,
                    )
                    .await?;
                    row.status = "ticket".into();
                    row.ticket_id = Some(t.id);
                    WeChatOutcome::Opened { ticket_id: t.id }
                }
            }
        }
    };
    match wechat_message::Entity::insert(wechat_message::ActiveModel::from(row))
        .exec_without_returning(&tx)
        .await
        .map_err(kefu_store::StoreError::from)
    {
        Ok(_) => {}
        // WeChat's retry raced the first delivery: the first one placed it.
        Err(kefu_store::StoreError::Conflict { .. }) => return Ok(WeChatOutcome::Duplicate),
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(outcome)
}

/// The contact with this OpenID, or a new person-customer and contact for it.
async fn contact_for_openid(
    tx: &kefu_store::Tx,
    openid: &str,
    now: DateTime<Utc>,
) -> Result<(Uuid, Uuid), AppError> {
    if let Some(c) = contact::Entity::find()
        .filter(contact::Column::WechatOpenid.eq(openid))
        .one(tx)
        .await?
    {
        return Ok((c.customer_id, c.id));
    }
    let short: String = openid
        .chars()
        .skip(openid.chars().count().saturating_sub(6))
        .collect();
    let p = new_person(
        tx,
        &format!("微信用户 {short}"),
        None,
        Some(openid),
        "由微信消息自动创建 / created from a WeChat message",
        now,
    )
    .await?;
    Ok((p.customer_id, p.contact_id))
}

/// The contact's newest WeChat ticket that is not closed (resolved ones reopen on a message).
async fn open_ticket_of(
    app: &App,
    tx: &kefu_store::Tx,
    contact_id: Uuid,
) -> Result<Option<ticket::Model>, AppError> {
    let wf = tickets::workflow_of(app, tx).await?;
    let recent = ticket::Entity::find()
        .filter(ticket::Column::ContactId.eq(contact_id))
        .filter(ticket::Column::Channel.eq("wechat"))
        .filter(ticket::Column::MergedIntoId.is_null())
        .order_by_desc(ticket::Column::Id)
        .one(tx)
        .await?;
    Ok(recent.filter(|t| {
        !matches!(
            wf.status(&t.status).map(|s| s.category),
            Ok(StatusCategory::Closed)
        )
    }))
}

async fn reopen_if_waiting(
    app: &App,
    tx: &kefu_store::Tx,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let wf = tickets::workflow_of(app, tx).await?;
    let (after, _) = reopen_on_message(tx, &wf, t, "wechat", now).await?;
    tickets::write_ticket(app, tx, t, after, now).await
}
