//! `wechat_messages`: official-account messages in (pushed by WeChat) and out (agent replies
//! through the customer-service message API).

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// WeChat's MsgId, or `openid:CreateTime:event` for events; ours for outbound.
    pub msg_key: String,
    pub openid: String,
    /// `in` or `out`.
    pub direction: String,
    pub msg_type: String,
    pub content: String,
    pub ticket_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    /// In: `ticket`, `reply`, `ignored`. Out: `queued`, `sent`, `failed`.
    pub status: String,
    pub reason: Option<String>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
