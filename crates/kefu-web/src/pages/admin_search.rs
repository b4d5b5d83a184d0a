//! `/admin/search`: the user dictionary (one product or part name per line) and the index:
//! documents, whether it follows the saved dictionary, and a rebuild with live progress.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kefu_app::AppError;
use kefu_app::search::{self, DictionaryState};
use serde::Deserialize;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::is_htmx;
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;

fn page(
    v: &Viewer,
    state: &DictionaryState,
    text: String,
    saved: bool,
    errors: &[kefu_app::FieldError],
) -> Response {
    render(
        "admin/search.html",
        ctx!(base(v); state, text, saved, errors, section => "admin"),
    )
}

fn status(v: &Viewer, state: &DictionaryState) -> Response {
    render("admin/search_status.html", ctx!(base(v); state))
}

/// `GET /admin/search`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    match search::dictionary(&s.app, &v.actor).await {
        Ok(state) => {
            let text = state.words.join("\n");
            page(&v, &state, text, false, &[])
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// The dictionary form.
#[derive(Debug, Deserialize)]
pub struct DictionaryForm {
    #[serde(default)]
    words: String,
}

/// `POST /admin/search`: saves the dictionary; bad lines are shown with the text kept.
pub async fn save(State(s): State<AppState>, form: PageForm<DictionaryForm>) -> Response {
    let v = form.viewer;
    let lines: Vec<String> = form.data.words.lines().map(str::to_owned).collect();
    match search::save_dictionary(&s.app, &v.actor, &lines).await {
        Ok(state) => {
            let text = state.words.join("\n");
            page(&v, &state, text, true, &[])
        }
        Err(AppError::Invalid(errors)) => match search::dictionary(&s.app, &v.actor).await {
            Ok(state) => page(&v, &state, form.data.words, false, &errors),
            Err(e) => page_error(e, v.locale()),
        },
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/search/rebuild`: starts a rebuild; htmx gets the status box back (which
/// then polls), a plain form the whole page.
pub async fn rebuild(
    State(s): State<AppState>,
    headers: HeaderMap,
    form: PageForm<serde_json::Map<String, serde_json::Value>>,
) -> Response {
    let v = form.viewer;
    let started = search::start_rebuild(&s.app, &v.actor).await;
    if let Err(e) = started
        && !matches!(e, AppError::Conflict { .. })
    {
        return page_error(e, v.locale());
    }
    match search::dictionary(&s.app, &v.actor).await {
        Ok(state) if is_htmx(&headers) => status(&v, &state),
        Ok(state) => {
            let text = state.words.join("\n");
            page(&v, &state, text, false, &[])
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/search/status`: the status box (polled while a rebuild runs).
pub async fn poll(State(s): State<AppState>, Staff(v): Staff) -> Response {
    match search::dictionary(&s.app, &v.actor).await {
        Ok(state) => status(&v, &state),
        Err(e) => page_error(e, v.locale()),
    }
}
