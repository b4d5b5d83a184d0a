//! `bot_answers`: what the self-service bot answered (or that it handed over), for review.

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `chat` or `portal`.
    pub channel: String,
    pub question: String,
    /// The article quoted; none when the bot was unsure.
    pub article_id: Option<Uuid>,
    /// Relevance of the best article (BM25, normalised 0–1).
    pub score: f64,
    /// `answered`, `unsure` (handed over), `handover` (asked for a person), `helpful`,
    /// `not_helpful`.
    pub outcome: String,
    pub chat_session_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
