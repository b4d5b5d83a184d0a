//! The price list (labour, travel, fees; parts carry their own price) and the charge rules
//! (what warranty and contract cover).

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::charges::{ChargeKind, ChargeRules, check_unit_price};
use kefu_store::entity::price_item;
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::amount_error;
use crate::{App, AppError, FieldError, audit, require};

/// Setting key of the charge rules.
const RULES_KEY: &str = "charge_rules";

/// A price-list entry to add or change.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceItemInput {
    /// Code, unique (`LAB-STD`).
    pub code: String,
    /// Name (`标准工时`).
    pub name: String,
    /// `labour`, `travel` or `fee` (parts are priced in the parts catalogue).
    #[schema(value_type = String)]
    pub kind: ChargeKind,
    /// Unit (`小时`, `公里`, `次`).
    pub unit: String,
    /// Price per unit in fen (分).
    pub unit_price_cents: i64,
    /// Price for VIP customers, when it differs.
    #[serde(default)]
    pub vip_price_cents: Option<i64>,
    /// Price for strategic customers, when it differs (else the VIP price).
    #[serde(default)]
    pub strategic_price_cents: Option<i64>,
    /// The ERP's id: saving with a known one (and no id) updates that entry.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Offered on new charges (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

/// A price-list entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PriceItemView {
    /// Id.
    pub id: Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `labour`, `travel` or `fee`.
    pub kind: String,
    /// Unit.
    pub unit: String,
    /// Price per unit in fen.
    pub unit_price_cents: i64,
    /// VIP price.
    pub vip_price_cents: Option<i64>,
    /// Strategic price.
    pub strategic_price_cents: Option<i64>,
    /// ERP id.
    pub external_id: Option<String>,
    /// Offered on new charges.
    pub active: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<price_item::Model> for PriceItemView {
    fn from(p: price_item::Model) -> Self {
        PriceItemView {
            id: p.id,
            code: p.code,
            name: p.name,
            kind: p.kind,
            unit: p.unit,
            unit_price_cents: p.unit_price_cents,
            vip_price_cents: p.vip_price_cents,
            strategic_price_cents: p.strategic_price_cents,
            external_id: p.external_id,
            active: p.active,
            updated_at: p.updated_at,
        }
    }
}

/// The price list by code (staff); inactive entries only when asked.
pub async fn list_price_items(
    app: &App,
    actor: &Actor,
    include_inactive: bool,
) -> Result<Vec<PriceItemView>, AppError> {
    super::staff(actor).or_else(|_| require(actor, Permission::ChargesManage))?;
    let mut q = price_item::Entity::find().order_by_asc(price_item::Column::Code);
    if !include_inactive {
        q = q.filter(price_item::Column::Active.eq(true));
    }
    Ok(q.all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

fn checked(input: &PriceItemInput) -> Result<(), AppError> {
    let mut e = Vec::new();
    let code = input.code.trim();
    if code.is_empty() || code.chars().count() > 40 || code.contains(char::is_whitespace) {
        e.push(FieldError::new(
            "code",
            "invalid",
            "1 to 40 characters, no spaces",
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        e.push(FieldError::new("name", "invalid", "1 to 200 characters"));
    }
    let unit = input.unit.trim();
    if unit.is_empty() || unit.chars().count() > 10 {
        e.push(FieldError::new("unit", "invalid", "1 to 10 characters"));
    }
    if input.kind == ChargeKind::Part {
        e.push(FieldError::new(
            "kind",
            "invalid",
            "parts are priced in the parts catalogue; use labour, travel or fee",
        ));
    }
    for (f, v) in [
        ("unit_price_cents", Some(input.unit_price_cents)),
        ("vip_price_cents", input.vip_price_cents),
        ("strategic_price_cents", input.strategic_price_cents),
    ] {
        if let Some(v) = v
            && let Err(x) = check_unit_price(v)
        {
            e.push(amount_error(f, x));
        }
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(e))
    }
}

/// Adds (no `id`) or changes an entry (`charges.manage`). Without an id, an entry with the same
/// `external_id` is updated: the ERP pushes its price list without keeping our ids.
pub async fn save_price_item(
    app: &App,
    actor: &Actor,
    id: Option<Uuid>,
    input: PriceItemInput,
) -> Result<PriceItemView, AppError> {
    require(actor, Permission::ChargesManage)?;
    checked(&input)?;
    let now = app.now();
    let tx = app.store.begin().await?;
    let ext = input
        .external_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let existing = match (id, &ext) {
        (Some(id), _) => Some(
            price_item::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound("price item"))?,
        ),
        (None, Some(x)) => {
            price_item::Entity::find()
                .filter(price_item::Column::ExternalId.eq(x.as_str()))
                .one(&tx)
                .await?
        }
        (None, None) => None,
    };
    let m = price_item::Model {
        id: existing.as_ref().map(|e| e.id).unwrap_or_else(Uuid::now_v7),
        code: input.code.trim().to_owned(),
        name: input.name.trim().to_owned(),
        kind: input.kind.as_str().to_owned(),
        unit: input.unit.trim().to_owned(),
        unit_price_cents: input.unit_price_cents,
        vip_price_cents: input.vip_price_cents,
        strategic_price_cents: input.strategic_price_cents,
        external_id: ext,
        active: input.active.unwrap_or(true),
        created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        updated_at: now,
    };
    let mut am: price_item::ActiveModel = m.clone().into();
    if existing.is_some() {
        am.id = kefu_store::sea_orm::ActiveValue::Unchanged(m.id);
        price_item::Entity::update(am).exec(&tx).await?;
    } else {
        price_item::Entity::insert(am)
            .exec_without_returning(&tx)
            .await?;
    }
    audit::record(
        &tx,
        Some(actor.user_id),
        if existing.is_some() {
            "price_item.update"
        } else {
            "price_item.create"
        },
        "price_item",
        Some(m.id.to_string()),
        serde_json::json!({"code": m.code, "unit_price_cents": m.unit_price_cents}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// The charge rules in force (the default when none are saved).
pub(super) async fn rules_in(db: &impl ConnectionTrait) -> Result<ChargeRules, AppError> {
    crate::config::list_setting::read_object(db, RULES_KEY).await
}

/// The charge rules (staff).
pub async fn charge_rules(app: &App, actor: &Actor) -> Result<ChargeRules, AppError> {
    super::staff(actor).or_else(|_| require(actor, Permission::ChargesManage))?;
    rules_in(app.store.conn()).await
}

/// Replaces the charge rules (`charges.manage`). Lines already on tickets keep their coverage.
pub async fn save_charge_rules(
    app: &App,
    actor: &Actor,
    mut rules: ChargeRules,
) -> Result<ChargeRules, AppError> {
    require(actor, Permission::ChargesManage)?;
    for l in [&mut rules.warranty, &mut rules.contract] {
        l.sort_by_key(|k| k.as_str());
        l.dedup();
    }
    crate::config::list_setting::write_object(app, actor, RULES_KEY, &rules).await?;
    Ok(rules)
}
