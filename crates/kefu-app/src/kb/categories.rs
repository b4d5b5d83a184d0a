//! Knowledge-base categories: a name, a description, an order, optionally one parent; each
//! listed with how many articles the reader may see in it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::kb::{ArticleState, readable};
use kefu_store::entity::{kb_article, kb_category};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::reader_of;
use crate::{App, AppError, FieldError, require};

/// A category.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    /// Id.
    pub id: Uuid,
    /// Parent category.
    pub parent_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Sort order.
    pub position: i32,
    /// Articles in it the reader may see.
    pub articles: u64,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// What an editor saves.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CategorySave {
    /// Name (1–100 characters).
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Parent.
    #[serde(default)]
    pub parent_id: Option<Uuid>,
    /// Sort order (default 0).
    #[serde(default)]
    pub position: i32,
}

/// Every category in order, with the reader's article counts.
pub async fn list_categories(
    app: &App,
    actor: Option<&Actor>,
) -> Result<Vec<CategoryView>, AppError> {
    let db = app.store.conn();
    let reader = reader_of(actor);
    let states: Vec<&str> = ArticleState::ALL
        .into_iter()
        .filter(|s| readable(*s, reader))
        .map(ArticleState::as_str)
        .collect();
    let counts: HashMap<Uuid, i64> = kb_article::Entity::find()
        .select_only()
        .column(kb_article::Column::CategoryId)
        .column_as(kb_article::Column::Id.count(), "n")
        .filter(kb_article::Column::State.is_in(states))
        .filter(kb_article::Column::CategoryId.is_not_null())
        .group_by(kb_article::Column::CategoryId)
        .into_tuple::<(Option<Uuid>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(c, n)| c.map(|c| (c, n)))
        .collect();
    Ok(kb_category::Entity::find()
        .order_by_asc(kb_category::Column::Position)
        .order_by_asc(kb_category::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(|c| CategoryView {
            articles: counts.get(&c.id).copied().unwrap_or(0) as u64,
            id: c.id,
            parent_id: c.parent_id,
            name: c.name,
            description: c.description,
            position: c.position,
            created_at: c.created_at,
        })
        .collect())
}

async fn check(
    db: &impl ConnectionTrait,
    s: &CategorySave,
    this: Option<Uuid>,
) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let n = s.name.trim().chars().count();
    if n == 0 || n > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    if let Some(p) = s.parent_id {
        if Some(p) == this {
            errors.push(FieldError::new(
                "parent_id",
                "invalid",
                "a category cannot contain itself",
            ));
        } else if kb_category::Entity::find_by_id(p).one(db).await?.is_none() {
            errors.push(FieldError::new(
                "parent_id",
                "not_found",
                "no such category",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

pub(super) async fn insert_category(
    db: &impl ConnectionTrait,
    app: &App,
    s: &CategorySave,
) -> Result<kb_category::Model, AppError> {
    check(db, s, None).await?;
    let now = app.now();
    let m = kb_category::Model {
        id: Uuid::now_v7(),
        parent_id: s.parent_id,
        name: s.name.trim().to_owned(),
        description: s.description.trim().to_owned(),
        position: s.position,
        created_at: now,
        updated_at: now,
    };
    kb_category::Entity::insert(kb_category::ActiveModel::from(m.clone()))
        .exec_without_returning(db)
        .await?;
    Ok(m)
}

fn to_view(c: kb_category::Model) -> CategoryView {
    CategoryView {
        id: c.id,
        parent_id: c.parent_id,
        name: c.name,
        description: c.description,
        position: c.position,
        articles: 0,
        created_at: c.created_at,
    }
}

/// Creates a category (editors).
pub async fn create_category(
    app: &App,
    actor: &Actor,
    s: CategorySave,
) -> Result<CategoryView, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    Ok(to_view(insert_category(app.store.conn(), app, &s).await?))
}

/// Renames, moves or re-describes a category (editors).
pub async fn update_category(
    app: &App,
    actor: &Actor,
    id: Uuid,
    s: CategorySave,
) -> Result<CategoryView, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let db = app.store.conn();
    let c = kb_category::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("category"))?;
    check(db, &s, Some(id)).await?;
    let mut am: kb_category::ActiveModel = c.into();
    am.name = Set(s.name.trim().to_owned());
    am.description = Set(s.description.trim().to_owned());
    am.parent_id = Set(s.parent_id);
    am.position = Set(s.position);
    am.updated_at = Set(app.now());
    let saved = kb_category::Entity::update(am).exec(db).await?;
    Ok(to_view(saved))
}

/// Deletes an empty category (editors); one that still holds articles is refused.
pub async fn delete_category(app: &App, actor: &Actor, id: Uuid) -> Result<(), AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let db = app.store.conn();
    kb_category::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("category"))?;
    let used = kb_article::Entity::find()
        .filter(kb_article::Column::CategoryId.eq(id))
        .one(db)
        .await?
        .is_some();
    if used {
        return Err(AppError::Rule {
            code: "category_not_empty",
            message: "move or archive its articles first".into(),
        });
    }
    kb_category::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
