//! IMAP mailboxes kefu polls (admins configure them; the password is write-only), and the
//! poll itself: new messages go through [`crate::intake::ingest_mail`] one by one, and the
//! position (UIDVALIDITY + last UID) advances after each stored message, so a crash re-fetches
//! at most one message, which the Message-ID dedupe then drops.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kefu_channels::mail::{ImapConfig, ImapSecurity, fetch_new};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::mailbox;
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::intake::{MailOutcome, ingest_mail};
use crate::{App, AppError, FieldError, audit, require};

/// Messages fetched per connection; the rest wait for the next round of the same poll.
const BATCH: usize = 50;

/// A mailbox as shown to admins.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MailboxView {
    /// Id.
    pub id: Uuid,
    /// Name, also recorded on each message taken from it.
    pub name: String,
    /// IMAP host.
    pub host: String,
    /// Port.
    pub port: i32,
    /// `tls` or `none`.
    pub security: String,
    /// Login.
    pub username: String,
    /// Folder.
    pub folder: String,
    /// Seconds between polls.
    pub poll_seconds: i32,
    /// Polled at all.
    pub enabled: bool,
    /// Highest UID taken.
    pub last_uid: i64,
    /// Last poll.
    pub last_polled_at: Option<DateTime<Utc>>,
    /// The last poll's error, if it failed.
    pub last_error: Option<String>,
}

impl From<mailbox::Model> for MailboxView {
    fn from(m: mailbox::Model) -> Self {
        MailboxView {
            id: m.id,
            name: m.name,
            host: m.host,
            port: m.port,
            security: m.security,
            username: m.username,
            folder: m.folder,
            poll_seconds: m.poll_seconds,
            enabled: m.enabled,
            last_uid: m.last_uid,
            last_polled_at: m.last_polled_at,
            last_error: m.last_error,
        }
    }
}

/// Input to create or change a mailbox.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MailboxInput {
    /// Name.
    pub name: String,
    /// IMAP host.
    pub host: String,
    /// Port (993 for TLS).
    pub port: i32,
    /// `tls` or `none`.
    pub security: String,
    /// Login.
    pub username: String,
    /// Password; on change, empty keeps the stored one.
    #[serde(default)]
    pub password: String,
    /// Folder, default `INBOX`.
    #[serde(default = "inbox")]
    pub folder: String,
    /// Seconds between polls (30 to 86400), default 60.
    #[serde(default = "sixty")]
    pub poll_seconds: i32,
    /// Polled at all.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn inbox() -> String {
    "INBOX".into()
}
fn sixty() -> i32 {
    60
}
fn yes() -> bool {
    true
}

fn check(input: &MailboxInput, password_required: bool) -> Result<(), AppError> {
    let mut e = Vec::new();
    if input.name.trim().is_empty() {
        e.push(FieldError::new("name", "required", "a name"));
    }
    if input.host.trim().is_empty() || input.host.contains(char::is_whitespace) {
        e.push(FieldError::new("host", "invalid", "a host name"));
    }
    if !(1..=65535).contains(&input.port) {
        e.push(FieldError::new("port", "out_of_range", "1 to 65535"));
    }
    if ImapSecurity::parse(&input.security).is_none() {
        e.push(FieldError::new("security", "invalid", "tls or none"));
    }
    if input.username.trim().is_empty() {
        e.push(FieldError::new("username", "required", "the login"));
    }
    if password_required && input.password.is_empty() {
        e.push(FieldError::new("password", "required", "the password"));
    }
    if input.folder.trim().is_empty() {
        e.push(FieldError::new(
            "folder",
            "required",
            "a folder such as INBOX",
        ));
    }
    if !(30..=86_400).contains(&input.poll_seconds) {
        e.push(FieldError::new(
            "poll_seconds",
            "out_of_range",
            "30 to 86400",
        ));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(e))
    }
}

