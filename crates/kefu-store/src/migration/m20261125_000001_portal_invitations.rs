//! Invitations of customer contacts to the portal: a single-use link (stored hashed) that lets
//! the invitee set a password and become a portal user of one customer.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Portal invitations table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261125_000001_portal_invitations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("portal_invitations")
                .col(uuid("id"))
                .col(text("token_hash"))
                .col(uuid("customer_id"))
                .col(text("email"))
                .col(text("name"))
                .col(uuid_null("invited_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(uuid_null("user_id"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_portal_invitations_customer_id")
                        .from("portal_invitations", "customer_id")
                        .to("customers", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_portal_invitations_token_hash")
                .table("portal_invitations")
                .col("token_hash")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_portal_invitations_customer_id")
                .table("portal_invitations")
                .col("customer_id")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("portal_invitations").to_owned())
            .await
    }
}
