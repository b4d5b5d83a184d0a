//! The table of contents: every route of kefu's HTTP interface.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, StatusCode};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{
    approvals, auth, care, channels, charges, chats, config, customers, dispatch, erp, exports,
    imports, kb, parts, products, rmas, search, sla, tickets, users, webhooks,
};
use crate::{ApiError, AppState, WebSettings, ops};

#[derive(OpenApi)]
#[openapi(
    info(title = "kefu 客服 API", description = "kefu after-sales and customer-service system. Errors are application/problem+json."),
    components(schemas(crate::error::Problem, kefu_app::FieldError)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::get_me))
        .routes(routes!(auth::create_token, auth::list_tokens))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(users::create_user, users::list_users))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::list_audit))
        .routes(routes!(
            customers::create_customer,
            customers::list_customers
        ))
        .routes(routes!(customers::get_customer, customers::update_customer))
        .routes(routes!(customers::create_contact, customers::list_contacts))
        .routes(routes!(customers::create_asset, customers::list_assets))
        .routes(routes!(customers::create_order, customers::list_orders))
        .routes(routes!(tickets::create_ticket, tickets::list_tickets))
        .routes(routes!(tickets::get_ticket, tickets::update_ticket))
        .routes(routes!(tickets::get_ticket_by_number))
        .routes(routes!(tickets::transition_ticket))
        .routes(routes!(tickets::reply_ticket))
        .routes(routes!(tickets::note_ticket))
        .routes(routes!(tickets::assign_ticket))
        .routes(routes!(tickets::merge_ticket))
        .routes(routes!(tickets::split_ticket))
        .routes(routes!(tickets::ticket_history))
        .routes(routes!(tickets::upload_attachment))
        .routes(routes!(tickets::download_attachment))
        .routes(routes!(tickets::list_ticket_types))
        .routes(routes!(sla::list_calendars, sla::create_calendar))
        .routes(routes!(sla::update_calendar))
        .routes(routes!(sla::list_policies, sla::create_policy))
        .routes(routes!(sla::update_policy))
        .routes(routes!(config::import_holidays))
        .routes(routes!(config::list_teams, config::create_team))
        .routes(routes!(config::update_team))
        .routes(routes!(config::save_ticket_type))
        .routes(routes!(config::get_workflow, config::put_workflow))
        .routes(routes!(config::get_roles))
        .routes(routes!(config::queue_counts))
        .routes(routes!(config::lookup))
        .routes(routes!(dispatch::list_rules, dispatch::save_rules))
        .routes(routes!(dispatch::test_rules))
        .routes(routes!(
            dispatch::list_time_rules,
            dispatch::save_time_rules
        ))
        .routes(routes!(
            channels::get_mail_settings,
            channels::put_mail_settings
        ))
        .routes(routes!(channels::list_mail_messages))
        .routes(routes!(channels::download_raw_mail))
        .routes(routes!(channels::list_mailboxes, channels::create_mailbox))
        .routes(routes!(channels::update_mailbox, channels::delete_mailbox))
        .routes(routes!(channels::poll_mailbox))
        .routes(routes!(channels::list_bots, channels::create_bot))
        .routes(routes!(channels::update_bot, channels::delete_bot))
        .routes(routes!(channels::test_bot))
        .routes(routes!(channels::list_notifications))
        .routes(routes!(channels::mark_read))
        .routes(routes!(channels::log_call, channels::list_calls))
        .routes(routes!(channels::cti_incoming))
        .routes(routes!(
            channels::get_wechat_settings,
            channels::put_wechat_settings
        ))
        .routes(routes!(chats::get_console))
        .routes(routes!(chats::put_presence))
        .routes(routes!(chats::get_chat))
        .routes(routes!(chats::list_chat_messages, chats::post_chat_message))
        .routes(routes!(chats::accept_chat))
        .routes(routes!(chats::end_chat))
        .routes(routes!(chats::get_chat_settings, chats::put_chat_settings))
        .routes(routes!(search::search))
        .routes(routes!(search::get_dictionary, search::put_dictionary))
        .routes(routes!(search::rebuild))
        .routes(routes!(parts::list_parts, parts::create_part))
        .routes(routes!(parts::list_warehouses, parts::create_warehouse))
        .routes(routes!(parts::stock))
        .routes(routes!(parts::receive))
        .routes(routes!(parts::ticket_parts, parts::reserve))
        .routes(routes!(parts::consume))
        .routes(routes!(parts::release))
        .routes(routes!(parts::list_purchase_requests))
        .routes(routes!(parts::set_purchase_status))
        .routes(routes!(webhooks::list_webhooks, webhooks::create_webhook))
        .routes(routes!(webhooks::update_webhook, webhooks::delete_webhook))
        .routes(routes!(webhooks::list_deliveries))
        .routes(routes!(webhooks::redeliver))
        .routes(routes!(imports::import))
        .routes(routes!(exports::tickets))
        .routes(routes!(exports::list))
        .routes(routes!(rmas::issue, rmas::list))
        .routes(routes!(rmas::step))
        .routes(routes!(charges::list_price_items, charges::save_price_item))
        .routes(routes!(charges::update_price_item))
        .routes(routes!(
            charges::get_charge_rules,
            charges::put_charge_rules
        ))
        .routes(routes!(charges::ticket_charges, charges::add_charge))
        .routes(routes!(charges::remove_charge))
        .routes(routes!(charges::list_quotes, charges::send_quote))
        .routes(routes!(charges::decide_quote))
        .routes(routes!(charges::unexported))
        .routes(routes!(charges::list_exports, charges::create_export))
        .routes(routes!(charges::export_file))
        .routes(routes!(products::list_products, products::save_product))
        .routes(routes!(products::list_plans))
        .routes(routes!(products::asset_plans, products::create_plan))
        .routes(routes!(products::update_plan))
        .routes(routes!(erp::put_customer))
        .routes(routes!(erp::put_asset))
        .routes(routes!(erp::put_part))
        .routes(routes!(kb::list_categories, kb::create_category))
        .routes(routes!(kb::update_category, kb::delete_category))
        .routes(routes!(kb::list_articles, kb::create_article))
        .routes(routes!(kb::get_article, kb::update_article))
        .routes(routes!(kb::list_versions))
        .routes(routes!(kb::restore_version))
        .routes(routes!(kb::upload_file))
        .routes(routes!(kb::download_file))
        .routes(routes!(kb::vote))
        .routes(routes!(kb::import))
        .routes(routes!(kb::export))
        .routes(routes!(kb::suggest))
        .routes(routes!(kb::ticket_suggestions))
        .routes(routes!(kb::open_suggested))
        .routes(routes!(kb::mark_solved))
        .routes(routes!(kb::deflections))
        .routes(routes!(kb::ask_bot))
        .routes(routes!(kb::rate_bot))
        .routes(routes!(approvals::get_rules, approvals::put_rules))
        .routes(routes!(approvals::list_pending))
        .routes(routes!(dispatch::list_triggers, dispatch::save_triggers))
        .routes(routes!(dispatch::list_macros, dispatch::save_macros))
        .routes(routes!(tickets::apply_macro))
        .routes(routes!(care::list_tasks, care::create_task))
        .routes(routes!(care::complete_task))
        .routes(routes!(care::get_follow_up, care::put_follow_up))
        .routes(routes!(care::get_surveys, care::put_surveys))
        .routes(routes!(care::results))
        .routes(routes!(care::open))
        .routes(routes!(care::answer))
        .routes(routes!(approvals::decide))
        .routes(routes!(
            dispatch::get_team_policy,
            dispatch::set_team_policy
        ))
}

async fn not_found() -> axum::response::Response {
    ApiError::problem(StatusCode::NOT_FOUND, "not_found", "no such route")
}

/// Builds the whole HTTP application.
pub fn router(app: kefu_app::App, settings: WebSettings) -> Router {
    let max_body = settings.max_body_bytes;
    let state = AppState {
        app,
        settings: Arc::new(settings),
        metrics: ops::metrics_handle(),
    };
    let (api, doc) = api_router().split_for_parts();
    let request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(api)
        .merge(crate::pages::routes())
        .merge(crate::pages::chat_routes())
        .merge(crate::chat::routes())
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .route(
            "/wechat/callback",
            get(crate::wechat::verify).post(crate::wechat::receive),
        )
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .fallback(not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(ops::track))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(
            crate::error::problem_for_bare_errors,
        ))
        .layer(TraceLayer::new_for_http())
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
        ]))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
