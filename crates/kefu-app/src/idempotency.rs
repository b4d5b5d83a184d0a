//! `Idempotency-Key` support for POST requests: the first response for a key is stored and
//! replayed for retries; a retry with a different body is refused.

use kefu_store::{IdempotencyRecord, find_idempotent, save_idempotent};
use uuid::Uuid;

use crate::auth::sha256_hex;
use crate::{App, AppError};

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

/// Looks up `key` for `user_id` and the request body.
pub async fn idempotent_lookup(
    app: &App,
    user_id: Uuid,
    key: &str,
    body: &[u8],
) -> Result<IdempotentOutcome, AppError> {
    if key.is_empty() || key.len() > 200 {
        return Err(AppError::invalid(
            "Idempotency-Key",
            "invalid",
            "1 to 200 characters",
        ));
    }
    match find_idempotent(app.store.conn(), user_id, key).await? {
        None => Ok(IdempotentOutcome::Fresh),
        Some(rec) if rec.request_hash == sha256_hex(body) => Ok(IdempotentOutcome::Replay {
            status: rec.status,
            body: rec.body,
        }),
        Some(_) => Err(AppError::Conflict {
            code: "idempotency_mismatch",
            message: "this Idempotency-Key was used with a different request body".into(),
        }),
    }
}

/// Stores the response of a fresh request. A concurrent duplicate loses with a conflict, which
/// is harmless: the winner's response is the one replayed from now on.
pub async fn idempotent_store(
    app: &App,
    user_id: Uuid,
    key: &str,
    body: &[u8],
    status: u16,
    response: &str,
) -> Result<(), AppError> {
    let rec = IdempotencyRecord {
        request_hash: sha256_hex(body),
        status,
        body: response.to_owned(),
    };
    match save_idempotent(app.store.conn(), user_id, key, &rec, app.now()).await {
        Ok(()) | Err(kefu_store::StoreError::Conflict { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
