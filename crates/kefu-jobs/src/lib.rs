//! A durable job queue and periodic schedules, kept as rows in the kefu database (SQLite or
//! PostgreSQL). Knows nothing of tickets: a job is a kind, a JSON payload and a due time.
//!
//! - [`enqueue`] inside the caller's transaction, so a job exists exactly when the change that
//!   asked for it commits; a dedup key makes repeated requests one job while it is unfinished.
//! - [`claim`] takes due jobs under a lease; [`complete`] or [`fail`] records the outcome;
//!   failures retry after [`backoff`] until `max_attempts`, then the job is dead. A lease that
//!   runs out (the worker crashed) makes the job claimable again.
//! - [`Schedule`]s enqueue one job per interval slot across any number of processes.
//! - [`Worker`] runs all of this on tokio with graceful shutdown.
//!
//! The queue functions take `now`; only the [`Worker`] reads a clock, and it can be given one.

mod error;
mod job;
mod queue;
mod schedule;
mod worker;

pub use error::JobError;
pub use job::{DEFAULT_MAX_ATTEMPTS, Job, JobState, NewJob};
pub use queue::{backoff, claim, complete, enqueue, extend_lease, fail, get, purge_done};
pub use schedule::{Schedule, fire_schedule};
pub use worker::{BoxError, Worker};
