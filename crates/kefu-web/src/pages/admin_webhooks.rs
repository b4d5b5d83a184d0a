//! `/admin/webhooks`: outbound webhooks — subscriptions (the secret shown once after creating
//! or rotating it), pause/resume, delete, and each one's delivery log with redelivery.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::webhooks::{self, WebhookInput, WebhookView};
use kefu_domain::webhook::TOPICS;
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::{describe, page_error};
use super::form::{Pairs, all, get};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

async fn page(s: &AppState, v: &Viewer, secret: Option<String>, error: Option<String>) -> Response {
    match webhooks::list_webhooks(&s.app, &v.actor).await {
        Ok(hooks) => render(
            "admin/webhooks.html",
            ctx!(base(v); hooks, secret, error, topics => TOPICS, section => "admin"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/webhooks`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    page(&s, &v, None, None).await
}

/// `POST /admin/webhooks`: a new subscription; the page shows its secret once.
pub async fn create(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let input = WebhookInput {
        name: get(&p, "name").to_owned(),
        url: get(&p, "url").to_owned(),
        events: all(&p, "events").map(str::to_owned).collect(),
        active: Some(true),
        rotate_secret: false,
    };
    match webhooks::create_webhook(&s.app, &v.actor, input).await {
        Ok(w) => page(&s, &v, Some(w.secret), None).await,
        Err(e) => {
            let text = describe(e, v.locale()).1;
            page(&s, &v, None, Some(text)).await
        }
    }
}

async fn find(s: &AppState, v: &Viewer, id: Uuid) -> Result<WebhookView, kefu_app::AppError> {
    webhooks::list_webhooks(&s.app, &v.actor)
        .await?
        .into_iter()
        .find(|w| w.id == id)
        .ok_or(kefu_app::AppError::NotFound("webhook"))
}

async fn change(s: &AppState, v: &Viewer, id: Uuid, pause: bool, rotate: bool) -> Response {
    let r = async {
        let w = find(s, v, id).await?;
        let input = WebhookInput {
            name: w.name,
            url: w.url,
            events: w.events,
            active: Some(if pause { !w.active } else { w.active }),
            rotate_secret: rotate,
        };
        webhooks::update_webhook(&s.app, &v.actor, id, input).await
    }
    .await;
    match r {
        Ok(w) if rotate => page(s, v, Some(w.secret), None).await,
        Ok(_) => Redirect::to("/admin/webhooks").into_response(),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/webhooks/{id}/toggle`: pause or resume.
pub async fn toggle(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    change(&s, &form.viewer, id, true, false).await
}

/// `POST /admin/webhooks/{id}/rotate`: a new secret, shown once.
pub async fn rotate(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    change(&s, &form.viewer, id, false, true).await
}

/// `POST /admin/webhooks/{id}/delete`.
pub async fn delete(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    match webhooks::delete_webhook(&s.app, &v.actor, id).await {
        Ok(()) => Redirect::to("/admin/webhooks").into_response(),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/webhooks/{id}`: the delivery log.
pub async fn log(State(s): State<AppState>, Staff(v): Staff, Path(id): Path<Uuid>) -> Response {
    let r = async {
        let hook = find(&s, &v, id).await?;
        let deliveries = webhooks::list_deliveries(&s.app, &v.actor, id, None).await?;
        Ok::<_, kefu_app::AppError>((hook, deliveries))
    }
    .await;
    match r {
        Ok((hook, deliveries)) => render(
            "admin/webhook_log.html",
            ctx!(base(&v); hook, deliveries, section => "admin"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/webhooks/{id}/deliveries/{delivery}/redeliver`.
pub async fn redeliver(
    State(s): State<AppState>,
    Path((id, delivery)): Path<(Uuid, Uuid)>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    match webhooks::redeliver(&s.app, &v.actor, id, delivery).await {
        Ok(_) => Redirect::to(&format!("/admin/webhooks/{id}")).into_response(),
        Err(e) => page_error(e, v.locale()),
    }
}
