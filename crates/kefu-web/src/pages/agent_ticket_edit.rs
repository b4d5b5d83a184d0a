//! Changing a ticket from its page: fields (priority, type, tags, custom fields), merging it
//! into another ticket by number, and splitting chosen messages off into a new ticket. Every
//! form carries the version the page showed, so a stale edit is refused with 409.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kefu_app::tickets::{self, MergeInput, SplitInput, TicketPatch};
use uuid::Uuid;

use super::errors::page_error;
use super::form::{Pairs, get, list, opt};
use super::session::PageForm;
use crate::AppState;
use crate::extract::Path;

fn go_to(id: Uuid) -> Response {
    let target = format!("/tickets/{id}");
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&target) {
        res.headers_mut().insert("HX-Redirect", v);
    }
    res
}

/// `POST /tickets/{id}/edit`: priority, type, tags and custom fields (`cf.<key>`).
pub async fn edit(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let kind = get(&p, "kind").to_owned();
    let custom = super::form::custom_fields(&s.app, &kind, &p).await;
    let patch = TicketPatch {
        version: get(&p, "version").parse().ok(),
        priority: opt(&p, "priority"),
        kind: Some(kind).filter(|x| !x.is_empty()),
        tags: Some(list(get(&p, "tags"))),
        custom_fields: Some(custom),
        ..Default::default()
    };
    match tickets::update_ticket(&s.app, &v.actor, id, patch).await {
        Ok(_) => go_to(id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /tickets/{id}/merge`: merges this ticket into the one numbered `into`.
pub async fn merge(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let into = get(&form.data, "into");
    let target = match tickets::get_ticket_by_number(&s.app, &v.actor, into).await {
        Ok(t) => t,
        Err(e) => return page_error(e, v.locale()),
    };
    let input = MergeInput {
        into_id: target.id,
        version: get(&form.data, "version").parse().ok(),
    };
    match tickets::merge_ticket(&s.app, &v.actor, id, input).await {
        Ok(_) => go_to(target.id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /tickets/{id}/split`: the checked messages become a new ticket.
pub async fn split(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let input = SplitInput {
        subject: get(&form.data, "subject").to_owned(),
        event_ids: form
            .data
            .iter()
            .filter(|(k, _)| k == "event_ids")
            .filter_map(|(_, x)| Uuid::parse_str(x).ok())
            .collect(),
        priority: None,
        kind: None,
    };
    match tickets::split_ticket(&s.app, &v.actor, id, input).await {
        Ok(t) => go_to(t.id),
        Err(e) => page_error(e, v.locale()),
    }
}
