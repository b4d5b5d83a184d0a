//! Care tasks (follow-up visits 回访, low-score call-backs, tasks made by triggers) and
//! satisfaction surveys (CSAT per ticket, NPS per contact).
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::helpers::{fk, index};

/// Tasks and surveys.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000001_care"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("tasks")
                .col(uuid("id"))
                .col(text("kind"))
                .col(text("title"))
                .col(text_null("details"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("customer_id"))
                .col(uuid_null("contact_id"))
                .col(uuid_null("assignee_id"))
                .col(timestamp_with_time_zone("due_at"))
                .col(text("status"))
                .col(text_null("outcome"))
                .col(text_null("outcome_note"))
                // Makes a task once per cause (`follow_up:<ticket>`, `survey:<survey>`, …).
                .col(text_null("dedupe_key"))
                .col(timestamp_with_time_zone_null("reminded_at"))
                .col(uuid_null("created_by"))
                .col(uuid_null("completed_by"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_tasks_ticket_id",
                    ("tasks", "ticket_id"),
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_tasks_customer_id",
                    ("tasks", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_tasks_assignee_id",
                    ("tasks", "assignee_id"),
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "tasks", "ux_tasks_dedupe", &["dedupe_key"], true).await?;
        index(
            m,
            "tasks",
            "ix_tasks_assignee",
            &["assignee_id", "status", "due_at"],
            false,
        )
        .await?;
        index(m, "tasks", "ix_tasks_due", &["status", "due_at"], false).await?;
        index(m, "tasks", "ix_tasks_ticket", &["ticket_id"], false).await?;
        index(m, "tasks", "ix_tasks_customer", &["customer_id"], false).await?;

        m.create_table(
            Table::create()
                .table("surveys")
                .col(uuid("id"))
                .col(text("kind"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("contact_id"))
                .col(uuid_null("customer_id"))
                .col(uuid_null("agent_id"))
                .col(uuid_null("team_id"))
                .col(text("channel"))
                .col(text("status"))
                .col(timestamp_with_time_zone("send_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(integer_null("score"))
                .col(text_null("comment"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_surveys_ticket_id",
                    ("surveys", "ticket_id"),
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_surveys_contact_id",
                    ("surveys", "contact_id"),
                    "contacts",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "fk_surveys_customer_id",
                    ("surveys", "customer_id"),
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // One CSAT survey per ticket (NPS rows have no ticket; NULLs never collide).
        index(
            m,
            "surveys",
            "ux_surveys_ticket",
            &["ticket_id", "kind"],
            true,
        )
        .await?;
        index(
            m,
            "surveys",
            "ix_surveys_due",
            &["status", "send_at"],
            false,
        )
        .await?;
        index(
            m,
            "surveys",
            "ix_surveys_contact",
            &["contact_id", "kind", "created_at"],
            false,
        )
        .await?;
        index(
            m,
            "surveys",
            "ix_surveys_answered",
            &["kind", "answered_at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["surveys", "tasks"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
