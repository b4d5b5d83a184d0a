//! Reading articles with the reader's rights: one article (counting the view), lists with
//! filters, and the version history.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::kb::{ArticleState, Reader, readable};
use kefu_store::entity::{kb_article, kb_article_version, product};
use kefu_store::sea_orm::sea_query::{Expr, ExprTrait};
use kefu_store::sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ArticleSummary, ArticleView, reader_of, strings};
use crate::{App, AppError, require};

fn states_for(reader: Reader) -> Vec<&'static str> {
    ArticleState::ALL
        .into_iter()
        .filter(|s| readable(*s, reader))
        .map(ArticleState::as_str)
        .collect()
}

/// The article row if `actor` may read it (`None`: an anonymous visitor); otherwise "not
/// found". For rights checks: nothing is rendered or counted.
pub(super) async fn readable_row(
    db: &impl ConnectionTrait,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<kb_article::Model, AppError> {
    let reader = reader_of(actor);
    kb_article::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|a| ArticleState::parse(&a.state).is_some_and(|s| readable(s, reader)))
        .ok_or(AppError::NotFound("article"))
}

/// Adds one to an article's views.
pub(super) async fn count_view(db: &impl ConnectionTrait, id: Uuid) -> Result<(), AppError> {
    kb_article::Entity::update_many()
        .col_expr(
            kb_article::Column::Views,
            Expr::col(kb_article::Column::Views).add(1),
        )
        .filter(kb_article::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// One article the actor may read (`None`: an anonymous visitor), rendered, with its files;
/// `count_view` adds one to its views. Articles the reader may not see are "not found".
pub async fn get_article(
    app: &App,
    actor: Option<&Actor>,
    id: Uuid,
    count_view: bool,
) -> Result<ArticleView, AppError> {
    let db = app.store.conn();
    let mut a = readable_row(db, actor, id).await?;
    if count_view {
        self::count_view(db, id).await?;
        a.views += 1;
    }
    let files = super::files::files_of(db, id).await?;
    Ok(super::view(a, files, super::today(app)))
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilter {
    /// Only this state (editors may list drafts and archived articles).
    pub state: Option<String>,
    /// Only this category.
    pub category_id: Option<Uuid>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Words in the title.
    pub q: Option<String>,
    /// Only articles due for review.
    #[serde(default)]
    pub review_due: bool,
    /// Page size (default 50, at most 200).
    pub limit: Option<u64>,
    /// Articles to skip.
    pub offset: Option<u64>,
}

/// A page of articles.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArticlePage {
    /// Articles, most recently saved first.
    pub items: Vec<ArticleSummary>,
    /// All that match.
    pub total: u64,
}

/// Articles the actor may read, most recently saved first.
pub async fn list_articles(
    app: &App,
    actor: Option<&Actor>,
    f: ArticleFilter,
) -> Result<ArticlePage, AppError> {
    let db = app.store.conn();
    let reader = reader_of(actor);
    let mut allowed = states_for(reader);
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        allowed.retain(|x| *x == s);
    }
    let mut q = kb_article::Entity::find().filter(kb_article::Column::State.is_in(allowed));
    if let Some(c) = f.category_id {
        q = q.filter(kb_article::Column::CategoryId.eq(c));
    }
    if let Some(words) = f.q.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        let mut all = Condition::all();
        for w in words.split_whitespace().take(5) {
            all = all.add(kb_article::Column::Title.contains(w));
        }
        q = q.filter(all);
    }
    let today = super::today(app);
    if f.review_due {
        q = q
            .filter(kb_article::Column::ReviewAt.lte(today))
            .filter(kb_article::Column::State.ne("archived"));
    }
    let tag = f.tag.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let limit = f.limit.unwrap_or(50).clamp(1, 200);
    let offset = f.offset.unwrap_or(0);
    let q = q.order_by_desc(kb_article::Column::UpdatedAt);
    if let Some(tag) = tag {
        // Tags are a JSON list; filtering in Rust keeps one query for both databases (the
        // knowledge base is thousands of articles, not millions).
        let all: Vec<kb_article::Model> = q.all(db).await?;
        let matching: Vec<kb_article::Model> = all
            .into_iter()
            .filter(|a| strings(&a.tags).iter().any(|t| t.eq_ignore_ascii_case(tag)))
            .collect();
        let total = matching.len() as u64;
        let items = matching
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|a| super::summary(a, today))
            .collect();
        return Ok(ArticlePage { items, total });
    }
    let total = q.clone().count(db).await?;
    let items = q
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(|a| super::summary(a, today))
        .collect();
    Ok(ArticlePage { items, total })
}

/// One saved version.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionView {
    /// Version number.
    pub version: i32,
    /// Title then.
    pub title: String,
    /// Markdown then.
    pub body: String,
    /// State then.
    pub state: String,
    /// Category then.
    pub category_id: Option<Uuid>,
    /// Tags then.
    pub tags: Vec<String>,
    /// Fields changed by this save (`created` for the first).
    pub changed: Vec<String>,
    /// Who saved it.
    pub changed_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Every version of an article, newest first (staff who may read the article).
pub async fn article_versions(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> Result<Vec<VersionView>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::NotFound("article"));
    }
    readable_row(app.store.conn(), Some(actor), id).await?;
    Ok(kb_article_version::Entity::find()
        .filter(kb_article_version::Column::ArticleId.eq(id))
        .order_by_desc(kb_article_version::Column::Version)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|v| VersionView {
            version: v.version,
            title: v.title,
            body: v.body,
            state: v.state,
            category_id: v.category_id,
            tags: strings(&v.tags),
            changed: strings(&v.changed),
            changed_by: v.changed_by,
            created_at: v.created_at,
        })
        .collect())
}

/// A product an article may be about (the editor's picker).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductChoice {
    /// Id.
    pub id: Uuid,
    /// Product code (model).
    pub code: String,
    /// Name.
    pub name: String,
}

/// Most products the editor's picker lists.
const PRODUCT_CHOICES: u64 = 1000;

/// Products to relate articles to, by code (editors), at most [`PRODUCT_CHOICES`].
pub async fn product_choices(app: &App, actor: &Actor) -> Result<Vec<ProductChoice>, AppError> {
    require(actor, Permission::KnowledgeManage)?;
    Ok(product::Entity::find()
        .order_by_asc(product::Column::Code)
        .limit(PRODUCT_CHOICES)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|p| ProductChoice {
            id: p.id,
            code: p.code,
            name: p.name,
        })
        .collect())
}
