//! `purchase_requests`: parts to buy for a warehouse, raised or extended by shortages on
//! tickets, closed when everything asked for has arrived.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub number: String,
    pub part_id: Uuid,
    pub warehouse_id: Uuid,
    pub quantity: i64,
    pub received: i64,
    pub needed_by: Option<Date>,
    pub status: String,
    pub external_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
