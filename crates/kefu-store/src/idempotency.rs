//! Stored responses for POST requests that carried an `Idempotency-Key`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::StoreError;
use crate::entity::idempotency_key as ik;

/// A response remembered for a key.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyRecord {
    /// Hash of the request body the key was first used with.
    pub request_hash: String,
    /// HTTP status of the first response.
    pub status: u16,
    /// Body of the first response.
    pub body: String,
}

/// Looks up a key for a user.
pub async fn find_idempotent(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
) -> Result<Option<IdempotencyRecord>, StoreError> {
    Ok(ik::Entity::find_by_id((key.to_owned(), user_id))
        .one(db)
        .await?
        .map(|m| IdempotencyRecord {
            request_hash: m.request_hash,
            status: m.status as u16,
            body: m.body,
        }))
}

/// Remembers a response; a concurrent first use of the same key yields `Conflict`.
pub async fn save_idempotent(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    rec: &IdempotencyRecord,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ik::Entity::insert(ik::ActiveModel {
        key: Set(key.to_owned()),
        user_id: Set(user_id),
        request_hash: Set(rec.request_hash.clone()),
        status: Set(i32::from(rec.status)),
        body: Set(rec.body.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Completes a key claimed with [`save_idempotent`] earlier in the same transaction: the row
/// was written first, as a placeholder, so that a concurrent first use of the key waits on it
/// and then fails with `Conflict` instead of doing the work twice.
pub async fn finish_idempotent(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    key: &str,
    status: u16,
    body: &str,
) -> Result<(), StoreError> {
    let res = ik::Entity::update_many()
        .col_expr(ik::Column::Status, Expr::value(i32::from(status)))
        .col_expr(ik::Column::Body, Expr::value(body.to_owned()))
        .filter(ik::Column::Key.eq(key))
        .filter(ik::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
