//! `kb_deflections`: a suggested article a customer opened while about to file (portal form,
//! chat). `outcome` is `viewed` (read, did not file), `solved` (said it answered them) or
//! `filed` (filed anyway: `ticket_id`).

use sea_orm::entity::prelude::*;

#[allow(missing_docs)]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kb_deflections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub article_id: Uuid,
    /// `portal`, `chat`, `help`, `bot`.
    pub channel: String,
    pub query: String,
    pub outcome: String,
    pub customer_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub ticket_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
