//! The knowledge base: categories and Markdown articles with their versions, files, votes and
//! counters; who may read what (editors everything, staff published articles, everyone else
//! public ones); import and export as Markdown; suggestions for agents and customers; and the
//! self-service bot that answers from public articles.

mod articles;
pub mod bot;
mod categories;
mod feedback;
mod files;
mod io;
mod read;
pub mod render;
mod suggest;

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::kb::Reader;
use kefu_store::entity::kb_article;
use serde::Serialize;
use uuid::Uuid;

pub use articles::{ArticleSave, create_article, restore_version, update_article};
pub use categories::{
    CategorySave, CategoryView, create_category, delete_category, list_categories, update_category,
};
pub use feedback::{
    DeflectionStats, VoteOutcome, deflection_stats, mark_deflections_filed, mark_solved,
    open_suggested, vote,
};
pub use files::{KbFileView, add_article_file, read_article_file};
pub use io::{ImportReport, export_xlsx, export_zip, import_files};
pub use read::{
    ArticleFilter, ArticlePage, ProductChoice, VersionView, article_versions, get_article,
    list_articles, product_choices,
};
pub use suggest::{
    SuggestedArticle, SuggestedTicket, Suggestions, for_customer, for_ticket, search_articles,
};

/// Requests an anonymous client (one address) may make of the bot, suggestions, votes and
/// deflection marks within [`PUBLIC_WINDOW`]; each bot question writes a row, so this bounds
/// what a script can make kefu store. Signed-in callers are not limited here.
pub const PUBLIC_REQUESTS: usize = 120;
/// The window of [`PUBLIC_REQUESTS`].
pub const PUBLIC_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

/// Counts one anonymous request from `client` (its address); `429` when over the limit.
pub fn throttle_anonymous(
    app: &crate::App,
    actor: Option<&Actor>,
    client: &str,
) -> Result<(), crate::AppError> {
    if actor.is_some() {
        return Ok(());
    }
    let now = app.now();
    let key = format!("public:{client}");
    app.public_limiter
        .check(&key, now)
        .map_err(|retry_after_secs| crate::AppError::RateLimited { retry_after_secs })?;
    app.public_limiter.fail(&key, now);
    Ok(())
}

/// The reader an actor is (none: an anonymous visitor).
pub fn reader_of(actor: Option<&Actor>) -> Reader {
    match actor {
        Some(a) if a.has(Permission::KnowledgeManage) => Reader::Editor,
        Some(a) if a.role.is_staff() => Reader::Staff,
        _ => Reader::Public,
    }
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn uuids(v: &serde_json::Value) -> Vec<Uuid> {
    strings(v)
        .iter()
        .filter_map(|s| Uuid::parse_str(s).ok())
        .collect()
}

/// An article as shown and returned by the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArticleView {
    /// Id.
    pub id: Uuid,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// Markdown source.
    pub body: String,
    /// Rendered, sanitized HTML.
    pub html: String,
    /// `draft`, `internal`, `public`, `archived`.
    pub state: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Related products.
    pub product_ids: Vec<Uuid>,
    /// Version (send it back when saving).
    pub version: i32,
    /// Next review.
    pub review_at: Option<NaiveDate>,
    /// Due for review today.
    pub review_due: bool,
    /// Times read.
    pub views: i64,
    /// "Helpful" votes.
    pub helpful_yes: i64,
    /// "Not helpful" votes.
    pub helpful_no: i64,
    /// Files and images.
    pub files: Vec<KbFileView>,
    /// Created by.
    pub created_by: Option<Uuid>,
    /// Last saved by.
    pub updated_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
    /// First published.
    pub published_at: Option<DateTime<Utc>>,
}

/// An article in a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ArticleSummary {
    /// Id.
    pub id: Uuid,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// State.
    pub state: String,
    /// Tags.
    pub tags: Vec<String>,
    /// The start of the text (plain).
    pub excerpt: String,
    /// Version.
    pub version: i32,
    /// Next review.
    pub review_at: Option<NaiveDate>,
    /// Due for review today.
    pub review_due: bool,
    /// Times read.
    pub views: i64,
    /// "Helpful" votes.
    pub helpful_yes: i64,
    /// "Not helpful" votes.
    pub helpful_no: i64,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

fn review_due(a: &kb_article::Model, today: NaiveDate) -> bool {
    kefu_domain::kb::ArticleState::parse(&a.state)
        .is_some_and(|s| kefu_domain::kb::review_due(a.review_at, s, today))
}

fn summary(a: kb_article::Model, today: NaiveDate) -> ArticleSummary {
    let text = render::to_text(&a.body);
    let excerpt: String = text.chars().take(120).collect();
    ArticleSummary {
        review_due: review_due(&a, today),
        id: a.id,
        category_id: a.category_id,
        title: a.title,
        state: a.state,
        tags: strings(&a.tags),
        excerpt,
        version: a.version,
        review_at: a.review_at,
        views: a.views,
        helpful_yes: a.helpful_yes,
        helpful_no: a.helpful_no,
        updated_at: a.updated_at,
    }
}

fn view(a: kb_article::Model, files: Vec<KbFileView>, today: NaiveDate) -> ArticleView {
    ArticleView {
        review_due: review_due(&a, today),
        html: render::to_html(&a.body),
        id: a.id,
        category_id: a.category_id,
        title: a.title,
        body: a.body,
        state: a.state,
        tags: strings(&a.tags),
        product_ids: uuids(&a.product_ids),
        version: a.version,
        review_at: a.review_at,
        views: a.views,
        helpful_yes: a.helpful_yes,
        helpful_no: a.helpful_no,
        files,
        created_by: a.created_by,
        updated_by: a.updated_by,
        created_at: a.created_at,
        updated_at: a.updated_at,
        published_at: a.published_at,
    }
}

/// Today in the service's time zone (review dates are calendar days in China).
fn today(app: &crate::App) -> NaiveDate {
    app.now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}
