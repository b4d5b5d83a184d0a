//! The customer portal: a company's own tickets, filing a ticket, following and replying, and
//! confirming (closing) or reopening a resolved ticket. Every read goes through the same use
//! cases as the API, which scope portal users to their own company.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::tickets::{self, NewTicket, ReplyInput, TicketListQuery, TransitionInput};
use kefu_app::{AppError, customers};

use serde::Deserialize;
use serde_json::Map;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::render::render;
use super::session::{PageForm, PortalUser, Viewer};
use crate::AppState;
use crate::extract::{Path, Query};

/// Paging of the portal list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PortalQuery {
    cursor: String,
    status: String,
}

/// `GET /portal`: the company's tickets.
pub async fn tickets(
    State(s): State<AppState>,
    PortalUser(v): PortalUser,
    Query(q): Query<PortalQuery>,
) -> Response {
    let r = tickets::list_tickets(
        &s.app,
        &v.actor,
        TicketListQuery {
            cursor: (!q.cursor.is_empty()).then(|| q.cursor.clone()),
            status: (!q.status.is_empty()).then(|| q.status.clone()),
            limit: Some(25),
            ..Default::default()
        },
    )
    .await;
    let statuses = super::labels::status_names(&s.app, v.locale()).await;
    match r.and_then(|page| Ok((page, statuses?))) {
        Ok((page, statuses)) => render(
            "portal/tickets.html",
            ctx!(base(&v); tickets => page.items, next_cursor => page.next_cursor, statuses),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

async fn new_ctx(s: &AppState, v: &Viewer) -> Result<minijinja::Value, AppError> {
    let en = v.locale() == "en";
    let types: Vec<_> = tickets::list_ticket_types(&s.app, &v.actor)
        .await?
        .into_iter()
        .filter(|t| t.active)
        .map(|t| ctx!(; key => t.code, name => if en { t.name_en } else { t.name_zh }))
        .collect();
    let assets = match v.actor.customer_scope() {
        Some(cid) => customers::list_assets(&s.app, &v.actor, cid).await?,
        None => Vec::new(),
    };
    Ok(ctx!(; types, assets))
}

/// `GET /portal/tickets/new`.
pub async fn new_form(State(s): State<AppState>, PortalUser(v): PortalUser) -> Response {
    match new_ctx(&s, &v).await {
        Ok(vocab) => render(
            "portal/new_ticket.html",
            ctx!(base(&v); vocab, errors => Map::new(), values => Map::new()),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// After a portal change made through htmx: load the ticket page.
fn hx_go(id: Uuid) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("/portal/tickets/{id}")) {
        res.headers_mut().insert("HX-Redirect", v);
    }
    res
}

/// `POST /portal/tickets/new` (multipart: `subject`, `description`, `kind`, `asset_id`,
/// `files`): opens the ticket, then stores the files on it.
pub async fn new_submit(
    State(s): State<AppState>,
    PortalUser(v): PortalUser,
    form: axum::extract::Multipart,
) -> Response {
    let mut typed = Map::new();
    let r = async {
        let up = super::upload::read(form, true).await?;
        for (k, val) in &up.fields {
            typed.insert(k.clone(), serde_json::Value::String(val.clone()));
        }
        let description = up.get("description");
        let kind = up.get("kind");
        let req = NewTicket {
            subject: up.get("subject"),
            description: (!description.is_empty()).then_some(description),
            kind: (!kind.is_empty()).then_some(kind),
            asset_id: Uuid::parse_str(&up.get("asset_id")).ok(),
            ..Default::default()
        };
        let t = tickets::open_ticket(&s.app, &v.actor, req).await?;
        // Suggested articles the customer opened before filing anyway.
        let opened: Vec<Uuid> = serde_json::from_str(&up.get("deflections")).unwrap_or_default();
        kefu_app::kb::mark_deflections_filed(&s.app, Some(&v.actor), &opened, t.id).await?;
        for f in up.files {
            tickets::add_attachment(&s.app, &v.actor, t.id, f).await?;
        }
        Ok::<_, AppError>(t.id)
    }
    .await;
    match r {
        Ok(id) => hx_go(id),
        // The form again, with what was typed and each message next to its field.
        Err(AppError::Invalid(errs)) => {
            let errors = super::errors::field_messages(v.locale(), errs);
            match new_ctx(&s, &v).await {
                Ok(vocab) => super::render::render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "portal/new_ticket.html",
                    ctx!(base(&v); vocab, errors, values => typed),
                ),
                Err(e) => page_error(e, v.locale()),
            }
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /portal/tickets/{id}`: the ticket with its public timeline only.
pub async fn ticket(
    State(s): State<AppState>,
    PortalUser(v): PortalUser,
    Path(id): Path<Uuid>,
) -> Response {
    let r = async {
        let (t, events) = tickets::ticket_with_history(&s.app, &v.actor, id).await?;
        let wf = tickets::workflow_in_force(&s.app).await?;
        let category = wf.status(&t.status).map(|st| st.category).ok();
        let resolved = category == Some(kefu_domain::ticket::StatusCategory::Resolved);
        let status_name = super::labels::status_names_of(&wf, v.locale())
            .remove(&t.status)
            .unwrap_or_else(|| t.status.clone());
        let quotes = kefu_app::charges::ticket_quotes(&s.app, &v.actor, id).await?;
        // The CSAT question of this ticket, while it waits for an answer.
        let survey_link = kefu_app::care::surveys::ticket_survey_link(&s.app, &v.actor, id).await?;
        Ok::<_, AppError>(
            ctx!(base(&v); ticket => t, events, resolved, status_name, quotes, survey_link),
        )
    }
    .await;
    match r {
        Ok(ctx) => render("portal/ticket.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /portal/tickets/{id}/reply` (multipart: `body`, `files`).
pub async fn reply(
    State(s): State<AppState>,
    PortalUser(v): PortalUser,
    Path(id): Path<Uuid>,
    form: axum::extract::Multipart,
) -> Response {
    let r = async {
        let up = super::upload::read(form, true).await?;
        let body = up.get("body");
        if body.is_empty() {
            return Err(AppError::invalid("body", "required", "write a message"));
        }
        let mut ids = Vec::new();
        for f in up.files {
            ids.push(tickets::add_attachment(&s.app, &v.actor, id, f).await?.id);
        }
        tickets::add_reply(
            &s.app,
            &v.actor,
            id,
            ReplyInput {
                body,
                attachment_ids: ids,
            },
        )
        .await
    }
    .await;
    match r {
        Ok(_) => hx_go(id),
        Err(e) => page_error(e, v.locale()),
    }
}

fn back_to(id: Uuid) -> Response {
    let mut res = Redirect::to(&format!("/portal/tickets/{id}")).into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    res
}

/// Confirm or reopen.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    /// `close` or `reopen`.
    action: String,
    version: i32,
}

/// `POST /portal/tickets/{id}/status`: confirm a resolved ticket (close) or reopen it.
pub async fn close_or_reopen(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<StatusForm>,
) -> Response {
    let v = form.viewer;
    let to = match form.data.action.as_str() {
        "close" => "closed",
        "reopen" => "open",
        _ => {
            return page_error(
                AppError::invalid("action", "invalid", "close or reopen"),
                v.locale(),
            );
        }
    };
    match tickets::transition_ticket(
        &s.app,
        &v.actor,
        id,
        TransitionInput {
            to: to.into(),
            version: Some(form.data.version),
            comment: None,
        },
    )
    .await
    {
        Ok(_) => back_to(id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// The customer's answer to a quotation.
#[derive(Debug, Deserialize)]
pub struct QuoteForm {
    /// `accept` or `decline`.
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /portal/quotes/{id}`: accept or decline a quotation; back to its ticket.
pub async fn decide_quote(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<QuoteForm>,
) -> Response {
    let v = form.viewer;
    let accept = match form.data.action.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            return page_error(
                AppError::invalid("action", "invalid", "accept or decline"),
                v.locale(),
            );
        }
    };
    let d = kefu_app::charges::QuoteDecision {
        accept,
        comment: Some(form.data.comment),
    };
    match kefu_app::charges::decide_quote(&s.app, &v.actor, id, d).await {
        Ok(q) => back_to(q.ticket_id),
        Err(e) => page_error(e, v.locale()),
    }
}
