//! Customers: companies and persons with tier, owner, lifecycle, tags and custom fields.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::customer::{CustomerKind, Lifecycle, Tier};
use kefu_store::entity::{customer, user};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{check_tags, visible_customer};
use crate::{App, AppError, FieldError, require, sla};

/// Request to create a customer.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// `company` (default) or `person`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Name.
    pub name: String,
    /// ERP customer code, unique when given.
    #[serde(default)]
    pub code: Option<String>,
    /// `standard` (default), `vip` or `strategic`.
    #[serde(default)]
    pub tier: Option<String>,
    /// `prospect`, `active` (default), `at_risk`, `churned`.
    #[serde(default)]
    pub lifecycle: Option<String>,
    /// Account owner (a staff user).
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// Sales/service region.
    #[serde(default)]
    pub region: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Custom field values, keyed by field key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Changes to a customer; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    /// Expected current version; a mismatch is a 409.
    pub version: Option<i32>,
    /// Name.
    pub name: Option<String>,
    /// Tier.
    pub tier: Option<String>,
    /// Lifecycle.
    pub lifecycle: Option<String>,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Region.
    pub region: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Tags (replaces the list).
    pub tags: Option<Vec<String>>,
    /// Custom fields (replaces the map).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
    /// Notes.
    pub notes: Option<String>,
}

/// A customer as returned by the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerView {
    /// Id.
    pub id: Uuid,
    /// `company` or `person`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// ERP code.
    pub code: Option<String>,
    /// Tier.
    pub tier: String,
    /// Lifecycle.
    pub lifecycle: String,
    /// Owner.
    pub owner_id: Option<Uuid>,
    /// Region.
    pub region: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Custom fields.
    #[schema(value_type = Object)]
    pub custom_fields: Value,
    /// Notes.
    pub notes: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Updated.
    pub updated_at: DateTime<Utc>,
    /// Version for optimistic concurrency.
    pub version: i32,
}

impl From<customer::Model> for CustomerView {
    fn from(c: customer::Model) -> Self {
        CustomerView {
            id: c.id,
            kind: c.kind,
            name: c.name,
            code: c.code,
            tier: c.tier,
            lifecycle: c.lifecycle,
            owner_id: c.owner_id,
            region: c.region,
            address: c.address,
            phone: c.phone,
            email: c.email,
            tags: serde_json::from_value(c.tags).unwrap_or_default(),
            custom_fields: c.custom_fields,
            notes: c.notes,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "invalid", "1 to 200 characters"));
    }
}

async fn check_owner(
    db: &impl kefu_store::sea_orm::ConnectionTrait,
    owner: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(id) = owner {
        let ok = user::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|u| u.customer_id.is_none());
        if !ok {
            errors.push(FieldError::new(
                "owner_id",
                "not_found",
                "no such staff user",
            ));
        }
    }
    Ok(())
}

/// Creates a customer.
pub async fn create_customer(
    app: &App,
    actor: &Actor,
    req: NewCustomer,
) -> Result<CustomerView, AppError> {
    require(actor, Permission::CustomerWrite)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let mut errors = Vec::new();
    check_name(&req.name, &mut errors);
    let kind = req
        .kind
        .as_deref()
        .map_or(Some(CustomerKind::Company), CustomerKind::parse);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "invalid", "company or person"));
    }
    let tier = req
        .tier
        .as_deref()
        .map_or(Some(Tier::Standard), Tier::parse);
    if tier.is_none() {
        errors.push(FieldError::new(
            "tier",
            "invalid",
            "standard, vip or strategic",
        ));
    }
    let lifecycle = req
        .lifecycle
        .as_deref()
        .map_or(Some(Lifecycle::Active), Lifecycle::parse);
    if lifecycle.is_none() {
        errors.push(FieldError::new(
            "lifecycle",
            "invalid",
            "prospect, active, at_risk or churned",
        ));
    }
    check_tags("tags", &req.tags, &mut errors);
    check_owner(app.store.conn(), req.owner_id, &mut errors).await?;
    let defs = sla::customer_field_defs(app.store.conn()).await?;
    let custom =
        match kefu_domain::fields::validate(&defs, &req.custom_fields) {
            Ok(v) => v,
            Err(v) => {
                errors.extend(v.into_iter().map(|p| {
                    FieldError::new(format!("custom_fields.{}", p.field), p.code, p.message)
                }));
                Map::new()
            }
        };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let m = customer::Model {
        id: Uuid::now_v7(),
        kind: kind.unwrap_or_default().as_str().into(),
        name: req.name.trim().into(),
        code: req.code.filter(|c| !c.trim().is_empty()),
        tier: tier.unwrap_or_default().as_str().into(),
        lifecycle: lifecycle.unwrap_or_default().as_str().into(),
        owner_id: req.owner_id,
        region: req.region,
        address: req.address,
        phone: req.phone,
        email: req.email,
        tags: serde_json::json!(req.tags),
        custom_fields: Value::Object(custom),
        notes: req.notes,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    customer::Entity::insert(customer::ActiveModel::from(m.clone()))
        .exec_without_returning(app.store.conn())
        .await?;
    Ok(m.into())
}

