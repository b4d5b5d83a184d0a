//! Products' service BOM (the spare parts a model needs, with quantities) and preventive
//! maintenance plans on assets (every N months, a visit ticket opened ahead of time).
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{fk, index};

/// BOM and maintenance plans.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261204_000002_maintenance"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("product_parts")
                .col(uuid("product_id"))
                .col(uuid("part_id"))
                .col(big_integer("quantity"))
                .col(text_null("note"))
                .primary_key(Index::create().col("product_id").col("part_id"))
                .foreign_key(&mut fk(
                    "fk_product_parts_product_id",
                    ("product_parts", "product_id"),
                    "products",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_product_parts_part_id",
                    ("product_parts", "part_id"),
                    "parts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("maintenance_plans")
                .col(uuid("id"))
                .col(uuid("asset_id"))
                .col(text("name"))
                .col(integer("interval_months"))
                .col(date("next_due"))
                .col(integer("lead_days"))
                .col(text("kind"))
                .col(text("priority"))
                .col(uuid_null("team_id"))
                .col(uuid_null("assignee_id"))
                .col(boolean("active"))
                .col(uuid_null("last_ticket_id"))
                .col(date_null("last_visit"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_maintenance_plans_asset_id",
                    ("maintenance_plans", "asset_id"),
                    "assets",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_maintenance_plans_team_id",
                    ("maintenance_plans", "team_id"),
                    "teams",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_maintenance_plans_assignee_id",
                    ("maintenance_plans", "assignee_id"),
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "maintenance_plans",
            "ix_maintenance_plans_due",
            &["active", "next_due"],
            false,
        )
        .await?;
        index(
            m,
            "maintenance_plans",
            "ix_maintenance_plans_asset",
            &["asset_id"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["maintenance_plans", "product_parts"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
