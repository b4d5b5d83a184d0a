//! The new-ticket form for phone calls and walk-ins: search-as-you-type for the customer,
//! contact or asset (by serial number), and the fields of the chosen ticket type.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use kefu_app::AppError;
use kefu_app::tickets::{self, NewTicket};

use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::agent_queue::vocab;
use super::base;
use super::errors::page_error;
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
pub async fn submit(State(s): State<AppState>, form: PageForm<Vec<(String, String)>>) -> Response {
    let v = form.viewer;
    let get = |k: &str| {
        form.data
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, val)| val.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let kind = get("kind");
    let custom =
        super::form::custom_fields(&s.app, kind.as_deref().unwrap_or(""), &form.data).await;
    let req = NewTicket {
        subject: get("subject").unwrap_or_default(),
        description: get("description"),
        kind: kind.clone(),
        priority: get("priority"),
        channel: get("channel"),
        customer_id: get("customer_id").and_then(|x| Uuid::parse_str(&x).ok()),
        contact_id: get("contact_id").and_then(|x| Uuid::parse_str(&x).ok()),
        asset_id: get("asset_id").and_then(|x| Uuid::parse_str(&x).ok()),
        assignee_id: get("assignee_id").and_then(|x| Uuid::parse_str(&x).ok()),
        tags: get("tags")
            .map(|t| {
                t.split([',', '，'])
                    .map(|x| x.trim().to_owned())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
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
