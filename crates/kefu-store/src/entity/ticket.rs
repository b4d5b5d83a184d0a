//! `tickets` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of `tickets`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub number: String,
    pub kind: String,
    pub channel: String,
    pub priority: String,
    pub status: String,
    pub subject: String,
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub asset_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub sla_policy_id: Option<Uuid>,
    pub first_response_due_at: Option<DateTimeUtc>,
    pub resolution_due_at: Option<DateTimeUtc>,
    pub first_responded_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub sla_paused_since: Option<DateTimeUtc>,
    pub sla_check_at: Option<DateTimeUtc>,
    pub sla_warn_at: Option<DateTimeUtc>,
    pub tags: Json,
    pub custom_fields: Json,
    pub parent_id: Option<Uuid>,
    pub merged_into_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

/// No relations are declared; joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
