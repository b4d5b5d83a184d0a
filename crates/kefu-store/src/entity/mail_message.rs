//! `mail_messages`: every mail in and out, keyed by Message-ID.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of `mail_messages`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "mail_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub message_id: String,
    pub direction: String,
    pub ticket_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub mailbox: Option<String>,
    pub from_email: Option<String>,
    pub subject: String,
    pub status: String,
    pub reason: Option<String>,
    pub raw_sha256: Option<String>,
    pub size: i64,
    /// Recipients of an outbound message, comma separated.
    pub to_email: Option<String>,
    /// Send attempts of an outbound message.
    pub attempts: i32,
    /// When an outbound message was accepted by the SMTP server.
    pub sent_at: Option<DateTimeUtc>,
    /// Why an outbound message was sent: `reply`, `received`, `status_changed` ….
    pub purpose: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No relations are declared; joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
