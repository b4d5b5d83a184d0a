//! Channels over the API: mail settings, the mail log (with raw downloads), IMAP mailboxes,
//! group bots, and the caller's in-app notifications.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kefu_app::intake::MailSettings;
use kefu_app::mail::{MailLogQuery, MailMessageView, MailboxInput, MailboxView};
use kefu_app::notify::{BotChannelInput, BotChannelView, NotificationView};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Mail settings (the SMTP password is never returned).
#[utoipa::path(get, path = "/api/v1/mail/settings", tag = "channels", responses((status = 200, body = MailSettings)))]
pub async fn get_mail_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<MailSettings>> {
    Ok(axum::Json(
        kefu_app::mail::get_mail_settings(&s.app, &a).await?,
    ))
}

/// Replaces the mail settings; an empty `outbound.smtp_password` keeps the stored one.
#[utoipa::path(put, path = "/api/v1/mail/settings", tag = "channels", request_body = MailSettings, responses((status = 200, body = MailSettings)))]
pub async fn put_mail_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<MailSettings>,
) -> ApiResult<axum::Json<MailSettings>> {
    Ok(axum::Json(
        kefu_app::intake::save_mail_settings(&s.app, &a, body).await?,
    ))
}

/// The mail log, newest first: every message in and out, with why one was ignored or failed.
#[utoipa::path(get, path = "/api/v1/mail/messages", tag = "channels", params(MailLogQuery), responses((status = 200, body = Vec<MailMessageView>)))]
pub async fn list_mail_messages(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<MailLogQuery>,
) -> ApiResult<axum::Json<Vec<MailMessageView>>> {
    Ok(axum::Json(
        kefu_app::mail::list_mail_messages(&s.app, &a, q).await?,
    ))
}

/// A message exactly as received or sent (`message/rfc822`).
#[utoipa::path(get, path = "/api/v1/mail/messages/{id}/raw", tag = "channels", params(("id" = Uuid, Path)), responses((status = 200, content_type = "message/rfc822")))]
pub async fn download_raw_mail(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let (m, bytes) = kefu_app::mail::read_raw_mail(&s.app, &a, id).await?;
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("message/rfc822"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.eml\"", m.id)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// IMAP mailboxes (passwords never returned).
#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "channels", responses((status = 200, body = Vec<MailboxView>)))]
pub async fn list_mailboxes(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<MailboxView>>> {
    Ok(axum::Json(
        kefu_app::mail::list_mailboxes(&s.app, &a).await?,
    ))
}

/// Adds a mailbox.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "channels", request_body = MailboxInput, responses((status = 201, body = MailboxView)))]
pub async fn create_mailbox(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<MailboxInput>,
) -> ApiResult<(StatusCode, axum::Json<MailboxView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::mail::create_mailbox(&s.app, &a, body).await?),
    ))
}

/// Changes a mailbox (an empty password keeps the stored one).
#[utoipa::path(put, path = "/api/v1/mailboxes/{id}", tag = "channels", params(("id" = Uuid, Path)), request_body = MailboxInput, responses((status = 200, body = MailboxView)))]
pub async fn update_mailbox(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(body): Json<MailboxInput>,
) -> ApiResult<axum::Json<MailboxView>> {
    Ok(axum::Json(
        kefu_app::mail::update_mailbox(&s.app, &a, id, body).await?,
    ))
}

