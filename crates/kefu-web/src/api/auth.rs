//! Login, logout, the current user and API tokens.

use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::auth::tokens::{CreatedToken, NewToken, TokenView};
use kefu_app::users::UserView;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ApiResult;
use crate::extract::{Auth, Json, Path, SESSION_COOKIE};
use crate::{ApiError, AppState};

/// Login request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// Login response; the session cookie is set alongside.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginOutput {
    /// The user.
    pub user: UserView,
    /// Send as `X-CSRF-Token` on every unsafe request made with the session cookie.
    pub csrf_token: String,
}

/// Logs in with email and password; sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = LoginOutput), (status = 401, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub async fn login(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    Json(req): Json<LoginInput>,
) -> Response {
    match kefu_app::auth::sessions::login(&s.app, &req.email, &req.password, &addr.ip().to_string())
        .await
    {
        Ok(sess) => {
            let cookie = crate::extract::session_cookie(&s, &sess.session_id);
            let mut res = axum::Json(LoginOutput {
                user: sess.user.into(),
                csrf_token: sess.csrf_token,
            })
            .into_response();
            res.headers_mut().insert(header::SET_COOKIE, cookie);
            res
        }
        Err(e) => ApiError(e).into_response(),
    }
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Auth(_actor): Auth,
) -> ApiResult<Response> {
    let sid = crate::extract::cookie_in(&headers, SESSION_COOKIE).map(str::to_owned);
    if let Some(sid) = sid {
        kefu_app::auth::sessions::logout(&s.app, &sid).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, crate::extract::clear_session_cookie());
    Ok(res)
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = UserView)))]
pub async fn get_me(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<axum::Json<UserView>> {
    Ok(axum::Json(
        kefu_app::users::get_user(&s.app, &a, a.user_id).await?,
    ))
}

/// Creates an API token for the current user; the secret is shown only in this response.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = NewToken, responses((status = 201, body = CreatedToken)))]
pub async fn create_token(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<NewToken>,
) -> ApiResult<(StatusCode, axum::Json<CreatedToken>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::auth::tokens::create_token(&s.app, &a, req).await?),
    ))
}

/// The current user's tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, body = Vec<TokenView>)))]
pub async fn list_tokens(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<TokenView>>> {
    Ok(axum::Json(
        kefu_app::auth::tokens::list_tokens(&s.app, &a).await?,
    ))
}

/// Revokes a token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = Uuid, Path)), responses((status = 204)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    kefu_app::auth::tokens::revoke_token(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
