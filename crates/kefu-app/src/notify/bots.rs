//! Group-chat bots (WeCom, DingTalk, Feishu): admins configure them with the events they
//! want; the dispatcher queues one `bot.send` job per message; the job posts it and records
//! the outcome on the bot (last status, last error). Webhook addresses hold the bot's key, so
//! they are shown masked and never logged.

use chrono::{DateTime, Utc};
use kefu_channels::bots::{
    BotKind, BotMessage, BotOutcome, build_request, parse_response, validate_webhook_url,
};
use kefu_domain::access::{Actor, Permission};
use kefu_jobs::NewJob;
use kefu_store::entity::{bot_channel, ticket, ticket_event};
use kefu_store::sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::dispatch::Batch;
use super::plan::BOT_EVENTS;
use super::text::{clip, headline};
use crate::{App, AppError, FieldError, audit, require};

/// The job kind that posts one bot message.
pub const BOT_JOB: &str = "bot.send";

/// A bot as shown to admins (address masked, secret never shown).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BotChannelView {
    /// Id.
    pub id: Uuid,
    /// Name, e.g. `售后一组群`.
    pub name: String,
    /// `wecom`, `dingtalk` or `feishu`.
    pub kind: String,
    /// The webhook address with its key hidden.
    pub url_masked: String,
    /// A signing secret is set.
    pub has_secret: bool,
    /// Events sent to it.
    pub events: Vec<String>,
    /// Sends at all.
    pub enabled: bool,
    /// `ok`, `rejected` or `retrying` after the last message.
    pub last_status: Option<String>,
    /// The vendor's complaint about the last message.
    pub last_error: Option<String>,
    /// When the last message went.
    pub last_at: Option<DateTime<Utc>>,
}

/// Input to create or change a bot.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BotChannelInput {
    /// Name.
    pub name: String,
    /// `wecom`, `dingtalk` or `feishu`.
    pub kind: String,
    /// Webhook address; on change, empty keeps the stored one.
    #[serde(default)]
    pub url: String,
    /// Signing secret (DingTalk 加签, Feishu 签名校验); on change, empty keeps the stored one.
    #[serde(default)]
    pub secret: Option<String>,
    /// Events to send (see `BOT_EVENTS`).
    #[serde(default)]
    pub events: Vec<String>,
    /// Sends at all.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

fn mask(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}{}…",
            u.scheme(),
            u.host_str().unwrap_or(""),
            u.port().map(|p| format!(":{p}")).unwrap_or_default()
        ),
        Err(_) => "…".into(),
    }
}

impl From<bot_channel::Model> for BotChannelView {
    fn from(m: bot_channel::Model) -> Self {
        BotChannelView {
            id: m.id,
            name: m.name,
            kind: m.kind,
            url_masked: mask(&m.url),
            has_secret: m.secret.as_deref().is_some_and(|s| !s.is_empty()),
            events: serde_json::from_value(m.events).unwrap_or_default(),
            enabled: m.enabled,
            last_status: m.last_status,
            last_error: m.last_error,
            last_at: m.last_at,
        }
    }
}

