//! `rmas`: returns and exchanges, one per return ticket line, with the goods' whereabouts.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rmas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub number: String,
    pub kind: String,
    pub serial_number: Option<String>,
    pub order_line_id: Option<Uuid>,
    pub part_id: Option<Uuid>,
    pub warehouse_id: Option<Uuid>,
    pub quantity: i64,
    pub reason: String,
    pub goods_status: String,
    pub inspection_note: Option<String>,
    pub replacement_serial: Option<String>,
    pub replacement_tracking: Option<String>,
    pub shipped_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
