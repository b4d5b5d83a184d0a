//! Administration: the overview with the role × permission matrix, users, and API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::auth::tokens::{self, NewToken};
use kefu_app::users::{self, NewUser, UserPatch};
use kefu_domain::access::Permission;
use serde::Deserialize;
use uuid::Uuid;

use super::base;
use super::errors::{message_page, page_error};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

/// Admin pages are for holders of `config.manage` or `user.manage`; others get a 403 page.
pub(super) fn refuse_non_admin(v: &Viewer) -> Option<Response> {
    (!v.actor.has(Permission::ConfigManage) && !v.actor.has(Permission::UserManage))
        .then(|| message_page(StatusCode::FORBIDDEN, v.locale(), "error.forbidden"))
}

/// `GET /admin`.
pub async fn index(Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    let (roles, permissions) = kefu_app::config::roles::permission_matrix();
    render(
        "admin/index.html",
        ctx!(base(&v); roles, permissions, section => "admin"),
    )
}

async fn users_page(s: &AppState, v: &Viewer, created: Option<users::UserView>) -> Response {
    let r = async {
        let list = users::list_users(&s.app, &v.actor).await?;
        let customers =
            kefu_app::customers::list_customers(&s.app, &v.actor, None, None, None, 200).await?;
        Ok::<_, kefu_app::AppError>(ctx!(base(v);
            users => list, customers, created, section => "admin",
            roles => ["admin", "supervisor", "agent", "field_engineer", "finance", "customer"],
        ))
    }
    .await;
    match r {
        Ok(ctx) => render("admin/users.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/users`.
pub async fn users_list(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    users_page(&s, &v, None).await
}

/// New user form.
#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    email: String,
    name: String,
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    customer_id: String,
}

/// `POST /admin/users`: creates a user; a generated password is shown once.
pub async fn users_create(State(s): State<AppState>, form: PageForm<NewUserForm>) -> Response {
    let v = form.viewer;
    let f = form.data;
    let r = users::create_user(
        &s.app,
        Some(&v.actor),
        NewUser {
            email: f.email,
            name: f.name,
            role: f.role,
            password: (!f.password.is_empty()).then_some(f.password),
            customer_id: Uuid::parse_str(&f.customer_id).ok(),
            ..Default::default()
        },
    )
    .await;
    match r {
        Ok(u) => users_page(&s, &v, Some(u)).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// Edit of one user.
#[derive(Debug, Deserialize)]
pub struct EditUserForm {
    role: String,
    #[serde(default)]
    active: Option<String>,
}

/// `POST /admin/users/{id}`: role and active flag.
pub async fn users_update(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<EditUserForm>,
) -> Response {
    let v = form.viewer;
    let patch = UserPatch {
        role: Some(form.data.role),
        active: Some(form.data.active.is_some()),
        ..Default::default()
    };
    match users::update_user(&s.app, &v.actor, id, patch).await {
        Ok(_) => users_page(&s, &v, None).await,
        Err(e) => page_error(e, v.locale()),
    }
}

async fn tokens_page(s: &AppState, v: &Viewer, created: Option<tokens::CreatedToken>) -> Response {
    match tokens::list_tokens(&s.app, &v.actor).await {
        Ok(list) => {
            let scopes: Vec<&str> = v.actor.permissions().iter().map(|p| p.as_str()).collect();
            render(
                "admin/tokens.html",
                ctx!(base(v); tokens => list, created, scopes, section => "admin"),
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/tokens`: the caller's own API tokens.
pub async fn tokens_list(State(s): State<AppState>, Staff(v): Staff) -> Response {
    tokens_page(&s, &v, None).await
}

/// `POST /admin/tokens`: creates a token, shown once.
pub async fn tokens_create(
    State(s): State<AppState>,
    form: PageForm<Vec<(String, String)>>,
) -> Response {
    let v = form.viewer;
    let name = form
        .data
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, x)| x.clone())
        .unwrap_or_default();
    let scopes = form
        .data
        .iter()
        .filter(|(k, _)| k == "scopes")
        .map(|(_, x)| x.clone())
        .collect();
    let days = form
        .data
        .iter()
        .find(|(k, _)| k == "expires_in_days")
        .and_then(|(_, x)| x.parse().ok());
    match tokens::create_token(
        &s.app,
        &v.actor,
        NewToken {
            name,
            scopes,
            expires_in_days: days,
        },
    )
    .await
    {
        Ok(t) => tokens_page(&s, &v, Some(t)).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// An empty form.
#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// `POST /admin/tokens/{id}/revoke`.
pub async fn tokens_revoke(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Nothing>,
) -> Response {
    let v = form.viewer;
    match tokens::revoke_token(&s.app, &v.actor, id).await {
        Ok(()) => tokens_page(&s, &v, None).await,
        Err(e) => page_error(e, v.locale()),
    }
}
