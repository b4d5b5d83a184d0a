//! `tickets.sla_check_at`: when the SLA watch must look at the ticket next (a timer enters its
//! warning band, falls due, or reaches an escalation level), so a scan reads only the tickets
//! whose time has come. Open tickets start due for one look.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::index;

/// The SLA watch's next-check column.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000002_sla_check"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("tickets")
                .add_column(timestamp_with_time_zone_null("sla_check_at"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE tickets SET sla_check_at = created_at \
                 WHERE closed_at IS NULL AND resolved_at IS NULL AND merged_into_id IS NULL",
            )
            .await?;
        index(
            m,
            "tickets",
            "ix_tickets_sla_check",
            &["sla_check_at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("tickets")
                .drop_column("sla_check_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
