//! Agent replies to WeChat customers: queued when the agent answers a WeChat ticket, sent by
//! the `wechat.send` job through the customer-service message API (客服消息). WeChat accepts
//! these only within 48 hours of the customer's last message; outside that window, or when
//! WeChat refuses, the reply is marked failed and noted on the ticket so the agent can call
//! or mail instead.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kefu_channels::wechat::{
    ErrorClass, access_token_url, custom_send_text_body, custom_send_url,
    parse_access_token_response, parse_errcode_response, within_service_window,
};
use kefu_jobs::NewJob;
use kefu_store::entity::{ticket, ticket_event, wechat_message};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::settings::WeChatSettings;
use crate::tickets::events;
use crate::{App, AppError};

/// The job kind that sends one queued WeChat reply.
pub const WECHAT_SEND_JOB: &str = "wechat.send";

/// The access token and when to fetch a new one (tokens last 7200 s; refreshed early).
#[derive(Clone, Default)]
pub(crate) struct TokenCache {
    current: Arc<Mutex<Option<(String, Instant)>>>,
}

impl TokenCache {
    fn get(&self) -> Option<String> {
        let cur = self.current.lock().unwrap_or_else(|e| e.into_inner());
        cur.as_ref()
            .filter(|(_, until)| Instant::now() < *until)
            .map(|(t, _)| t.clone())
    }

    fn put(&self, token: String, expires_in: u64) {
        let life = Duration::from_secs(expires_in.saturating_sub(300).max(60));
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((token, Instant::now() + life));
    }

    fn clear(&self) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Queues the agent's reply `ev` on WeChat ticket `t` to `openid`, in the caller's
/// transaction; outside the 48-hour window it is recorded as failed at once.
pub(crate) async fn queue_reply(
    tx: &impl ConnectionTrait,
    openid: &str,
    ev: &ticket_event::Model,
    t: &ticket::Model,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let body = ev
        .data
        .get("body")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    let last_in = wechat_message::Entity::find()
        .filter(wechat_message::Column::Openid.eq(openid))
        .filter(wechat_message::Column::Direction.eq("in"))
        .order_by_desc(wechat_message::Column::CreatedAt)
        .one(tx)
        .await?
        .map(|m| m.created_at);
    let open = last_in.is_some_and(|at| within_service_window(at.timestamp(), now.timestamp()));
    let id = Uuid::now_v7();
    let row = wechat_message::Model {
        id,
        msg_key: format!("out:{id}"),
        openid: openid.to_owned(),
        direction: "out".into(),
        msg_type: "text".into(),
        content: body,
        ticket_id: Some(t.id),
        event_id: Some(ev.id),
        status: if open { "queued" } else { "failed" }.into(),
        reason: (!open)
            .then(|| "outside WeChat's 48-hour reply window / 超过 48 小时回复时限".into()),
        attempts: 0,
        created_at: now,
    };
    wechat_message::Entity::insert(wechat_message::ActiveModel::from(row.clone()))
        .exec_without_returning(tx)
        .await?;
    if open {
        kefu_jobs::enqueue(
            tx,
            NewJob::new(WECHAT_SEND_JOB, serde_json::json!({"id": id})).max_attempts(8),
            now,
        )
        .await
        .map_err(anyhow::Error::from)?;
    } else {
        failed_event(tx, &row, now).await?;
    }
    Ok(open)
}

async fn failed_event(
    db: &impl ConnectionTrait,
    row: &wechat_message::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if let Some(t) = row.ticket_id {
        events::append(
            db,
            t,
            "wechat_failed",
            None,
            false,
            serde_json::json!({"wechat_message_id": row.id, "reason": row.reason}),
            now,
        )
        .await?;
    }
    Ok(())
}

/// What one send attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeChatSend {
    /// WeChat took it.
    Sent,
    /// Given up (window closed, refused, not configured); noted on the ticket.
    Failed(String),
    /// Try again later.
    Retry(String),
    /// Already sent or gone.
    Skipped,
}

/// The `wechat.send` job.
pub async fn send_queued_wechat(app: &App, job: &kefu_jobs::Job) -> Result<WeChatSend, AppError> {
    let id: Uuid = job
        .payload
        .get("id")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad wechat.send payload")))?;
    let Some(row) = wechat_message::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
    else {
        return Ok(WeChatSend::Skipped);
    };
    if row.status != "queued" {
        return Ok(WeChatSend::Skipped);
    }
    let s = WeChatSettings::load(app.store.conn()).await?;
    let last_attempt = job.attempts >= job.max_attempts;
    let outcome = if !s.enabled || s.app_secret.is_empty() {
        WeChatSend::Failed("WeChat is not configured".into())
    } else {
        attempt(app, &s, &row).await
    };
    let outcome = match outcome {
        WeChatSend::Retry(r) if last_attempt => WeChatSend::Failed(r),
        o => o,
    };
    let now = app.now();
    let tx = app.store.begin().await?;
    let (status, reason) = match &outcome {
        WeChatSend::Sent => ("sent", None),
        WeChatSend::Failed(r) => ("failed", Some(r.clone())),
        WeChatSend::Retry(r) => ("queued", Some(r.clone())),
        WeChatSend::Skipped => return Ok(outcome),
    };
    wechat_message::Entity::update(wechat_message::ActiveModel {
        id: Set(row.id),
        status: Set(status.into()),
        reason: Set(reason.clone()),
        attempts: Set(row.attempts + 1),
        ..Default::default()
    })
    .exec(&tx)
    .await?;
    if status == "failed" {
        let mut r = row.clone();
        r.reason = reason;
        failed_event(&tx, &r, now).await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

fn rebase(url: &str, base: &str) -> String {
    url.replacen(kefu_channels::wechat::api::API_BASE, base, 1)
}

async fn attempt(app: &App, s: &WeChatSettings, row: &wechat_message::Model) -> WeChatSend {
    let client = crate::http::client();
    let token = match app.wechat_tokens.get() {
        Some(t) => t,
        None => {
            let url = rebase(&access_token_url(&s.app_id, &s.app_secret), s.api_base());
            let body = match client.get(&url).send().await {
                Ok(r) => r.text().await.unwrap_or_default(),
                // The URL holds the AppSecret: report only the kind of failure.
                Err(e) => return WeChatSend::Retry(format!("token: {}", crate::http::failure(&e))),
            };
            match parse_access_token_response(&body) {
                Ok(t) => {
                    app.wechat_tokens.put(t.access_token.clone(), t.expires_in);
                    t.access_token
                }
                Err(e) if e.is_retryable() => return WeChatSend::Retry(format!("token: {e}")),
                Err(e) => return WeChatSend::Failed(format!("token: {e}")),
            }
        }
    };
    let url = rebase(&custom_send_url(&token), s.api_base());
    let body = custom_send_text_body(&row.openid, &row.content);
    let resp = match client
        .post(&url)
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
    {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => return WeChatSend::Retry(crate::http::failure(&e).into()),
    };
    match parse_errcode_response(&resp) {
        Ok(()) => WeChatSend::Sent,
        Err(e) => match e.class() {
            ErrorClass::TokenInvalid => {
                app.wechat_tokens.clear();
                WeChatSend::Retry(e.to_string())
            }
            ErrorClass::Busy => WeChatSend::Retry(e.to_string()),
            ErrorClass::ServiceWindowExpired | ErrorClass::Permanent => {
                WeChatSend::Failed(e.to_string())
            }
        },
    }
}
