//! `kb_articles`: the current version of each article (Markdown), with its counters.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_articles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub category_id: Option<Uuid>,
    pub title: String,
    /// Markdown source.
    pub body: String,
    /// `draft`, `internal`, `public` or `archived`.
    pub state: String,
    /// JSON array of strings.
    pub tags: Json,
    /// JSON array of product ids.
    pub product_ids: Json,
    /// 1 for the first save, +1 per saved change (optimistic concurrency).
    pub version: i32,
    pub review_at: Option<Date>,
    pub views: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub created_by: Option<Uuid>,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
