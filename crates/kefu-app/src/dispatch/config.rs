//! Routing rules and team assignment policies as configuration: read (cached), validated
//! writes with an audit entry, and the "which rule would fire?" tester.

use std::collections::HashMap;
use std::sync::Arc;

use kefu_domain::access::{Actor, Permission};
use kefu_domain::customer::Tier;
use kefu_domain::routing::{
    AssignPolicy, Decision, RoutingRule, TicketFacts, evaluate, rule_problems,
};
use kefu_domain::ticket::Priority;
use kefu_store::sea_orm::ConnectionTrait;
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::sla::{get_setting, put_setting};
use crate::{App, AppError, FieldError, audit, require};

/// Rules in order and each team's assignment policy.
#[derive(Debug, Clone, Default)]
pub struct DispatchConfig {
    /// Routing rules, evaluated in this order.
    pub rules: Vec<RoutingRule>,
    /// Assignment policy per team (teams without one assign by hand).
    pub teams: HashMap<Uuid, AssignPolicy>,
}

/// The dispatch configuration through the cache.
pub(crate) async fn load(
    app: &App,
    db: &impl ConnectionTrait,
) -> Result<Arc<DispatchConfig>, AppError> {
    if let Some(c) = app.cache.dispatch() {
        return Ok(c);
    }
    let rules = crate::config::list_setting::read_list(db, "routing_rules").await?;
    let teams = get_setting(db, "team_assignment")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let c = Arc::new(DispatchConfig { rules, teams });
    app.cache.put_dispatch(c.clone());
    Ok(c)
}

/// The routing rules in order (staff).
pub async fn list_rules(app: &App, actor: &Actor) -> Result<Vec<RoutingRule>, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    Ok(load(app, app.store.conn()).await?.rules.clone())
}

/// Replaces the routing rules (admins).
pub async fn save_rules(
    app: &App,
    actor: &Actor,
    rules: Vec<RoutingRule>,
) -> Result<Vec<RoutingRule>, AppError> {
    require(actor, Permission::ConfigManage)?;
    let problems = rule_problems(&rules);
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|(i, m)| FieldError::new(format!("rules[{i}]"), "invalid", m))
                .collect(),
        ));
    }
    crate::config::list_setting::write_list(app, actor, "routing_rules", &rules).await?;
    Ok(rules)
}

/// A team's assignment policy (staff).
pub async fn get_team_policy(
    app: &App,
    actor: &Actor,
    team_id: Uuid,
) -> Result<AssignPolicy, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    Ok(load(app, app.store.conn())
        .await?
        .teams
        .get(&team_id)
        .cloned()
        .unwrap_or(AssignPolicy {
            strategy: kefu_domain::routing::Strategy::Manual,
            ..Default::default()
        }))
}

/// Sets a team's assignment policy (admins).
pub async fn set_team_policy(
    app: &App,
    actor: &Actor,
    team_id: Uuid,
    policy: AssignPolicy,
) -> Result<AssignPolicy, AppError> {
    require(actor, Permission::ConfigManage)?;
    if policy.capacity == Some(0) {
        return Err(AppError::invalid(
            "capacity",
            "invalid",
            "at least 1, or none",
        ));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    if kefu_store::entity::team::Entity::find_by_id(team_id)
        .one(&tx)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound("team"));
    }
    let mut teams: HashMap<Uuid, AssignPolicy> = get_setting(&tx, "team_assignment")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    teams.insert(team_id, policy.clone());
    put_setting(
        &tx,
        "team_assignment",
        serde_json::to_value(&teams).map_err(anyhow::Error::from)?,
        now,
    )
    .await?;
    audit::record(
        &tx,
        Some(actor.user_id),
        "config.team_assignment.save",
        "team",
        Some(team_id.to_string()),
        serde_json::to_value(&policy).map_err(anyhow::Error::from)?,
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(policy)
}

use kefu_store::sea_orm::EntityTrait;

/// Sample facts for the rule tester.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    /// Test an existing ticket's facts (other fields are ignored).
    #[serde(default)]
    pub ticket_id: Option<Uuid>,
    /// Type code.
    #[serde(default)]
    pub kind: Option<String>,
    /// Channel code.
    #[serde(default)]
    pub channel: Option<String>,
    /// `P1`–`P4`.
    #[serde(default)]
    pub priority: Option<String>,
    /// Customer tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<String>,
    /// Product name.
    #[serde(default)]
    pub product: Option<String>,
    /// Serial number.
    #[serde(default)]
    pub serial: Option<String>,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Custom fields.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
}

/// Which rules would fire for a ticket (existing or described), and what they would set.
pub async fn test_rules(app: &App, actor: &Actor, t: RuleTest) -> Result<Decision, AppError> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let facts = match t.ticket_id {
        Some(id) => {
            let tk = crate::tickets::get_ticket(app, actor, id).await?;
            super::apply::facts_of(
                db,
                &tk.kind,
                &tk.channel,
                Priority::parse(&tk.priority).unwrap_or_default(),
                tk.customer_id,
                tk.asset_id,
                &tk.subject,
                "",
                tk.custom_fields.as_object().cloned().unwrap_or_default(),
            )
            .await?
        }
        None => TicketFacts {
            kind: t.kind.unwrap_or_else(|| "inquiry".into()),
            channel: t.channel.unwrap_or_else(|| "api".into()),
            priority: t
                .priority
                .as_deref()
                .and_then(Priority::parse)
                .unwrap_or_default(),
            tier: t.tier.as_deref().and_then(Tier::parse),
            region: t.region,
            product: t.product,
            serial: t.serial,
            customer_id: None,
            subject: t.subject.unwrap_or_default(),
            description: t.description.unwrap_or_default(),
            custom_fields: t.custom_fields,
        },
    };
    Ok(evaluate(&load(app, db).await?.rules, &facts))
}
