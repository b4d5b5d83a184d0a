//! SLA configuration (policies and business calendars) and the settings that hold custom-field
//! definitions.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::fields::FieldDef;
use kefu_domain::sla::{BusinessCalendar, SlaPolicy};
use kefu_store::entity::{calendar, setting, sla_policy};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use crate::config_cache::LoadedPolicy;
use crate::{App, AppError, FieldError, audit, require};

/// Request to create or replace a calendar.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    /// Unique name.
    pub name: String,
    /// The calendar: `tz`, `weekly` (7 lists of `{start,end}` "HH:MM" shifts, Monday first),
    /// `holidays`, `makeup_workdays` (dates), `makeup_template` (weekday).
    #[schema(value_type = Object)]
    pub definition: Value,
    /// Make this the default calendar.
    #[serde(default)]
    pub is_default: bool,
}

/// A stored calendar.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CalendarView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Definition.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// Default calendar.
    pub is_default: bool,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

/// Request to create or replace an SLA policy.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Unique name.
    pub name: String,
    /// Calendar the targets are counted on.
    pub calendar_id: Uuid,
    /// The policy: `targets` (rows of priority, optional tier, `first_response_minutes`,
    /// `resolution_minutes`), `pause_statuses`, `warn_before_percent`.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// Make this the default policy.
    #[serde(default)]
    pub is_default: bool,
}

/// A stored policy.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PolicyView {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Calendar.
    pub calendar_id: Uuid,
    /// Definition.
    #[schema(value_type = Object)]
    pub definition: Value,
    /// Default policy.
    pub is_default: bool,
    /// Updated.
    pub updated_at: DateTime<Utc>,
}

fn cal_view(m: calendar::Model) -> CalendarView {
    CalendarView {
        id: m.id,
        name: m.name,
        definition: m.definition,
        is_default: m.is_default,
        updated_at: m.updated_at,
    }
}

fn policy_view(m: sla_policy::Model) -> PolicyView {
    PolicyView {
        id: m.id,
        name: m.name,
        calendar_id: m.calendar_id,
        definition: m.definition,
        is_default: m.is_default,
        updated_at: m.updated_at,
    }
}

fn parse_calendar(v: &Value) -> Result<BusinessCalendar, AppError> {
    serde_json::from_value::<BusinessCalendar>(v.clone())
        .map_err(|e| AppError::invalid("definition", "invalid", e.to_string()))
}

fn parse_policy(v: &Value) -> Result<SlaPolicy, AppError> {
    let p: SlaPolicy = serde_json::from_value(v.clone())
        .map_err(|e| AppError::invalid("definition", "invalid", e.to_string()))?;
    let problems = p.problems();
    if !problems.is_empty() {
        return Err(AppError::Invalid(
            problems
                .into_iter()
                .map(|e| FieldError::new("definition", "invalid", e.to_string()))
                .collect(),
        ));
    }
    Ok(p)
}

fn check_name(name: &str) -> Result<(), AppError> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(AppError::invalid("name", "invalid", "1 to 100 characters"));
    }
    Ok(())
}

