//! PostgreSQL: vacuum and analyse `tickets` after 1–2 % of its rows changed, not 20 %.
//!
//! The queue listings read `ix_tickets_listing` with index-only scans, which skip the table row
//! only for pages the visibility map marks all-visible — and only VACUUM marks them. With the
//! default thresholds a table of a million tickets is vacuumed after ~200,000 inserts (or dead
//! rows), so every ticket opened since the last vacuum costs a table read whenever a listing
//! walks past it: the filtered queue (open P1/P2) behind ~6,000 newer P3 tickets took 10.4 ms
//! with 10,986 heap fetches, and 0.75 ms with none after a VACUUM (a million tickets,
//! PostgreSQL 15). A helpdesk's table grows by a few hundred or thousand tickets a day, so the
//! default would leave weeks or months of new tickets unmarked; at 1 % a million-ticket table
//! is vacuumed every ~11,000 inserts (PostgreSQL adds a base of 1,000). SQLite has no such
//! setting: a no-op there.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::helpers::only_on;

/// Autovacuum thresholds of `tickets`.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000001_ticket_autovacuum"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The insert threshold exists from PostgreSQL 13 on.
        only_on(
            m,
            DbBackend::Postgres,
            "DO $$ BEGIN \
               ALTER TABLE tickets SET (autovacuum_vacuum_scale_factor = 0.02, \
                                        autovacuum_analyze_scale_factor = 0.02); \
               IF current_setting('server_version_num')::int >= 130000 THEN \
                 ALTER TABLE tickets SET (autovacuum_vacuum_insert_scale_factor = 0.01); \
               END IF; \
             END $$",
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        only_on(
            m,
            DbBackend::Postgres,
            "DO $$ BEGIN \
               ALTER TABLE tickets RESET (autovacuum_vacuum_scale_factor, \
                                          autovacuum_analyze_scale_factor); \
               IF current_setting('server_version_num')::int >= 130000 THEN \
                 ALTER TABLE tickets RESET (autovacuum_vacuum_insert_scale_factor); \
               END IF; \
             END $$",
        )
        .await
    }
}
