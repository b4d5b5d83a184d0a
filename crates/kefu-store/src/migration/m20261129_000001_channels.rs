//! Channels: outbound mail columns on `mail_messages`, IMAP `mailboxes`, staff
//! `notifications`, group-bot `bot_channels` and the phone `calls` log.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Channels tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000001_channels"
    }
}

async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    name: &str,
    cols: &[&'static str],
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(*c);
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one ALTER per column.
        for col in [
            text_null("to_email"),
            integer("attempts").default(0).to_owned(),
            timestamp_with_time_zone_null("sent_at"),
            text_null("purpose"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("mail_messages")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table("mailboxes")
                .col(uuid("id"))
                .col(text("name"))
                .col(text("host"))
                .col(integer("port"))
                .col(text("security"))
                .col(text("username"))
                .col(text("password"))
                .col(text("folder"))
                .col(integer("poll_seconds"))
                .col(boolean("enabled"))
                .col(big_integer_null("uid_validity"))
                .col(big_integer("last_uid"))
                .col(timestamp_with_time_zone_null("last_polled_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_mailboxes_name")
                .table("mailboxes")
                .col("name")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("notifications")
                .col(uuid("id"))
                .col(uuid("user_id"))
                .col(text("kind"))
                .col(uuid_null("ticket_id"))
                .col(text("title"))
                .col(text("body"))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notifications_user_id")
                        .from("notifications", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notifications_ticket_id")
                        .from("notifications", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "notifications",
            "ix_notifications_user_id_id",
            &["user_id", "id"],
        )
        .await?;
        index(
            m,
            "notifications",
            "ix_notifications_user_id_read_at",
            &["user_id", "read_at"],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("bot_channels")
                .col(uuid("id"))
                .col(text("name"))
                .col(text("kind"))
                .col(text("url"))
                .col(text_null("secret"))
                .col(json_binary("events"))
                .col(boolean("enabled"))
                .col(text_null("last_status"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("last_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("calls")
                .col(uuid("id"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("customer_id"))
                .col(uuid_null("contact_id"))
                .col(uuid_null("user_id"))
                .col(text("direction"))
                .col(text("number"))
                .col(integer("duration_seconds"))
                .col(text("notes"))
                .col(text_null("external_id"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_calls_ticket_id")
                        .from("calls", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_calls_customer_id")
                        .from("calls", "customer_id")
                        .to("customers", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        index(m, "calls", "ix_calls_ticket_id", &["ticket_id"]).await?;
        index(
            m,
            "calls",
            "ix_calls_customer_id_started_at",
            &["customer_id", "started_at"],
        )
        .await?;
        index(m, "calls", "ix_calls_number", &["number"]).await?;
        m.create_index(
            Index::create()
                .name("ux_calls_external_id")
                .table("calls")
                .col("external_id")
                .unique()
                .to_owned(),
        )
        .await?;
        // Nothing read the outbox before this release: what is there is history, not news.
        // Without this, the first dispatcher run would mail customers about old events.
        m.get_connection()
            .execute_unprepared(
                "UPDATE outbox SET processed_at = created_at WHERE processed_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["calls", "bot_channels", "notifications", "mailboxes"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        for c in ["purpose", "sent_at", "attempts", "to_email"] {
            m.alter_table(
                Table::alter()
                    .table("mail_messages")
                    .drop_column(c)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
