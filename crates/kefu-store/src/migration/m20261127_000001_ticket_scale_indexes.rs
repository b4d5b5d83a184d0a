//! Indexes for queue counts and the SLA watch at scale (found with `kefu demo --scale 1000000`
//! and `kefu-bench pages`).
//!
//! - Running timers: the breached / SLA-warning queues and the SLA watch look for
//!   `first_responded_at IS NULL AND first_response_due_at < ?` (and the same for resolution).
//!   The plain `*_due_at` indexes hold every ticket ever opened, nearly all due in the past, so
//!   these searches visited the whole history (1 s at a million tickets on SQLite). Partial
//!   indexes over the timers still running hold only the open tickets; both SQLite and
//!   PostgreSQL use them because the queries carry the same `IS NULL` terms.
//! - `status` of the tickets not merged away: the "all" and "open" queue counts
//!   (`merged_into_id IS NULL`, `status NOT IN (…)`) are answered from this small partial index
//!   instead of reading every ticket row (0.19 s → 0.03 s and 0.17 s → 0.07 s at a million on
//!   SQLite). Not a plain `(merged_into_id, status)` index: without statistics SQLite prefers
//!   such an index's equality match over the `created_at` index of the listings and then sorts
//!   the whole table (1.5 s per page at a million).
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;

/// Ticket indexes for scale.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000001_ticket_scale_indexes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_tickets_running_first_response")
                .table("tickets")
                .col("first_response_due_at")
                .and_where(Expr::col("first_responded_at").is_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tickets_running_resolution")
                .table("tickets")
                .col("resolution_due_at")
                .and_where(Expr::col("resolved_at").is_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_tickets_unmerged_status")
                .table("tickets")
                .col("status")
                .and_where(Expr::col("merged_into_id").is_null())
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "ix_tickets_unmerged_status",
            "ix_tickets_running_resolution",
            "ix_tickets_running_first_response",
        ] {
            m.drop_index(Index::drop().name(name).table("tickets").to_owned())
                .await?;
        }
        Ok(())
    }
}