/// Applies a patch to a customer.
pub async fn update_customer(
    app: &App,
    actor: &Actor,
    id: Uuid,
    p: CustomerPatch,
) -> Result<CustomerView, AppError> {
    require(actor, Permission::CustomerWrite)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let tx = app.store.begin().await?;
    let c = visible_customer(&tx, actor, id).await?;
    if p.version.is_some_and(|v| v != c.version) {
        return Err(AppError::Conflict {
            code: "stale_version",
            message: "the customer was changed by someone else; reload and try again".into(),
        });
    }
    let mut errors = Vec::new();
    let mut am: customer::ActiveModel = c.clone().into();
    if let Some(n) = &p.name {
        check_name(n, &mut errors);
        am.name = Set(n.trim().into());
    }
    if let Some(t) = &p.tier {
        match Tier::parse(t) {
            Some(t) => am.tier = Set(t.as_str().into()),
            None => errors.push(FieldError::new(
                "tier",
                "invalid",
                "standard, vip or strategic",
            )),
        }
    }
    if let Some(l) = &p.lifecycle {
        match Lifecycle::parse(l) {
            Some(l) => am.lifecycle = Set(l.as_str().into()),
            None => errors.push(FieldError::new(
                "lifecycle",
                "invalid",
                "prospect, active, at_risk or churned",
            )),
        }
    }
    if p.owner_id.is_some() {
        check_owner(&tx, p.owner_id, &mut errors).await?;
        am.owner_id = Set(p.owner_id);
    }
    if let Some(tags) = &p.tags {
        check_tags("tags", tags, &mut errors);
        am.tags = Set(serde_json::json!(tags));
    }
    if let Some(cf) = &p.custom_fields {
        let defs = sla::customer_field_defs(&tx).await?;
        match kefu_domain::fields::validate(&defs, cf) {
            Ok(v) => am.custom_fields = Set(Value::Object(v)),
            Err(v) => {
                errors.extend(v.into_iter().map(|p| {
                    FieldError::new(format!("custom_fields.{}", p.field), p.code, p.message)
                }))
            }
        }
    }
    for (field, val) in [
        (&mut am.region, p.region),
        (&mut am.address, p.address),
        (&mut am.phone, p.phone),
        (&mut am.email, p.email),
        (&mut am.notes, p.notes),
    ] {
        if let Some(v) = val {
            *field = Set(Some(v));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    am.updated_at = Set(app.now());
    am.version = Set(c.version + 1);
    let res = customer::Entity::update_many()
        .set(am)
        .filter(customer::Column::Id.eq(id))
        .filter(customer::Column::Version.eq(c.version))
        .exec(&tx)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::Conflict {
            code: "stale_version",
            message: "the customer was changed by someone else".into(),
        });
    }
    let saved = customer::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("customer"))?;
    tx.commit().await?;
    Ok(saved.into())
}

/// One customer.
pub async fn get_customer(app: &App, actor: &Actor, id: Uuid) -> Result<CustomerView, AppError> {
    require(actor, Permission::CustomerRead).or_else(|_| {
        if actor.role.is_staff() {
            Err(AppError::Forbidden("needs customer.read".into()))
        } else {
            Ok(())
        }
    })?;
    Ok(visible_customer(app.store.conn(), actor, id).await?.into())
}

/// Customers by name, `limit` after the id `after`; `q` matches name or code; portal users see
/// only their own company.
pub async fn list_customers(
    app: &App,
    actor: &Actor,
    q: Option<&str>,
    tier: Option<&str>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<CustomerView>, AppError> {
    let mut query = customer::Entity::find();
    if let Some(scope) = actor.customer_scope() {
        query = query.filter(customer::Column::Id.eq(scope));
    } else {
        require(actor, Permission::CustomerRead)?;
    }
    if let Some(q) = q.filter(|q| !q.is_empty()) {
        query = query.filter(
            Condition::any()
                .add(kefu_store::contains_ci(customer::Column::Name, q))
                .add(kefu_store::contains_ci(customer::Column::Code, q)),
        );
    }
    if let Some(t) = tier {
        query = query.filter(customer::Column::Tier.eq(t));
    }
    if let Some(a) = after {
        query = query.filter(customer::Column::Id.gt(a));
    }
    Ok(query
        .order_by_asc(customer::Column::Id)
        .limit(limit.clamp(1, 200))
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