/// All mailboxes (admins).
pub async fn list_mailboxes(app: &App, actor: &Actor) -> Result<Vec<MailboxView>, AppError> {
    require(actor, Permission::ConfigManage)?;
    Ok(mailbox::Entity::find()
        .order_by_asc(mailbox::Column::Name)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Adds a mailbox (admins).
pub async fn create_mailbox(
    app: &App,
    actor: &Actor,
    input: MailboxInput,
) -> Result<MailboxView, AppError> {
    require(actor, Permission::ConfigManage)?;
    check(&input, true)?;
    let now = app.now();
    let m = mailbox::Model {
        id: Uuid::now_v7(),
        name: input.name.trim().to_owned(),
        host: input.host.trim().to_owned(),
        port: input.port,
        security: input.security,
        username: input.username.trim().to_owned(),
        password: input.password,
        folder: input.folder.trim().to_owned(),
        poll_seconds: input.poll_seconds,
        enabled: input.enabled,
        uid_validity: None,
        last_uid: 0,
        last_polled_at: None,
        last_error: None,
        created_at: now,
        updated_at: now,
    };
    let tx = app.store.begin().await?;
    mailbox::Entity::insert(mailbox::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await
        .map_err(kefu_store::StoreError::from)
        .map_err(|e| match e {
            kefu_store::StoreError::Conflict { .. } => AppError::Invalid(vec![FieldError::new(
                "name",
                "taken",
                "another mailbox has this name",
            )]),
            e => e.into(),
        })?;
    audit::record(
        &tx,
        actor.user_ref(),
        "config.mailbox.create",
        "mailbox",
        Some(m.id.to_string()),
        serde_json::json!({"name": m.name, "host": m.host, "username": m.username, "folder": m.folder}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Changes a mailbox (admins). Changing server, login or folder starts from the folder's
/// beginning again (already-taken mail is recognised by Message-ID).
pub async fn update_mailbox(
    app: &App,
    actor: &Actor,
    id: Uuid,
    input: MailboxInput,
) -> Result<MailboxView, AppError> {
    require(actor, Permission::ConfigManage)?;
    check(&input, false)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let mut m = mailbox::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("mailbox"))?;
    let moved = m.host != input.host.trim()
        || m.port != input.port
        || m.username != input.username.trim()
        || m.folder != input.folder.trim();
    m.name = input.name.trim().to_owned();
    m.host = input.host.trim().to_owned();
    m.port = input.port;
    m.security = input.security;
    m.username = input.username.trim().to_owned();
    if !input.password.is_empty() {
        m.password = input.password;
    }
    m.folder = input.folder.trim().to_owned();
    m.poll_seconds = input.poll_seconds;
    m.enabled = input.enabled;
    if moved {
        m.uid_validity = None;
        m.last_uid = 0;
    }
    m.updated_at = now;
    mailbox::Entity::update(kefu_store::sea_orm::ActiveModelTrait::reset_all(
        mailbox::ActiveModel::from(m.clone()),
    ))
    .exec(&tx)
    .await?;
    audit::record(
        &tx,
        actor.user_ref(),
        "config.mailbox.update",
        "mailbox",
        Some(id.to_string()),
        serde_json::json!({"name": m.name, "host": m.host, "username": m.username, "folder": m.folder, "enabled": m.enabled}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Removes a mailbox (admins). Mail already taken stays.
pub async fn delete_mailbox(app: &App, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    require(actor, Permission::ConfigManage)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    if mailbox::Entity::delete_by_id(id)
        .exec(&tx)
        .await?
        .rows_affected
        == 0
    {
        return Err(AppError::NotFound("mailbox"));
    }
    audit::record(
        &tx,
        actor.user_ref(),
        "config.mailbox.delete",
        "mailbox",
        Some(id.to_string()),
        serde_json::Value::Null,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What one poll of one mailbox did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PollReport {
    /// Messages fetched.
    pub fetched: usize,
    /// New tickets.
    pub opened: usize,
    /// Messages added to tickets.
    pub appended: usize,
    /// Already known (fetched before).
    pub duplicates: usize,
    /// Kept but ignored (noise, rate limit) or failed (unreadable, refused).
    pub set_aside: usize,
    /// The connection or login error, if the poll failed.
    pub error: Option<String>,
}

pub(super) fn config(m: &mailbox::Model) -> ImapConfig {
    ImapConfig {
        host: m.host.clone(),
        port: u16::try_from(m.port).unwrap_or(993),
        security: ImapSecurity::parse(&m.security).unwrap_or(ImapSecurity::Tls),
        username: m.username.clone(),
        password: m.password.clone(),
        folder: m.folder.clone(),
        timeout: Duration::from_secs(120),
    }
}

/// Polls one mailbox now (admins' "poll now"); see [`poll`].
pub async fn poll_mailbox(app: &App, actor: &Actor, id: Uuid) -> Result<PollReport, AppError> {
    require(actor, Permission::ConfigManage)?;
    poll(app, id).await
}

/// Fetches everything new (in batches) and takes it in. A connection error is recorded on the
/// mailbox and returned in the report, not as `Err`; `Err` means kefu's own storage failed.
pub(super) async fn poll(app: &App, id: Uuid) -> Result<PollReport, AppError> {
    // One fetch per mailbox at a time in this process (the IDLE watcher and the schedule).
    let lock = app.mail_locks.of(id);
    let _held = lock.lock().await;
    let mut m = mailbox::Entity::find_by_id(id)
        .one(app.store.conn())
        .await?
        .ok_or(AppError::NotFound("mailbox"))?;
    let cfg = config(&m);
    let mut report = PollReport::default();
    loop {
        let known = m.uid_validity.and_then(|v| u32::try_from(v).ok());
        let after = u32::try_from(m.last_uid).unwrap_or(0);
        let batch = match fetch_new(&cfg, after, known, BATCH).await {
            Ok(b) => b,
            Err(e) => {
                report.error = Some(e.to_string());
                break;
            }
        };
        if known != Some(batch.uid_validity) {
            m.uid_validity = Some(i64::from(batch.uid_validity));
            m.last_uid = 0;
        }
        for msg in &batch.messages {
            report.fetched += 1;
            match ingest_mail(app, &msg.raw, Some(&m.name)).await? {
                MailOutcome::Opened { .. } => report.opened += 1,
                MailOutcome::Appended { .. } => report.appended += 1,
                MailOutcome::Duplicate { .. } => report.duplicates += 1,
                MailOutcome::Ignored { .. } | MailOutcome::Failed { .. } => report.set_aside += 1,
            }
            m.last_uid = i64::from(msg.uid);
            save_position(app, &m, None).await?;
        }
        if !batch.more {
            break;
        }
    }
    save_position(app, &m, report.error.clone()).await?;
    if let Some(e) = &report.error {
        tracing::warn!(mailbox = %m.name, error = %e, "mailbox poll failed");
    }
    Ok(report)
}

async fn save_position(
    app: &App,
    m: &mailbox::Model,
    error: Option<String>,
) -> Result<(), AppError> {
    mailbox::Entity::update(mailbox::ActiveModel {
        id: Set(m.id),
        uid_validity: Set(m.uid_validity),
        last_uid: Set(m.last_uid),
        last_polled_at: Set(Some(app.now())),
        last_error: Set(error),
        ..Default::default()
    })
    .exec(app.store.conn())
    .await?;
    Ok(())
}

/// Ids of the enabled mailboxes (for the IDLE watchers).
pub async fn enabled_mailboxes(app: &App) -> Result<Vec<Uuid>, AppError> {
    Ok(mailbox::Entity::find()
        .filter(mailbox::Column::Enabled.eq(true))
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect())
}

/// One lock per mailbox, so two fetches of the same folder never run at once in a process.
#[derive(Clone, Default)]
pub struct PollLocks(
    std::sync::Arc<
        std::sync::Mutex<std::collections::HashMap<Uuid, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    >,
);

impl PollLocks {
    /// The lock of mailbox `id`.
    pub fn of(&self, id: Uuid) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(id)
            .or_default()
            .clone()
    }
}

/// Polls every enabled mailbox whose interval has passed (the `mail.poll` schedule).
pub async fn poll_due(app: &App) -> Result<Vec<(String, PollReport)>, AppError> {
    let now = app.now();
    let boxes = mailbox::Entity::find()
        .filter(mailbox::Column::Enabled.eq(true))
        .all(app.store.conn())
        .await?;
    let mut out = Vec::new();
    for m in boxes {
        let due = m
            .last_polled_at
            .is_none_or(|t| (now - t).num_seconds() >= i64::from(m.poll_seconds) - 5);
        if due {
            let r = poll(app, m.id).await?;
            out.push((m.name, r));
        }
    }
    Ok(out)
}
