//! The queue's error type.

use kefu_store::StoreError;
use kefu_store::sea_orm::DbErr;
use uuid::Uuid;

/// A queue operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The database refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The job is no longer held by this claim: its lease expired and another worker took it,
    /// or it already finished. The caller's result is discarded.
    #[error("job {0} is no longer held by this worker")]
    LeaseLost(Uuid),
    /// A row holds a state this version does not know.
    #[error("job {id} has unknown state {state:?}")]
    UnknownState {
        /// The job.
        id: Uuid,
        /// The stored state.
        state: String,
    },
}

impl From<DbErr> for JobError {
    fn from(e: DbErr) -> Self {
        JobError::Store(e.into())
    }
}
