//! `/tasks`: care tasks (follow-up visits, call-backs after a low survey score, trigger and
//! manual tasks) — the viewer's open ones by default, everyone's open ones, or the closed ones —
//! overdue ones marked, each open one closed in place with an outcome and a note.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::care::{self, TaskDone, TaskQuery, TaskView};
use kefu_domain::care::Outcome;
use serde::Deserialize;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::is_htmx;
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::{Path, Query};

/// Which list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TasksQuery {
    /// `mine` (default), `all` (everyone's open tasks) or `done` (closed tasks).
    tab: String,
    /// Set after a task was closed by a plain form post.
    closed: Option<String>,
}

/// A known tab, `mine` for anything else.
fn tab_of(s: &str) -> &'static str {
    match s {
        "all" => "all",
        "done" => "done",
        _ => "mine",
    }
}

fn query(assignee: &str, status: &str) -> TaskQuery {
    TaskQuery {
        assignee: Some(assignee.into()),
        status: Some(status.into()),
        ..Default::default()
    }
}

async fn load(s: &AppState, v: &Viewer, tab: &str) -> Result<Vec<TaskView>, kefu_app::AppError> {
    let a = &v.actor;
    Ok(match tab {
        "all" => care::list_tasks(&s.app, a, query("all", "open")).await?,
        "done" => {
            let mut list = care::list_tasks(&s.app, a, query("all", "done")).await?;
            list.extend(care::list_tasks(&s.app, a, query("all", "cancelled")).await?);
            // Most recently closed first.
            list.sort_by(|x, y| y.completed_at.cmp(&x.completed_at).then(y.id.cmp(&x.id)));
            list
        }
        _ => care::list_tasks(&s.app, a, query("me", "open")).await?,
    })
}

async fn page(
    s: &AppState,
    v: &Viewer,
    tab: &'static str,
    closed: bool,
    fragment: bool,
) -> Response {
    match load(s, v, tab).await {
        Ok(tasks) => {
            let overdue = tasks.iter().filter(|t| t.overdue).count();
            let outcomes: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
            let ctx = ctx!(base(v); tasks, tab, closed, overdue, outcomes, section => "tasks");
            render(
                if fragment {
                    "agent/tasks_list.html"
                } else {
                    "agent/tasks.html"
                },
                ctx,
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /tasks?tab=mine|all|done`.
pub async fn list(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(q): Query<TasksQuery>,
) -> Response {
    page(&s, &v, tab_of(&q.tab), q.closed.is_some(), false).await
}

/// The close form of one task.
#[derive(Debug, Deserialize)]
pub struct CloseForm {
    outcome: String,
    #[serde(default)]
    note: String,
    /// The tab to show afterwards.
    #[serde(default)]
    tab: String,
}

/// `POST /tasks/{id}/complete`: htmx gets the list back (with a confirmation), a plain form
/// post goes back to the list.
pub async fn complete(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    form: PageForm<CloseForm>,
) -> Response {
    let v = form.viewer;
    let tab = tab_of(&form.data.tab);
    let done = TaskDone {
        outcome: form.data.outcome,
        note: Some(form.data.note),
    };
    match care::complete_task(&s.app, &v.actor, id, done).await {
        Ok(_) if is_htmx(&headers) => page(&s, &v, tab, true, true).await,
        Ok(_) => {
            let mut r = Redirect::to(&format!("/tasks?tab={tab}&closed=1")).into_response();
            *r.status_mut() = StatusCode::SEE_OTHER;
            r
        }
        Err(e) => page_error(e, v.locale()),
    }
}
