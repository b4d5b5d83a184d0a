//! Server-rendered pages: the agent workspace at `/`, the customer portal at `/portal`, and
//! their login pages. Templates are minijinja (compiled in), interactivity is htmx (vendored).

/// A template context: `ctx!(base; key => value, shorthand, …)` serializes every value
/// (minijinja only converts primitives by itself) and merges `base` underneath.
macro_rules! ctx {
    (@v $k:ident) => { minijinja::Value::from(minijinja::value::Serde(&$k)) };
    (@v $k:ident $v:expr) => { minijinja::Value::from(minijinja::value::Serde(&$v)) };
    (; $($k:ident $(=> $v:expr)?),* $(,)?) => {
        minijinja::context! { $($k => ctx!(@v $k $($v)?)),* }
    };
    ($base:expr; $($k:ident $(=> $v:expr)?),* $(,)?) => {
        minijinja::context! { $($k => ctx!(@v $k $($v)?)),*, ..$base }
    };
}

mod admin;
mod admin_automation;
mod admin_canned;
mod admin_care;
mod admin_channels;
mod admin_config;
mod admin_dispatch;
mod admin_search;
mod admin_sla;
mod admin_webhooks;
mod agent_customer_edit;
mod agent_customers;
mod agent_new;
mod agent_queue;
mod agent_ticket;
mod agent_ticket_edit;
mod approvals;
mod assets;
mod charges;
mod chat;
mod errors;
mod form;
mod help;
mod i18n;
mod imports;
mod kb_admin;
mod labels;
mod login;
mod parts;
mod portal;
mod portal_invite;
mod profile;
mod render;
mod reports;
mod search;
mod security;
mod session;
mod survey;
mod tasks;
mod upload;

use axum::Router;
use axum::routing::{get, post};
use minijinja::Value;

