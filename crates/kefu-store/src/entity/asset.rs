//! `assets` table.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of `assets`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub product_id: Option<Uuid>,
    pub product_name: String,
    #[sea_orm(unique)]
    pub serial_number: String,
    pub install_date: Option<Date>,
    pub warranty_end: Option<Date>,
    pub contract_end: Option<Date>,
    pub site_address: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared; joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