/// Removes a mailbox (mail already taken stays).
#[utoipa::path(delete, path = "/api/v1/mailboxes/{id}", tag = "channels", params(("id" = Uuid, Path)), responses((status = 204)))]
pub async fn delete_mailbox(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    kefu_app::mail::delete_mailbox(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Polls a mailbox now.
#[utoipa::path(post, path = "/api/v1/mailboxes/{id}/poll", tag = "channels", params(("id" = Uuid, Path)), responses((status = 200, body = kefu_app::mail::PollReport)))]
pub async fn poll_mailbox(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<kefu_app::mail::PollReport>> {
    Ok(axum::Json(
        kefu_app::mail::poll_mailbox(&s.app, &a, id).await?,
    ))
}

/// Group bots (addresses masked, secrets never returned).
#[utoipa::path(get, path = "/api/v1/bots", tag = "channels", responses((status = 200, body = Vec<BotChannelView>)))]
pub async fn list_bots(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Vec<BotChannelView>>> {
    Ok(axum::Json(kefu_app::notify::list_bots(&s.app, &a).await?))
}

/// Adds a group bot (WeCom, DingTalk or Feishu webhook).
#[utoipa::path(post, path = "/api/v1/bots", tag = "channels", request_body = BotChannelInput, responses((status = 201, body = BotChannelView)))]
pub async fn create_bot(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<BotChannelInput>,
) -> ApiResult<(StatusCode, axum::Json<BotChannelView>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::notify::create_bot(&s.app, &a, body).await?),
    ))
}

/// Changes a group bot (empty address or secret keeps the stored one).
#[utoipa::path(put, path = "/api/v1/bots/{id}", tag = "channels", params(("id" = Uuid, Path)), request_body = BotChannelInput, responses((status = 200, body = BotChannelView)))]
pub async fn update_bot(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(body): Json<BotChannelInput>,
) -> ApiResult<axum::Json<BotChannelView>> {
    Ok(axum::Json(
        kefu_app::notify::update_bot(&s.app, &a, id, body).await?,
    ))
}

/// Removes a group bot.
#[utoipa::path(delete, path = "/api/v1/bots/{id}", tag = "channels", params(("id" = Uuid, Path)), responses((status = 204)))]
pub async fn delete_bot(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    kefu_app::notify::delete_bot(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Queues a test message to a group bot.
#[utoipa::path(post, path = "/api/v1/bots/{id}/test", tag = "channels", params(("id" = Uuid, Path)), responses((status = 202)))]
pub async fn test_bot(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    kefu_app::notify::test_bot(&s.app, &a, id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Filters of the caller's notifications.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default)]
    pub unread: bool,
    /// Older than this id (paging).
    pub before: Option<Uuid>,
    /// Page size (default 50, at most 200).
    pub limit: Option<u64>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "channels", params(NotificationQuery), responses((status = 200, body = Vec<NotificationView>)))]
pub async fn list_notifications(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<NotificationQuery>,
) -> ApiResult<axum::Json<Vec<NotificationView>>> {
    Ok(axum::Json(
        kefu_app::notify::list_notifications(&s.app, &a, q.unread, q.before, q.limit.unwrap_or(50))
            .await?,
    ))
}

/// Which notifications to mark read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MarkRead {
    /// These ids; absent marks all.
    #[serde(default)]
    pub ids: Option<Vec<Uuid>>,
}

/// How many were marked.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Marked {
    /// Notifications changed.
    pub marked: u64,
}

/// Marks the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "channels", request_body = MarkRead, responses((status = 200, body = Marked)))]
pub async fn mark_read(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<MarkRead>,
) -> ApiResult<axum::Json<Marked>> {
    let marked = kefu_app::notify::mark_read(&s.app, &a, body.ids.as_deref()).await?;
    Ok(axum::Json(Marked { marked }))
}

/// Logs a phone call, on a ticket (`ticket_id`) or opening one (`new_ticket_subject`).
#[utoipa::path(post, path = "/api/v1/calls", tag = "channels", request_body = kefu_app::calls::CallInput, responses((status = 201, body = kefu_app::calls::LoggedCall)))]
pub async fn log_call(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<kefu_app::calls::CallInput>,
) -> ApiResult<(StatusCode, axum::Json<kefu_app::calls::LoggedCall>)> {
    Ok((
        StatusCode::CREATED,
        axum::Json(kefu_app::calls::log_call(&s.app, &a, body).await?),
    ))
}

/// Filters of the call log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CallQuery {
    /// Calls logged on this ticket.
    pub ticket_id: Option<Uuid>,
    /// Calls of this customer.
    pub customer_id: Option<Uuid>,
}

/// The call log, newest first (staff).
#[utoipa::path(get, path = "/api/v1/calls", tag = "channels", params(CallQuery), responses((status = 200, body = Vec<kefu_app::calls::CallView>)))]
pub async fn list_calls(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<CallQuery>,
) -> ApiResult<axum::Json<Vec<kefu_app::calls::CallView>>> {
    Ok(axum::Json(
        kefu_app::calls::list_calls(&s.app, &a, q.ticket_id, q.customer_id).await?,
    ))
}

/// CTI webhook: an incoming call. Records it (once per `call_id`), notifies the answering
/// agent, and returns the caller's customer and open tickets for a screen pop.
#[utoipa::path(post, path = "/api/v1/cti/incoming", tag = "channels", request_body = kefu_app::calls::IncomingCall, responses((status = 200, body = kefu_app::calls::ScreenPop)))]
pub async fn cti_incoming(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<kefu_app::calls::IncomingCall>,
) -> ApiResult<axum::Json<kefu_app::calls::ScreenPop>> {
    Ok(axum::Json(
        kefu_app::calls::incoming_call(&s.app, &a, body).await?,
    ))
}

/// WeChat official-account settings (AppSecret, Token and EncodingAESKey are returned empty).
#[utoipa::path(get, path = "/api/v1/wechat/settings", tag = "channels", responses((status = 200, body = kefu_app::wechat::WeChatSettings)))]
pub async fn get_wechat_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<kefu_app::wechat::WeChatSettings>> {
    Ok(axum::Json(
        kefu_app::wechat::get_wechat_settings(&s.app, &a).await?,
    ))
}

/// Saves the WeChat settings; empty secrets keep the stored ones.
#[utoipa::path(put, path = "/api/v1/wechat/settings", tag = "channels", request_body = kefu_app::wechat::WeChatSettings, responses((status = 200, body = kefu_app::wechat::WeChatSettings)))]
pub async fn put_wechat_settings(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(body): Json<kefu_app::wechat::WeChatSettings>,
) -> ApiResult<axum::Json<kefu_app::wechat::WeChatSettings>> {
    Ok(axum::Json(
        kefu_app::wechat::save_wechat_settings(&s.app, &a, body).await?,
    ))
}
