//! The knowledge base for staff (`/kb`): every article agents may read, with state, views,
//! votes and review dates; editors (`kb.manage`) write and publish articles, see and restore
//! versions, and export or import the whole base. Also the suggestions panel of a ticket.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::kb::{self, ArticleFilter, ArticleSave, CategorySave};
use kefu_domain::access::Permission;
use serde::Deserialize;
use serde_json::Map;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::form::{Pairs, all, get};
use super::render::{render, render_status};
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::{Path, Query};

/// Filters of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    state: String,
    category: Option<Uuid>,
    q: String,
    review_due: bool,
}

fn editor(v: &Viewer) -> bool {
    v.actor.has(Permission::KnowledgeManage)
}

/// `GET /kb`.
pub async fn list(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let r = async {
        let page = kb::list_articles(
            &s.app,
            Some(&v.actor),
            ArticleFilter {
                state: (!q.state.is_empty()).then(|| q.state.clone()),
                category_id: q.category,
                q: (!q.q.is_empty()).then(|| q.q.clone()),
                review_due: q.review_due,
                limit: Some(200),
                ..Default::default()
            },
        )
        .await?;
        let categories = kb::list_categories(&s.app, Some(&v.actor)).await?;
        let deflections = kb::deflection_stats(&s.app, &v.actor, None).await?;
        Ok::<_, AppError>((page, categories, deflections))
    }
    .await;
    match r {
        Ok((page, categories, deflections)) => render(
            "agent/kb.html",
            ctx!(base(&v); section => "kb", articles => page.items, total => page.total,
                categories, deflections, editor => editor(&v),
                f_state => q.state, f_category => q.category, f_q => q.q, f_review_due => q.review_due),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// The article form.
#[derive(Debug, Default)]
pub struct ArticleForm {
    title: String,
    body: String,
    state: String,
    category_id: String,
    tags: String,
    review_at: String,
    version: Option<i32>,
    /// Related products (a multi-select: one `product_ids` pair each).
    product_ids: Vec<String>,
}

impl ArticleForm {
    fn from_pairs(p: &Pairs) -> Self {
        ArticleForm {
            title: get(p, "title").to_owned(),
            // The body keeps its leading spaces (Markdown indentation).
            body: p
                .iter()
                .find(|(k, _)| k == "body")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            state: get(p, "state").to_owned(),
            category_id: get(p, "category_id").to_owned(),
            tags: get(p, "tags").to_owned(),
            review_at: get(p, "review_at").to_owned(),
            version: get(p, "version").parse().ok(),
            product_ids: all(p, "product_ids")
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }

    fn to_save(&self) -> Result<ArticleSave, AppError> {
        let review_at = if self.review_at.trim().is_empty() {
            None
        } else {
            Some(
                chrono::NaiveDate::parse_from_str(self.review_at.trim(), "%Y-%m-%d")
                    .map_err(|_| AppError::invalid("review_at", "invalid_date", "YYYY-MM-DD"))?,
            )
        };
        Ok(ArticleSave {
            title: self.title.clone(),
            body: self.body.replace("\r\n", "\n"),
            state: Some(self.state.clone()),
            category_id: Uuid::parse_str(&self.category_id).ok(),
            tags: self.tags.split([',', '，']).map(str::to_owned).collect(),
            product_ids: self
                .product_ids
                .iter()
                .map(|p| {
                    Uuid::parse_str(p).map_err(|_| {
                        AppError::invalid("product_ids", "invalid", "not a product id")
                    })
                })
                .collect::<Result<_, _>>()?,
            review_at,
            version: self.version,
        })
    }
}

async fn form_page(
    s: &AppState,
    v: &Viewer,
    id: Option<Uuid>,
    values: serde_json::Value,
    errors: Map<String, serde_json::Value>,
    status: StatusCode,
) -> Response {
    let r = async {
        let categories = kb::list_categories(&s.app, Some(&v.actor)).await?;
        let products = kb::product_choices(&s.app, &v.actor).await?;
        let (versions, files) = match id {
            Some(id) => (
                kb::article_versions(&s.app, &v.actor, id).await?,
                kb::get_article(&s.app, Some(&v.actor), id, false)
                    .await?
                    .files,
            ),
            None => (Vec::new(), Vec::new()),
        };
        Ok::<_, AppError>((categories, products, versions, files))
    }
    .await;
    match r {
        Ok((categories, products, versions, files)) => render_status(
            status,
            "agent/kb_edit.html",
            ctx!(base(v); section => "kb", id, values, errors, categories, products, versions, files),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /kb/new`.
pub async fn new_form(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if !editor(&v) {
        return page_error(AppError::Forbidden("kb.manage".into()), v.locale());
    }
    let values = serde_json::json!({
        "title": "", "body": "", "state": "draft", "category_id": "", "tags": "",
        "review_at": "", "version": null, "product_ids": [],
    });
    form_page(&s, &v, None, values, Map::new(), StatusCode::OK).await
}

/// `GET /kb/{id}`: the editor (editors) or the article (everyone else).
pub async fn edit_form(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    if !editor(&v) {
        return Redirect::to(&format!("/help/articles/{id}")).into_response();
    }
    match kb::get_article(&s.app, Some(&v.actor), id, false).await {
        Ok(a) => {
            let values = serde_json::json!({
                "title": a.title, "body": a.body, "state": a.state,
                "category_id": a.category_id, "tags": a.tags.join(", "),
                "review_at": a.review_at, "version": a.version,
                "product_ids": a.product_ids,
                "views": a.views, "helpful_yes": a.helpful_yes, "helpful_no": a.helpful_no,
            });
            form_page(&s, &v, Some(id), values, Map::new(), StatusCode::OK).await
        }
        Err(e) => page_error(e, v.locale()),
    }
}

async fn save(s: &AppState, v: &Viewer, id: Option<Uuid>, f: ArticleForm) -> Response {
    let r = async {
        let save = f.to_save()?;
        match id {
            Some(id) => kb::update_article(&s.app, &v.actor, id, save).await,
            None => kb::create_article(&s.app, &v.actor, save).await,
        }
    }
    .await;
    match r {
        Ok(a) => Redirect::to(&format!("/kb/{}?saved=1", a.id)).into_response(),
        Err(AppError::Invalid(errs)) => {
            let errors = super::errors::field_messages(v.locale(), errs);
            let values = serde_json::json!({
                "title": f.title, "body": f.body, "state": f.state, "category_id": f.category_id,
                "tags": f.tags, "review_at": f.review_at, "version": f.version,
                "product_ids": f.product_ids,
            });
            form_page(s, v, id, values, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /kb/new`.
pub async fn create(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    save(&s, &form.viewer, None, ArticleForm::from_pairs(&form.data)).await
}

/// `POST /kb/{id}`.
pub async fn update(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    save(
        &s,
        &form.viewer,
        Some(id),
        ArticleForm::from_pairs(&form.data),
    )
    .await
}

/// `POST /kb/{id}/versions/{version}/restore`.
pub async fn restore(
    State(s): State<AppState>,
    Path((id, version)): Path<(Uuid, i32)>,
    form: PageForm<Map<String, serde_json::Value>>,
) -> Response {
    let v = form.viewer;
    match kb::restore_version(&s.app, &v.actor, id, version).await {
        Ok(_) => Redirect::to(&format!("/kb/{id}?saved=1")).into_response(),
        Err(e) => page_error(e, v.locale()),
    }
}

/// The category form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    name: String,
    description: String,
}

/// `POST /kb/categories`.
pub async fn create_category(State(s): State<AppState>, form: PageForm<CategoryForm>) -> Response {
    let v = form.viewer;
    let save = CategorySave {
        name: form.data.name,
        description: form.data.description,
        parent_id: None,
        position: 0,
    };
    match kb::create_category(&s.app, &v.actor, save).await {
        Ok(_) => Redirect::to("/kb").into_response(),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /tickets/{id}/suggestions`: the panel of related articles and solved tickets.
pub async fn ticket_suggestions(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    match kb::for_ticket(&s.app, &v.actor, id).await {
        Ok(sg) => render(
            "agent/suggestions.html",
            ctx!(base(&v); articles => sg.articles, tickets => sg.tickets),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}
