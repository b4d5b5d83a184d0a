//! Who is looking at a page: the signed-in staff member or portal user (by session cookie), or
//! a redirect to the right login page. Unsafe requests must echo the session's CSRF token,
//! either in the `X-CSRF-Token` header (htmx sends it on every request) or in a `_csrf` field.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::access::Actor;
use kefu_store::entity::user;
use serde::de::DeserializeOwned;

use super::i18n;
use crate::AppState;
use crate::extract::{CSRF_HEADER, SESSION_COOKIE, cookie};

/// A signed-in user of the pages.
#[derive(Clone)]
pub struct Viewer {
    /// Permissions and scope.
    pub actor: Actor,
    /// The user row.
    pub user: user::Model,
    /// The session's CSRF token, for forms and htmx headers.
    pub csrf: String,
}

impl Viewer {
    /// The UI locale of this user.
    pub fn locale(&self) -> &'static str {
        i18n::pick(&self.user.locale)
    }
}

/// A staff member (agent, supervisor, admin, engineer, finance).
pub struct Staff(pub Viewer);

/// A customer's portal user.
pub struct PortalUser(pub Viewer);

/// Form data of an unsafe page request, checked against the session's CSRF token.
pub struct PageForm<T> {
    /// The caller.
    pub viewer: Viewer,
    /// The decoded form.
    pub data: T,
}

fn login_redirect(parts: &Parts, portal: bool) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let login = if portal { "/portal/login" } else { "/login" };
    let target = format!("{login}?next={}", urlencode(next));
    if parts.headers.contains_key("hx-request") {
        // htmx follows HX-Redirect with a full page load.
        return (StatusCode::UNAUTHORIZED, [("HX-Redirect", target)]).into_response();
    }
    Redirect::to(&target).into_response()
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

async fn viewer(parts: &Parts, state: &AppState) -> Result<Option<Viewer>, Response> {
    let Some(sid) = cookie(parts, SESSION_COOKIE) else {
        return Ok(None);
    };
    let live = kefu_app::auth::sessions::resolve(&state.app, sid)
        .await
        .map_err(|e| super::errors::page_error(e, "zh-CN"))?;
    Ok(live.map(|s| Viewer {
        actor: kefu_app::auth::actor_for(&s.user),
        user: s.user,
        csrf: s.csrf_token,
    }))
}

fn csrf_ok(sent: &str, expected: &str) -> bool {
    crate::extract::constant_time_eq(sent.as_bytes(), expected.as_bytes())
}

fn csrf_rejection(locale: &str) -> Response {
    super::errors::message_page(StatusCode::FORBIDDEN, locale, "error.csrf")
}

fn header_csrf(parts: &Parts) -> Option<&str> {
    parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Any signed-in user, staff or portal (their own settings page). Logged-out visitors go to
/// the login page of the part of the site they asked for.
pub struct SignedIn(pub Viewer);

/// The signed-in viewer of a request, with the CSRF header checked on unsafe methods (such
/// requests carry no form body here to look in, so they need the header: htmx, fetch).
async fn signed_in(parts: &Parts, state: &AppState, portal: bool) -> Result<Viewer, Response> {
    let Some(v) = viewer(parts, state).await? else {
        return Err(login_redirect(parts, portal));
    };
    if !is_safe(&parts.method) && !header_csrf(parts).is_some_and(|s| csrf_ok(s, &v.csrf)) {
        return Err(csrf_rejection(v.locale()));
    }
    Ok(v)
}

/// The signed-in viewer if there is one (public pages: the help center). Only for pages read
/// with GET; nothing is checked against CSRF here.
pub struct MaybeViewer(pub Option<Viewer>);

impl FromRequestParts<AppState> for MaybeViewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        Ok(MaybeViewer(viewer(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let portal = parts.uri.path().starts_with("/portal");
        signed_in(parts, state, portal).await.map(SignedIn)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let v = signed_in(parts, state, false).await?;
        if !v.actor.role.is_staff() {
            return Err(Redirect::to("/portal").into_response());
        }
        Ok(Staff(v))
    }
}

impl FromRequestParts<AppState> for PortalUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let v = signed_in(parts, state, true).await?;
        if v.actor.role.is_staff() {
            return Err(Redirect::to("/").into_response());
        }
        Ok(PortalUser(v))
    }
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let Some(v) = viewer(&parts, state).await? else {
            let portal = parts.uri.path().starts_with("/portal");
            return Err(login_redirect(&parts, portal));
        };
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|h| h.starts_with("application/x-www-form-urlencoded"));
        let bytes = axum::body::to_bytes(body, state.settings.max_body_bytes)
            .await
            .map_err(|_| {
                super::errors::message_page(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    v.locale(),
                    "error.too_large",
                )
            })?;
        let pairs: Vec<(String, String)> = if is_form || bytes.is_empty() {
            serde_urlencoded::from_bytes(&bytes).unwrap_or_default()
        } else {
            Vec::new()
        };
        let field = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str());
        let sent = header_csrf(&parts).or(field).unwrap_or("");
        if !csrf_ok(sent, &v.csrf) {
            return Err(csrf_rejection(v.locale()));
        }
        let data = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
            super::errors::message_text(
                StatusCode::UNPROCESSABLE_ENTITY,
                v.locale(),
                &e.to_string(),
            )
        })?;
        Ok(PageForm { viewer: v, data })
    }
}
