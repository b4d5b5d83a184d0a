//! `mailboxes`: IMAP folders kefu polls for new mail, with the position it reached.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "mailboxes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub host: String,
    pub port: i32,
    /// `tls` or `none`.
    pub security: String,
    pub username: String,
    /// Secret: never logged or returned by the API.
    pub password: String,
    pub folder: String,
    pub poll_seconds: i32,
    pub enabled: bool,
    /// The folder's UIDVALIDITY when `last_uid` was stored.
    pub uid_validity: Option<i64>,
    /// Highest UID taken.
    pub last_uid: i64,
    pub last_polled_at: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
