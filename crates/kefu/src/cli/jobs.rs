//! The background worker: durable jobs from the database queue and periodic schedules. `kefu
//! serve` runs one beside the web server; `kefu worker` runs only this, for scale-out.

use std::time::Duration;

use kefu_app::App;
use kefu_jobs::{Schedule, Worker};
use tokio::sync::watch;

/// How often the SLA watch scans running timers.
const SLA_SCAN_EVERY: Duration = Duration::from_secs(60);
/// How often time rules (e.g. remind after 3 business days pending) are checked.
const TIME_RULES_EVERY: Duration = Duration::from_secs(300);
/// How often finished jobs are deleted, and how long they are kept for inspection.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
const KEEP_DONE_DAYS: i64 = 7;
/// How often mailboxes are checked for being due (each has its own interval).
const MAIL_POLL_EVERY: Duration = Duration::from_secs(30);
/// How often chats whose visitor left are ended (and filed as tickets).
const CHAT_SWEEP_EVERY: Duration = Duration::from_secs(60);
/// How often waiting approvals are checked for reminders.
const APPROVAL_REMIND_EVERY: Duration = Duration::from_secs(900);
/// How often maintenance plans are checked for visits to open.
const MAINTENANCE_EVERY: Duration = Duration::from_secs(3600);
/// How often due care tasks are reminded.
const TASK_REMIND_EVERY: Duration = Duration::from_secs(300);
/// How often due surveys go out.
const SURVEY_SEND_EVERY: Duration = Duration::from_secs(60);
/// How often an NPS round runs.
const NPS_EVERY: Duration = Duration::from_secs(86_400);
/// How long the outbox dispatcher sleeps when it found nothing to do.
const DISPATCH_IDLE: Duration = Duration::from_millis(500);
/// Outbox rows per dispatcher transaction.
const DISPATCH_BATCH: u64 = 200;

/// A worker with every job kind kefu knows.
pub fn worker(app: &App) -> Worker {
    let id = format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "kefu".into()),
        std::process::id()
    );
    let sla_app = app.clone();
    let rules_app = app.clone();
    let purge_app = app.clone();
    let clock_app = app.clone();
    let send_app = app.clone();
    let bot_app = app.clone();
    let poll_app = app.clone();
    let wechat_app = app.clone();
    let chat_app = app.clone();
    let pm_app = app.clone();
    let remind_app = app.clone();
    let task_app = app.clone();
    let survey_app = app.clone();
    let nps_app = app.clone();
    Worker::new(app.store.clone(), id)
        .clock(move || clock_app.now())
        .handle("sla.scan", move |_job| {
            let app = sla_app.clone();
            async move {
                let r = kefu_app::tickets::scan_sla(&app).await?;
                if r.warnings + r.breaches > 0 {
                    tracing::info!(
                        checked = r.checked,
                        warnings = r.warnings,
                        breaches = r.breaches,
                        "SLA watch recorded events"
                    );
                }
                Ok(())
            }
        })
        .schedule(Schedule::every(
            "sla.scan",
            SLA_SCAN_EVERY,
            "sla.scan",
            serde_json::Value::Null,
        ))
        .handle("rules.time", move |_job| {
            let app = rules_app.clone();
            async move {
                let r = kefu_app::dispatch::scan_time_rules(&app).await?;
                if r.fired > 0 {
                    tracing::info!(fired = r.fired, "time rules fired");
                }
                Ok(())
            }
        })
        .schedule(Schedule::every(
            "rules.time",
            TIME_RULES_EVERY,
            "rules.time",
            serde_json::Value::Null,
        ))
        // Every scan leaves a finished job row; without this the table grows for ever.
        .handle("jobs.purge", move |_job| {
            let app = purge_app.clone();
            async move {
                let before = app.now() - chrono::Duration::days(KEEP_DONE_DAYS);
                let n = kefu_jobs::purge_done(app.store.conn(), before).await?;
                if n > 0 {
                    tracing::info!(deleted = n, "finished jobs purged");
                }
                Ok(())
            }
        })
        .schedule(Schedule::every(
            "jobs.purge",
            PURGE_EVERY,
            "jobs.purge",
            serde_json::Value::Null,
        ))
        .handle(kefu_app::mail::SEND_JOB, move |job| {
            let app = send_app.clone();
            async move {
                match kefu_app::mail::send_queued(&app, &job).await? {
                    kefu_app::mail::SendOutcome::Retry(reason) => Err(reason.into()),
                    _ => Ok(()),
                }
            }
        })
        .handle(kefu_app::notify::BOT_JOB, move |job| {
            let app = bot_app.clone();
            async move {
                match kefu_app::notify::send_bot_message(&app, &job).await? {
                    kefu_app::notify::BotSend::Retry(reason) => Err(reason.into()),
                    _ => Ok(()),
                }
            }
        })
        .handle(kefu_app::wechat::WECHAT_SEND_JOB, move |job| {
            let app = wechat_app.clone();
            async move {
                match kefu_app::wechat::send_queued_wechat(&app, &job).await? {
                    kefu_app::wechat::WeChatSend::Retry(reason) => Err(reason.into()),
                    _ => Ok(()),
                }
            }
        })
        .handle("mail.poll", move |_job| {
            let app = poll_app.clone();
            async move {
                for (name, r) in kefu_app::mail::poll_due(&app).await? {
                    if r.fetched > 0 {
                        tracing::info!(mailbox = %name, fetched = r.fetched, opened = r.opened, appended = r.appended, "mail fetched");
                    }
                }
                Ok(())
            }
        })
        .schedule(Schedule::every(
            "mail.poll",
            MAIL_POLL_EVERY,
            "mail.poll",
            serde_json::Value::Null,
        ))
        .handle(kefu_app::chat::SWEEP_JOB, move |_job| {
            let app = chat_app.clone();
            async move {
                let n = kefu_app::chat::sweep_abandoned(&app).await?;
                if n > 0 {
                    tracing::info!(ended = n, "abandoned chats filed as tickets");
                }
                Ok(())
            }
        })
        .handle("maintenance.scan", move |_job| {
            let app = pm_app.clone();
            async move {
                let r = kefu_app::maintenance::run_due(&app).await?;
                if r.opened + r.failed > 0 {
                    tracing::info!(opened = r.opened, failed = r.failed, "maintenance visits");
                }
                Ok(())
            }
        })
        .handle("approvals.remind", move |_job| {
            let app = remind_app.clone();
            async move {
                let r = kefu_app::tickets::remind_approvals(&app).await?;
                if r.reminded > 0 {
                    tracing::info!(reminded = r.reminded, "approval reminders");
                }
                Ok(())
            }
        })
        .handle("tasks.remind", move |_job| {
            let app = task_app.clone();
            async move {
                let r = kefu_app::care::remind_tasks(&app).await?;
                if r.reminded > 0 {
                    tracing::info!(reminded = r.reminded, "care tasks due");
                }
                Ok(())
            }
        })
        .handle("surveys.send", move |_job| {
            let app = survey_app.clone();
            async move {
                let r = kefu_app::care::surveys::send_due_surveys(&app).await?;
                if r.sent + r.skipped + r.expired > 0 {
                    tracing::info!(sent = r.sent, mailed = r.mailed, skipped = r.skipped,
                        expired = r.expired, "surveys");
                }
                Ok(())
            }
        })
        .handle("surveys.nps", move |_job| {
            let app = nps_app.clone();
            async move {
                let r = kefu_app::care::surveys::nps_round(&app).await?;
                if r.asked > 0 {
                    tracing::info!(asked = r.asked, eligible = r.eligible, "NPS round");
                }
                Ok(())
            }
        })
        .schedule(Schedule::every(
            "tasks.remind",
            TASK_REMIND_EVERY,
            "tasks.remind",
            serde_json::Value::Null,
        ))
        .schedule(Schedule::every(
            "surveys.send",
            SURVEY_SEND_EVERY,
            "surveys.send",
            serde_json::Value::Null,
        ))
        .schedule(Schedule::every(
            "surveys.nps",
            NPS_EVERY,
            "surveys.nps",
            serde_json::Value::Null,
        ))
        .schedule(Schedule::every(
            "approvals.remind",
            APPROVAL_REMIND_EVERY,
            "approvals.remind",
            serde_json::Value::Null,
        ))
        .schedule(Schedule::every(
            "maintenance.scan",
            MAINTENANCE_EVERY,
            "maintenance.scan",
            serde_json::Value::Null,
        ))
        .schedule(Schedule::every(
            kefu_app::chat::SWEEP_JOB,
            CHAT_SWEEP_EVERY,
            kefu_app::chat::SWEEP_JOB,
            serde_json::Value::Null,
        ))
}

