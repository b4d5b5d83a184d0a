//! WeChat official-account messages in and out: one row per message, keyed by WeChat's MsgId
//! (or sender + time for events) so a push retried by WeChat is taken once; outbound rows wait
//! for the customer-service message API.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// WeChat messages table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000001_wechat"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("wechat_messages")
                .col(uuid("id"))
                .col(text("msg_key"))
                .col(text("openid"))
                .col(text("direction"))
                .col(text("msg_type"))
                .col(text("content"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("event_id"))
                .col(text("status"))
                .col(text_null("reason"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_wechat_messages_ticket_id")
                        .from("wechat_messages", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_wechat_messages_msg_key")
                .table("wechat_messages")
                .col("msg_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_wechat_messages_openid_direction_created_at")
                .table("wechat_messages")
                .col("openid")
                .col("direction")
                .col("created_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("wechat_messages").to_owned())
            .await
    }
}
