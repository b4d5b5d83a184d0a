//! What a job is: a new job to enqueue, a stored job, and its state.

use chrono::{DateTime, Utc};
use kefu_store::entity::job;
use serde_json::Value;
use uuid::Uuid;

use crate::JobError;

/// Attempts a job gets unless [`NewJob::max_attempts`] says otherwise (about three hours of
/// retries with [`crate::backoff`]).
pub const DEFAULT_MAX_ATTEMPTS: i32 = 10;

/// Where a job is in its life. Stored as the string of [`JobState::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for its `run_at`.
    Queued,
    /// Claimed by a worker until `locked_until`.
    Running,
    /// Failed an attempt; waits for its retry at `run_at`.
    Failed,
    /// Finished successfully.
    Done,
    /// Failed its last attempt; kept for inspection, never retried.
    Dead,
}

impl JobState {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Failed => "failed",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<JobState> {
        Some(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "failed" => JobState::Failed,
            "done" => JobState::Done,
            "dead" => JobState::Dead,
            _ => return None,
        })
    }

    /// Whether the job will still run (and so holds its dedup key).
    pub fn is_unfinished(self) -> bool {
        matches!(
            self,
            JobState::Queued | JobState::Running | JobState::Failed
        )
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The handler name; persisted, so never rename one.
    pub kind: String,
    /// Arguments for the handler.
    pub payload: Value,
    /// Earliest run time; `None` means the `now` given to [`crate::enqueue`].
    pub run_at: Option<DateTime<Utc>>,
    /// While a job with this key is unfinished, enqueueing another one with it does nothing.
    /// That includes while it runs, so a handler should read current data, and a caller that
    /// needs a run after every change should put a version in the key.
    pub dedup_key: Option<String>,
    /// Attempts before the job is dead, at least 1.
    pub max_attempts: i32,
}

impl NewJob {
    /// A job of `kind` due at once, without a dedup key, with [`DEFAULT_MAX_ATTEMPTS`].
    pub fn new(kind: impl Into<String>, payload: Value) -> NewJob {
        NewJob {
            kind: kind.into(),
            payload,
            run_at: None,
            dedup_key: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// Delays the job until `t`.
    pub fn run_at(mut self, t: DateTime<Utc>) -> NewJob {
        self.run_at = Some(t);
        self
    }

    /// Sets the dedup key.
    pub fn dedup_key(mut self, key: impl Into<String>) -> NewJob {
        self.dedup_key = Some(key.into());
        self
    }

    /// Sets the number of attempts (values below 1 count as 1).
    pub fn max_attempts(mut self, n: i32) -> NewJob {
        self.max_attempts = n.max(1);
        self
    }
}

/// A stored job, as claimed by a worker or read for inspection.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// UUIDv7.
    pub id: Uuid,
    /// The handler name.
    pub kind: String,
    /// Arguments for the handler.
    pub payload: Value,
    /// Where the job is.
    pub state: JobState,
    /// Claims so far, including the current one while running.
    pub attempts: i32,
    /// Attempts before the job is dead.
    pub max_attempts: i32,
    /// When the job is (or was) due.
    pub run_at: DateTime<Utc>,
    /// The worker holding the job.
    pub locked_by: Option<String>,
    /// End of the holder's lease; after it any worker may reclaim the job.
    pub locked_until: Option<DateTime<Utc>>,
    /// The error of the last failed attempt.
    pub last_error: Option<String>,
    /// The dedup key, if any.
    pub dedup_key: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<job::Model> for Job {
    type Error = JobError;

    fn try_from(m: job::Model) -> Result<Job, JobError> {
        let state = JobState::parse(&m.state).ok_or_else(|| JobError::UnknownState {
            id: m.id,
            state: m.state.clone(),
        })?;
        Ok(Job {
            id: m.id,
            kind: m.kind,
            payload: m.payload,
            state,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            run_at: m.run_at,
            locked_by: m.locked_by,
            locked_until: m.locked_until,
            last_error: m.last_error,
            dedup_key: m.dedup_key,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}