/// All bots (admins).
pub async fn list_bots(app: &App, actor: &Actor) -> Result<Vec<BotChannelView>, AppError> {
    require(actor, Permission::ConfigManage)?;
    Ok(bot_channel::Entity::find()
        .order_by_asc(bot_channel::Column::Name)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

fn check(app: &App, input: &BotChannelInput, url_required: bool) -> Result<(), AppError> {
    let mut errors = Vec::new();
    if input.name.trim().is_empty() {
        errors.push(FieldError::new("name", "required", "a name"));
    }
    match BotKind::parse(&input.kind) {
        Err(_) => errors.push(FieldError::new(
            "kind",
            "invalid",
            "wecom, dingtalk or feishu",
        )),
        Ok(kind) => {
            if (url_required || !input.url.is_empty())
                && let Err(e) =
                    validate_webhook_url(kind, &input.url, app.settings.allow_loopback_webhooks)
            {
                errors.push(FieldError::new("url", "invalid", e.to_string()));
            }
        }
    }
    for (i, e) in input.events.iter().enumerate() {
        if !BOT_EVENTS.contains(&e.as_str()) {
            errors.push(FieldError::new(
                format!("events[{i}]"),
                "invalid",
                BOT_EVENTS.join(", "),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Creates a bot (admins).
pub async fn create_bot(
    app: &App,
    actor: &Actor,
    input: BotChannelInput,
) -> Result<BotChannelView, AppError> {
    require(actor, Permission::ConfigManage)?;
    check(app, &input, true)?;
    let now = app.now();
    let m = bot_channel::Model {
        id: Uuid::now_v7(),
        name: input.name.trim().to_owned(),
        kind: BotKind::parse(&input.kind)
            .map(|k| k.as_str())
            .unwrap_or("wecom")
            .to_owned(),
        url: input.url.trim().to_owned(),
        secret: input.secret.filter(|s| !s.is_empty()),
        events: serde_json::json!(input.events),
        enabled: input.enabled,
        last_status: None,
        last_error: None,
        last_at: None,
        created_at: now,
        updated_at: now,
    };
    let tx = app.store.begin().await?;
    bot_channel::Entity::insert(bot_channel::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    audit::record(
        &tx,
        actor.user_ref(),
        "config.bot.create",
        "bot_channel",
        Some(m.id.to_string()),
        serde_json::json!({"name": m.name, "kind": m.kind, "events": m.events}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Changes a bot (admins); an empty address or secret keeps the stored one.
pub async fn update_bot(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: BotChannelInput,
) -> Result<BotChannelView, AppError> {
    require(actor, Permission::ConfigManage)?;
    check(app, &input, false)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let mut m = bot_channel::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("bot"))?;
    let kind = BotKind::parse(&input.kind)
        .map(|k| k.as_str())
        .unwrap_or("wecom");
    if kind != m.kind && input.url.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "url",
            "required",
            "a new kind needs its address",
        )]));
    }
    m.name = input.name.trim().to_owned();
    m.kind = kind.to_owned();
    if !input.url.is_empty() {
        m.url = input.url.trim().to_owned();
    }
    if let Some(s) = input.secret.filter(|s| !s.is_empty()) {
        m.secret = Some(s);
    }
    m.events = serde_json::json!(input.events);
    m.enabled = input.enabled;
    m.updated_at = now;
    bot_channel::Entity::update(kefu_store::sea_orm::ActiveModelTrait::reset_all(
        bot_channel::ActiveModel::from(m.clone()),
    ))
    .exec(&tx)
    .await?;
    audit::record(&tx, actor.user_ref(), "config.bot.update", "bot_channel", Some(id.to_string()), serde_json::json!({"name": m.name, "kind": m.kind, "events": m.events, "enabled": m.enabled}), now).await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Deletes a bot (admins).
pub async fn delete_bot(app: &App, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    require(actor, Permission::ConfigManage)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let r = bot_channel::Entity::delete_by_id(id).exec(&tx).await?;
    if r.rows_affected == 0 {
        return Err(AppError::NotFound("bot"));
    }
    audit::record(
        &tx,
        actor.user_ref(),
        "config.bot.delete",
        "bot_channel",
        Some(id.to_string()),
        serde_json::Value::Null,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a test message to a bot (admins), so a new webhook can be checked at once.
pub async fn test_bot(app: &App, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    require(actor, Permission::ConfigManage)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    bot_channel::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("bot"))?;
    let payload = Payload {
        channel_id: id,
        title: "kefu 测试消息 / test message".into(),
        text: "机器人配置成功。The bot is set up.".into(),
        link: None,
    };
    enqueue(&tx, &payload, now).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Serialize, Deserialize)]
struct Payload {
    channel_id: Uuid,
    title: String,
    text: String,
    link: Option<(String, String)>,
}

async fn enqueue(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    p: &Payload,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let payload = serde_json::to_value(p).map_err(anyhow::Error::from)?;
    kefu_jobs::enqueue(db, NewJob::new(BOT_JOB, payload).max_attempts(6), now)
        .await
        .map_err(anyhow::Error::from)?;
    Ok(())
}

/// Queues the message for `event` to every enabled bot subscribed to it; returns how many.
pub(crate) async fn queue_for_event(
    app: &App,
    tx: &kefu_store::Tx,
    b: &Batch,
    event: &'static str,
    ev: &ticket_event::Model,
    t: &ticket::Model,
) -> Result<usize, AppError> {
    let subscribed: Vec<&bot_channel::Model> = b
        .bots
        .iter()
        .filter(|c| {
            c.events
                .as_array()
                .is_some_and(|a| a.iter().any(|e| e.as_str() == Some(event)))
        })
        .collect();
    if subscribed.is_empty() {
        return Ok(0);
    }
    let kind = event.trim_start_matches("ticket.");
    let customer = b.customer_name(t);
    let assignee = t
        .assignee_id
        .and_then(|a| b.users.get(&a))
        .map(|u| u.name.clone())
        .unwrap_or_else(|| "—".into());
    let mut text = format!(
        "{} · {}\n客户 Customer: {}\n优先级 Priority: {} · 处理人 Assignee: {}",
        t.number,
        clip(&t.subject, 80),
        if customer.is_empty() {
            "—"
        } else {
            &customer
        },
        t.priority,
        assignee
    );
    if kind == "customer_reply"
        && let Some(body) = ev.data.get("body").and_then(|v| v.as_str())
    {
        text.push('\n');
        text.push_str(&clip(body.trim(), 200));
    }
    if let Some(to) = ev.data.get("to").and_then(|v| v.as_str())
        && kind == "status_changed"
    {
        text.push_str(&format!("\n状态 Status: {to}"));
    }
    let link = (!app.settings.public_url.is_empty()).then(|| {
        (
            "查看工单 Open ticket".to_owned(),
            format!("{}/tickets/{}", app.settings.public_url, t.id),
        )
    });
    let title = format!(
        "[{}] {} / {}",
        t.priority,
        headline(kind, false),
        headline(kind, true)
    );
    for c in &subscribed {
        enqueue(
            tx,
            &Payload {
                channel_id: c.id,
                title: title.clone(),
                text: text.clone(),
                link: link.clone(),
            },
            b.now,
        )
        .await?;
    }
    Ok(subscribed.len())
}

/// What one delivery attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BotSend {
    /// The vendor took it.
    Delivered,
    /// Refused for good (bad key, signature, content); recorded on the bot.
    Rejected(String),
    /// Try again later (rate limit, network, 5xx).
    Retry(String),
    /// The bot is gone or switched off.
    Skipped,
}

/// The `bot.send` job.
pub async fn send_bot_message(app: &App, job: &kefu_jobs::Job) -> Result<BotSend, AppError> {
    let p: Payload = serde_json::from_value(job.payload.clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("bad bot.send payload: {e}")))?;
    let Some(c) = bot_channel::Entity::find_by_id(p.channel_id)
        .one(app.store.conn())
        .await?
        .filter(|c| c.enabled)
    else {
        return Ok(BotSend::Skipped);
    };
    let now = app.now();
    let outcome = deliver(app, &c, &p, now).await;
    let (status, error) = match &outcome {
        BotSend::Delivered => ("ok", None),
        BotSend::Rejected(e) => ("rejected", Some(e.clone())),
        BotSend::Retry(e) => ("retrying", Some(e.clone())),
        BotSend::Skipped => return Ok(outcome),
    };
    bot_channel::Entity::update(bot_channel::ActiveModel {
        id: Set(c.id),
        last_status: Set(Some(status.into())),
        last_error: Set(error),
        last_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(app.store.conn())
    .await?;
    Ok(outcome)
}

async fn deliver(app: &App, c: &bot_channel::Model, p: &Payload, now: DateTime<Utc>) -> BotSend {
    let kind = match BotKind::parse(&c.kind) {
        Ok(k) => k,
        Err(e) => return BotSend::Rejected(e.to_string()),
    };
    if let Err(e) = validate_webhook_url(kind, &c.url, app.settings.allow_loopback_webhooks) {
        return BotSend::Rejected(e.to_string());
    }
    let mut msg = BotMessage::new(p.title.clone(), p.text.clone());
    if let Some((label, url)) = &p.link {
        msg = msg.with_link(label.clone(), url.clone());
    }
    let req = match build_request(
        kind,
        &c.url,
        c.secret.as_deref(),
        &msg,
        now.timestamp_millis(),
    ) {
        Ok(r) => r,
        Err(e) => return BotSend::Rejected(e.to_string()),
    };
    let resp = match crate::http::client()
        .post(&req.url)
        .json(&req.body)
        .send()
        .await
    {
        Ok(r) => r,
        // The error text may contain the URL with its key: keep only the kind of failure.
        Err(e) => return BotSend::Retry(crate::http::failure(&e).into()),
    };
    let status = resp.status().as_u16();
    let body = resp.text().await.unwrap_or_default();
    match parse_response(kind, status, &body) {
        BotOutcome::Delivered => BotSend::Delivered,
        BotOutcome::RateLimited => BotSend::Retry("rate limited".into()),
        BotOutcome::Retry { reason } => BotSend::Retry(reason),
        BotOutcome::Rejected { code, message } => BotSend::Rejected(format!("{code}: {message}")),
    }
}
