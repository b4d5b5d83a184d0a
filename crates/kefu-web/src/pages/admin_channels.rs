//! The channels admin page: outbound mail (SMTP, sender, which customer notices go out), IMAP
//! mailboxes (with "poll now"), group bots (with a test message), the WeChat official account,
//! the web chat widget (with the snippet to embed it), and the mail log of what was ignored or
//! failed, each message downloadable as raw `.eml`.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::chat::{self, ChatSettings};
use kefu_app::intake::{MailSettings, save_mail_settings};
use kefu_app::mail::{self, MailLogQuery, MailboxInput};
use kefu_app::notify::{self, BOT_EVENTS, BotChannelInput};
use kefu_app::wechat::{self, WeChatSettings};
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, all, get, has, opt};
use super::labels::status_names;
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

/// The script tag a company pastes into its website: kefu's public address, else the address
/// the admin reached this page at.
fn chat_snippet(s: &AppState, host: Option<&str>) -> String {
    let base = if s.app.settings.public_url.is_empty() {
        format!("http://{}", host.unwrap_or("localhost"))
    } else {
        s.app.settings.public_url.clone()
    };
    format!("<script src=\"{base}/chat/widget.js\" async></script>")
}

async fn page(s: &AppState, v: &Viewer, flash: Option<String>, host: Option<&str>) -> Response {
    let a = &v.actor;
    let loaded = async {
        let mail = mail::get_mail_settings(&s.app, a).await?;
        let mailboxes = mail::list_mailboxes(&s.app, a).await?;
        let bots = notify::list_bots(&s.app, a).await?;
        let mut log = mail::list_mail_messages(
            &s.app,
            a,
            MailLogQuery {
                status: Some("failed".into()),
                limit: Some(30),
                ..Default::default()
            },
        )
        .await?;
        log.extend(
            mail::list_mail_messages(
                &s.app,
                a,
                MailLogQuery {
                    status: Some("ignored".into()),
                    limit: Some(30),
                    ..Default::default()
                },
            )
            .await?,
        );
        log.sort_by_key(|m| std::cmp::Reverse(m.created_at));
        let wechat = wechat::get_wechat_settings(&s.app, a).await?;
        let statuses = status_names(&s.app, v.locale()).await?;
        let chat = chat::get_chat_settings(&s.app, a).await?;
        Ok::<_, kefu_app::AppError>((mail, mailboxes, bots, log, wechat, statuses, chat))
    }
    .await;
    match loaded {
        Ok((mail, mailboxes, bots, log, wechat, statuses, chat)) => render(
            "admin/channels.html",
            ctx!(base(v); mail, mailboxes, bots, log, wechat, statuses, flash, chat,
                 chat_snippet => chat_snippet(s, host),
                 bot_events => BOT_EVENTS, section => "admin"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

fn back(flash: &str) -> Response {
    Redirect::to(&format!("/admin/channels?flash={flash}")).into_response()
}

/// `GET /admin/channels`.
pub async fn show(
    State(s): State<AppState>,
    Staff(v): Staff,
    headers: axum::http::HeaderMap,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    let flash = q
        .get("flash")
        .filter(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .cloned();
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
        });
    page(&s, &v, flash, host).await
}

/// `POST /admin/channels/mail`: the outbound part of the mail settings.
pub async fn save_mail(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let (v, p) = (form.viewer, form.data);
    let mut m: MailSettings = match kefu_app::intake::MailSettings::load(s.app.store.conn()).await {
        Ok(m) => m,
        Err(e) => return page_error(e, v.locale()),
    };
    let o = &mut m.outbound;
    o.enabled = has(&p, "enabled");
    o.from_address = get(&p, "from_address").trim().to_owned();
    o.from_name = get(&p, "from_name").trim().to_owned();
    o.smtp_host = get(&p, "smtp_host").trim().to_owned();
    o.smtp_port = get(&p, "smtp_port").trim().parse().unwrap_or(0);
    o.smtp_security = get(&p, "smtp_security").to_owned();
    o.smtp_username = get(&p, "smtp_username").trim().to_owned();
    o.smtp_password = get(&p, "smtp_password").to_owned();
    o.language = get(&p, "language").to_owned();
    o.notify_received = has(&p, "notify_received");
    o.notify_agent_reply = has(&p, "notify_agent_reply");
    o.notify_statuses = all(&p, "notify_statuses").map(str::to_owned).collect();
    m.closed_reply = opt(&p, "closed_reply").unwrap_or(m.closed_reply);
    match save_mail_settings(&s.app, &v.actor, m).await {
        Ok(_) => back("saved"),
        Err(e) => page_error(e, v.locale()),
    }
}

fn mailbox_input(p: &Pairs) -> MailboxInput {
    MailboxInput {
        name: get(p, "name").to_owned(),
        host: get(p, "host").to_owned(),
        port: get(p, "port").trim().parse().unwrap_or(0),
        security: get(p, "security").to_owned(),
        username: get(p, "username").to_owned(),
        password: get(p, "password").to_owned(),
        folder: opt(p, "folder").unwrap_or_else(|| "INBOX".into()),
        poll_seconds: get(p, "poll_seconds").trim().parse().unwrap_or(60),
        enabled: has(p, "enabled"),
    }
}

/// `POST /admin/channels/mailboxes`.
pub async fn create_mailbox(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    match mail::create_mailbox(&s.app, &form.viewer.actor, mailbox_input(&form.data)).await {
        Ok(_) => back("saved"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `POST /admin/channels/mailboxes/{id}`: change, or remove with `remove`.
pub async fn update_mailbox(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let a = &form.viewer.actor;
    let r = if has(&form.data, "remove") {
        mail::delete_mailbox(&s.app, a, id).await
    } else {
        mail::update_mailbox(&s.app, a, id, mailbox_input(&form.data))
            .await
            .map(|_| ())
    };
    match r {
        Ok(()) => back("saved"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `POST /admin/channels/mailboxes/{id}/poll`.
pub async fn poll_mailbox(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    match mail::poll_mailbox(&s.app, &form.viewer.actor, id).await {
        Ok(r) if r.error.is_none() => back("polled"),
        Ok(_) => back("poll_failed"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

fn bot_input(p: &Pairs) -> BotChannelInput {
    BotChannelInput {
        name: get(p, "name").to_owned(),
        kind: get(p, "kind").to_owned(),
        url: get(p, "url").trim().to_owned(),
        secret: opt(p, "secret"),
        events: all(p, "events").map(str::to_owned).collect(),
        enabled: has(p, "enabled"),
    }
}

/// `POST /admin/channels/bots`.
pub async fn create_bot(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    match notify::create_bot(&s.app, &form.viewer.actor, bot_input(&form.data)).await {
        Ok(_) => back("saved"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `POST /admin/channels/bots/{id}`: change, or remove with `remove`.
pub async fn update_bot(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let a = &form.viewer.actor;
    let r = if has(&form.data, "remove") {
        notify::delete_bot(&s.app, a, id).await
    } else {
        notify::update_bot(&s.app, a, id, bot_input(&form.data))
            .await
            .map(|_| ())
    };
    match r {
        Ok(()) => back("saved"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `POST /admin/channels/bots/{id}/test`.
pub async fn test_bot(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    match notify::test_bot(&s.app, &form.viewer.actor, id).await {
        Ok(()) => back("test_queued"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `POST /admin/channels/wechat`.
pub async fn save_wechat(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let p = &form.data;
    let w = WeChatSettings {
        enabled: has(p, "enabled"),
        app_id: get(p, "app_id").to_owned(),
        app_secret: get(p, "app_secret").to_owned(),
        token: get(p, "token").to_owned(),
        encoding_aes_key: get(p, "encoding_aes_key").to_owned(),
        api_base: get(p, "api_base").trim().to_owned(),
    };
    match wechat::save_wechat_settings(&s.app, &form.viewer.actor, w).await {
        Ok(_) => back("saved"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `POST /admin/channels/chat`: the web chat widget.
pub async fn save_chat(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let p = &form.data;
    let c = ChatSettings {
        enabled: has(p, "enabled"),
        hours_only: has(p, "hours_only"),
        bot_first: has(p, "bot_first"),
        title: get(p, "title").to_owned(),
        greeting: get(p, "greeting").to_owned(),
        allowed_origins: get(p, "allowed_origins")
            .lines()
            .map(str::to_owned)
            .collect(),
    };
    match chat::save_chat_settings(&s.app, &form.viewer.actor, c).await {
        Ok(_) => back("saved"),
        Err(e) => page_error(e, form.viewer.locale()),
    }
}

/// `GET /admin/channels/mail/{id}/raw`: the message as received or sent.
pub async fn raw_mail(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    match mail::read_raw_mail(&s.app, &v.actor, id).await {
        Ok((m, bytes)) => {
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
            if let Ok(val) =
                HeaderValue::from_str(&format!("attachment; filename=\"{}.eml\"", m.id))
            {
                h.insert(header::CONTENT_DISPOSITION, val);
            }
            r
        }
        Err(e) => page_error(e, v.locale()),
    }
}
