//! The approver's queue: pending sign-offs with approve / reject (with a comment).

use axum::extract::State;
use axum::response::Response;
use kefu_app::tickets::{self, Decision};
use serde::Deserialize;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

async fn page(s: &AppState, v: &Viewer, done: Option<&str>) -> Response {
    let r = async {
        let list = tickets::pending_approvals(&s.app, &v.actor).await?;
        let statuses = super::labels::status_names(&s.app, v.locale()).await?;
        Ok::<_, kefu_app::AppError>((list, statuses))
    }
    .await;
    match r {
        Ok((list, statuses)) => render(
            "agent/approvals.html",
            ctx!(base(v); approvals => list, statuses, done, section => "approvals"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /approvals`.
pub async fn list(State(s): State<AppState>, Staff(v): Staff) -> Response {
    page(&s, &v, None).await
}

/// The decision form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST /approvals/{id}`.
pub async fn decide(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<DecisionForm>,
) -> Response {
    let v = form.viewer;
    let d = Decision {
        approve: form.data.decision == "approve",
        comment: Some(form.data.comment),
    };
    match tickets::decide_approval(&s.app, &v.actor, id, d).await {
        Ok(a) => {
            page(
                &s,
                &v,
                Some(if a.state == "approved" {
                    "approved"
                } else {
                    "rejected"
                }),
            )
            .await
        }
        Err(e) => page_error(e, v.locale()),
    }
}
