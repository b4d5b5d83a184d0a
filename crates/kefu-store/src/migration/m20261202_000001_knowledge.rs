//! Knowledge base: categories, articles (Markdown, draft / internal / public / archived) with
//! every saved version, their files, "was this helpful" votes, and deflections (a customer read
//! a suggested article instead of filing).
//!
//! Never edit this file once merged; add a new migration instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Knowledge-base tables.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_knowledge"
    }
}

fn fk(
    name: &'static str,
    from: (&'static str, &'static str),
    to: &'static str,
    action: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to, "id")
        .on_delete(action)
        .to_owned()
}

async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut idx = Index::create();
    idx.name(name).table(table);
    for c in cols {
        idx.col(*c);
    }
    if unique {
        idx.unique();
    }
    m.create_index(idx.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kb_categories")
                .col(uuid("id"))
                .col(uuid_null("parent_id"))
                .col(text("name"))
                .col(text("description"))
                .col(integer("position"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_kb_categories_parent_id",
                    ("kb_categories", "parent_id"),
                    "kb_categories",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kb_articles")
                .col(uuid("id"))
                .col(uuid_null("category_id"))
                .col(text("title"))
                .col(text("body"))
                .col(text("state"))
                .col(json_binary("tags"))
                .col(json_binary("product_ids"))
                .col(integer("version"))
                .col(date_null("review_at"))
                .col(big_integer("views"))
                .col(big_integer("helpful_yes"))
                .col(big_integer("helpful_no"))
                .col(uuid_null("created_by"))
                .col(uuid_null("updated_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_kb_articles_category_id",
                    ("kb_articles", "category_id"),
                    "kb_categories",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "kb_articles",
            "ix_kb_articles_state_updated_at",
            &["state", "updated_at"],
            false,
        )
        .await?;
        index(
            m,
            "kb_articles",
            "ix_kb_articles_category_id",
            &["category_id"],
            false,
        )
        .await?;
        index(
            m,
            "kb_articles",
            "ix_kb_articles_review_at",
            &["review_at"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kb_article_versions")
                .col(uuid("id"))
                .col(uuid("article_id"))
                .col(integer("version"))
                .col(uuid_null("category_id"))
                .col(text("title"))
                .col(text("body"))
                .col(text("state"))
                .col(json_binary("tags"))
                .col(json_binary("changed"))
                .col(uuid_null("changed_by"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_kb_article_versions_article_id",
                    ("kb_article_versions", "article_id"),
                    "kb_articles",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "kb_article_versions",
            "ux_kb_article_versions_article_version",
            &["article_id", "version"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kb_attachments")
                .col(uuid("id"))
                .col(uuid("article_id"))
                .col(text("file_name"))
                .col(text("content_type"))
                .col(big_integer("size"))
                .col(text("sha256"))
                .col(uuid_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_kb_attachments_article_id",
                    ("kb_attachments", "article_id"),
                    "kb_articles",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "kb_attachments",
            "ix_kb_attachments_article_id",
            &["article_id"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kb_feedback")
                .col(uuid("id"))
                .col(uuid("article_id"))
                .col(boolean("helpful"))
                .col(text_null("comment"))
                .col(text("voter"))
                .col(uuid_null("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_kb_feedback_article_id",
                    ("kb_feedback", "article_id"),
                    "kb_articles",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "kb_feedback",
            "ux_kb_feedback_article_voter",
            &["article_id", "voter"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kb_deflections")
                .col(uuid("id"))
                .col(uuid("article_id"))
                .col(text("channel"))
                .col(text("query"))
                .col(text("outcome"))
                .col(uuid_null("customer_id"))
                .col(uuid_null("user_id"))
                .col(uuid_null("ticket_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("id"))
                .foreign_key(&mut fk(
                    "fk_kb_deflections_article_id",
                    ("kb_deflections", "article_id"),
                    "kb_articles",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "kb_deflections",
            "ix_kb_deflections_article_id",
            &["article_id", "outcome"],
            false,
        )
        .await?;
        index(
            m,
            "kb_deflections",
            "ix_kb_deflections_created_at",
            &["created_at"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("bot_answers")
                .col(uuid("id"))
                .col(text("channel"))
                .col(text("question"))
                .col(uuid_null("article_id"))
                .col(double("score"))
                .col(text("outcome"))
                .col(uuid_null("chat_session_id"))
                .col(uuid_null("customer_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("id"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "bot_answers",
            "ix_bot_answers_created_at",
            &["created_at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "bot_answers",
            "kb_deflections",
            "kb_feedback",
            "kb_attachments",
            "kb_article_versions",
            "kb_articles",
            "kb_categories",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
