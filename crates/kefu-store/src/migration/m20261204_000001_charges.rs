//! Service charges: the price list (labour, travel, fees; parts carry their own price), the
//! charge lines of a ticket (zeroed by warranty/contract rules), the quotations sent to the
//! customer, and the finance export batches that mark lines as exported once.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{fk, index};

/// Charge tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000001_charges"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("price_items")
                .col(uuid("id"))
                .col(text("code"))
                .col(text("name"))
                .col(text("kind"))
                .col(text("unit"))
                .col(big_integer("unit_price_cents"))
                .col(big_integer_null("vip_price_cents"))
                .col(big_integer_null("strategic_price_cents"))
                .col(text_null("external_id"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        index(m, "price_items", "ux_price_items_code", &["code"], true).await?;
        m.create_table(
            Table::create()
                .table("charge_exports")
                .col(uuid("id"))
                .col(text("number"))
                .col(big_integer("line_count"))
                .col(big_integer("list_cents"))
                .col(big_integer("due_cents"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "charge_exports",
            "ux_charge_exports_number",
            &["number"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("charges")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(text("kind"))
                .col(uuid_null("price_item_id"))
                .col(uuid_null("part_id"))
                .col(uuid_null("part_line_id"))
                .col(text("description"))
                .col(text("unit"))
                .col(big_integer("quantity_milli"))
                .col(big_integer("unit_price_cents"))
                .col(big_integer("list_cents"))
                .col(text_null("coverage"))
                .col(big_integer("due_cents"))
                .col(uuid_null("export_id"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_charges_ticket_id",
                    ("charges", "ticket_id"),
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_charges_price_item_id",
                    ("charges", "price_item_id"),
                    "price_items",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_charges_part_id",
                    ("charges", "part_id"),
                    "parts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_charges_export_id",
                    ("charges", "export_id"),
                    "charge_exports",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "charges", "ix_charges_ticket", &["ticket_id"], false).await?;
        index(m, "charges", "ix_charges_export", &["export_id"], false).await?;
        // A consumed part line is billed once, whoever consumes it.
        index(
            m,
            "charges",
            "ux_charges_part_line",
            &["part_line_id"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("quotes")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(text("number"))
                .col(text("status"))
                .col(json("lines"))
                .col(big_integer("list_cents"))
                .col(big_integer("covered_cents"))
                .col(big_integer("due_cents"))
                .col(text_null("note"))
                .col(uuid_null("sent_by"))
                .col(timestamp_with_time_zone("sent_at"))
                .col(uuid_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(text_null("decision_comment"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_quotes_ticket_id",
                    ("quotes", "ticket_id"),
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "quotes", "ux_quotes_number", &["number"], true).await?;
        index(m, "quotes", "ix_quotes_ticket", &["ticket_id"], false).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["quotes", "charges", "charge_exports", "price_items"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
