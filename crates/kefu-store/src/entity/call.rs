//! `calls`: the phone log — calls agents record and calls a CTI system reports.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    /// The agent who took or made the call.
    pub user_id: Option<Uuid>,
    /// `in` or `out`.
    pub direction: String,
    pub number: String,
    pub duration_seconds: i32,
    pub notes: String,
    /// The CTI system's call id (dedupes repeated webhooks).
    pub external_id: Option<String>,
    pub started_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
