//! Dispatch configuration over the API: routing rules (with a tester) and team assignment
//! policies. Bodies are the JSON forms of the domain types (see the descriptions).

use axum::extract::State;
use kefu_app::dispatch::RuleTest;
use serde_json::Value;
use uuid::Uuid;

use super::{ApiResult, json_value};
use crate::AppState;
use crate::extract::{Auth, Json, Path};

/// The routing rules in evaluation order: each `{id, name, enabled, match_all, conditions:
/// [{field, op, value}], actions: {team_id, priority, add_tags, sla_policy_id, require_skills},
/// stop}`.
#[utoipa::path(get, path = "/api/v1/routing-rules", tag = "dispatch", responses((status = 200, body = Object)))]
pub async fn list_rules(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::list_rules(&s.app, &a).await?)
}

/// Replaces the routing rules (the order given is the evaluation order).
#[utoipa::path(put, path = "/api/v1/routing-rules", tag = "dispatch", request_body = Object, responses((status = 200, body = Object)))]
pub async fn save_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(rules): Json<Vec<kefu_domain::routing::RoutingRule>>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::save_rules(&s.app, &a, rules).await?)
}

/// Which rules would fire for a ticket (by `ticket_id`, or described by its facts).
#[utoipa::path(post, path = "/api/v1/routing-rules/test", tag = "dispatch", request_body = RuleTest, responses((status = 200, body = Object)))]
pub async fn test_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(req): Json<RuleTest>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::test_rules(&s.app, &a, req).await?)
}

/// A team's assignment policy: `{strategy: round_robin | least_open | manual, match_skills,
/// match_region, on_shift_only, capacity}`.
#[utoipa::path(get, path = "/api/v1/teams/{id}/assignment", tag = "dispatch", params(("id" = Uuid, Path)), responses((status = 200, body = Object)))]
pub async fn get_team_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::get_team_policy(&s.app, &a, id).await?)
}

/// Sets a team's assignment policy.
#[utoipa::path(put, path = "/api/v1/teams/{id}/assignment", tag = "dispatch", params(("id" = Uuid, Path)), request_body = Object, responses((status = 200, body = Object)))]
pub async fn set_team_policy(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(policy): Json<kefu_domain::routing::AssignPolicy>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::set_team_policy(&s.app, &a, id, policy).await?)
}

/// Time rules: `[{id, name, status, after_minutes (business), action: {type: remind} |
/// {type: transition, to}}]`.
#[utoipa::path(get, path = "/api/v1/time-rules", tag = "dispatch", responses((status = 200, body = Object)))]
pub async fn list_time_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::time_rules(&s.app, &a).await?)
}

/// Replaces the time rules.
#[utoipa::path(put, path = "/api/v1/time-rules", tag = "dispatch", request_body = Object, responses((status = 200, body = Object)))]
pub async fn save_time_rules(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(rules): Json<Vec<kefu_domain::routing::TimeRule>>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::save_time_rules(&s.app, &a, rules).await?)
}

/// The triggers: each `{id, name, enabled, on: [created|updated|customer_replied|agent_replied|
/// status_changed|sla_warning|sla_breached], match_all, conditions, status_in, actions: {status,
/// priority, team_id, assignee: {user: id}|nobody, add_tags, remove_tags, reply, note, notify:
/// [assignee|team|{role: r}|{user: id}], mail: {to, subject, body}, task: {title,
/// due_business_hours, for_assignee}}}`.
#[utoipa::path(get, path = "/api/v1/triggers", tag = "dispatch", responses((status = 200, body = Object)))]
pub async fn list_triggers(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::list_triggers(&s.app, &a).await?)
}

/// Replaces the triggers.
#[utoipa::path(put, path = "/api/v1/triggers", tag = "dispatch", request_body = Object, responses((status = 200, body = Object)))]
pub async fn save_triggers(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(list): Json<Vec<kefu_domain::routing::Trigger>>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::dispatch::save_triggers(&s.app, &a, list).await?)
}

/// The macros: each `{id, name, actions: {status, priority, team_id, assignee: me|nobody|{user:
/// id}, add_tags, remove_tags, reply, note}}`.
#[utoipa::path(get, path = "/api/v1/macros", tag = "dispatch", responses((status = 200, body = Object)))]
pub async fn list_macros(State(s): State<AppState>, Auth(a): Auth) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::tickets::list_macros(&s.app, &a).await?)
}

/// Replaces the macros.
#[utoipa::path(put, path = "/api/v1/macros", tag = "dispatch", request_body = Object, responses((status = 200, body = Object)))]
pub async fn save_macros(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(list): Json<Vec<kefu_domain::ticket::Macro>>,
) -> ApiResult<axum::Json<Value>> {
    json_value(&kefu_app::tickets::save_macros(&s.app, &a, list).await?)
}
