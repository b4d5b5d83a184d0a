//! `orders` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of `orders`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    #[sea_orm(unique)]
    pub order_no: String,
    pub order_date: Date,
    pub status: String,
    pub currency: String,
    pub total_cents: i64,
    pub created_at: DateTimeUtc,
}

/// No relations are declared; joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
