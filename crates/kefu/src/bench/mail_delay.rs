//! `kefu-bench mail-delay`: how long after a mail server accepted a message (SMTP) its ticket
//! exists in kefu, with the mailbox watched by IMAP IDLE as the worker does. Needs real mail
//! servers: Postfix on 127.0.0.1:2525 delivering to Dovecot IMAP on 127.0.0.1:1143
//! (`ci/mail-servers.sh`), user `support@kefu.test`.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kefu_app::mail::{self, MailboxInput, WatchOutcome};
use kefu_channels::mail::{Mailbox, OutboundMail, SmtpConfig, SmtpSecurity, SmtpSender, compose};
use kefu_domain::access::Actor;
use kefu_store::entity::mail_message;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::api::{open_app, pct, scratch_dir};

/// Flags of `kefu-bench mail-delay`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Messages to send.
    #[arg(long, default_value_t = 50)]
    count: usize,
    /// Pause between two sends, in milliseconds.
    #[arg(long, default_value_t = 200)]
    interval_ms: u64,
    /// Password of support@kefu.test on the IMAP server.
    #[arg(long, default_value = "kefu-test-pw")]
    password: String,
    /// Database [default: a fresh SQLite file under the temp directory].
    #[arg(long)]
    database_url: Option<String>,
}

/// Runs the benchmark and prints the figures.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = scratch_dir()?;
    let result = bench(&args, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn bench(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let (app, backend) = open_app(args.database_url.as_deref(), scratch).await?;
    kefu_app::bootstrap::ensure_defaults(&app).await?;
    let admin = Actor::system();
    let mbox = mail::create_mailbox(
        &app,
        &admin,
        MailboxInput {
            name: "support".into(),
            host: "127.0.0.1".into(),
            port: 1143,
            security: "none".into(),
            username: "support@kefu.test".into(),
            password: args.password.clone(),
            folder: "INBOX".into(),
            poll_seconds: 60,
            enabled: true,
        },
    )
    .await?;
    // Whatever waits in the mailbox already is not part of the measurement.
    let backlog = mail::poll_mailbox(&app, &admin, mbox.id).await?;
    if let Some(e) = backlog.error {
        anyhow::bail!("the IMAP server on 127.0.0.1:1143 is not usable (ci/mail-servers.sh): {e}");
    }
    let watcher = {
        let app = app.clone();
        tokio::spawn(async move {
            loop {
                match mail::watch_mailbox(&app, mbox.id, Duration::from_secs(60)).await? {
                    WatchOutcome::Failed(e) => anyhow::bail!("watching failed: {e}"),
                    WatchOutcome::Stopped => return Ok(()),
                    WatchOutcome::Fetched(_) | WatchOutcome::Quiet => {}
                }
            }
        })
    };
    let sender = SmtpSender::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port: 2525,
        security: SmtpSecurity::None,
        username: None,
        password: None,
        timeout: Duration::from_secs(10),
    })?;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let mut sent: HashMap<String, DateTime<Utc>> = HashMap::new();
    // Let the watcher sit in IDLE before the first message.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 0..args.count {
        let id = format!("delay-{run}-{i}@kefu-bench.example.cn");
        // One sender per message: the per-sender hourly limit must not set any aside.
        let from = format!("c{i}.{run}@example.test");
        let m = OutboundMail {
            from: Mailbox {
                name: Some(format!("客户{i}")),
                email: from.clone(),
            },
            to: vec![Mailbox {
                name: None,
                email: "support@kefu.test".into(),
            }],
            subject: format!("主轴异响 #{i}"),
            text: "3号机床主轴在 3000 转以上有异响，请安排工程师。".into(),
            message_id: id.clone(),
            ..Default::default()
        };
        sender
            .send(
                "customer@example.test",
                &["support@kefu.test".into()],
                &compose(&m)?,
            )
            .await?;
        sent.insert(id, Utc::now());
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
    let ids: Vec<String> = sent.keys().cloned().collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let rows = loop {
        let rows = mail_message::Entity::find()
            .filter(mail_message::Column::MessageId.is_in(ids.clone()))
            .filter(mail_message::Column::Direction.eq("in"))
            .all(app.store.conn())
            .await?;
        if rows.len() >= ids.len() || tokio::time::Instant::now() > deadline {
            break rows;
        }
        if watcher.is_finished() {
            break rows;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    watcher.abort();
    if rows.len() < ids.len() {
        anyhow::bail!(
            "only {} of {} messages became tickets within 2 minutes",
            rows.len(),
            ids.len()
        );
    }
    let set_aside = rows.iter().filter(|r| r.ticket_id.is_none()).count();
    if set_aside > 0 {
        anyhow::bail!("{set_aside} messages were set aside instead of opening tickets");
    }
    let mut delays: Vec<Duration> = rows
        .iter()
        .filter_map(|r| {
            let d = r.created_at - *sent.get(&r.message_id)?;
            d.to_std().ok()
        })
        .collect();
    delays.sort_unstable();
    println!(
        "kefu-bench mail-delay: {backend}, {} messages, one every {} ms, mailbox watched by IMAP IDLE",
        args.count, args.interval_ms
    );
    println!(
        "  SMTP accepted → ticket stored: p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms ({} tickets)",
        pct(&delays, 50.0),
        pct(&delays, 90.0),
        pct(&delays, 99.0),
        pct(&delays, 100.0),
        delays.len()
    );
    app.store.clone().close().await?;
    Ok(())
}
