//! The public help center (`/help`): categories, search and articles for everyone, without
//! signing in. Visitors and customers read public articles; staff also internal ones. An
//! article opened from a suggestion (portal form, chat) records a deflection and offers "this
//! solved my problem"; every article asks "was this helpful?" and offers the bot and a way to
//! a person.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kefu_app::kb::{self, ArticleFilter};
use serde::Deserialize;
use uuid::Uuid;

use super::errors::page_error;
use super::render::render;
use super::session::{MaybeViewer, Viewer};
use crate::AppState;
use crate::extract::{Path, Query};

/// Query of the help center.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HelpQuery {
    q: String,
    category: Option<Uuid>,
    lang: Option<String>,
}

fn help_base(v: &Option<Viewer>, headers: &HeaderMap, lang: Option<&str>) -> minijinja::Value {
    match v {
        Some(v) => ctx!(super::base(v); staff => v.actor.role.is_staff()),
        None => ctx!(; locale => super::login::locale_of(headers, lang), staff => false),
    }
}

fn locale(v: &Option<Viewer>, headers: &HeaderMap, lang: Option<&str>) -> &'static str {
    v.as_ref()
        .map_or_else(|| super::login::locale_of(headers, lang), Viewer::locale)
}

/// `GET /help`: categories and their articles, or search results.
pub async fn index(
    State(s): State<AppState>,
    MaybeViewer(v): MaybeViewer,
    headers: HeaderMap,
    Query(q): Query<HelpQuery>,
) -> Response {
    let actor = v.as_ref().map(|v| &v.actor);
    let loc = locale(&v, &headers, q.lang.as_deref());
    let result = async {
        let categories = kb::list_categories(&s.app, actor).await?;
        let hits = if q.q.trim().is_empty() {
            Vec::new()
        } else {
            kb::search_articles(&s.app, actor, &q.q, q.category, 20).await?
        };
        let articles = kb::list_articles(
            &s.app,
            actor,
            ArticleFilter {
                category_id: q.category,
                limit: Some(200),
                ..Default::default()
            },
        )
        .await?
        .items;
        Ok::<_, kefu_app::AppError>((categories, hits, articles))
    }
    .await;
    match result {
        Ok((categories, hits, articles)) => render(
            "help/index.html",
            ctx!(help_base(&v, &headers, q.lang.as_deref());
                categories, hits, articles, q => q.q, category => q.category, searched => !q.q.trim().is_empty()),
        ),
        Err(e) => page_error(e, loc),
    }
}

/// Query of an article page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleQuery {
    /// Opened from a suggestion on this channel (`portal`, `chat`).
    from: Option<String>,
    /// What the customer had typed.
    q: String,
    lang: Option<String>,
}

/// `GET /help/articles/{id}`.
pub async fn article(
    State(s): State<AppState>,
    MaybeViewer(v): MaybeViewer,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Query(q): Query<ArticleQuery>,
) -> Response {
    let actor = v.as_ref().map(|v| &v.actor);
    let loc = locale(&v, &headers, q.lang.as_deref());
    let result = async {
        let customer_side = v.as_ref().is_none_or(|v| !v.actor.role.is_staff());
        let deflection = match q.from.as_deref() {
            Some(ch) if customer_side => {
                Some(kb::open_suggested(&s.app, actor, id, ch, &q.q).await?)
            }
            _ => None,
        };
        let a = kb::get_article(&s.app, actor, id, deflection.is_none()).await?;
        let categories = kb::list_categories(&s.app, actor).await?;
        let category = a
            .category_id
            .and_then(|c| categories.into_iter().find(|x| x.id == c));
        Ok::<_, kefu_app::AppError>((a, category, deflection))
    }
    .await;
    match result {
        Ok((a, category, deflection)) => render(
            "help/article.html",
            ctx!(help_base(&v, &headers, q.lang.as_deref()); article => a, category, deflection),
        ),
        Err(e) => page_error(e, loc),
    }
}