/// Webhook deliveries sent per pass.
const WEBHOOK_BATCH: u64 = 50;

/// The outbox dispatcher: turns announced events into mail, notifications and bot messages
/// until `stop` turns true. Safe to run in several processes (rows are locked while taken).
async fn dispatch_until(app: &App, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let busy = match kefu_app::notify::dispatch_outbox(app, DISPATCH_BATCH).await {
            Ok(r) => r.processed as u64 == DISPATCH_BATCH,
            Err(e) => {
                tracing::error!(error = %e, "outbox dispatch failed");
                false
            }
        };
        // Outbound webhooks written by the dispatch (and retries that fell due).
        if let Err(e) = kefu_app::webhooks::deliver_webhooks(app, WEBHOOK_BATCH).await {
            tracing::error!(error = %e, "webhook delivery failed");
        }
        if !busy {
            tokio::select! {
                _ = tokio::time::sleep(DISPATCH_IDLE) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// Runs the worker until `stop` turns true.
pub async fn run_until(app: &App, mut stop: watch::Receiver<bool>) {
    let dispatch_stop = stop.clone();
    let watch_stop = stop.clone();
    tokio::join!(
        worker(app).run(async move {
            let _ = stop.wait_for(|s| *s).await;
        }),
        dispatch_until(app, dispatch_stop),
        super::mail_watch::watch_until(app, watch_stop),
    );
}

/// `kefu worker`: only the background worker, until a shutdown signal.
pub async fn run(cfg: crate::config::Config) -> anyhow::Result<()> {
    let app = super::open_app(&cfg).await?;
    super::ensure_defaults(&app).await?;
    let (tx, rx) = watch::channel(false);
    let signal = async move {
        crate::shutdown::signal().await;
        let _ = tx.send(true);
    };
    tokio::join!(run_until(&app, rx), signal);
    app.store.clone().close().await?;
    tracing::info!("kefu worker stopped");
    Ok(())
}
