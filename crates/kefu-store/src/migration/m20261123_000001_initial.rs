//! The first schema: parties, installed base, configuration, tickets and their events, auth.
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Initial schema.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_initial"
    }
}

fn fk(
    table: &'static str,
    col: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(table, col)
        .to(to, "id")
        .on_delete(on_delete)
        .to_owned()
}

fn index(table: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(format!("ix_{table}_{}", cols.join("_")))
        .table(table);
    for c in cols {
        i.col(*c);
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // users
        m.create_table(
            Table::create()
                .table("users")
                .col(uuid("id"))
                .col(text_uniq("email"))
                .col(text("name"))
                .col(text("role"))
                .col(text("password_hash"))
                .col(uuid_null("customer_id"))
                .col(text_null("phone"))
                .col(text("locale"))
                .col(text("time_zone"))
                .col(json_binary("skills"))
                .col(text_null("region"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        // teams
        m.create_table(
            Table::create()
                .table("teams")
                .col(uuid("id"))
                .col(text_uniq("name"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        // team_members
        m.create_table(
            Table::create()
                .table("team_members")
                .col(uuid("team_id"))
                .col(uuid("user_id"))
                .primary_key(Index::create().col("team_id").col("user_id"))
                .foreign_key(&mut fk(
                    "team_members",
                    "team_id",
                    "teams",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "team_members",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // customers
        m.create_table(
            Table::create()
                .table("customers")
                .col(uuid("id"))
                .col(text("kind"))
                .col(text("name"))
                .col(text_null("code").unique_key().to_owned())
                .col(text("tier"))
                .col(text("lifecycle"))
                .col(uuid_null("owner_id"))
                .col(text_null("region"))
                .col(text_null("address"))
                .col(text_null("phone"))
                .col(text_null("email"))
                .col(json_binary("tags"))
                .col(json_binary("custom_fields"))
                .col(text_null("notes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        // contacts
        m.create_table(
            Table::create()
                .table("contacts")
                .col(uuid("id"))
                .col(uuid("customer_id"))
                .col(text("name"))
                .col(text_null("email"))
                .col(text_null("phone"))
                .col(text_null("wechat_openid"))
                .col(text_null("title"))
                .col(boolean("is_primary"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "contacts",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // products
        m.create_table(
            Table::create()
                .table("products")
                .col(uuid("id"))
                .col(text_uniq("code"))
                .col(text("name"))
                .col(text_null("category"))
                .col(integer("warranty_months"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        // assets
        m.create_table(
            Table::create()
                .table("assets")
                .col(uuid("id"))
                .col(uuid("customer_id"))
                .col(uuid_null("product_id"))
                .col(text("product_name"))
                .col(text_uniq("serial_number"))
                .col(date_null("install_date"))
                .col(date_null("warranty_end"))
                .col(date_null("contract_end"))
                .col(text_null("site_address"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "assets",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "assets",
                    "product_id",
                    "products",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;

        // orders
        m.create_table(
            Table::create()
                .table("orders")
                .col(uuid("id"))
                .col(uuid("customer_id"))
                .col(text_uniq("order_no"))
                .col(date("order_date"))
                .col(text("status"))
                .col(text("currency"))
                .col(big_integer("total_cents"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "orders",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        // order_lines
        m.create_table(
            Table::create()
                .table("order_lines")
                .col(uuid("id"))
                .col(uuid("order_id"))
                .col(integer("line_no"))
                .col(uuid_null("product_id"))
                .col(text("description"))
                .col(integer("quantity"))
                .col(big_integer("unit_price_cents"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "order_lines",
                    "order_id",
                    "orders",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // calendars
        m.create_table(
            Table::create()
                .table("calendars")
                .col(uuid("id"))
                .col(text_uniq("name"))
                .col(json_binary("definition"))
                .col(boolean("is_default"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        // sla_policies
        m.create_table(
            Table::create()
                .table("sla_policies")
                .col(uuid("id"))
                .col(text_uniq("name"))
                .col(uuid("calendar_id"))
                .col(json_binary("definition"))
                .col(boolean("is_default"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "sla_policies",
                    "calendar_id",
                    "calendars",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        // ticket_types
        m.create_table(
            Table::create()
                .table("ticket_types")
                .col(text("code"))
                .col(text("name_zh"))
                .col(text("name_en"))
                .col(json_binary("fields"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("code"))
                .to_owned(),
        )
        .await?;

        // settings
        m.create_table(
            Table::create()
                .table("settings")
                .col(text("key"))
                .col(json_binary("value"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("key"))
                .to_owned(),
        )
        .await?;

        // ticket_counters
        m.create_table(
            Table::create()
                .table("ticket_counters")
                .col(text("period"))
                .col(big_integer("last_seq"))
                .primary_key(Index::create().col("period"))
                .to_owned(),
        )
        .await?;

        // tickets
        m.create_table(
            Table::create()
                .table("tickets")
                .col(uuid("id"))
                .col(text_uniq("number"))
                .col(text("kind"))
                .col(text("channel"))
                .col(text("priority"))
                .col(text("status"))
                .col(text("subject"))
                .col(uuid_null("customer_id"))
                .col(uuid_null("contact_id"))
                .col(uuid_null("asset_id"))
                .col(uuid_null("order_id"))
                .col(uuid_null("team_id"))
                .col(uuid_null("assignee_id"))
                .col(uuid_null("sla_policy_id"))
                .col(timestamp_with_time_zone_null("first_response_due_at"))
                .col(timestamp_with_time_zone_null("resolution_due_at"))
                .col(timestamp_with_time_zone_null("first_responded_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(timestamp_with_time_zone_null("sla_paused_since"))
                .col(json_binary("tags"))
                .col(json_binary("custom_fields"))
                .col(uuid_null("parent_id"))
                .col(uuid_null("merged_into_id"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "tickets",
                    "customer_id",
                    "customers",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "tickets",
                    "contact_id",
                    "contacts",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "tickets",
                    "asset_id",
                    "assets",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "tickets",
                    "order_id",
                    "orders",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "tickets",
                    "team_id",
                    "teams",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "tickets",
                    "assignee_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "tickets",
                    "sla_policy_id",
                    "sla_policies",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;

        // ticket_events
        m.create_table(
            Table::create()
                .table("ticket_events")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(text("kind"))
                .col(uuid_null("actor_id"))
                .col(boolean("public"))
                .col(json_binary("data"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "ticket_events",
                    "ticket_id",
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // attachments
        m.create_table(
            Table::create()
                .table("attachments")
                .col(uuid("id"))
                .col(uuid("ticket_id"))
                .col(uuid_null("event_id"))
                .col(text("file_name"))
                .col(text("content_type"))
                .col(big_integer("size"))
                .col(text("sha256"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "attachments",
                    "ticket_id",
                    "tickets",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // api_tokens
        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(uuid("id"))
                .col(uuid("user_id"))
                .col(text("name"))
                .col(text_uniq("token_hash"))
                .col(text("prefix"))
                .col(json_binary("scopes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "api_tokens",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // sessions
        m.create_table(
            Table::create()
                .table("sessions")
                .col(text("id_hash"))
                .col(uuid("user_id"))
                .col(text("csrf_token"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .primary_key(Index::create().col("id_hash"))
                .foreign_key(&mut fk(
                    "sessions",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // audit_log
        m.create_table(
            Table::create()
                .table("audit_log")
                .col(uuid("id"))
                .col(uuid_null("actor_id"))
                .col(text("action"))
                .col(text("target_type"))
                .col(text_null("target_id"))
                .col(json_binary("detail"))
                .col(text_null("ip"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        // idempotency_keys
        m.create_table(
            Table::create()
                .table("idempotency_keys")
                .col(text("key"))
                .col(uuid("user_id"))
                .col(text("request_hash"))
                .col(integer("status"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("key").col("user_id"))
                .to_owned(),
        )
        .await?;

        // outbox
        m.create_table(
            Table::create()
                .table("outbox")
                .col(uuid("id"))
                .col(text("topic"))
                .col(uuid_null("aggregate_id"))
                .col(json_binary("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("processed_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;

        for (table, cols) in [
            ("contacts", &["customer_id"][..]),
            ("contacts", &["email"][..]),
            ("contacts", &["phone"][..]),
            ("assets", &["customer_id"][..]),
            ("orders", &["customer_id"][..]),
            ("order_lines", &["order_id"][..]),
            ("customers", &["name"][..]),
            ("tickets", &["created_at", "id"][..]),
            ("tickets", &["status", "created_at"][..]),
            ("tickets", &["customer_id", "created_at"][..]),
            ("tickets", &["assignee_id", "status"][..]),
            ("tickets", &["team_id", "status"][..]),
            ("tickets", &["first_response_due_at"][..]),
            ("tickets", &["resolution_due_at"][..]),
            ("ticket_events", &["ticket_id", "created_at"][..]),
            ("attachments", &["ticket_id"][..]),
            ("attachments", &["sha256"][..]),
            ("api_tokens", &["user_id"][..]),
            ("sessions", &["user_id"][..]),
            ("audit_log", &["created_at"][..]),
            ("outbox", &["processed_at", "created_at"][..]),
        ] {
            m.create_index(index(table, cols)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "outbox",
            "idempotency_keys",
            "audit_log",
            "sessions",
            "api_tokens",
            "attachments",
            "ticket_events",
            "tickets",
            "ticket_counters",
            "settings",
            "ticket_types",
            "sla_policies",
            "calendars",
            "order_lines",
            "orders",
            "assets",
            "products",
            "contacts",
            "customers",
            "team_members",
            "teams",
            "users",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
