//! The queue operations: enqueue (inside the caller's transaction), claim due jobs under a
//! lease, and record the outcome. Time is always an argument; nothing here reads the clock.
//!
//! Claiming is one `UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING *`. On PostgreSQL the
//! subquery locks its rows `FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint
//! batches without waiting; on SQLite the single statement runs under the database write lock,
//! which is atomic on its own. Completing or failing is fenced by `(locked_by, attempts)`: a
//! worker whose lease expired and whose job was reclaimed cannot overwrite the new claim.
//!
//! On SQLite, times are RFC 3339 text in UTC with 0, 3, 6 or 9 fraction digits; compared as
//! text they still order as instants, so `run_at <= now` needs no conversion.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use kefu_store::Store;
use kefu_store::entity::job::{self, Column};
use kefu_store::sea_orm::sea_query::{
    Condition, Expr, ExprTrait, LockBehavior, LockType, OnConflict, Order, Query,
};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryTrait,
};
use uuid::{NoContext, Timestamp, Uuid};

use crate::{Job, JobError, JobState, NewJob};

/// Longest stored error text, in characters.
const MAX_ERROR_CHARS: usize = 4000;

/// Delay before retry number `attempts` (the count after the failed attempt, from 1):
/// 30 s · 2^(attempts − 1), capped at one hour: 30 s, 1 min, 2 min … 32 min, 1 h, 1 h …
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.saturating_sub(1).clamp(0, 7) as u32;
    Duration::from_secs(30 * 2u64.pow(exp)).min(Duration::from_secs(3600))
}

/// Adds a std duration to a UTC time, saturating instead of panicking.
pub(crate) fn plus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// A UUIDv7 whose time part is `now` rather than a clock read.
fn new_id(now: DateTime<Utc>) -> Uuid {
    let secs = u64::try_from(now.timestamp()).unwrap_or(0);
    Uuid::new_v7(Timestamp::from_unix(
        NoContext,
        secs,
        now.timestamp_subsec_nanos(),
    ))
}

