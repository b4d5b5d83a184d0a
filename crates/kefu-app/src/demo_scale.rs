//! `kefu demo --scale N`: N realistic tickets written fast, for scale tests and benchmarks.
//!
//! Unlike [`crate::demo`], which goes through the use cases, this writes rows directly with
//! multi-row INSERTs in batches inside transactions, while a second thread generates the next
//! batch. The rows look as if the use cases had written them over the last two years: ticket
//! numbers per Beijing month with `ticket_counters` to match, 3–10 events per ticket in the
//! shapes the use cases append, and the stored SLA projection computed from each history by the
//! domain's clock. Nothing goes to the outbox or the audit log: this history is not news.
//!
//! It only writes into a database without customers or tickets, and a seed makes it repeatable
//! (the dates follow the clock).

mod parties;
mod rng;
mod schedule;
mod story;
mod text;
mod tickets;
mod writer;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use kefu_domain::ticket::TicketNumber;
use kefu_store::entity::{customer, ticket, ticket_counter, ticket_event};
use kefu_store::sea_orm::sea_query::OnConflict;
use kefu_store::sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryTrait, Statement,
};
use tokio::sync::mpsc;

use self::rng::Rng;
use self::schedule::Schedule;
use self::writer::{insert_statements, rows_per_statement, run_all};
use crate::sla::LoadedPolicy;
use crate::{App, AppError};

pub use self::parties::PASSWORD;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct ScaleOptions {
    /// Number of tickets.
    pub tickets: u64,
    /// Seed of the pseudo-random generator.
    pub seed: u64,
}

/// What was written, and how long it took.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScaleSummary {
    /// Customers.
    pub customers: u64,
    /// Contacts.
    pub contacts: u64,
    /// Assets.
    pub assets: u64,
    /// Staff users created (existing ones with the same email are reused).
    pub staff: u64,
    /// Portal users (one per customer).
    pub portal_users: u64,
    /// Tickets.
    pub tickets: u64,
    /// Ticket events.
    pub events: u64,
    /// Seconds spent in total.
    pub seconds: f64,
}

impl fmt::Display for ScaleSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "规模演示数据 scale demo data: {} tickets, {} events, {} customers, {} contacts, \
             {} assets, {} staff users, {} portal users in {:.1} s ({:.0} tickets/s); \
             password of every generated login: {PASSWORD}",
            self.tickets,
            self.events,
            self.customers,
            self.contacts,
            self.assets,
            self.staff,
            self.portal_users,
            self.seconds,
            self.tickets as f64 / self.seconds.max(1e-9),
        )
    }
}

/// A batch the writer commits in one transaction.
struct Chunk {
    statements: Vec<Statement>,
    tickets: u64,
}

/// What the generating thread hands back at the end.
struct Produced {
    events: u64,
    last_seq: HashMap<String, i64>,
}

/// Statuses of the default workflow the stories walk through.
const STATUSES: [&str; 7] = [
    "new",
    "open",
    "pending_customer",
    "pending_parts",
    "on_site",
    "resolved",
    "closed",
];

