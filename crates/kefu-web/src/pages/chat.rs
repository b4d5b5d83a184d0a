//! Web chat pages: the widget script a company embeds in its website, the chat page that
//! script opens in a frame (framable only by the sites the admin allowed), and the agents'
//! chat console.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kefu_app::chat::ChatSettings;
use serde::Deserialize;

use super::base;
use super::errors::page_error;
use super::i18n;
use super::render::render;
use super::session::Staff;
use crate::AppState;

const WIDGET_JS: &str = include_str!("../../static/chat-widget.js");

/// `GET /chat/widget.js`: the launcher script for the company's website. Not versioned in its
/// address (it is pasted once into other sites), so cached for an hour only.
pub async fn widget_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        WIDGET_JS,
    )
        .into_response()
}

/// Query of the chat frame.
#[derive(Debug, Deserialize)]
pub struct EmbedQuery {
    /// `zh-CN` or `en`.
    #[serde(default)]
    locale: Option<String>,
    /// The page the widget sits on.
    #[serde(default)]
    page: Option<String>,
}

/// `GET /chat/embed`: the chat itself, inside the widget's frame.
pub async fn embed(
    State(s): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<EmbedQuery>,
) -> Response {
    let locale = i18n::pick(q.locale.as_deref().unwrap_or("zh-CN"));
    let settings = match ChatSettings::load(s.app.store.conn()).await {
        Ok(c) => c,
        Err(e) => return page_error(e, locale),
    };
    let page_url: String = q
        .page
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(|u| u.chars().take(500).collect())
        .unwrap_or_default();
    let mut r = render("chat/embed.html", ctx!(; locale, page_url));
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; frame-ancestors {}; base-uri 'none'; \
         object-src 'none'",
        settings.frame_ancestors()
    );
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(HeaderName::from_static("content-security-policy"), v);
    }
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
    r
}

/// `GET /chat`: the agents' chat console.
pub async fn console(Staff(v): Staff) -> Response {
    if let Err(e) = kefu_app::chat::may_answer(&v.actor) {
        return page_error(e, v.locale());
    }
    render(
        "agent/chat.html",
        ctx!(base(&v); section => "chat", ws_path => "/chat/agent/ws"),
    )
}