/// Enqueues a job on `db`, which may be the caller's open transaction so that the job exists
/// exactly when the caller's change commits.
///
/// Returns the new job's id, or `None` when an unfinished job (queued, running or waiting for a
/// retry) already holds the same dedup key. A key frees when its job is done or dead.
pub async fn enqueue(
    db: &impl ConnectionTrait,
    new: NewJob,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>, JobError> {
    let id = new_id(now);
    let row = job::ActiveModel {
        id: Set(id),
        kind: Set(new.kind),
        payload: Set(new.payload),
        state: Set(JobState::Queued.as_str().to_owned()),
        attempts: Set(0),
        max_attempts: Set(Ord::max(new.max_attempts, 1)),
        run_at: Set(new.run_at.unwrap_or(now)),
        locked_by: Set(None),
        locked_until: Set(None),
        last_error: Set(None),
        dedup_key: Set(new.dedup_key),
        created_at: Set(now),
        updated_at: Set(now),
    };
    // No conflict target: the only unique index that can clash is the partial one on
    // `dedup_key` (ids are fresh), and naming a partial index as target needs its predicate.
    let inserted = job::Entity::insert(row)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok((inserted == 1).then_some(id))
}

/// Jobs of `kinds` that a worker may take at `now`: due ones, and running ones whose lease
/// expired (their worker is gone) while attempts remain.
fn claimable<S: AsRef<str>>(kinds: &[S], now: DateTime<Utc>) -> Condition {
    let waiting = Condition::all()
        .add(Column::State.is_in([JobState::Queued.as_str(), JobState::Failed.as_str()]))
        .add(Column::RunAt.lte(now));
    let abandoned = Condition::all()
        .add(Column::State.eq(JobState::Running.as_str()))
        .add(Column::LockedUntil.lte(now))
        .add(Expr::col(Column::Attempts).lt(Expr::col(Column::MaxAttempts)));
    Condition::all()
        .add(Column::Kind.is_in(kinds.iter().map(|k| k.as_ref().to_owned())))
        .add(Condition::any().add(waiting).add(abandoned))
}

/// Claims up to `limit` due jobs of `kinds` for `worker_id` until `now + lease`, oldest first.
/// Each claim counts as an attempt.
///
/// Running jobs whose lease expired are reclaimed; those that had used up their attempts (the
/// worker died on the last one) are marked dead first.
///
/// Uses the store's own connection: on SQLite (one pooled connection) never call it while a
/// transaction on the same store is open.
pub async fn claim<S: AsRef<str>>(
    store: &Store,
    worker_id: &str,
    kinds: &[S],
    lease: Duration,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Job>, JobError> {
    if kinds.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let db = store.conn();
    bury_abandoned(db, kinds, now).await?;

    let mut pick = Query::select();
    pick.column(Column::Id)
        .from(job::Entity)
        .cond_where(claimable(kinds, now))
        .order_by(Column::RunAt, Order::Asc)
        .order_by(Column::Id, Order::Asc)
        .limit(u64::try_from(limit).unwrap_or(u64::MAX));
    if store.backend() == DbBackend::Postgres {
        pick.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut update = job::Entity::update_many()
        .col_expr(Column::State, Expr::val(JobState::Running.as_str()))
        .col_expr(Column::Attempts, Expr::col(Column::Attempts).add(1))
        .col_expr(Column::LockedBy, Expr::val(worker_id))
        .col_expr(Column::LockedUntil, Expr::val(plus(now, lease)))
        .col_expr(Column::UpdatedAt, Expr::val(now))
        .filter(Expr::col(Column::Id).in_subquery(pick))
        // Re-checked on the locked row version (PostgreSQL, READ COMMITTED).
        .filter(claimable(kinds, now))
        .into_query();
    update.returning_all();
    let rows = job::Model::find_by_statement(store.backend().build(&update))
        .all(db)
        .await?;
    let mut jobs = rows
        .into_iter()
        .map(Job::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|j| (j.run_at, j.id));
    Ok(jobs)
}

/// Marks dead the running jobs of `kinds` whose lease expired on their last attempt.
async fn bury_abandoned<S: AsRef<str>>(
    db: &impl ConnectionTrait,
    kinds: &[S],
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let buried = job::Entity::update_many()
        .col_expr(Column::State, Expr::val(JobState::Dead.as_str()))
        .col_expr(Column::LockedBy, Expr::val(None::<String>))
        .col_expr(Column::LockedUntil, Expr::val(None::<DateTime<Utc>>))
        .col_expr(
            Column::LastError,
            Expr::val("lease expired on the last attempt (worker lost)"),
        )
        .col_expr(Column::UpdatedAt, Expr::val(now))
        .filter(Column::Kind.is_in(kinds.iter().map(|k| k.as_ref().to_owned())))
        .filter(Column::State.eq(JobState::Running.as_str()))
        .filter(Column::LockedUntil.lte(now))
        .filter(Expr::col(Column::Attempts).gte(Expr::col(Column::MaxAttempts)))
        .exec(db)
        .await?;
    if buried.rows_affected > 0 {
        tracing::warn!(
            jobs = buried.rows_affected,
            "jobs dead after their worker was lost"
        );
    }
    Ok(())
}

/// The rows of `job` as long as this claim still holds it.
fn held(job: &Job) -> Condition {
    Condition::all()
        .add(Column::Id.eq(job.id))
        .add(Column::State.eq(JobState::Running.as_str()))
        .add(Column::LockedBy.eq(job.locked_by.clone()))
        .add(Column::Attempts.eq(job.attempts))
}

/// Marks a claimed job done.
pub async fn complete(
    db: &impl ConnectionTrait,
    job: &Job,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let res = job::Entity::update_many()
        .col_expr(Column::State, Expr::val(JobState::Done.as_str()))
        .col_expr(Column::LockedBy, Expr::val(None::<String>))
        .col_expr(Column::LockedUntil, Expr::val(None::<DateTime<Utc>>))
        .col_expr(Column::UpdatedAt, Expr::val(now))
        .filter(held(job))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(JobError::LeaseLost(job.id));
    }
    Ok(())
}

/// Records a failed attempt of a claimed job: retried after [`backoff`], or dead once it has
/// had `max_attempts`. Returns the state the job is now in.
pub async fn fail(
    db: &impl ConnectionTrait,
    job: &Job,
    error: &str,
    now: DateTime<Utc>,
) -> Result<JobState, JobError> {
    let (state, run_at) = if job.attempts >= job.max_attempts {
        (JobState::Dead, job.run_at)
    } else {
        (JobState::Failed, plus(now, backoff(job.attempts)))
    };
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    let res = job::Entity::update_many()
        .col_expr(Column::State, Expr::val(state.as_str()))
        .col_expr(Column::RunAt, Expr::val(run_at))
        .col_expr(Column::LockedBy, Expr::val(None::<String>))
        .col_expr(Column::LockedUntil, Expr::val(None::<DateTime<Utc>>))
        .col_expr(Column::LastError, Expr::val(error))
        .col_expr(Column::UpdatedAt, Expr::val(now))
        .filter(held(job))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(JobError::LeaseLost(job.id));
    }
    Ok(state)
}

/// Extends the lease of a claimed job to `until` (a heartbeat for long jobs).
pub async fn extend_lease(
    db: &impl ConnectionTrait,
    job: &Job,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let res = job::Entity::update_many()
        .col_expr(Column::LockedUntil, Expr::val(until))
        .col_expr(Column::UpdatedAt, Expr::val(now))
        .filter(held(job))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(JobError::LeaseLost(job.id));
    }
    Ok(())
}

/// Reads one job.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Job>, JobError> {
    job::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Job::try_from)
        .transpose()
}

/// Deletes done jobs last changed before `before`; dead jobs stay for inspection. Returns how
/// many were deleted.
pub async fn purge_done(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, JobError> {
    let res = job::Entity::delete_many()
        .filter(Column::State.eq(JobState::Done.as_str()))
        .filter(Column::UpdatedAt.lt(before))
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}
