//! Dispatch configuration pages: the routing rules (one form for the whole ordered list, with
//! a tester that shows which rules would fire) and each team's assignment policy.

use axum::extract::State;
use axum::response::Response;
use kefu_app::dispatch::{self, RuleTest};
use kefu_domain::routing::{
    AssignPolicy, Condition, Field, Op, RoutingRule, RuleActions, Strategy,
};
use kefu_domain::ticket::Priority;
use serde_json::{Value, json};
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, get, has, list, rows};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

/// Condition fields the forms offer (shared with the triggers page).
pub(super) const FIELDS: [&str; 10] = [
    "kind", "channel", "priority", "tier", "region", "product", "serial", "customer", "text",
    "custom",
];
/// Condition operators the forms offer.
pub(super) const OPS: [&str; 9] = [
    "is",
    "is_not",
    "in",
    "not_in",
    "contains",
    "contains_any",
    "gte",
    "lte",
    "present",
];

pub(super) fn parse_op(s: &str) -> Option<Op> {
    serde_json::from_value(Value::String(s.to_owned())).ok()
}

pub(super) fn parse_field(s: &str, key: &str) -> Option<Field> {
    if s == "custom" {
        return Some(Field::Custom(key.to_owned()));
    }
    serde_json::from_value(Value::String(s.to_owned())).ok()
}

pub(super) fn value_for(op: Op, raw: &str) -> Value {
    match op {
        Op::In | Op::NotIn | Op::ContainsAny => json!(list(raw)),
        Op::Gte | Op::Lte => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(json!(raw), Value::Number),
        Op::Present => Value::Null,
        _ => json!(raw),
    }
}

/// A condition as the form shows it: field, custom key, operator and the value as text.
pub(super) fn condition_view(c: &Condition) -> Value {
    let (field, key) = match &c.field {
        Field::Custom(k) => ("custom".to_owned(), k.clone()),
        f => (
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            String::new(),
        ),
    };
    let text = match &c.value {
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map_or(x.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    json!({"field": field, "key": key, "op": c.op, "value": text})
}

/// The condition rows `<prefix><j>.field|key|op|value` of a form; rows without a field, or
/// without a value for an operator that needs one, are left out.
pub(super) fn parse_conditions(p: &Pairs, prefix: &str) -> Vec<Condition> {
    let mut conditions = Vec::new();
    for j in rows(p, prefix) {
        let c = |f: &str| get(p, &format!("{prefix}{j}.{f}"));
        let (Some(op), Some(field)) = (parse_op(c("op")), parse_field(c("field"), c("key"))) else {
            continue;
        };
        if c("field").is_empty() || (c("value").is_empty() && op != Op::Present) {
            continue;
        }
        conditions.push(Condition {
            field,
            op,
            value: value_for(op, c("value")),
        });
    }
    conditions
}

/// Rules as the form shows them: each condition with its value as text.
fn rules_view(rules: &[RoutingRule]) -> Value {
    Value::Array(
        rules
            .iter()
            .map(|r| {
                let conds: Vec<Value> = r.conditions.iter().map(condition_view).collect();
                json!({
                    "id": r.id, "name": r.name, "enabled": r.enabled, "match_all": r.match_all,
                    "stop": r.stop, "conditions": conds,
                    "team_id": r.actions.team_id, "priority": r.actions.priority,
                    "tags": r.actions.add_tags.join(", "), "skills": r.actions.require_skills.join(", "),
                    "sla_policy_id": r.actions.sla_policy_id,
                })
            })
            .collect(),
    )
}

async fn page(
    s: &AppState,
    v: &Viewer,
    message: Option<String>,
    tested: Option<Value>,
) -> Response {
    let r = async {
        let rules = dispatch::list_rules(&s.app, &v.actor).await?;
        let teams = kefu_app::config::teams::list_teams(&s.app, &v.actor).await?;
        let policies = kefu_app::sla::list_policies(&s.app, &v.actor).await?;
        let types = kefu_app::tickets::list_ticket_types(&s.app, &v.actor).await?;
        Ok::<_, kefu_app::AppError>(ctx!(base(v);
            rules => rules_view(&rules), teams, policies, types, message, tested,
            fields => FIELDS, ops => OPS, priorities => ["P1", "P2", "P3", "P4"],
            section => "admin",
        ))
    }
    .await;
    match r {
        Ok(ctx) => render("admin/routing.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/routing`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    page(&s, &v, None, None).await
}

/// `POST /admin/routing`: the whole ordered list (rows `r<i>.…`, conditions `r<i>.c<j>.…`).
pub async fn save(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let mut ordered: Vec<(f64, RoutingRule)> = Vec::new();
    for i in rows(&p, "r") {
        let g = |f: &str| get(&p, &format!("r{i}.{f}"));
        if g("name").is_empty() || has(&p, &format!("r{i}.remove")) {
            continue;
        }
        let conditions = parse_conditions(&p, &format!("r{i}.c"));
        let rule = RoutingRule {
            id: Uuid::parse_str(g("id")).unwrap_or_else(|_| Uuid::now_v7()),
            name: g("name").to_owned(),
            enabled: has(&p, &format!("r{i}.enabled")),
            match_all: g("match") != "any",
            conditions,
            actions: RuleActions {
                team_id: Uuid::parse_str(g("team_id")).ok(),
                priority: Priority::parse(g("priority")),
                add_tags: list(g("tags")),
                sla_policy_id: Uuid::parse_str(g("sla_policy_id")).ok(),
                require_skills: list(g("skills")),
            },
            stop: has(&p, &format!("r{i}.stop")),
        };
        let order = g("order").parse().unwrap_or(i as f64);
        ordered.push((order, rule));
    }
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0));
    let rules = ordered.into_iter().map(|(_, r)| r).collect();
    match dispatch::save_rules(&s.app, &v.actor, rules).await {
        Ok(saved) => page(&s, &v, Some(saved.len().to_string()), None).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/routing/test`: which rules would fire for the facts given.
pub async fn test(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let opt = |k: &str| Some(get(&p, k).to_owned()).filter(|x| !x.is_empty());
    let req = RuleTest {
        kind: opt("kind"),
        channel: opt("channel"),
        priority: opt("priority"),
        tier: opt("tier"),
        region: opt("region"),
        product: opt("product"),
        subject: opt("subject"),
        ..Default::default()
    };
    match dispatch::test_rules(&s.app, &v.actor, req).await {
        Ok(d) => page(&s, &v, None, serde_json::to_value(d).ok()).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/teams/{id}/assignment`.
pub async fn team_policy(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let policy = AssignPolicy {
        strategy: serde_json::from_value(json!(get(&p, "strategy"))).unwrap_or(Strategy::Manual),
        match_skills: has(&p, "match_skills"),
        match_region: has(&p, "match_region"),
        on_shift_only: has(&p, "on_shift_only"),
        capacity: get(&p, "capacity").parse().ok(),
    };
    match dispatch::set_team_policy(&s.app, &v.actor, id, policy).await {
        Ok(_) => super::admin_config::teams_page_for(&s, &v).await,
        Err(e) => page_error(e, v.locale()),
    }
}
