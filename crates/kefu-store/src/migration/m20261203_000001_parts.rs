//! Spare parts: parts, warehouses (a central store, an engineer's van), stock per part and
//! warehouse (on hand and reserved), every stock move with its reason, reservation lines on
//! tickets, and purchase requests raised by shortages.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{fk, index};

/// Spare-part tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000001_parts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("parts")
                .col(uuid("id"))
                .col(text("code"))
                .col(text("name"))
                .col(text("unit"))
                .col(big_integer("unit_price_cents"))
                .col(text_null("external_id"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        index(m, "parts", "ux_parts_code", &["code"], true).await?;
        index(m, "parts", "ux_parts_external_id", &["external_id"], true).await?;
        m.create_table(
            Table::create()
                .table("warehouses")
                .col(uuid("id"))
                .col(text("code"))
                .col(text("name"))
                .col(text("kind"))
                .col(uuid_null("engineer_id"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_warehouses_engineer_id",
                    ("warehouses", "engineer_id"),
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "warehouses", "ux_warehouses_code", &["code"], true).await?;
        m.create_table(
            Table::create()
                .table("stock")
                .col(uuid("part_id"))
                .col(uuid("warehouse_id"))
                .col(big_integer("on_hand"))
                .col(big_integer("reserved"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("part_id").col("warehouse_id"))
                .foreign_key(&mut fk(
                    "fk_stock_part_id",
                    ("stock", "part_id"),
                    "parts",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_stock_warehouse_id",
                    ("stock", "warehouse_id"),
                    "warehouses",
                    ForeignKeyAction::Cascade,
                ))
                // Stock never goes negative and never reserves more than is on hand, whatever
                // the code above it does.
                .check(Expr::col("reserved").gte(0))
                .check(Expr::col("on_hand").gte(Expr::col("reserved")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("purchase_requests")
                .col(uuid("id"))
                .col(text("number"))
                .col(uuid("part_id"))
                .col(uuid("warehouse_id"))
                .col(big_integer("quantity"))
                .col(big_integer("received"))
                .col(date_null("needed_by"))
                .col(text("status"))
                .col(text_null("external_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_purchase_requests_part_id",
                    ("purchase_requests", "part_id"),
                    "parts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_purchase_requests_warehouse_id",
                    ("purchase_requests", "warehouse_id"),
                    "warehouses",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "purchase_requests",
            "ux_purchase_requests_number",
            &["number"],
            true,
        )
        .await?;
        index(
            m,
            "purchase_requests",
            "ix_purchase_requests_part_status",
            &["part_id", "warehouse_id", "status"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("part_lines")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(uuid("part_id"))
                .col(uuid("warehouse_id"))
                .col(big_integer("quantity"))
                .col(text("status"))
                .col(uuid_null("purchase_request_id"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_part_lines_ticket_id",
                    ("part_lines", "ticket_id"),
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_part_lines_part_id",
                    ("part_lines", "part_id"),
                    "parts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_part_lines_warehouse_id",
                    ("part_lines", "warehouse_id"),
                    "warehouses",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_part_lines_purchase_request_id",
                    ("part_lines", "purchase_request_id"),
                    "purchase_requests",
                    ForeignKeyAction::SetNull,
                ))
                .check(Expr::col("quantity").gt(0))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "part_lines",
            "ix_part_lines_ticket",
            &["ticket_id"],
            false,
        )
        .await?;
        index(
            m,
            "part_lines",
            "ix_part_lines_waiting",
            &["part_id", "warehouse_id", "status"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("stock_moves")
                .col(uuid("id"))
                .col(uuid("part_id"))
                .col(uuid("warehouse_id"))
                .col(text("kind"))
                .col(big_integer("on_hand_delta"))
                .col(big_integer("reserved_delta"))
                .col(text("reason"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("part_line_id"))
                .col(uuid_null("purchase_request_id"))
                .col(uuid_null("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_stock_moves_part_id",
                    ("stock_moves", "part_id"),
                    "parts",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "stock_moves",
            "ix_stock_moves_part",
            &["part_id", "warehouse_id", "created_at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "stock_moves",
            "part_lines",
            "purchase_requests",
            "stock",
            "warehouses",
            "parts",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
