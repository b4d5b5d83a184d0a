//! `tickets.sla_warn_at`: when the ticket's earliest running SLA timer enters its warning band
//! (kept with `sla_check_at` by every ticket write and by the SLA watch), so "in its warning
//! band now" is a column comparison and the SLA-warning queue is counted in the same aggregate
//! as the other queues instead of computing every candidate's clock.
//!
//! Existing tickets with something left to watch are due for one more look, which fills it.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// The SLA warning instant column.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000001_sla_warn"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("tickets")
                .add_column(timestamp_with_time_zone_null("sla_warn_at"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE tickets SET sla_check_at = created_at \
                 WHERE sla_check_at IS NOT NULL AND closed_at IS NULL AND resolved_at IS NULL \
                 AND merged_into_id IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("tickets")
                .drop_column("sla_warn_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