use crate::AppState;
use session::Viewer;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/{file}", get(assets::file))
        .route("/login", get(login::form).post(login::submit))
        .route(
            "/portal/login",
            get(login::portal_form).post(login::portal_submit),
        )
        .route("/logout", post(login::logout))
        .route("/me/locale", post(login::set_locale))
        .route("/me", get(profile::show))
        .route("/me/preferences", post(profile::save))
        .route("/me/password", post(profile::password))
        .route("/", get(agent_queue::home))
        .route("/tickets", get(agent_queue::queue))
        .route("/tickets/bulk", post(agent_queue::bulk))
        .route("/tickets/counts", get(agent_queue::counts))
        .route("/tickets/new", get(agent_new::form).post(agent_new::submit))
        .route("/lookup", get(agent_new::lookup))
        .route("/tickets/{id}", get(agent_ticket::page))
        .route("/tickets/{id}/timeline", get(agent_ticket::timeline))
        .route("/tickets/{id}/reply", post(agent_ticket::reply))
        .route("/tickets/{id}/transition", post(agent_ticket::transition))
        .route("/tickets/{id}/assign", post(agent_ticket::assign))
        .route("/tickets/{id}/edit", post(agent_ticket_edit::edit))
        .route("/tickets/{id}/merge", post(agent_ticket_edit::merge))
        .route("/tickets/{id}/split", post(agent_ticket_edit::split))
        .route("/tickets/{id}/macros", post(admin_automation::apply))
        .route("/chat", get(chat::console))
        .route("/help", get(help::index))
        .route("/help/articles/{id}", get(help::article))
        .route("/kb", get(kb_admin::list))
        .route("/kb/new", get(kb_admin::new_form).post(kb_admin::create))
        .route("/kb/categories", post(kb_admin::create_category))
        .route("/kb/{id}", get(kb_admin::edit_form).post(kb_admin::update))
        .route(
            "/kb/{id}/versions/{version}/restore",
            post(kb_admin::restore),
        )
        .route(
            "/tickets/{id}/suggestions",
            get(kb_admin::ticket_suggestions),
        )
        .route("/approvals", get(approvals::list))
        .route("/approvals/{id}", post(approvals::decide))
        .route("/tasks", get(tasks::list))
        .route("/tasks/{id}/complete", post(tasks::complete))
        .route("/reports/surveys", get(reports::surveys))
        .route("/survey/{token}", get(survey::form).post(survey::answer))
        .route("/customers", get(agent_customers::list))
        .route(
            "/customers/new",
            get(agent_customer_edit::new_form).post(agent_customer_edit::create),
        )
        .route("/customers/{id}", get(agent_customers::page))
        .route(
            "/customers/{id}/edit",
            get(agent_customer_edit::edit_form).post(agent_customer_edit::update),
        )
        .route(
            "/customers/{id}/contacts",
            post(agent_customer_edit::add_contact),
        )
        .route(
            "/customers/{id}/assets",
            post(agent_customer_edit::add_asset),
        )
        .route("/customers/{id}/invite", post(portal_invite::invite))
        .route(
            "/customers/{id}/maintenance-plans",
            post(agent_customer_edit::add_plan),
        )
        .route(
            "/portal/invite/{token}",
            get(portal_invite::form).post(portal_invite::accept),
        )
        .route("/admin", get(admin::index))
        .route(
            "/admin/users",
            get(admin::users_list).post(admin::users_create),
        )
        .route("/admin/users/{id}", post(admin::users_update))
        .route(
            "/admin/tokens",
            get(admin::tokens_list).post(admin::tokens_create),
        )
        .route("/admin/tokens/{id}/revoke", post(admin::tokens_revoke))
        .route(
            "/admin/types",
            get(admin_config::types_list).post(admin_config::types_save),
        )
        .route(
            "/admin/workflow",
            get(admin_config::workflow_show).post(admin_config::workflow_save),
        )
        .route(
            "/admin/teams",
            get(admin_config::teams_list).post(admin_config::teams_create),
        )
        .route("/admin/teams/{id}", post(admin_config::teams_update))
        .route(
            "/admin/canned",
            get(admin_canned::show).post(admin_canned::save),
        )
        .route(
            "/admin/search",
            get(admin_search::show).post(admin_search::save),
        )
        .route("/admin/search/rebuild", post(admin_search::rebuild))
        .route("/admin/search/status", get(admin_search::poll))
        .route(
            "/admin/webhooks",
            get(admin_webhooks::show).post(admin_webhooks::create),
        )
        .route("/admin/webhooks/{id}", get(admin_webhooks::log))
        .route("/admin/webhooks/{id}/toggle", post(admin_webhooks::toggle))
        .route("/admin/webhooks/{id}/rotate", post(admin_webhooks::rotate))
        .route("/admin/webhooks/{id}/delete", post(admin_webhooks::delete))
        .route(
            "/admin/webhooks/{id}/deliveries/{delivery}/redeliver",
            post(admin_webhooks::redeliver),
        )
        .route("/search", get(search::page))
        .route("/parts", get(parts::show))
        .route("/tickets/export", get(agent_queue::export))
        .route("/parts/receive", post(parts::receive))
        .route("/parts/new", post(parts::create_part))
        .route("/parts/warehouses", post(parts::create_warehouse))
        .route(
            "/tickets/{id}/parts",
            get(parts::ticket_panel).post(parts::reserve),
        )
        .route("/tickets/{id}/parts/{line}/consume", post(parts::consume))
        .route("/tickets/{id}/parts/{line}/release", post(parts::release))
        .route(
            "/tickets/{id}/rmas",
            get(parts::rmas_panel).post(parts::issue_rma),
        )
        .route("/tickets/{id}/rmas/{rma}/steps", post(parts::rma_step))
        .route(
            "/tickets/{id}/charges",
            get(charges::ticket_panel).post(charges::add),
        )
        .route(
            "/tickets/{id}/charges/{charge}/remove",
            post(charges::remove),
        )
        .route("/tickets/{id}/quotes", post(charges::send_quote))
        .route("/charges", get(charges::show))
        .route("/import", get(imports::page))
        .route("/import/preview", post(imports::preview))
        .route("/import/run", post(imports::run))
        .route("/charges/exports", post(charges::export))
        .route("/charges/prices", post(charges::save_item))
        .route("/charges/rules", post(charges::save_rules))
        .route("/admin/channels", get(admin_channels::show))
        .route("/admin/channels/mail", post(admin_channels::save_mail))
        .route(
            "/admin/channels/mailboxes",
            post(admin_channels::create_mailbox),
        )
        .route(
            "/admin/channels/mailboxes/{id}",
            post(admin_channels::update_mailbox),
        )
        .route(
            "/admin/channels/mailboxes/{id}/poll",
            post(admin_channels::poll_mailbox),
        )
        .route("/admin/channels/bots", post(admin_channels::create_bot))
        .route(
            "/admin/channels/bots/{id}",
            post(admin_channels::update_bot),
        )
        .route(
            "/admin/channels/bots/{id}/test",
            post(admin_channels::test_bot),
        )
        .route("/admin/channels/wechat", post(admin_channels::save_wechat))
        .route("/admin/channels/chat", post(admin_channels::save_chat))
        .route(
            "/admin/channels/mail/{id}/raw",
            get(admin_channels::raw_mail),
        )
        .route("/admin/sla", get(admin_sla::show))
        .route("/admin/care", get(admin_care::show))
        .route("/admin/care/follow-up", post(admin_care::save_follow_up))
        .route("/admin/care/surveys", post(admin_care::save_surveys))
        .route(
            "/admin/routing",
            get(admin_dispatch::show).post(admin_dispatch::save),
        )
        .route("/admin/routing/test", post(admin_dispatch::test))
        .route(
            "/admin/triggers",
            get(admin_automation::triggers_show).post(admin_automation::triggers_save),
        )
        .route(
            "/admin/macros",
            get(admin_automation::macros_show).post(admin_automation::macros_save),
        )
        .route(
            "/admin/teams/{id}/assignment",
            post(admin_dispatch::team_policy),
        )
        .route("/admin/sla/policies/{id}", post(admin_sla::save_policy))
        .route("/admin/sla/calendars/{id}", post(admin_sla::save_calendar))
        .route(
            "/admin/sla/calendars/{id}/import",
            post(admin_sla::import_holidays),
        )
        .route("/portal", get(portal::tickets))
        .route(
            "/portal/tickets/new",
            get(portal::new_form).post(portal::new_submit),
        )
        .route("/portal/tickets/{id}", get(portal::ticket))
        .route("/portal/tickets/{id}/reply", post(portal::reply))
        .route("/portal/tickets/{id}/status", post(portal::close_or_reopen))
        .route("/portal/quotes/{id}", post(portal::decide_quote))
        .layer(axum::middleware::from_fn(errors::standalone))
        .layer(axum::middleware::from_fn(security::headers))
}

/// The widget's script and frame: meant to be embedded in other sites, so outside the page
/// security headers (the frame sets its own `frame-ancestors` from the chat settings).
pub fn chat_routes() -> Router<AppState> {
    Router::new()
        .route("/chat/widget.js", get(chat::widget_js))
        .route("/chat/embed", get(chat::embed))
        .layer(axum::middleware::from_fn(errors::standalone))
}

/// What every signed-in page needs: who, in which language and time zone, and the CSRF token.
fn base(v: &Viewer) -> Value {
    let me = ctx!(;
        id => v.user.id,
        name => v.user.name,
        email => v.user.email,
        role => v.user.role,
    );
    ctx!(;
        me,
        locale => v.locale(),
        tz => v.user.time_zone,
        csrf => v.csrf,
    )
}

/// Whether the request came from htmx (and wants a fragment).
fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-boosted")
}
