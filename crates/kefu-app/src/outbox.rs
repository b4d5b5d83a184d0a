//! Announcing a change in the outbox, in the transaction that made it (webhooks, the search
//! indexer and notifications read from there).

use chrono::{DateTime, Utc};
use kefu_store::entity::outbox_message;
use kefu_store::sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::AppError;

/// Writes one outbox row: `topic` (`purchase_request.updated`, …) about `aggregate_id`.
pub(crate) async fn announce(
    db: &impl ConnectionTrait,
    topic: &str,
    aggregate_id: Uuid,
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    outbox_message::Entity::insert(outbox_message::ActiveModel {
        id: Set(Uuid::now_v7()),
        topic: Set(topic.to_owned()),
        aggregate_id: Set(Some(aggregate_id)),
        payload: Set(payload),
        created_at: Set(now),
        processed_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
