//! Saving articles: every save that changes something is a new version (who, when, which
//! fields), written with the article row and an outbox event for the search index in one
//! transaction; a save based on an older version is refused.

use chrono::NaiveDate;
use kefu_domain::access::{Actor, Permission};
use kefu_domain::kb::{
    ArticleInput, ArticleState, VersionParts, changed_fields, normalize_tags, validate,
};
use kefu_store::entity::{kb_article, kb_article_version, kb_category, product};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{ArticleView, strings, uuids};
use crate::{App, AppError, FieldError, require};

/// What an editor saves.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ArticleSave {
    /// Title (1–200 characters).
    pub title: String,
    /// Markdown.
    #[serde(default)]
    pub body: String,
    /// `draft` (default), `internal`, `public`, `archived`.
    #[serde(default)]
    pub state: Option<String>,
    /// Category.
    #[serde(default)]
    pub category_id: Option<Uuid>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Related products.
    #[serde(default)]
    pub product_ids: Vec<Uuid>,
    /// Next review date.
    #[serde(default)]
    pub review_at: Option<NaiveDate>,
    /// The version this edit is based on (required when updating).
    #[serde(default)]
    pub version: Option<i32>,
}

struct Checked {
    title: String,
    body: String,
    state: ArticleState,
    tags: Vec<String>,
}

