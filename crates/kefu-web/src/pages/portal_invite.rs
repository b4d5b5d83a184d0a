//! Portal invitations: staff invite a customer's contact from the customer page; the invitee
//! opens `/portal/invite/{token}`, sets a password, and signs in. The link's secret is the
//! only credential, so the acceptance form needs no other CSRF token.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::{AppError, customers};
use serde::Deserialize;
use uuid::Uuid;

use super::errors::{message_page, page_error};
use super::i18n;
use super::render::{render, render_status};
use super::session::PageForm;
use crate::AppState;
use crate::extract::Path;

/// The invite form on the customer page.
#[derive(Debug, Deserialize)]
pub struct InviteForm {
    email: String,
    name: String,
}

/// `POST /customers/{id}/invite`: shows the link once.
pub async fn invite(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    form: PageForm<InviteForm>,
) -> Response {
    let v = form.viewer;
    match customers::invite_portal_user(&s.app, &v.actor, id, &form.data.email, &form.data.name)
        .await
    {
        Ok(inv) => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("127.0.0.1:8080");
            let link = format!("http://{host}/portal/invite/{}", inv.token);
            render(
                "error.html",
                ctx!(; locale => v.locale(), status => 200,
                    message => format!("{} {}", i18n::translate(v.locale(), "invite.created"), inv.email),
                    details => vec![link]),
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

fn locale(headers: &HeaderMap) -> &'static str {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or("zh-CN", i18n::from_accept_language)
}

/// `GET /portal/invite/{token}`.
pub async fn form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let locale = locale(&headers);
    match customers::pending_invitation(&s.app, &token).await {
        Ok(inv) => render(
            "portal/invite.html",
            ctx!(; locale, inv, token, error => Option::<String>::None),
        ),
        Err(AppError::NotFound(_)) => message_page(StatusCode::NOT_FOUND, locale, "invite.invalid"),
        Err(e) => page_error(e, locale),
    }
}

/// The acceptance form.
#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    name: String,
    password: String,
    password2: String,
}

/// The form again, with an error.
async fn again(s: &AppState, token: &str, locale: &'static str, error: String) -> Response {
    match customers::pending_invitation(&s.app, token).await {
        Ok(inv) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "portal/invite.html",
            ctx!(; locale, inv, token, error => Some(error)),
        ),
        Err(_) => message_page(StatusCode::NOT_FOUND, locale, "invite.invalid"),
    }
}

/// `POST /portal/invite/{token}`.
pub async fn accept(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let locale = locale(&headers);
    let Ok(f) = serde_urlencoded::from_bytes::<AcceptForm>(&body) else {
        return message_page(StatusCode::UNPROCESSABLE_ENTITY, locale, "login.missing");
    };
    if f.password != f.password2 {
        return again(
            &s,
            &token,
            locale,
            i18n::translate(locale, "invite.mismatch"),
        )
        .await;
    }
    match customers::accept_invitation(&s.app, &token, Some(&f.name), &f.password).await {
        Ok(_) => {
            let mut r = Redirect::to("/portal/login?next=/portal").into_response();
            *r.status_mut() = StatusCode::SEE_OTHER;
            r
        }
        Err(e @ AppError::Invalid(_)) => {
            let text = super::errors::describe(e, locale).1;
            again(&s, &token, locale, text).await
        }
        Err(AppError::NotFound(_)) => message_page(StatusCode::NOT_FOUND, locale, "invite.invalid"),
        Err(e) => page_error(e, locale),
    }
}
