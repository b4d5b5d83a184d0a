//! The runner: polls for due jobs, runs each with the handler registered for its kind (up to N
//! at a time), records the outcome, keeps leases alive, fires schedules, and on shutdown stops
//! claiming and waits for the jobs in flight.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kefu_store::Store;
use tokio::task::{JoinError, JoinSet};
use tracing::Instrument;

use crate::queue::{self, plus};
use crate::schedule::{Schedule, fire_schedule};
use crate::{Job, JobState};

/// What a handler may fail with; anything that is `std::error::Error` (or `anyhow::Error`)
/// converts with `?`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;
type Handler = Arc<dyn Fn(Job) -> HandlerFuture + Send + Sync>;
type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// A job runner. Build it, register handlers and schedules, then [`Worker::run`] it.
pub struct Worker {
    store: Store,
    id: String,
    handlers: HashMap<String, Handler>,
    schedules: Vec<Schedule>,
    poll_interval: Duration,
    concurrency: usize,
    lease: Duration,
    clock: Clock,
}

impl Worker {
    /// A worker named `id` (unique per process, e.g. `host:pid`) polling every second, running
    /// up to 4 jobs at once under 5-minute leases, on the system clock.
    pub fn new(store: Store, id: impl Into<String>) -> Worker {
        Worker {
            store,
            id: id.into(),
            handlers: HashMap::new(),
            schedules: Vec::new(),
            poll_interval: Duration::from_secs(1),
            concurrency: 4,
            lease: Duration::from_secs(300),
            clock: Arc::new(Utc::now),
        }
    }

    /// How long to wait between polls when the queue is empty.
    pub fn poll_interval(mut self, d: Duration) -> Worker {
        self.poll_interval = d;
        self
    }

    /// How many jobs may run at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Worker {
        self.concurrency = n.max(1);
        self
    }

    /// How long a claim lasts without a heartbeat (at least 1 s); it is renewed every half
    /// lease while the handler runs, so it only runs out when the worker is gone.
    pub fn lease(mut self, d: Duration) -> Worker {
        self.lease = d.max(Duration::from_secs(1));
        self
    }

    /// The source of `now` (tests pass a fixed one).
    pub fn clock(mut self, now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Worker {
        self.clock = Arc::new(now);
        self
    }

    /// Runs jobs of `kind` with `f`. A handler may run more than once for one job (after a
    /// crash or a lost lease), so it must be idempotent.
    pub fn handle<F, Fut>(mut self, kind: impl Into<String>, f: F) -> Worker
    where
        F: Fn(Job) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |job| Box::pin(f(job)));
        self.handlers.insert(kind.into(), handler);
        self
    }

    /// Fires `schedule` whenever its next slot begins.
    pub fn schedule(mut self, schedule: Schedule) -> Worker {
        self.schedules.push(schedule);
        self
    }

    /// Runs until `shutdown` completes (e.g. `async move { let _ = rx.changed().await; }` for a
    /// `tokio::sync::watch`, or `notify.notified()`), then stops claiming and returns once the
    /// jobs in flight have finished and been recorded.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let kinds: Vec<String> = self.handlers.keys().cloned().collect();
        let mut tasks = JoinSet::new();
        let mut fired: HashMap<String, i64> = HashMap::new();
        tokio::pin!(shutdown);
        tracing::info!(worker.id = %self.id, ?kinds, "worker started");
        loop {
            while let Some(r) = tasks.try_join_next() {
                log_join(r);
            }
            // Stop before claiming more if shutdown was asked for meanwhile.
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = std::future::ready(()) => {}
            }
            let now = (self.clock)();
            self.fire_schedules(&mut fired, now).await;
            let free = self.concurrency - tasks.len();
            let mut saturated = free == 0;
            if free > 0 {
                match queue::claim(&self.store, &self.id, &kinds, self.lease, now, free).await {
                    Ok(jobs) => {
                        saturated = jobs.len() == free;
                        for job in jobs {
                            tasks.spawn(self.run_one(job));
                        }
                    }
                    Err(e) => tracing::error!(worker.id = %self.id, error = %e, "claim failed"),
                }
            }
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(r) = tasks.join_next(), if saturated => log_join(r),
                () = tokio::time::sleep(self.poll_interval), if !saturated => {}
            }
        }
        tracing::info!(worker.id = %self.id, in_flight = tasks.len(), "worker stopping");
        while let Some(r) = tasks.join_next().await {
            log_join(r);
        }
        tracing::info!(worker.id = %self.id, "worker stopped");
    }

    /// Fires each schedule whose slot this process has not fired yet.
    async fn fire_schedules(&self, fired: &mut HashMap<String, i64>, now: DateTime<Utc>) {
        for s in &self.schedules {
            let slot = s.slot(now);
            if fired.get(s.name()).is_some_and(|&seen| seen >= slot) {
                continue;
            }
            match fire_schedule(&self.store, s, now).await {
                Ok(_) => {
                    fired.insert(s.name().to_owned(), slot);
                }
                Err(e) => tracing::error!(schedule = s.name(), error = %e, "schedule failed"),
            }
        }
    }

    /// The task that runs one claimed job and records its outcome.
    fn run_one(&self, job: Job) -> impl Future<Output = ()> + Send + 'static {
        let store = self.store.clone();
        let clock = self.clock.clone();
        let lease = self.lease;
        let handler = self.handlers.get(&job.kind).cloned();
        let span = tracing::info_span!(
            "job",
            job.id = %job.id,
            job.kind = %job.kind,
            job.attempt = job.attempts,
        );
        async move {
            let started = Instant::now();
            let Some(handler) = handler else {
                // Unreachable: only registered kinds are claimed.
                return;
            };
            // Spawned so that a panicking handler fails its job instead of the worker.
            let mut task = tokio::spawn(handler(job.clone()));
            let beat_every = lease / 2;
            let mut beat = tokio::time::interval_at(
                tokio::time::Instant::now() + beat_every,
                beat_every,
            );
            let outcome = loop {
                tokio::select! {
                    r = &mut task => break r,
                    _ = beat.tick() => {
                        let now = clock();
                        if let Err(e) = queue::extend_lease(store.conn(), &job, plus(now, lease), now).await {
                            tracing::warn!(error = %e, "lease renewal failed");
                        }
                    }
                }
            };
            let now = clock();
            let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let recorded = match outcome {
                Ok(Ok(())) => queue::complete(store.conn(), &job, now)
                    .await
                    .map(|()| JobState::Done),
                Ok(Err(e)) => queue::fail(store.conn(), &job, &error_chain(&*e), now).await,
                Err(e) => queue::fail(store.conn(), &job, &panic_message(e), now).await,
            };
            match recorded {
                Ok(JobState::Done) => tracing::info!(duration_ms, "job done"),
                Ok(state) => tracing::warn!(
                    duration_ms,
                    job.state = state.as_str(),
                    "job failed"
                ),
                Err(e) => tracing::error!(duration_ms, error = %e, "job outcome not recorded"),
            }
        }
        .instrument(span)
    }
}

/// An error and its sources, `outer: inner: …`.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Why a handler task ended without a result.
fn panic_message(e: JoinError) -> String {
    if !e.is_panic() {
        return format!("handler task ended: {e}");
    }
    let payload = e.into_panic();
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".to_owned());
    format!("handler panicked: {msg}")
}

fn log_join(r: Result<(), JoinError>) {
    if let Err(e) = r {
        tracing::error!(error = %e, "job task ended abnormally");
    }
}
