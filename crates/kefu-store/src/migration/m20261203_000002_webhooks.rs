//! Outbound webhooks: subscriptions (endpoint, secret, events) and the delivery log (one row
//! per event and subscription, with tries, the last answer and the next try).
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::index;

/// Webhook tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000002_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhooks")
                .col(uuid("id"))
                .col(text("name"))
                .col(text("url"))
                .col(text("secret"))
                .col(json("events"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("webhook_deliveries")
                .col(uuid("id"))
                .col(uuid("webhook_id"))
                .col(uuid("outbox_id"))
                .col(text("topic"))
                .col(uuid_null("aggregate_id"))
                .col(json("payload"))
                .col(text("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(integer_null("last_status"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_webhook_deliveries_webhook_id")
                        .from("webhook_deliveries", "webhook_id")
                        .to("webhooks", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "webhook_deliveries",
            "ux_webhook_deliveries_outbox",
            &["webhook_id", "outbox_id"],
            true,
        )
        .await?;
        index(
            m,
            "webhook_deliveries",
            "ix_webhook_deliveries_due",
            &["status", "next_attempt_at"],
            false,
        )
        .await?;
        index(
            m,
            "webhook_deliveries",
            "ix_webhook_deliveries_order",
            &["webhook_id", "aggregate_id", "status"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["webhook_deliveries", "webhooks"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
