//! Approvals: a sign-off a ticket needs before a transition (returns, refunds …), with who
//! asked, who decided, the decision and the comment.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Approvals table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_approvals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("approvals")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(text("step"))
                .col(text("to_status"))
                .col(text("approver_role"))
                .col(text("state"))
                .col(uuid_null("requested_by"))
                .col(timestamp_with_time_zone("requested_at"))
                .col(uuid_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(text_null("comment"))
                .col(timestamp_with_time_zone_null("used_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_approvals_ticket_id")
                        .from("approvals", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_approvals_ticket_id")
                .table("approvals")
                .col("ticket_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_approvals_state_requested_at")
                .table("approvals")
                .col("state")
                .col("requested_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("approvals").to_owned())
            .await
    }
}
