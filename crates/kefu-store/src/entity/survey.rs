//! `surveys`: a satisfaction question sent to a contact — CSAT (1–5) about one ticket, or NPS
//! (0–10) about the company — with when it goes out, when its link expires, and the answer.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub ticket_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub channel: String,
    pub status: String,
    pub send_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    pub expires_at: DateTimeUtc,
    pub score: Option<i32>,
    pub comment: Option<String>,
    pub answered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
