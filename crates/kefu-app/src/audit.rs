//! The admin audit log: who did what to which configuration, user or credential, and when.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::audit_entry;
use kefu_store::sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError};

/// Appends an entry inside the caller's transaction.
pub async fn record(
    db: &impl ConnectionTrait,
    actor_id: Option<Uuid>,
    action: &str,
    target_type: &str,
    target_id: Option<String>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        actor_id: Set(actor_id),
        action: Set(action.to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(target_id),
        detail: Set(detail),
        ip: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One audit entry as shown to admins.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditView {
    /// Id.
    pub id: Uuid,
    /// Who acted (none for the system).
    pub actor_id: Option<Uuid>,
    /// What was done (`user.create`, `sla_policy.update`…).
    pub action: String,
    /// Kind of thing changed.
    pub target_type: String,
    /// Its id.
    pub target_id: Option<String>,
    /// Details.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The newest entries first.
pub async fn list(app: &App, actor: &Actor, limit: u64) -> Result<Vec<AuditView>, AppError> {
    crate::require(actor, Permission::AuditRead)?;
    Ok(audit_entry::Entity::find()
        .order_by_desc(audit_entry::Column::CreatedAt)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit.min(500))
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|m| AuditView {
            id: m.id,
            actor_id: m.actor_id,
            action: m.action,
            target_type: m.target_type,
            target_id: m.target_id,
            detail: m.detail,
            created_at: m.created_at,
        })
        .collect())
}
