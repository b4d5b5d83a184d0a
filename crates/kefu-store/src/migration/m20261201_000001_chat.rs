//! Web chat: a session per visitor conversation (waiting → active → ended), its messages in
//! order, and which agents are taking chats. Messages are written before they are shown, so
//! nothing a visitor or agent sent is lost when a connection or a server drops.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Chat tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000001_chat"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("chat_sessions")
                .col(uuid("id"))
                .col(text("token_hash"))
                .col(text("status"))
                .col(text("visitor_name"))
                .col(text_null("visitor_email"))
                .col(text_null("visitor_phone"))
                .col(text("locale"))
                .col(text_null("page_url"))
                .col(uuid_null("customer_id"))
                .col(uuid_null("contact_id"))
                .col(uuid_null("agent_id"))
                .col(uuid_null("ticket_id"))
                .col(integer("last_seq"))
                .col(text_null("ended_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone_null("ended_at"))
                .col(timestamp_with_time_zone("visitor_seen_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_sessions_ticket_id")
                        .from("chat_sessions", "ticket_id")
                        .to("tickets", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_sessions_agent_id")
                        .from("chat_sessions", "agent_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        for (name, cols, unique) in [
            ("ux_chat_sessions_token_hash", &["token_hash"][..], true),
            (
                "ix_chat_sessions_status_created_at",
                &["status", "created_at"][..],
                false,
            ),
            ("ix_chat_sessions_updated_at", &["updated_at"][..], false),
        ] {
            let mut idx = Index::create();
            idx.name(name).table("chat_sessions");
            for c in cols {
                idx.col(*c);
            }
            if unique {
                idx.unique();
            }
            m.create_index(idx.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("chat_messages")
                .col(uuid("id"))
                .col(uuid("session_id"))
                .col(integer("seq"))
                .col(text("sender"))
                .col(uuid_null("user_id"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_messages_session_id")
                        .from("chat_messages", "session_id")
                        .to("chat_sessions", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_chat_messages_session_id_seq")
                .table("chat_messages")
                .col("session_id")
                .col("seq")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("chat_presence")
                .col(uuid("user_id"))
                .col(boolean("available"))
                .col(timestamp_with_time_zone("seen_at"))
                .primary_key(Index::create().col("user_id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_chat_presence_user_id")
                        .from("chat_presence", "user_id")
                        .to("users", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["chat_presence", "chat_messages", "chat_sessions"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
