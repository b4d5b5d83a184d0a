//! Returns and exchanges: one RMA per return ticket, its number, the goods (serial, part,
//! quantity) and where they are, the inspection, and the replacement shipment.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{fk, index};

/// RMA table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000003_rmas"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rmas")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(text("number"))
                .col(text("kind"))
                .col(text_null("serial_number"))
                .col(uuid_null("order_line_id"))
                .col(uuid_null("part_id"))
                .col(uuid_null("warehouse_id"))
                .col(big_integer("quantity"))
                .col(text("reason"))
                .col(text("goods_status"))
                .col(text_null("inspection_note"))
                .col(text_null("replacement_serial"))
                .col(text_null("replacement_tracking"))
                .col(timestamp_with_time_zone_null("shipped_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_rmas_ticket_id",
                    ("rmas", "ticket_id"),
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_rmas_part_id",
                    ("rmas", "part_id"),
                    "parts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "rmas", "ux_rmas_number", &["number"], true).await?;
        index(m, "rmas", "ix_rmas_ticket", &["ticket_id"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rmas").to_owned()).await
    }
}
