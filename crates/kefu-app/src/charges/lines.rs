//! Charge lines on a ticket: priced from the price list, a part's price, or by hand (managers);
//! covered or not by the rules; removed only until finance exported them. Every change
//! supersedes a live quotation, records an event and announces `charge.updated`.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::charges::{
    ChargeKind, ChargeRules, Coverage, Priced, Totals, check_unit_price, line_amount,
    quantity_milli, running, tier_price, totals,
};
use kefu_domain::customer::Tier;
use kefu_store::entity::{asset, charge, customer, part, part_line, price_item, ticket};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::quotes::{QuoteView, supersede_live, ticket_quotes_in};
use super::{amount_error, announce, service_day, staff};
use crate::tickets::{events, ticket_for_update, visible_ticket};
use crate::{App, AppError, FieldError, require};

/// A charge to add. Give a price-list entry, a part, or (`charges.manage`) a kind, a
/// description and a price.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChargeInput {
    /// A price-list entry (labour, travel, fee).
    #[serde(default)]
    pub price_item_id: Option<Uuid>,
    /// A part from the catalogue (at its price).
    #[serde(default)]
    pub part_id: Option<Uuid>,
    /// `labour`, `part`, `travel` or `fee`, for a line priced by hand.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub kind: Option<ChargeKind>,
    /// How many (hours, km, units), up to 3 decimals.
    pub quantity: f64,
    /// What it is (defaults to the entry's or part's name).
    #[serde(default)]
    pub description: Option<String>,
    /// Unit, for a line priced by hand (default `项`).
    #[serde(default)]
    pub unit: Option<String>,
    /// Price per unit in fen, instead of the list price (`charges.manage`).
    #[serde(default)]
    pub unit_price_cents: Option<i64>,
    /// Waive the line (商务减免, `charges.manage`).
    #[serde(default)]
    pub goodwill: bool,
}

/// A charge line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChargeView {
    /// Id.
    pub id: Uuid,
    /// Ticket.
    pub ticket_id: Uuid,
    /// `labour`, `part`, `travel` or `fee`.
    pub kind: String,
    /// Price-list entry.
    pub price_item_id: Option<Uuid>,
    /// Part.
    pub part_id: Option<Uuid>,
    /// The consumed part line it bills.
    pub part_line_id: Option<Uuid>,
    /// What it is.
    pub description: String,
    /// Unit.
    pub unit: String,
    /// Quantity (decimal).
    pub quantity: f64,
    /// Quantity in thousandths.
    pub quantity_milli: i64,
    /// Price per unit in fen.
    pub unit_price_cents: i64,
    /// Quantity × price, in fen.
    pub list_cents: i64,
    /// `warranty`, `contract`, `goodwill`, or none (billed).
    pub coverage: Option<String>,
    /// What the customer pays, in fen.
    pub due_cents: i64,
    /// The finance export that took it (then it cannot change).
    pub export_id: Option<Uuid>,
    /// Who added it (none: the system, for consumed parts).
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<charge::Model> for ChargeView {
    fn from(c: charge::Model) -> Self {
        ChargeView {
            id: c.id,
            ticket_id: c.ticket_id,
            kind: c.kind,
            price_item_id: c.price_item_id,
            part_id: c.part_id,
            part_line_id: c.part_line_id,
            description: c.description,
            unit: c.unit,
            quantity: c.quantity_milli as f64 / 1000.0,
            quantity_milli: c.quantity_milli,
            unit_price_cents: c.unit_price_cents,
            list_cents: c.list_cents,
            coverage: c.coverage,
            due_cents: c.due_cents,
            export_id: c.export_id,
            created_by: c.created_by,
            created_at: c.created_at,
        }
    }
}

