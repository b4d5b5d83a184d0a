//! `tasks`: a piece of care work for a person — a follow-up visit (回访) after a resolution, a
//! call-back after a low survey score, a task a trigger made — due at a time, with its outcome.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub details: Option<String>,
    pub ticket_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub assignee_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    pub status: String,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub dedupe_key: Option<String>,
    pub reminded_at: Option<DateTimeUtc>,
    pub created_by: Option<Uuid>,
    pub completed_by: Option<Uuid>,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
