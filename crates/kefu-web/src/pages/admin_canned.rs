//! The canned-replies admin page: title and text per reply, with `{{variables}}`.

use axum::extract::State;
use axum::response::Response;
use kefu_app::tickets;
use kefu_domain::ticket::{CannedReply, VARIABLES};
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, get, rows};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;

async fn page(s: &AppState, v: &Viewer, saved: bool) -> Response {
    match tickets::canned_replies(&s.app, &v.actor).await {
        Ok(replies) => render(
            "admin/canned.html",
            ctx!(base(v); replies, saved, variables => VARIABLES, section => "admin"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/canned`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    page(&s, &v, false).await
}

/// `POST /admin/canned`: rows `c<i>.id`, `c<i>.title`, `c<i>.body`, `c<i>.remove`.
pub async fn save(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let get = |k: String| get(&p, &k).to_owned();
    let list: Vec<CannedReply> = rows(&p, "c")
        .into_iter()
        .filter(|i| {
            !get(format!("c{i}.title")).is_empty() && get(format!("c{i}.remove")).is_empty()
        })
        .map(|i| CannedReply {
            id: Uuid::parse_str(&get(format!("c{i}.id"))).unwrap_or_else(|_| Uuid::now_v7()),
            title: get(format!("c{i}.title")),
            body: get(format!("c{i}.body")),
        })
        .collect();
    match tickets::save_canned_replies(&s.app, &v.actor, list).await {
        Ok(_) => page(&s, &v, true).await,
        Err(e) => page_error(e, v.locale()),
    }
}