/// The charges of a ticket, what the equipment is entitled to, totals and quotations.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketCharges {
    /// Ticket.
    pub ticket_id: Uuid,
    /// The day warranty and contract are judged on (the ticket's creation day).
    pub service_date: NaiveDate,
    /// `in_warranty`, `in_contract`, `expired` or `unknown` on that day.
    pub entitlement: String,
    /// Warranty end of the ticket's equipment.
    pub warranty_end: Option<NaiveDate>,
    /// Contract end of the ticket's equipment.
    pub contract_end: Option<NaiveDate>,
    /// The customer's tier (prices may differ).
    pub tier: String,
    /// The lines, oldest first.
    pub lines: Vec<ChargeView>,
    /// Sums in fen: `list`, `covered`, `due`.
    #[schema(value_type = Object)]
    pub totals: Totals,
    /// Quotations, newest first.
    pub quotes: Vec<QuoteView>,
}

/// What prices and coverage depend on for one ticket.
pub(super) struct Terms {
    warranty: bool,
    contract: bool,
    warranty_end: Option<NaiveDate>,
    contract_end: Option<NaiveDate>,
    tier: Tier,
    rules: ChargeRules,
}

impl Terms {
    fn cover(&self, kind: ChargeKind) -> Option<Coverage> {
        self.rules.coverage(kind, self.warranty, self.contract)
    }
}

