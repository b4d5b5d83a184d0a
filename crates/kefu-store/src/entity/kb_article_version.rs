//! `kb_article_versions`: every saved version of an article, who saved it and what changed.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_article_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub article_id: Uuid,
    pub version: i32,
    pub category_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    pub state: String,
    pub tags: Json,
    /// JSON array of the fields changed from the version before (`title`, `body`, `state`…).
    pub changed: Json,
    pub changed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
