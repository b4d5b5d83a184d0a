//! The new-ticket form for phone calls and walk-ins: search-as-you-type for the customer,
//! contact or asset (by serial number), and the fields of the chosen ticket type.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use kefu_app::AppError;
use kefu_app::tickets::{self, NewTicket};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::agent_queue::vocab;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, get, list, opt, uuid};
use super::render::{render, render_status};
use super::session::{PageForm, Staff};
use crate::AppState;
use crate::extract::Query;

/// `GET /tickets/new`.
pub async fn form(State(s): State<AppState>, Staff(v): Staff) -> Response {
    match vocab(&s, &v).await {
        Ok(vocab) => render(
            "agent/new_ticket.html",
            ctx!(base(&v); vocab, errors => Map::new(), values => Map::new(), section => "new"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /tickets/new`: opens the ticket and goes to it, or shows the form again with every
/// field error next to its field.
pub async fn submit(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = &form.data;
    let kind = opt(p, "kind");
    let custom = super::form::custom_fields(&s.app, kind.as_deref().unwrap_or(""), p).await;
    let req = NewTicket {
        subject: get(p, "subject").to_owned(),
        description: opt(p, "description"),
        kind: kind.clone(),
        priority: opt(p, "priority"),
        channel: opt(p, "channel"),
        customer_id: uuid(p, "customer_id"),
        contact_id: uuid(p, "contact_id"),
        asset_id: uuid(p, "asset_id"),
        assignee_id: uuid(p, "assignee_id"),
        tags: list(get(p, "tags")),
        custom_fields: custom,
        ..Default::default()
    };
    match tickets::open_ticket(&s.app, &v.actor, req).await {
        Ok(t) => {
            let target = format!("/tickets/{}", t.id);
            let mut res = axum::response::Redirect::to(&target).into_response_with_hx(&target);
            *res.status_mut() = StatusCode::SEE_OTHER;
            res
        }
        Err(AppError::Invalid(errs)) => {
            let errors = super::errors::field_messages(v.locale(), errs);
            let values: Map<String, Value> = form
                .data
                .into_iter()
                .filter(|(k, _)| k != "_csrf")
                .map(|(k, val)| (k, Value::String(val)))
                .collect();
            match vocab(&s, &v).await {
                Ok(vocab) => render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "agent/new_ticket.html",
                    ctx!(base(&v); vocab, errors, values, section => "new"),
                ),
                Err(e) => page_error(e, v.locale()),
            }
        }
        Err(e) => page_error(e, v.locale()),
    }
}

trait HxRedirect {
    fn into_response_with_hx(self, target: &str) -> Response;
}

impl HxRedirect for axum::response::Redirect {
    fn into_response_with_hx(self, target: &str) -> Response {
        let mut res = axum::response::IntoResponse::into_response(self);
        if let Ok(v) = HeaderValue::from_str(target) {
            res.headers_mut().insert("HX-Redirect", v);
        }
        res
    }
}

/// Query of the lookup box.
#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    q: String,
}

/// `GET /lookup?q=`: hits for the search-as-you-type box (an htmx fragment).
pub async fn lookup(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(q): Query<LookupQuery>,
) -> Response {
    match kefu_app::customers::lookup(&s.app, &v.actor, &q.q, 8).await {
        Ok(hits) => render("agent/lookup.html", ctx!(base(&v); hits, q => q.q)),
        Err(e) => page_error(e, v.locale()),
    }
}
