//! Mail messages in and out: one row per message, keyed by its Message-ID (so a message
//! fetched twice is stored once), with the ticket it landed on, what became of it and where
//! its raw bytes are kept (content-addressed file).
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Mail messages table.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261128_000001_mail_messages"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("mail_messages")
                .col(uuid("id"))
                .col(text("message_id"))
                .col(text("direction"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("event_id"))
                .col(text_null("mailbox"))
                .col(text_null("from_email"))
                .col(text("subject"))
                .col(text("status"))
                .col(text_null("reason"))
                .col(text_null("raw_sha256"))
                .col(big_integer("size"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_mail_messages_ticket_id")
                        .from("mail_messages", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_mail_messages_message_id")
                .table("mail_messages")
                .col("message_id")
                .unique()
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_mail_messages_ticket_id", &["ticket_id"][..]),
            (
                "ix_mail_messages_status_created_at",
                &["status", "created_at"][..],
            ),
            (
                "ix_mail_messages_from_email_created_at",
                &["from_email", "created_at"][..],
            ),
        ] {
            let mut i = Index::create();
            i.name(name).table("mail_messages");
            for c in cols {
                i.col(*c);
            }
            m.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("mail_messages").to_owned())
            .await
    }
}
