//! `kefu-bench parts`: reservation throughput under contention. Every request reserves one
//! unit of the same part in the same warehouse for its own ticket, from `--concurrency`
//! tasks at once, through the use case (one transaction each: conditional stock update, line,
//! move, ticket event). Stock covers half the requests; the other half take the shortage
//! path (purchase request extended under the stock row's lock, ticket moved to pending
//! parts). At the end the stock row must hold exactly what was reserved.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use kefu_app::parts::{PartInput, ReceiveInput, ReserveInput, WarehouseInput};
use kefu_app::tickets::NewTicket;
use kefu_app::users::{NewUser, create_user};
use kefu_store::entity::{stock, user};
use kefu_store::sea_orm::EntityTrait;
use tokio::sync::Mutex;

use super::api::{open_app, pct, scratch_dir};

/// Flags of `kefu-bench parts`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Concurrent tasks reserving.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Reservations (one ticket each).
    #[arg(long, default_value_t = 5000)]
    count: usize,
    /// Database (`sqlite://…` or `postgres://…`); default a fresh SQLite file.
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
    let stamp = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let created = create_user(
        &app,
        None,
        NewUser {
            email: format!("bench-parts-{stamp}@example.com"),
            name: "Bench".into(),
            role: "admin".into(),
            ..NewUser::default()
        },
    )
    .await?;
    let model = user::Entity::find_by_id(created.id)
        .one(app.store.conn())
        .await?
        .context("the bench user is missing")?;
    let actor = kefu_app::auth::actor_for(&model);
    let part = kefu_app::parts::create_part(
        &app,
        &actor,
        PartInput {
            code: format!("BENCH-{stamp}"),
            name: "压测备件".into(),
            unit: None,
            unit_price_cents: 100,
            external_id: None,
        },
    )
    .await?;
    let wh = kefu_app::parts::create_warehouse(
        &app,
        &actor,
        WarehouseInput {
            code: format!("BENCH-{stamp}"),
            name: "压测仓".into(),
            kind: None,
            engineer_id: None,
        },
    )
    .await?;
    let in_stock = (args.count / 2).max(1) as i64;
    kefu_app::parts::receive_stock(
        &app,
        &actor,
        ReceiveInput {
            part_id: part.id,
            warehouse_id: wh.id,
            quantity: in_stock,
            purchase_request_id: None,
            reason: None,
        },
    )
    .await?;
    eprint!("kefu-bench parts: opening {} tickets…", args.count);
    let mut tickets = Vec::with_capacity(args.count);
    for i in 0..args.count {
        let t = kefu_app::tickets::open_ticket(
            &app,
            &actor,
            NewTicket {
                subject: format!("压测：更换备件 {i}"),
                priority: Some(["P1", "P2", "P3", "P4"][i % 4].into()),
                ..Default::default()
            },
        )
        .await?;
        tickets.push(t.id);
    }
    eprintln!(" done");
    let tickets = Arc::new(tickets);
    let next = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(Mutex::new((
        Vec::new(),
        0usize,
        0usize,
        0usize,
        None::<String>,
    )));
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency.max(1))
        .map(|_| {
            let (app, actor, tickets, next, results) = (
                app.clone(),
                actor.clone(),
                tickets.clone(),
                next.clone(),
                results.clone(),
            );
            let (part_id, warehouse_id) = (part.id, wh.id);
            tokio::spawn(async move {
                let mut lat: Vec<Duration> = Vec::new();
                let (mut reserved, mut waiting, mut errors, mut first) = (0, 0, 0, None);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&id) = tickets.get(i) else { break };
                    let t0 = Instant::now();
                    let r = ReserveInput {
                        part_id,
                        warehouse_id,
                        quantity: 1,
                        needed_by: None,
                    };
                    match kefu_app::parts::reserve_for_ticket(&app, &actor, id, r).await {
                        Ok(out) => {
                            lat.push(t0.elapsed());
                            if out.reserved.is_some() {
                                reserved += 1;
                            } else {
                                waiting += 1;
                            }
                        }
                        Err(e) => {
                            errors += 1;
                            first.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                let mut g = results.lock().await;
                g.0.extend(lat);
                g.1 += reserved;
                g.2 += waiting;
                g.3 += errors;
                if g.4.is_none() {
                    g.4 = first;
                }
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    let elapsed = started.elapsed();
    let mut g = results.lock().await;
    g.0.sort_unstable();
    let row = stock::Entity::find_by_id((part.id, wh.id))
        .one(app.store.conn())
        .await?
        .context("no stock row")?;
    println!(
        "kefu-bench parts: {backend}, concurrency {}, {} reservations of 1 unit on one part ({} in stock)",
        args.concurrency, args.count, in_stock
    );
    println!(
        "  {:.0} reservations/s over {:.2} s; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        g.0.len() as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        pct(&g.0, 50.0),
        pct(&g.0, 90.0),
        pct(&g.0, 99.0),
        pct(&g.0, 100.0)
    );
    println!(
        "  reserved {}, waiting for purchase {}, errors {}; stock on hand {}, reserved {}",
        g.1, g.2, g.3, row.on_hand, row.reserved
    );
    if let Some(e) = &g.4 {
        println!("  first error: {e}");
    }
    if row.reserved != g.1 as i64 || row.reserved > row.on_hand {
        bail!(
            "stock does not match: {} reserved by requests, {} on the row (on hand {})",
            g.1,
            row.reserved,
            row.on_hand
        );
    }
    app.store.clone().close().await?;
    Ok(())
}
