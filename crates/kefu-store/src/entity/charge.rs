//! `charges`: priced lines on a ticket (labour, parts, travel, fees), what is covered, and the
//! finance export that took them.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "charges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub kind: String,
    pub price_item_id: Option<Uuid>,
    pub part_id: Option<Uuid>,
    pub part_line_id: Option<Uuid>,
    pub description: String,
    pub unit: String,
    pub quantity_milli: i64,
    pub unit_price_cents: i64,
    pub list_cents: i64,
    pub coverage: Option<String>,
    pub due_cents: i64,
    pub export_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
