//! Login and logout for staff (`/login`) and portal users (`/portal/login`), and the language
//! switch. The login form is protected from cross-site posting by a double-submit token: a
//! random value in a `SameSite=Strict` cookie that the form must echo.

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use serde::Deserialize;

use super::i18n;
use super::render::render_status;
use super::session::PageForm;
use crate::AppState;
use crate::extract::{Query, SessionCookie, cookie_in};

const LOGIN_CSRF_COOKIE: &str = "kefu_login_csrf";
const LANG_COOKIE: &str = "kefu_lang";

/// Query of the login page.
#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    lang: Option<String>,
}

/// Fields of the login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

/// Only local paths are followed after login (no open redirects).
fn safe_next(next: Option<&str>, fallback: &str) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => fallback.to_owned(),
    }
}

pub(super) fn locale_of(headers: &HeaderMap, lang: Option<&str>) -> &'static str {
    if let Some(l) = lang {
        return i18n::pick(l);
    }
    if let Some(l) = cookie_in(headers, LANG_COOKIE) {
        return i18n::pick(l);
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or("zh-CN", i18n::from_accept_language)
}

fn render_login(
    status: StatusCode,
    portal: bool,
    locale: &str,
    next: &str,
    error: Option<String>,
    email: &str,
) -> Response {
    let token = kefu_app::auth::random_token(24);
    let mut res = render_status(
        status,
        "login.html",
        ctx!(; locale, portal, next, error, email, csrf => token.clone(),
            next_q => super::session::urlencode(next),
            action => if portal { "/portal/login" } else { "/login" }),
    );
    let cookies = [
        format!("{LOGIN_CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600"),
        format!("{LANG_COOKIE}={locale}; Path=/; SameSite=Lax; Max-Age=31536000"),
    ];
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

async fn show(portal: bool, headers: HeaderMap, q: LoginQuery) -> Response {
    let locale = locale_of(&headers, q.lang.as_deref());
    let next = safe_next(q.next.as_deref(), if portal { "/portal" } else { "/" });
    render_login(StatusCode::OK, portal, locale, &next, None, "")
}

/// `GET /login`.
pub async fn form(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    show(false, headers, q).await
}

/// `GET /portal/login`.
pub async fn portal_form(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    show(true, headers, q).await
}

/// The form body, parsed without a session (there is none yet).
pub struct RawLogin {
    headers: HeaderMap,
    form: Option<LoginForm>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for RawLogin {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, _: &S) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 64 * 1024)
            .await
            .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE.into_response())?;
        Ok(RawLogin {
            form: serde_urlencoded::from_bytes(&bytes).ok(),
            headers: parts.headers,
        })
    }
}

async fn submit_inner(
    portal: bool,
    s: AppState,
    client: std::net::SocketAddr,
    raw: RawLogin,
) -> Response {
    let locale = locale_of(&raw.headers, None);
    let fallback = if portal { "/portal" } else { "/" };
    let Some(f) = raw.form else {
        return render_login(
            StatusCode::UNPROCESSABLE_ENTITY,
            portal,
            locale,
            fallback,
            Some(i18n::translate(locale, "login.missing")),
            "",
        );
    };
    let next = safe_next(f.next.as_deref(), fallback);
    let cookie_token = cookie_in(&raw.headers, LOGIN_CSRF_COOKIE);
    if f.csrf.is_empty() || cookie_token != Some(f.csrf.as_str()) {
        return render_login(
            StatusCode::FORBIDDEN,
            portal,
            locale,
            &next,
            Some(i18n::translate(locale, "error.csrf")),
            &f.email,
        );
    }
    match kefu_app::auth::sessions::login(&s.app, &f.email, &f.password, &client.ip().to_string())
        .await
    {
        Ok(sess) => {
            let staff = kefu_app::auth::actor_for(&sess.user).role.is_staff();
            // Each side logs in on its own page; the other side's users are sent home.
            let target = match (portal, staff) {
                (false, true) | (true, false) => next,
                (false, false) => "/portal".to_owned(),
                (true, true) => "/".to_owned(),
            };
            let mut res = Redirect::to(&target).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                crate::extract::session_cookie(&s, &sess.session_id),
            );
            h.append(
                header::SET_COOKIE,
                HeaderValue::from_str(&format!("{LOGIN_CSRF_COOKIE}=; Path=/; Max-Age=0"))
                    .expect("a fixed cookie is header-safe"),
            );
            res
        }
        Err(kefu_app::AppError::RateLimited { .. }) => render_login(
            StatusCode::TOO_MANY_REQUESTS,
            portal,
            locale,
            &next,
            Some(i18n::translate(locale, "error.rate_limited")),
            &f.email,
        ),
        Err(kefu_app::AppError::Unauthenticated) => render_login(
            StatusCode::UNAUTHORIZED,
            portal,
            locale,
            &next,
            Some(i18n::translate(locale, "login.failed")),
            &f.email,
        ),
        Err(e) => super::errors::page_error(e, locale),
    }
}

/// `POST /login`.
pub async fn submit(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    raw: RawLogin,
) -> Response {
    submit_inner(false, s, addr, raw).await
}

/// `POST /portal/login`.
pub async fn portal_submit(
    State(s): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    raw: RawLogin,
) -> Response {
    submit_inner(true, s, addr, raw).await
}

/// An empty form.
#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST /logout`: ends the session (CSRF-checked) and returns to the right login page.
pub async fn logout(
    State(s): State<AppState>,
    parts: SessionCookie,
    form: PageForm<Empty>,
) -> Response {
    if let Some(sid) = parts.0 {
        let _ = kefu_app::auth::sessions::logout(&s.app, &sid).await;
    }
    let target = if form.viewer.actor.role.is_staff() {
        "/login"
    } else {
        "/portal/login"
    };
    let mut res = Redirect::to(target).into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, crate::extract::clear_session_cookie());
    res
}

/// Language switch form.
#[derive(Debug, Deserialize)]
pub struct LocaleForm {
    locale: String,
}

/// `POST /me/locale`: stores the user's language and reloads the page.
pub async fn set_locale(
    State(s): State<AppState>,
    headers: HeaderMap,
    form: PageForm<LocaleForm>,
) -> Response {
    let locale = i18n::pick(&form.data.locale);
    if let Err(e) = kefu_app::users::set_own_locale(&s.app, &form.viewer.actor, locale).await {
        return super::errors::page_error(e, locale);
    }
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| &r[i + 3 + j..]))
        })
        .map(|p| safe_next(Some(p), "/"))
        .unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&back).into_response();
    res.headers_mut().insert(
        "HX-Redirect",
        HeaderValue::from_str(&back).unwrap_or(HeaderValue::from_static("/")),
    );
    res
}
