//! The ticket page: header with SLA countdowns, customer card, timeline, reply / internal note,
//! workflow transitions and assignment. The timeline is polled; when someone else changed the
//! ticket meanwhile, a banner says so, and a stale transition or assignment is refused (409).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use kefu_app::tickets::{self, AssignInput, ReplyInput, TicketListQuery, TransitionInput};
use kefu_app::{AppError, customers};
use minijinja::Value;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::agent_queue::vocab;
use super::base;
use super::errors::page_error;
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::{Path, Query};

/// Names of everyone who can appear in a timeline.
async fn names(s: &AppState, v: &Viewer) -> HashMap<String, String> {
    kefu_app::users::staff_directory(&s.app, &v.actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|u| (u.id.to_string(), u.name))
        .collect()
}

/// The customer card of the ticket page.
#[derive(Serialize)]
struct Card {
    #[serde(flatten)]
    card: customers::CustomerCard,
    others: Vec<tickets::TicketView>,
}

async fn customer_card(
    s: &AppState,
    v: &Viewer,
    t: &tickets::TicketView,
) -> Result<Option<Card>, AppError> {
    let Some(cid) = t.customer_id else {
        return Ok(None);
    };
    let others = tickets::list_tickets(
        &s.app,
        &v.actor,
        TicketListQuery {
            customer_id: Some(cid),
            limit: Some(10),
            ..Default::default()
        },
    )
    .await?
    .items
    .into_iter()
    .filter(|o| o.id != t.id)
    .collect();
    Ok(Some(Card {
        card: customers::customer_card(&s.app, &v.actor, cid).await?,
        others,
    }))
}

async fn page_ctx(s: &AppState, v: &Viewer, id: Uuid) -> Result<Value, AppError> {
    let (t, events) = tickets::ticket_with_history(&s.app, &v.actor, id).await?;
    let wf = tickets::workflow_in_force(&s.app).await?;
    let perms = v.actor.permissions();
    let next: Vec<String> = wf
        .next_statuses(&t.status, &perms)
        .map(str::to_owned)
        .collect();
    let card = customer_card(s, v, &t).await?;
    let vocab = vocab(s, v).await?;
    let customer_name = card.as_ref().map(|c| c.card.customer.name.as_str());
    let contact_name = card.as_ref().and_then(|c| {
        c.card
            .contacts
            .iter()
            .find(|x| Some(x.id) == t.contact_id)
            .map(|x| x.name.as_str())
    });
    let status_name = vocab.status_names.get(&t.status).unwrap_or(&t.status);
    let canned = tickets::filled_replies(
        &s.app,
        &v.actor,
        &t,
        customer_name,
        contact_name,
        &v.user.name,
        status_name,
    )
    .await?;
    // Macros for whoever may change tickets (a failed read hides the menu, not the page).
    let macros = if v.actor.has(kefu_domain::access::Permission::TicketUpdate) {
        tickets::list_macros(&s.app, &v.actor)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(
        ctx!(base(v); names => vocab.staff_names, statuses => vocab.status_names, ticket => t, events, next, card, vocab, canned,
        macros, section => "tickets"),
    )
}

/// `GET /tickets/{id}`.
pub async fn page(State(s): State<AppState>, Staff(v): Staff, Path(id): Path<Uuid>) -> Response {
    match page_ctx(&s, &v, id).await {
        Ok(ctx) => render("agent/ticket.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// Query of the timeline poll: the version the page was rendered at.
#[derive(Debug, Deserialize)]
pub struct TimelineQuery {
    #[serde(default)]
    version: Option<i32>,
}

/// `GET /tickets/{id}/timeline`: the timeline fragment, plus a banner when the ticket changed
/// since the page's version.
pub async fn timeline(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
    Query(q): Query<TimelineQuery>,
) -> Response {
    let r = async {
        let (t, events) = tickets::ticket_with_history(&s.app, &v.actor, id).await?;
        let changed = q.version.is_some_and(|pv| pv != t.version);
        let statuses = super::labels::status_names(&s.app, v.locale()).await?;
        Ok::<_, AppError>(
            ctx!(base(&v); ticket => t, events, changed, statuses, names => names(&s, &v).await),
        )
    }
    .await;
    match r {
        Ok(ctx) => render("agent/timeline.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /tickets/{id}/reply` (multipart: `body`, `kind` = `reply` | `note`, `files`): the
/// files are stored first (internal for a note), then the message that lists them.
pub async fn reply(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
    form: axum::extract::Multipart,
) -> Response {
    let r = async {
        let up = super::upload::read(form, true).await?;
        let note = up.get("kind") == "note";
        let body = up.get("body");
        if body.is_empty() {
            return Err(AppError::invalid("body", "required", "write a message"));
        }
        let mut ids = Vec::new();
        for mut f in up.files {
            f.public = !note;
            ids.push(tickets::add_attachment(&s.app, &v.actor, id, f).await?.id);
        }
        let input = ReplyInput {
            body,
            attachment_ids: ids,
        };
        if note {
            tickets::add_note(&s.app, &v.actor, id, input).await
        } else {
            tickets::add_reply(&s.app, &v.actor, id, input).await
        }
    }
    .await;
    match r {
        Ok(_) => reload(),
        Err(e) => page_error(e, v.locale()),
    }
}

/// After a successful change: htmx reloads the page (fresh version everywhere).
pub(super) fn reload() -> Response {
    let mut res = axum::response::IntoResponse::into_response(StatusCode::NO_CONTENT);
    res.headers_mut()
        .insert("HX-Refresh", HeaderValue::from_static("true"));
    res
}

/// Status change.
#[derive(Debug, Deserialize)]
pub struct TransitionForm {
    to: String,
    version: i32,
    #[serde(default)]
    comment: String,
}

/// `POST /tickets/{id}/transition`.
pub async fn transition(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<TransitionForm>,
) -> Response {
    let v = form.viewer;
    let f = form.data;
    let comment = (!f.comment.trim().is_empty()).then_some(f.comment);
    match tickets::transition_ticket(
        &s.app,
        &v.actor,
        id,
        TransitionInput {
            to: f.to,
            version: Some(f.version),
            comment,
        },
    )
    .await
    {
        Ok(_) => reload(),
        Err(e) => page_error(e, v.locale()),
    }
}

/// Assignment.
#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assignee_id: String,
    version: i32,
}

/// `POST /tickets/{id}/assign`.
pub async fn assign(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<AssignForm>,
) -> Response {
    let v = form.viewer;
    match tickets::assign_ticket(
        &s.app,
        &v.actor,
        id,
        AssignInput {
            assignee_id: Uuid::parse_str(form.data.assignee_id.trim()).ok(),
            team_id: None,
            version: Some(form.data.version),
        },
    )
    .await
    {
        Ok(_) => reload(),
        Err(e) => page_error(e, v.locale()),
    }
}
