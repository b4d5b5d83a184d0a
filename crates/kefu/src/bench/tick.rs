//! `kefu-bench tick`: the scheduler's periodic work over an existing (large) database, e.g. one
//! filled by `kefu demo --scale 1000000`, with every ticket made open first (`--open-all`): the
//! SLA watch, the time rules, the approval and task reminders, the survey sender and one outbox
//! dispatch (triggers), timed per tick. Tickets created in the last day are left due for a
//! first look (the rest have been looked at already, as on a system that has been running).

use std::time::{Duration, Instant};

use anyhow::bail;
use chrono::{DateTime, Utc};
use kefu_store::entity::ticket;
use kefu_store::sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr,
};

use super::api::{pct, scratch_dir};

/// Flags of `kefu-bench tick`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database (`sqlite://…` or `postgres://…`); pending migrations are applied.
    #[arg(long)]
    database_url: String,
    /// Make every ticket open (status `open`, not resolved or closed) before measuring; the
    /// database is changed for good.
    #[arg(long)]
    open_all: bool,
    /// Measured ticks (after the first, which takes the backlog).
    #[arg(long, default_value_t = 20)]
    ticks: usize,
}

/// Runs the benchmark.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = scratch_dir()?;
    let result = bench(&args, &scratch).await;
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn bench(args: &Args, scratch: &std::path::Path) -> anyhow::Result<()> {
    let (app, _) = super::api::open_app(Some(&args.database_url), scratch).await?;
    let db = app.store.conn();
    let now = chrono::Utc::now();
    if args.open_all {
        let t0 = Instant::now();
        // Open, never looked at again if older than a day (their breaches were recorded long
        // ago), due for a first look otherwise.
        ticket::Entity::update_many()
            .col_expr(ticket::Column::Status, Expr::value("open"))
            .col_expr(
                ticket::Column::ResolvedAt,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(ticket::Column::ClosedAt, Expr::value(None::<DateTime<Utc>>))
            .col_expr(
                ticket::Column::SlaPausedSince,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(
                ticket::Column::MergedIntoId,
                Expr::value(None::<uuid::Uuid>),
            )
            .col_expr(
                ticket::Column::SlaCheckAt,
                Expr::value(None::<DateTime<Utc>>),
            )
            .exec(db)
            .await?;
        ticket::Entity::update_many()
            .col_expr(
                ticket::Column::SlaCheckAt,
                Expr::col(ticket::Column::CreatedAt),
            )
            .filter(ticket::Column::CreatedAt.gt(now - chrono::Duration::days(1)))
            .exec(db)
            .await?;
        eprintln!("all tickets opened in {:.1} s", t0.elapsed().as_secs_f64());
    }
    let open = ticket::Entity::find()
        .filter(ticket::Column::ClosedAt.is_null())
        .filter(ticket::Column::ResolvedAt.is_null())
        .count(db)
        .await?;
    if open == 0 {
        bail!("no open tickets; fill the database (`kefu demo --scale N`) and pass --open-all");
    }
    // What the scan read before `sla_check_at`: every open ticket with a timer due within 7 days.
    let horizon = now + chrono::Duration::days(7);
    let old_scan = ticket::Entity::find()
        .filter(ticket::Column::ClosedAt.is_null())
        .filter(ticket::Column::ResolvedAt.is_null())
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(ticket::Column::FirstRespondedAt.is_null())
                        .add(ticket::Column::FirstResponseDueAt.lt(horizon)),
                )
                .add(ticket::Column::ResolutionDueAt.lt(horizon)),
        )
        .count(db)
        .await?;
    println!("open tickets: {open}; the former 7-day-horizon scan would read {old_scan}");

    let t0 = Instant::now();
    let first = kefu_app::tickets::scan_sla(&app).await?;
    println!(
        "first tick (backlog): {:.1} ms, checked {}, warnings {}, breaches {}",
        t0.elapsed().as_secs_f64() * 1e3,
        first.checked,
        first.warnings,
        first.breaches
    );
    let mut sla = Vec::new();
    let mut full = Vec::new();
    let mut checked = 0;
    for _ in 0..args.ticks {
        let t0 = Instant::now();
        checked += kefu_app::tickets::scan_sla(&app).await?.checked;
        let t1 = Instant::now();
        kefu_app::dispatch::scan_time_rules(&app).await?;
        kefu_app::tickets::remind_approvals(&app).await?;
        kefu_app::care::remind_tasks(&app).await?;
        kefu_app::care::surveys::send_due_surveys(&app).await?;
        kefu_app::notify::dispatch_outbox(&app, 500).await?;
        sla.push(t1 - t0);
        full.push(t0.elapsed());
    }
    sla.sort();
    full.sort();
    let line = |name: &str, v: &[Duration]| {
        println!(
            "{name:<28} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
            pct(v, 50.0),
            pct(v, 99.0),
            pct(v, 100.0)
        )
    };
    println!("{} ticks, tickets checked in them: {checked}", args.ticks);
    line("SLA watch", &sla);
    line("whole tick", &full);
    Ok(())
}
