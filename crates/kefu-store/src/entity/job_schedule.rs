//! `job_schedules` table: the last slot each periodic schedule enqueued.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One row of `job_schedules`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "job_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    pub last_slot: i64,
    pub updated_at: DateTimeUtc,
}

/// No relations are declared; joins are written where they are needed.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
