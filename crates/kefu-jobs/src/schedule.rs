//! Periodic schedules: every `interval`, one job of a kind, enqueued by whichever process gets
//! there first.
//!
//! Time is cut into slots aligned to the Unix epoch (`slot = ⌊t / interval⌋`, UTC). Firing a
//! schedule advances its row in `job_schedules` with a compare-and-set (`last_slot < slot`) and
//! enqueues the job in the same transaction, so however many processes fire, each slot yields
//! one job, even after the previous slot's job finished and freed its dedup key. Slots missed
//! while no process ran are not caught up: the next firing enqueues only the current slot.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kefu_store::Store;
use kefu_store::entity::job_schedule::{self, Column};
use kefu_store::sea_orm::sea_query::{Expr, OnConflict};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::{JobError, NewJob, enqueue};

/// A job to enqueue once per interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    name: String,
    interval_ms: i64,
    job: NewJob,
}

impl Schedule {
    /// Every `interval`, a job of `kind` with `payload`. `name` is persisted: never rename it.
    ///
    /// # Panics
    ///
    /// If `interval` is shorter than one millisecond.
    pub fn every(
        name: impl Into<String>,
        interval: Duration,
        kind: impl Into<String>,
        payload: Value,
    ) -> Schedule {
        let interval_ms = i64::try_from(interval.as_millis()).unwrap_or(i64::MAX);
        assert!(interval_ms >= 1, "schedule interval must be at least 1 ms");
        Schedule {
            name: name.into(),
            interval_ms,
            job: NewJob::new(kind, payload),
        }
    }

    /// Sets the attempts each enqueued job gets.
    pub fn max_attempts(mut self, n: i32) -> Schedule {
        self.job = self.job.max_attempts(n);
        self
    }

    /// The schedule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The slot that contains `now`.
    pub fn slot(&self, now: DateTime<Utc>) -> i64 {
        now.timestamp_millis().div_euclid(self.interval_ms)
    }

    /// When `slot` begins.
    pub fn slot_start(&self, slot: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(slot.saturating_mul(self.interval_ms))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The dedup key of the job for `slot`: `schedule:<name>:<slot>`.
    pub fn dedup_key(&self, slot: i64) -> String {
        format!("schedule:{}:{slot}", self.name)
    }
}

/// Enqueues the job for the slot containing `now` unless some process already did (or a later
/// slot was fired). Returns the id when this call enqueued it.
///
/// Opens its own transaction: on SQLite never call it while another one on the store is open.
pub async fn fire_schedule(
    store: &Store,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, JobError> {
    let slot = schedule.slot(now);
    let tx = store.begin().await?;
    let created = job_schedule::Entity::insert(job_schedule::ActiveModel {
        name: Set(schedule.name.clone()),
        last_slot: Set(slot),
        updated_at: Set(now),
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(&tx)
    .await?;
    let won = created == 1 || {
        // On PostgreSQL a concurrent firing waits here for the row lock, then sees the new
        // `last_slot` and updates nothing.
        job_schedule::Entity::update_many()
            .col_expr(Column::LastSlot, Expr::val(slot))
            .col_expr(Column::UpdatedAt, Expr::val(now))
            .filter(Column::Name.eq(schedule.name.as_str()))
            .filter(Column::LastSlot.lt(slot))
            .exec(&tx)
            .await?
            .rows_affected
            == 1
    };
    if !won {
        return Ok(None);
    }
    let job = schedule
        .job
        .clone()
        .run_at(schedule.slot_start(slot))
        .dedup_key(schedule.dedup_key(slot));
    let id = enqueue(&tx, job, now).await?;
    tx.commit().await?;
    if let Some(id) = id {
        tracing::debug!(schedule = %schedule.name, slot, job.id = %id, "schedule fired");
    }
    Ok(id)
}
