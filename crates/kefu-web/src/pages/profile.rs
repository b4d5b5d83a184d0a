//! The signed-in user's own settings: language, time zone and password (staff and portal).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;

use super::base;
use super::errors::{message_page, page_error};
use super::render::render;
use super::session::{PageForm, SignedIn, Viewer};
use crate::AppState;
use crate::extract::SessionCookie;

/// Time zones offered (any IANA name is accepted by the API).
const ZONES: [&str; 12] = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
];

fn page(v: &Viewer, saved: Option<&str>) -> Response {
    let layout = if v.actor.role.is_staff() {
        "agent/layout.html"
    } else {
        "portal/layout.html"
    };
    render(
        "profile.html",
        ctx!(base(v); layout, zones => ZONES, saved, section => "me",
            current_tz => v.user.time_zone, name => v.user.name, email => v.user.email),
    )
}

/// `GET /me`.
pub async fn show(SignedIn(v): SignedIn) -> Response {
    page(&v, None)
}

/// Language and time zone.
#[derive(Debug, Deserialize)]
pub struct PrefsForm {
    locale: String,
    time_zone: String,
}

/// `POST /me/preferences`.
pub async fn save(State(s): State<AppState>, form: PageForm<PrefsForm>) -> Response {
    let mut v = form.viewer;
    let f = form.data;
    let r = async {
        kefu_app::users::set_own_locale(&s.app, &v.actor, super::i18n::pick(&f.locale)).await?;
        kefu_app::users::set_own_time_zone(&s.app, &v.actor, f.time_zone.trim()).await
    }
    .await;
    match r {
        Ok(()) => {
            v.user.locale = super::i18n::pick(&f.locale).to_owned();
            v.user.time_zone = f.time_zone.trim().to_owned();
            page(&v, Some("prefs"))
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// Password change.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    new_password2: String,
}

/// `POST /me/password`: other sessions of the user end; this one stays.
pub async fn password(
    State(s): State<AppState>,
    sid: SessionCookie,
    form: PageForm<PasswordForm>,
) -> Response {
    let v = form.viewer;
    let f = form.data;
    if f.new_password != f.new_password2 {
        return message_page(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            v.locale(),
            "invite.mismatch",
        );
    }
    let keep = sid.0.map(|s| kefu_app::auth::sha256_hex(s.as_bytes()));
    match kefu_app::users::change_own_password(
        &s.app,
        &v.actor,
        &f.current_password,
        &f.new_password,
        keep.as_deref(),
    )
    .await
    {
        Ok(()) => page(&v, Some("password")),
        Err(e) => page_error(e, v.locale()),
    }
}
