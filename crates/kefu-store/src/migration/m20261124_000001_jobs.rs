//! The job queue (`jobs`) and the bookkeeping of periodic schedules (`job_schedules`) used by
//! `kefu-jobs`.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Job queue tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261124_000001_jobs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("jobs")
                .col(uuid("id"))
                .col(text("kind"))
                .col(json_binary("payload"))
                .col(text("state"))
                .col(integer("attempts"))
                .col(integer("max_attempts"))
                .col(timestamp_with_time_zone("run_at"))
                .col(text_null("locked_by"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                .col(text_null("dedup_key"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_jobs_state_run_at")
                .table("jobs")
                .col("state")
                .col("run_at")
                .to_owned(),
        )
        .await?;
        // A dedup key is held only while its job is unfinished: a partial unique index, which
        // SQLite (≥ 3.8) and PostgreSQL both support with the same syntax. NULL keys never clash.
        m.create_index(
            Index::create()
                .name("ux_jobs_dedup_key_unfinished")
                .table("jobs")
                .col("dedup_key")
                .unique()
                .and_where(Expr::col("state").is_in(["queued", "running", "failed"]))
                .to_owned(),
        )
        .await?;

        // One row per schedule name: the last slot some process enqueued (compare-and-set).
        m.create_table(
            Table::create()
                .table("job_schedules")
                .col(text("name"))
                .col(big_integer("last_slot"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("name"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["job_schedules", "jobs"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