pub(super) async fn terms(db: &impl ConnectionTrait, t: &ticket::Model) -> Result<Terms, AppError> {
    let a = match t.asset_id {
        Some(id) => asset::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let tier = match t.customer_id {
        Some(id) => customer::Entity::find_by_id(id)
            .one(db)
            .await?
            .and_then(|c| Tier::parse(&c.tier)),
        None => None,
    }
    .unwrap_or_default();
    let (warranty_end, contract_end) = a
        .map(|a| (a.warranty_end, a.contract_end))
        .unwrap_or_default();
    let (warranty, contract) = running(warranty_end, contract_end, service_day(t));
    Ok(Terms {
        warranty,
        contract,
        warranty_end,
        contract_end,
        tier,
        rules: super::prices::rules_in(db).await?,
    })
}

pub(super) fn priced(c: &charge::Model) -> Priced {
    Priced {
        list: c.list_cents,
        coverage: c.coverage.as_deref().and_then(Coverage::parse),
    }
}

pub(super) async fn lines_of(
    db: &impl ConnectionTrait,
    ticket_id: Uuid,
) -> Result<Vec<charge::Model>, AppError> {
    Ok(charge::Entity::find()
        .filter(charge::Column::TicketId.eq(ticket_id))
        .order_by_asc(charge::Column::CreatedAt)
        .order_by_asc(charge::Column::Id)
        .all(db)
        .await?)
}

/// Reading charges: staff who see tickets, and finance.
fn reader(actor: &Actor) -> Result<(), AppError> {
    require(actor, Permission::TicketRead)?;
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

/// The ticket's charges with entitlement, totals and quotations (staff).
pub async fn ticket_charges(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
) -> Result<TicketCharges, AppError> {
    reader(actor)?;
    let db = app.store.conn();
    let t = visible_ticket(db, actor, ticket_id).await?;
    let terms = terms(db, &t).await?;
    let lines = lines_of(db, ticket_id).await?;
    let entitlement = kefu_domain::charges::Entitlement::on(
        terms.warranty_end,
        terms.contract_end,
        service_day(&t),
    );
    Ok(TicketCharges {
        ticket_id,
        service_date: service_day(&t),
        entitlement: entitlement.as_str().into(),
        warranty_end: terms.warranty_end,
        contract_end: terms.contract_end,
        tier: terms.tier.as_str().into(),
        totals: totals(lines.iter().map(priced)),
        lines: lines.into_iter().map(Into::into).collect(),
        quotes: ticket_quotes_in(db, ticket_id).await?,
    })
}

/// After any change of lines: live quotations no longer hold; webhooks hear of it.
async fn changed(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    change: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    supersede_live(db, t.id, now).await?;
    let lines = lines_of(db, t.id).await?;
    announce(db, t, change, totals(lines.iter().map(priced)), now).await
}

/// What a new line is priced from: a price-list entry, a part, or nothing (by hand).
struct Base {
    kind: ChargeKind,
    price_item_id: Option<Uuid>,
    part_id: Option<Uuid>,
    /// The entry's or part's name (the default description).
    name: String,
    unit: String,
    /// List price per unit for the customer's tier.
    price: i64,
}

/// Adds a charge line to a ticket (staff).
pub async fn add_charge(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    input: ChargeInput,
) -> Result<ChargeView, AppError> {
    staff(actor)?;
    let manager = actor.has(Permission::ChargesManage);
    if (input.goodwill || input.unit_price_cents.is_some()) && !manager {
        return Err(AppError::Forbidden(
            "waiving a charge or setting a price by hand needs charges.manage".into(),
        ));
    }
    let tx = app.store.begin().await?;
    let t = ticket_for_update(&tx, actor, ticket_id).await?;
    let terms = terms(&tx, &t).await?;
    let mut errors = Vec::new();
    let q = quantity_milli(input.quantity)
        .map_err(|e| errors.push(amount_error("quantity", e)))
        .unwrap_or(0);
    let base: Option<Base> = match (input.price_item_id, input.part_id) {
        (Some(_), Some(_)) => {
            errors.push(FieldError::new(
                "part_id",
                "ambiguous",
                "give a price-list entry or a part, not both",
            ));
            None
        }
        (Some(id), None) => match price_item::Entity::find_by_id(id)
            .one(&tx)
            .await?
            .filter(|p| p.active)
        {
            Some(p) => {
                let kind = ChargeKind::parse(&p.kind).unwrap_or(ChargeKind::Fee);
                if input.kind.is_some_and(|k| k != kind) {
                    errors.push(FieldError::new(
                        "kind",
                        "mismatch",
                        format!("the entry is a {} item", kind.as_str()),
                    ));
                }
                let price = tier_price(
                    p.unit_price_cents,
                    p.vip_price_cents,
                    p.strategic_price_cents,
                    terms.tier,
                );
                Some(Base {
                    kind,
                    price_item_id: Some(p.id),
                    part_id: None,
                    name: p.name,
                    unit: p.unit,
                    price,
                })
            }
            None => {
                errors.push(FieldError::new(
                    "price_item_id",
                    "not_found",
                    "no such active price-list entry",
                ));
                None
            }
        },
        (None, Some(id)) => match part::Entity::find_by_id(id).one(&tx).await? {
            Some(p) => Some(Base {
                kind: ChargeKind::Part,
                price_item_id: None,
                part_id: Some(p.id),
                name: format!("{} {}", p.code, p.name),
                unit: p.unit,
                price: p.unit_price_cents,
            }),
            None => {
                errors.push(FieldError::new("part_id", "not_found", "no such part"));
                None
            }
        },
        (None, None) => {
            if !manager {
                tx.rollback().await?;
                return Err(AppError::Forbidden(
                    "a line priced by hand needs charges.manage; pick a price-list entry or a part"
                        .into(),
                ));
            }
            let Some(kind) = input.kind else {
                errors.push(FieldError::new(
                    "kind",
                    "required",
                    "labour, part, travel or fee",
                ));
                return Err(AppError::Invalid(errors));
            };
            if input.unit_price_cents.is_none() {
                errors.push(FieldError::new(
                    "unit_price_cents",
                    "required",
                    "a price is needed",
                ));
            }
            let unit = input
                .unit
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .unwrap_or("项")
                .to_owned();
            Some(Base {
                kind,
                price_item_id: None,
                part_id: None,
                name: String::new(),
                unit,
                price: 0,
            })
        }
    };
    let description = input
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            base.as_ref()
                .map(|b| b.name.clone())
                .filter(|n| !n.is_empty())
        });
    match &description {
        None => errors.push(FieldError::new("description", "required", "say what it is")),
        Some(d) if d.chars().count() > 200 => errors.push(FieldError::new(
            "description",
            "too_long",
            "at most 200 characters",
        )),
        _ => {}
    }
    if let Some(p) = input.unit_price_cents
        && let Err(e) = check_unit_price(p)
    {
        errors.push(amount_error("unit_price_cents", e));
    }
    let (
        Some(Base {
            kind,
            price_item_id,
            part_id,
            unit,
            price,
            ..
        }),
        Some(description),
        true,
    ) = (base, description, errors.is_empty())
    else {
        return Err(AppError::Invalid(errors));
    };
    let unit_price = input.unit_price_cents.unwrap_or(price);
    let coverage = if input.goodwill {
        Some(Coverage::Goodwill)
    } else {
        terms.cover(kind)
    };
    let list = line_amount(q, unit_price);
    let now = app.now();
    let m = charge::Model {
        id: Uuid::now_v7(),
        ticket_id,
        kind: kind.as_str().into(),
        price_item_id,
        part_id,
        part_line_id: None,
        description,
        unit,
        quantity_milli: q,
        unit_price_cents: unit_price,
        list_cents: list,
        coverage: coverage.map(|c| c.as_str().to_owned()),
        due_cents: Priced { list, coverage }.due(),
        export_id: None,
        created_by: Some(actor.user_id),
        created_at: now,
        updated_at: now,
    };
    charge::Entity::insert(charge::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    events::append(
        &tx,
        ticket_id,
        "charge_added",
        Some(actor.user_id),
        false,
        json!({"charge_id": m.id, "kind": m.kind, "description": m.description,
            "quantity": m.quantity_milli as f64 / 1000.0, "unit": m.unit,
            "list_cents": m.list_cents, "due_cents": m.due_cents, "coverage": m.coverage}),
        now,
    )
    .await?;
    changed(&tx, &t, "added", now).await?;
    tx.commit().await?;
    Ok(m.into())
}

/// Removes a line that finance has not exported yet (staff).
pub async fn remove_charge(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
    charge_id: Uuid,
) -> Result<(), AppError> {
    staff(actor)?;
    let tx = app.store.begin().await?;
    let t = ticket_for_update(&tx, actor, ticket_id).await?;
    let c = charge::Entity::find_by_id(charge_id)
        .one(&tx)
        .await?
        .filter(|c| c.ticket_id == ticket_id)
        .ok_or(AppError::NotFound("charge"))?;
    // Conditional on "not exported", so an export running meanwhile wins cleanly.
    let r = charge::Entity::delete_many()
        .filter(charge::Column::Id.eq(charge_id))
        .filter(charge::Column::ExportId.is_null())
        .exec(&tx)
        .await?;
    if r.rows_affected != 1 {
        return Err(AppError::Conflict {
            code: "exported",
            message: "the line was exported to finance and cannot change".into(),
        });
    }
    let now = app.now();
    events::append(
        &tx,
        ticket_id,
        "charge_removed",
        Some(actor.user_id),
        false,
        json!({"charge_id": c.id, "kind": c.kind, "description": c.description,
            "list_cents": c.list_cents, "due_cents": c.due_cents}),
        now,
    )
    .await?;
    changed(&tx, &t, "removed", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Bills a part line consumed on the job at the part's price, in the consuming transaction
/// (once per line: a unique index on `part_line_id` stands behind it).
pub(crate) async fn bill_part_line(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    line: &part_line::Model,
    p: &part::Model,
    actor_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let terms = terms(db, t).await?;
    let coverage = terms.cover(ChargeKind::Part);
    let q = line.quantity.saturating_mul(1000);
    let list = line_amount(q, p.unit_price_cents);
    charge::Entity::insert(charge::ActiveModel {
        id: Set(Uuid::now_v7()),
        ticket_id: Set(t.id),
        kind: Set(ChargeKind::Part.as_str().into()),
        price_item_id: Set(None),
        part_id: Set(Some(p.id)),
        part_line_id: Set(Some(line.id)),
        description: Set(format!("{} {}", p.code, p.name)),
        unit: Set(p.unit.clone()),
        quantity_milli: Set(q),
        unit_price_cents: Set(p.unit_price_cents),
        list_cents: Set(list),
        coverage: Set(coverage.map(|c| c.as_str().to_owned())),
        due_cents: Set(Priced { list, coverage }.due()),
        export_id: Set(None),
        created_by: Set(actor_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    changed(db, t, "part_consumed", now).await
}
