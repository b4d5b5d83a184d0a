//! `bot_channels`: group-chat bots (WeCom, DingTalk, Feishu) that receive staff notifications.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_channels")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `wecom`, `dingtalk` or `feishu`.
    pub kind: String,
    /// Webhook address (holds the bot's key: a secret).
    pub url: String,
    /// Signing secret (DingTalk, Feishu).
    pub secret: Option<String>,
    /// Event kinds sent to this bot (JSON array of strings).
    pub events: Json,
    pub enabled: bool,
    pub last_status: Option<String>,
    pub last_error: Option<String>,
    pub last_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