/// All calendars.
pub async fn list_calendars(app: &App, actor: &Actor) -> Result<Vec<CalendarView>, AppError> {
    require(actor, Permission::TicketRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    Ok(calendar::Entity::find()
        .order_by_asc(calendar::Column::Name)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(cal_view)
        .collect())
}

/// Creates (`id` None) or replaces a calendar.
pub async fn save_calendar(
    app: &App,
    actor: Option<&Actor>,
    id: Option<Uuid>,
    input: CalendarInput,
) -> Result<CalendarView, AppError> {
    if let Some(a) = actor {
        require(a, Permission::ConfigManage)?;
    }
    check_name(&input.name)?;
    let cal = parse_calendar(&input.definition)?;
    let definition = serde_json::to_value(&cal).map_err(anyhow::Error::from)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    if input.is_default {
        calendar::Entity::update_many()
            .col_expr(calendar::Column::IsDefault, false.into())
            .exec(&tx)
            .await?;
    }
    let m = match id {
        None => {
            let m = calendar::Model {
                id: Uuid::now_v7(),
                name: input.name.trim().into(),
                definition,
                is_default: input.is_default,
                created_at: now,
                updated_at: now,
            };
            calendar::Entity::insert(calendar::ActiveModel::from(m.clone()))
                .exec_without_returning(&tx)
                .await?;
            m
        }
        Some(id) => {
            let old = calendar::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound("calendar"))?;
            let mut am: calendar::ActiveModel = old.into();
            am.name = Set(input.name.trim().into());
            am.definition = Set(definition);
            am.is_default = Set(input.is_default);
            am.updated_at = Set(now);
            calendar::Entity::update(am).exec(&tx).await?
        }
    };
    audit::record(
        &tx,
        actor.map(|a| a.user_id),
        if id.is_none() {
            "calendar.create"
        } else {
            "calendar.update"
        },
        "calendar",
        Some(m.id.to_string()),
        serde_json::json!({"name": m.name}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(cal_view(m))
}

/// All policies.
pub async fn list_policies(app: &App, actor: &Actor) -> Result<Vec<PolicyView>, AppError> {
    require(actor, Permission::TicketRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    Ok(sla_policy::Entity::find()
        .order_by_asc(sla_policy::Column::Name)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(policy_view)
        .collect())
}

/// Creates (`id` None) or replaces a policy. Open tickets keep their stored due times until
/// their next change; `GET` on a ticket always shows the clock under the current policy.
pub async fn save_policy(
    app: &App,
    actor: Option<&Actor>,
    id: Option<Uuid>,
    input: PolicyInput,
) -> Result<PolicyView, AppError> {
    if let Some(a) = actor {
        require(a, Permission::ConfigManage)?;
    }
    check_name(&input.name)?;
    let policy = parse_policy(&input.definition)?;
    let definition = serde_json::to_value(&policy).map_err(anyhow::Error::from)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    if calendar::Entity::find_by_id(input.calendar_id)
        .one(&tx)
        .await?
        .is_none()
    {
        return Err(AppError::invalid(
            "calendar_id",
            "not_found",
            "no such calendar",
        ));
    }
    if input.is_default {
        sla_policy::Entity::update_many()
            .col_expr(sla_policy::Column::IsDefault, false.into())
            .exec(&tx)
            .await?;
    }
    let m = match id {
        None => {
            let m = sla_policy::Model {
                id: Uuid::now_v7(),
                name: input.name.trim().into(),
                calendar_id: input.calendar_id,
                definition,
                is_default: input.is_default,
                created_at: now,
                updated_at: now,
            };
            sla_policy::Entity::insert(sla_policy::ActiveModel::from(m.clone()))
                .exec_without_returning(&tx)
                .await?;
            m
        }
        Some(id) => {
            let old = sla_policy::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound("SLA policy"))?;
            let mut am: sla_policy::ActiveModel = old.into();
            am.name = Set(input.name.trim().into());
            am.calendar_id = Set(input.calendar_id);
            am.definition = Set(definition);
            am.is_default = Set(input.is_default);
            am.updated_at = Set(now);
            sla_policy::Entity::update(am).exec(&tx).await?
        }
    };
    audit::record(
        &tx,
        actor.map(|a| a.user_id),
        if id.is_none() {
            "sla_policy.create"
        } else {
            "sla_policy.update"
        },
        "sla_policy",
        Some(m.id.to_string()),
        serde_json::json!({"name": m.name}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(policy_view(m))
}

async fn load_all(
    app: &App,
    db: &impl ConnectionTrait,
) -> Result<crate::config_cache::Policies, AppError> {
    if let Some(hit) = app.cache.get() {
        return Ok(hit);
    }
    let calendars: HashMap<Uuid, Arc<BusinessCalendar>> = calendar::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter_map(|c| {
            parse_calendar(&c.definition)
                .ok()
                .map(|cal| (c.id, Arc::new(cal)))
        })
        .collect();
    let mut default_id = None;
    let mut map = HashMap::new();
    for p in sla_policy::Entity::find().all(db).await? {
        let (Ok(policy), Some(cal)) = (parse_policy(&p.definition), calendars.get(&p.calendar_id))
        else {
            tracing::warn!(sla_policy.id = %p.id, "stored SLA policy or its calendar does not parse; skipped");
            continue;
        };
        if p.is_default {
            default_id = Some(p.id);
        }
        map.insert(
            p.id,
            Arc::new(LoadedPolicy {
                id: p.id,
                policy,
                calendar: cal.clone(),
            }),
        );
    }
    // Shared, not copied: every listed ticket looks its policy up here.
    let map = Arc::new(map);
    app.cache.put(default_id, map.clone());
    Ok((default_id, map))
}

/// The policy a ticket runs under: its own if set and present, else the default; with no
/// configuration at all, the built-in default policy on the standard China calendar.
pub async fn policy_for(
    app: &App,
    db: &impl ConnectionTrait,
    id: Option<Uuid>,
) -> Result<Arc<LoadedPolicy>, AppError> {
    let (default_id, map) = load_all(app, db).await?;
    if let Some(p) = id
        .and_then(|id| map.get(&id))
        .or_else(|| default_id.and_then(|d| map.get(&d)))
    {
        return Ok(p.clone());
    }
    Ok(Arc::new(LoadedPolicy {
        id: Uuid::nil(),
        policy: SlaPolicy::default(),
        calendar: Arc::new(BusinessCalendar::standard_china()),
    }))
}

/// Reads a JSON setting.
pub async fn get_setting(db: &impl ConnectionTrait, key: &str) -> Result<Option<Value>, AppError> {
    Ok(setting::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|s| s.value))
}

/// Custom field definitions for customers (setting `customer_fields`).
pub async fn customer_field_defs(db: &impl ConnectionTrait) -> Result<Vec<FieldDef>, AppError> {
    Ok(get_setting(db, "customer_fields")
        .await?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default())
}

/// Writes a JSON setting.
pub async fn put_setting(
    db: &impl ConnectionTrait,
    key: &str,
    value: Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let exists = setting::Entity::find()
        .filter(setting::Column::Key.eq(key))
        .one(db)
        .await?
        .is_some();
    let am = setting::ActiveModel {
        key: Set(key.into()),
        value: Set(value),
        updated_at: Set(now),
    };
    if exists {
        setting::Entity::update(am).exec(db).await?;
    } else {
        setting::Entity::insert(am)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
