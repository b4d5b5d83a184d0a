//! `quotes`: quotations sent to the customer, a snapshot of the charge lines and totals, and
//! the customer's decision.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "quotes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub number: String,
    pub status: String,
    pub lines: Json,
    pub list_cents: i64,
    pub covered_cents: i64,
    pub due_cents: i64,
    pub note: Option<String>,
    pub sent_by: Option<Uuid>,
    pub sent_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub decision_comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