async fn check(db: &impl ConnectionTrait, s: &ArticleSave) -> Result<Checked, AppError> {
    let mut errors = Vec::new();
    let st = s.state.as_deref().unwrap_or("draft");
    let state = ArticleState::parse(st).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "state",
            "invalid",
            format!("`{st}` is not one of draft, internal, public, archived"),
        ));
        ArticleState::Draft
    });
    let input = ArticleInput {
        title: s.title.clone(),
        body: s.body.clone(),
        state,
        tags: s.tags.clone(),
    };
    for v in validate(&input) {
        errors.push(FieldError::new(v.field, v.code, v.message));
    }
    if let Some(c) = s.category_id
        && kb_category::Entity::find_by_id(c).one(db).await?.is_none()
    {
        errors.push(FieldError::new(
            "category_id",
            "not_found",
            "no such category",
        ));
    }
    if !s.product_ids.is_empty() {
        let found = product::Entity::find()
            .filter(product::Column::Id.is_in(s.product_ids.clone()))
            .count(db)
            .await?;
        let distinct: std::collections::BTreeSet<_> = s.product_ids.iter().collect();
        if found != distinct.len() as u64 {
            errors.push(FieldError::new(
                "product_ids",
                "not_found",
                "unknown product",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(Checked {
        title: s.title.trim().to_owned(),
        body: s.body.clone(),
        state,
        tags: normalize_tags(&s.tags),
    })
}

fn product_json(ids: &[Uuid]) -> serde_json::Value {
    let mut v: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    v.dedup();
    json!(v)
}

async fn announce(
    db: &impl ConnectionTrait,
    id: Uuid,
    what: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    crate::outbox::announce(
        db,
        &format!("article.{what}"),
        id,
        json!({"article_id": id}),
        now,
    )
    .await
}

async fn insert_version(
    db: &impl ConnectionTrait,
    a: &kb_article::Model,
    changed: &[&str],
    by: Option<Uuid>,
) -> Result<(), AppError> {
    kb_article_version::Entity::insert(kb_article_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        article_id: Set(a.id),
        version: Set(a.version),
        category_id: Set(a.category_id),
        title: Set(a.title.clone()),
        body: Set(a.body.clone()),
        state: Set(a.state.clone()),
        tags: Set(a.tags.clone()),
        changed: Set(json!(changed)),
        changed_by: Set(by),
        created_at: Set(a.updated_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Creates an article (editors). `id` may be given (imports keep ids across installations).
pub async fn create_article(
    app: &App,
    actor: &Actor,
    s: ArticleSave,
) -> Result<ArticleView, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let tx = app.store.begin().await?;
    let a = insert_article(&tx, app, actor, Uuid::now_v7(), &s).await?;
    tx.commit().await?;
    Ok(super::view(a, Vec::new(), super::today(app)))
}

pub(super) async fn insert_article(
    db: &impl ConnectionTrait,
    app: &App,
    actor: &Actor,
    id: Uuid,
    s: &ArticleSave,
) -> Result<kb_article::Model, AppError> {
    let c = check(db, s).await?;
    let now = app.now();
    let m = kb_article::Model {
        id,
        category_id: s.category_id,
        title: c.title,
        body: c.body,
        state: c.state.as_str().to_owned(),
        tags: json!(c.tags),
        product_ids: product_json(&s.product_ids),
        version: 1,
        review_at: s.review_at,
        views: 0,
        helpful_yes: 0,
        helpful_no: 0,
        created_by: actor.user_ref(),
        updated_by: actor.user_ref(),
        created_at: now,
        updated_at: now,
        published_at: c.state.is_published().then_some(now),
    };
    kb_article::Entity::insert(kb_article::ActiveModel::from(m.clone()))
        .exec_without_returning(db)
        .await?;
    insert_version(db, &m, &["created"], actor.user_ref()).await?;
    announce(db, id, "created", now).await?;
    Ok(m)
}

/// Saves a change (editors). Unchanged saves write nothing; a save based on an older version
/// is refused with `stale_version`.
pub async fn update_article(
    app: &App,
    actor: &Actor,
    id: Uuid,
    s: ArticleSave,
) -> Result<ArticleView, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let Some(expected) = s.version else {
        return Err(AppError::invalid(
            "version",
            "required",
            "send the version you edited",
        ));
    };
    let tx = app.store.begin().await?;
    let a = save_over(&tx, app, actor, id, &s, Some(expected)).await?;
    tx.commit().await?;
    let files = super::files::files_of(app.store.conn(), id).await?;
    Ok(super::view(a, files, super::today(app)))
}

pub(super) async fn save_over(
    db: &impl ConnectionTrait,
    app: &App,
    actor: &Actor,
    id: Uuid,
    s: &ArticleSave,
    expected: Option<i32>,
) -> Result<kb_article::Model, AppError> {
    let old = kb_article::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("article"))?;
    if expected.is_some_and(|v| v != old.version) {
        return Err(stale());
    }
    let c = check(db, s).await?;
    let old_tags = strings(&old.tags);
    let old_products: Vec<String> = uuids(&old.product_ids)
        .iter()
        .map(Uuid::to_string)
        .collect();
    let new_products: Vec<String> = {
        let mut v: Vec<String> = s.product_ids.iter().map(Uuid::to_string).collect();
        v.dedup();
        v
    };
    let changed = changed_fields(
        &VersionParts {
            title: &old.title,
            body: &old.body,
            state: &old.state,
            category: old.category_id.map(|c| c.to_string()).unwrap_or_default(),
            tags: &old_tags,
            products: old_products,
            review_at: old.review_at,
        },
        &VersionParts {
            title: &c.title,
            body: &c.body,
            state: c.state.as_str(),
            category: s.category_id.map(|c| c.to_string()).unwrap_or_default(),
            tags: &c.tags,
            products: new_products,
            review_at: s.review_at,
        },
    );
    if changed.is_empty() {
        return Ok(old);
    }
    let now = app.now();
    let new = kb_article::Model {
        category_id: s.category_id,
        title: c.title,
        body: c.body,
        state: c.state.as_str().to_owned(),
        tags: json!(c.tags),
        product_ids: product_json(&s.product_ids),
        version: old.version + 1,
        review_at: s.review_at,
        updated_by: actor.user_ref(),
        updated_at: now,
        published_at: old.published_at.or(c.state.is_published().then_some(now)),
        ..old.clone()
    };
    let am = kb_article::ActiveModel {
        category_id: Set(new.category_id),
        title: Set(new.title.clone()),
        body: Set(new.body.clone()),
        state: Set(new.state.clone()),
        tags: Set(new.tags.clone()),
        product_ids: Set(new.product_ids.clone()),
        version: Set(new.version),
        review_at: Set(new.review_at),
        updated_by: Set(new.updated_by),
        updated_at: Set(new.updated_at),
        published_at: Set(new.published_at),
        ..Default::default()
    };
    let res = kb_article::Entity::update_many()
        .set(am)
        .filter(kb_article::Column::Id.eq(id))
        .filter(kb_article::Column::Version.eq(old.version))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Err(stale());
    }
    insert_version(db, &new, &changed, actor.user_ref()).await?;
    announce(db, id, "updated", now).await?;
    Ok(new)
}

fn stale() -> AppError {
    AppError::Conflict {
        code: "stale_version",
        message: "the article was changed by someone else; reload it".into(),
    }
}

/// Makes an old version current again, as a new version (editors).
pub async fn restore_version(
    app: &App,
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> Result<ArticleView, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    let db = app.store.conn();
    let old = kb_article_version::Entity::find()
        .filter(kb_article_version::Column::ArticleId.eq(id))
        .filter(kb_article_version::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("version"))?;
    let current = kb_article::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("article"))?;
    let s = ArticleSave {
        title: old.title,
        body: old.body,
        state: Some(old.state),
        category_id: match old.category_id {
            Some(c) if kb_category::Entity::find_by_id(c).one(db).await?.is_some() => Some(c),
            _ => None,
        },
        tags: strings(&old.tags),
        product_ids: uuids(&current.product_ids),
        review_at: current.review_at,
        version: Some(current.version),
    };
    update_article(app, actor, id, s).await
}
