//! `Idempotency-Key` support for POST requests: the first response for a key is stored and
//! replayed for retries; a retry with a different body is refused.
//!
//! The key is claimed inside the transaction that does the work, before the work, so the
//! primary key of `idempotency_keys` decides between concurrent first uses: the loser waits
//! for the winner's commit, fails on the key, and replays the winner's response.

use kefu_store::{
    IdempotencyRecord, StoreError, find_idempotent, finish_idempotent, save_idempotent,
};
use uuid::Uuid;

use crate::auth::sha256_hex;
use crate::{App, AppError};

/// Status stored while the claiming transaction is still running; never visible to others.
const PENDING: u16 = 0;

/// What a lookup found.
#[derive(Debug, Clone, PartialEq)]
pub enum IdempotentOutcome {
    /// First use: run the request, then store its response.
    Fresh,
    /// Seen before with the same body: replay this response.
    Replay {
        /// HTTP status.
        status: u16,
        /// Body.
        body: String,
    },
}

fn check_key(key: &str) -> Result<(), AppError> {
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "invalid",
            "1 to 200 characters",
        ));
    }
    Ok(())
}

/// Looks up `key` for `user_id` and the request body.
pub async fn idempotent_lookup(
    app: &App,
    user_id: Uuid,
    key: &str,
    body: &[u8],
) -> Result<IdempotentOutcome, AppError> {
    check_key(key)?;
    match find_idempotent(app.store.conn(), user_id, key).await? {
        None => Ok(IdempotentOutcome::Fresh),
        Some(rec) if rec.request_hash != sha256_hex(body) => Err(AppError::Conflict {
            code: "idempotency_mismatch",
            message: "this Idempotency-Key was used with a different request body".into(),
        }),
        Some(rec) if rec.status == PENDING => Err(in_progress()),
        Some(rec) => Ok(IdempotentOutcome::Replay {
            status: rec.status,
            body: rec.body,
        }),
    }
}

fn in_progress() -> AppError {
    AppError::Conflict {
        code: "idempotency_in_progress",
        message: "a request with this Idempotency-Key is still being processed".into(),
    }
}

/// A response given under an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
    /// True when this is the stored response of an earlier request.
    pub replayed: bool,
}

/// Either the transaction to do the work in, with the key claimed, or the earlier response.
pub(crate) enum Claim {
    /// First use: do the work in this transaction, then [`idempotent_finish`] and commit.
    Fresh(kefu_store::Tx),
    /// Used before: answer with this.
    Replay(KeyedResponse),
}

/// Opens the transaction for a keyed request and claims the key in it, before the work.
pub(crate) async fn idempotent_begin(
    app: &App,
    user_id: Uuid,
    key: &str,
    body: &[u8],
) -> Result<Claim, AppError> {
    let replay = |outcome| match outcome {
        IdempotentOutcome::Replay { status, body } => Ok(Claim::Replay(KeyedResponse {
            status,
            body,
            replayed: true,
        })),
        IdempotentOutcome::Fresh => Err(in_progress()),
    };
    // The common retry needs no transaction. (Reads outside `tx` must not happen while it is
    // open: SQLite has a single connection.)
    match idempotent_lookup(app, user_id, key, body).await? {
        IdempotentOutcome::Fresh => {}
        seen => return replay(seen),
    }
    let tx = app.store.begin().await?;
    let rec = IdempotencyRecord {
        request_hash: sha256_hex(body),
        status: PENDING,
        body: String::new(),
    };
    match save_idempotent(&tx, user_id, key, &rec, app.now()).await {
        Ok(()) => Ok(Claim::Fresh(tx)),
        Err(StoreError::Conflict { .. }) => {
            // A concurrent first use committed meanwhile: answer as it did.
            tx.rollback().await?;
            replay(idempotent_lookup(app, user_id, key, body).await?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Stores the response of the work guarded by [`idempotent_begin`], inside its transaction.
pub(crate) async fn idempotent_finish(
    tx: &kefu_store::Tx,
    user_id: Uuid,
    key: &str,
    status: u16,
    response: &str,
) -> Result<(), AppError> {
    Ok(finish_idempotent(tx, user_id, key, status, response).await?)
}
