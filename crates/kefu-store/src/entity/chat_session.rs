//! `chat_sessions`: one web-chat conversation with a visitor, from waiting to ended.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "chat_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// SHA-256 (hex) of the visitor's secret token; the token itself is never stored.
    pub token_hash: String,
    /// `waiting`, `active` or `ended`.
    pub status: String,
    pub visitor_name: String,
    pub visitor_email: Option<String>,
    pub visitor_phone: Option<String>,
    /// `zh-CN` or `en`.
    pub locale: String,
    pub page_url: Option<String>,
    pub customer_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub agent_id: Option<Uuid>,
    /// The ticket holding the transcript, once the chat ended.
    pub ticket_id: Option<Uuid>,
    /// Sequence number of the newest message.
    pub last_seq: i32,
    /// `visitor`, `agent` or `timeout`.
    pub ended_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub visitor_seen_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