/// Generates `opts.tickets` tickets with their customers and staff; `progress(done, total)` is
/// called after every committed batch.
pub async fn generate(
    app: &App,
    opts: ScaleOptions,
    mut progress: impl FnMut(u64, u64),
) -> Result<ScaleSummary, AppError> {
    let started = Instant::now();
    let db = app.store.conn();
    let (tickets, customers) = (
        ticket::Entity::find().count(db).await?,
        customer::Entity::find().count(db).await?,
    );
    if tickets > 0 || customers > 0 {
        return Err(AppError::Rule {
            code: "database_not_empty",
            message: format!(
                "the scale generator writes only into a database without customers or tickets; \
                 this one has {customers} customers and {tickets} tickets (use a fresh database)"
            ),
        });
    }
    let wf = crate::tickets::workflow_in_force(app).await?;
    if wf.initial().key != "new" || STATUSES.iter().any(|s| wf.status(s).is_err()) {
        return Err(AppError::Rule {
            code: "workflow_not_default",
            message: "the scale generator needs the default status workflow".into(),
        });
    }
    let policy = crate::sla::policy_for(app, db, None).await?;
    let backend = app.store.backend();
    if backend == DbBackend::Sqlite {
        // A bigger page cache keeps the index pages of ten indexed columns in memory.
        db.execute_unprepared("PRAGMA cache_size = -262144").await?;
    }
    let now = app.now();
    let mut rng = Rng::new(opts.seed);
    let n_customers = usize::try_from(opts.tickets / 1_000)
        .unwrap_or(usize::MAX)
        .max(20);
    let tx = app.store.begin().await?;
    let (world, counts) = parties::create(&tx, &mut rng, n_customers, now).await?;
    tx.commit().await?;
    let counters: HashMap<String, i64> = ticket_counter::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.period, c.last_seq))
        .collect();

    let (send, mut recv) = mpsc::channel::<Chunk>(4);
    let prefix = app.settings.ticket_prefix.clone();
    let total = opts.tickets;
    let producer = std::thread::spawn(move || {
        let job = Job {
            world,
            policy,
            now,
            prefix,
            backend,
        };
        job.run(rng, total, counters, send)
    });
    let mut done = 0;
    while let Some(chunk) = recv.recv().await {
        let tx = app.store.begin().await?;
        run_all(&tx, chunk.statements).await?;
        tx.commit().await?;
        done += chunk.tickets;
        progress(done, total);
    }
    let produced = producer
        .join()
        .map_err(|_| anyhow::anyhow!("the ticket generator thread panicked"))?;
    save_counters(app, produced.last_seq).await?;
    match backend {
        DbBackend::Postgres => {
            // What autovacuum does soon after a bulk insert anyway: planner statistics and a
            // visibility map (so counts can be answered from indexes alone).
            db.execute_unprepared("VACUUM ANALYZE").await?;
        }
        _ => {
            db.execute_unprepared("PRAGMA cache_size = -2000").await?;
        }
    }
    Ok(ScaleSummary {
        customers: counts.customers,
        contacts: counts.contacts,
        assets: counts.assets,
        staff: counts.staff,
        portal_users: counts.portal_users,
        tickets: done,
        events: produced.events,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Sets every period's sequence to the last number used, so new tickets continue after it.
async fn save_counters(app: &App, last_seq: HashMap<String, i64>) -> Result<(), AppError> {
    if last_seq.is_empty() {
        return Ok(());
    }
    let rows = last_seq.into_iter().map(|(period, last_seq)| {
        ticket_counter::ActiveModel::from(ticket_counter::Model { period, last_seq })
    });
    let upsert = ticket_counter::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(ticket_counter::Column::Period)
                .update_column(ticket_counter::Column::LastSeq)
                .to_owned(),
        )
        .build(app.store.backend());
    app.store.conn().execute_raw(upsert).await?;
    Ok(())
}

/// The generating side, run on its own thread while the writer commits the previous batch.
struct Job {
    world: parties::World,
    policy: Arc<LoadedPolicy>,
    now: DateTime<Utc>,
    prefix: String,
    backend: DbBackend,
}

impl Job {
    fn run(
        self,
        mut rng: Rng,
        total: u64,
        mut last_seq: HashMap<String, i64>,
        send: mpsc::Sender<Chunk>,
    ) -> Produced {
        let ctx = tickets::Context {
            world: &self.world,
            policy: &self.policy,
            now: self.now,
        };
        let per_chunk = rows_per_statement::<ticket::Entity>() * 4;
        let per_events = rows_per_statement::<ticket_event::Entity>();
        let mut rows = Vec::with_capacity(per_chunk);
        let mut events = Vec::with_capacity(per_chunk * 8);
        let mut produced = Produced {
            events: 0,
            last_seq: HashMap::new(),
        };
        let schedule = Schedule::new(total, self.now, &self.policy.calendar);
        for day in 0..schedule.days() {
            for at in schedule.times(day, &mut rng) {
                // Numbers follow the Beijing calendar month, as `open_ticket` does.
                let local = (at + Duration::hours(8)).date_naive();
                let seq = last_seq
                    .entry(TicketNumber::period_key(&self.prefix, local))
                    .or_insert(0);
                *seq += 1;
                let number = TicketNumber::new(&self.prefix, local, *seq as u64).to_string();
                let (t, evs) = tickets::generate(&ctx, &mut rng, at, number);
                rows.push(t);
                events.extend(evs);
                if rows.len() == per_chunk {
                    // Events left over wait for the next batch: full statements only, so every
                    // batch reuses the same prepared statements.
                    let full = events.len() / per_events * per_events;
                    let evs: Vec<_> = events.drain(..full).collect();
                    produced.events += evs.len() as u64;
                    if !self.send(&send, std::mem::take(&mut rows), evs) {
                        return produced;
                    }
                }
            }
        }
        produced.events += events.len() as u64;
        self.send(&send, rows, events);
        produced.last_seq = last_seq;
        produced
    }

    /// Sends one batch: tickets first, then events (their tickets are written before them).
    fn send(
        &self,
        to: &mpsc::Sender<Chunk>,
        rows: Vec<ticket::Model>,
        events: Vec<ticket_event::Model>,
    ) -> bool {
        let tickets = rows.len() as u64;
        let mut statements = insert_statements(self.backend, rows);
        statements.extend(insert_statements(self.backend, events));
        if statements.is_empty() {
            return true;
        }
        to.blocking_send(Chunk {
            statements,
            tickets,
        })
        .is_ok()
    }
}
