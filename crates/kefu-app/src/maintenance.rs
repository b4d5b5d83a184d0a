//! Preventive maintenance plans on assets: every N months a visit ticket opens a few working
//! days ahead of the visit (the first working day on or after the due date, by the default
//! business calendar with its holidays and make-up days), naming the product's service BOM.
//! Each plan's ticket and its next due date are written in one transaction, conditional on
//! the due date read, so two workers never open the same visit twice; a plan left overdue
//! (the server was off) opens one ticket and moves to its next future date.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::maintenance::{
    MAX_INTERVAL_MONTHS, MAX_LEAD_DAYS, advance, open_day, opens_by, visit_day,
};
use kefu_domain::sla::BusinessCalendar;
use kefu_domain::ticket::Priority;
use kefu_store::entity::{asset, maintenance_plan};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tickets::{NewTicket, open_in};
use crate::{App, AppError, FieldError, audit, require};

/// The tag on maintenance visit tickets.
pub const TAG: &str = "预防性维护";

/// A plan to add or change.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// What is done (`年度保养`, `季度巡检`).
    pub name: String,
    /// Months between visits (1–120).
    pub interval_months: i32,
    /// The next due date.
    pub next_due: NaiveDate,
    /// Working days the ticket opens before the visit (default 5).
    #[serde(default)]
    pub lead_days: Option<i32>,
    /// Ticket type of the visits (default `repair`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Priority of the visits (default `P3`).
    #[serde(default)]
    pub priority: Option<String>,
    /// Team queue.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// Engineer.
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    /// Running (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

/// A plan, with its next visit as the calendar places it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanView {
    /// Id.
    pub id: Uuid,
    /// Asset.
    pub asset_id: Uuid,
    /// What is done.
    pub name: String,
    /// Months between visits.
    pub interval_months: i32,
    /// Next due date.
    pub next_due: NaiveDate,
    /// The visit day for it (first working day on or after).
    pub next_visit: NaiveDate,
    /// The day its ticket opens.
    pub opens_on: NaiveDate,
    /// Working days of lead time.
    pub lead_days: i32,
    /// Ticket type.
    pub kind: String,
    /// Priority.
    pub priority: String,
    /// Team.
    pub team_id: Option<Uuid>,
    /// Engineer.
    pub assignee_id: Option<Uuid>,
    /// Running.
    pub active: bool,
    /// The last visit ticket opened.
    pub last_ticket_id: Option<Uuid>,
    /// Its visit day.
    pub last_visit: Option<NaiveDate>,
}

fn view(p: maintenance_plan::Model, cal: &BusinessCalendar) -> PlanView {
    let work = |d| cal.is_working_day(d);
    let next_visit = visit_day(p.next_due, work);
    PlanView {
        opens_on: open_day(next_visit, p.lead_days.max(0) as u32, work),
        next_visit,
        id: p.id,
        asset_id: p.asset_id,
        name: p.name,
        interval_months: p.interval_months,
        next_due: p.next_due,
        lead_days: p.lead_days,
        kind: p.kind,
        priority: p.priority,
        team_id: p.team_id,
        assignee_id: p.assignee_id,
        active: p.active,
        last_ticket_id: p.last_ticket_id,
        last_visit: p.last_visit,
    }
}

async fn calendar(app: &App) -> Result<std::sync::Arc<BusinessCalendar>, AppError> {
    Ok(crate::sla::policy_for(app, app.store.conn(), None)
        .await?
        .calendar
        .clone())
}

fn staff_read(actor: &Actor) -> Result<(), AppError> {
    require(actor, Permission::CustomerRead)?;
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

/// The plans of an asset, or every plan by next due date (staff).
pub async fn list_plans(
    app: &App,
    actor: &Actor,
    asset_id: Option<Uuid>,
) -> Result<Vec<PlanView>, AppError> {
    staff_read(actor)?;
    let mut q = maintenance_plan::Entity::find().order_by_asc(maintenance_plan::Column::NextDue);
    if let Some(a) = asset_id {
        q = q.filter(maintenance_plan::Column::AssetId.eq(a));
    }
    let cal = calendar(app).await?;
    Ok(q.limit(1000)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|p| view(p, &cal))
        .collect())
}

/// The plans of every asset of a customer, by next due date (staff).
pub async fn customer_plans(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
) -> Result<Vec<PlanView>, AppError> {
    staff_read(actor)?;
    let db = app.store.conn();
    let assets: Vec<Uuid> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .filter(asset::Column::CustomerId.eq(customer_id))
        .into_tuple()
        .all(db)
        .await?;
    let cal = calendar(app).await?;
    Ok(maintenance_plan::Entity::find()
        .filter(maintenance_plan::Column::AssetId.is_in(assets))
        .order_by_asc(maintenance_plan::Column::NextDue)
        .all(db)
        .await?
        .into_iter()
        .map(|p| view(p, &cal))
        .collect())
}

fn checked(input: &PlanInput) -> Result<(), AppError> {
    let mut e = Vec::new();
    let n = input.name.trim().chars().count();
    if n == 0 || n > 100 {
        e.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    if !(1..=MAX_INTERVAL_MONTHS as i32).contains(&input.interval_months) {
        e.push(FieldError::new(
            "interval_months",
            "invalid",
            format!("1 to {MAX_INTERVAL_MONTHS}"),
        ));
    }
    if input
        .lead_days
        .is_some_and(|l| !(0..=MAX_LEAD_DAYS as i32).contains(&l))
    {
        e.push(FieldError::new(
            "lead_days",
            "invalid",
            format!("0 to {MAX_LEAD_DAYS}"),
        ));
    }
    if input
        .priority
        .as_deref()
        .is_some_and(|p| Priority::parse(p).is_none())
    {
        e.push(FieldError::new("priority", "invalid", "P1, P2, P3 or P4"));
    }
    if e.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(e))
    }
}

/// Adds a plan to an asset (`customer.write`, staff).
pub async fn create_plan(
    app: &App,
    actor: &Actor,
    asset_id: Uuid,
    input: PlanInput,
) -> Result<PlanView, AppError> {
    save(app, actor, Some(asset_id), None, input).await
}

/// Changes a plan (`customer.write`, staff).
pub async fn update_plan(
    app: &App,
    actor: &Actor,
    plan_id: Uuid,
    input: PlanInput,
) -> Result<PlanView, AppError> {
    save(app, actor, None, Some(plan_id), input).await
}

async fn save(
    app: &App,
    actor: &Actor,
    asset_id: Option<Uuid>,
    plan_id: Option<Uuid>,
    input: PlanInput,
) -> Result<PlanView, AppError> {
    require(actor, Permission::CustomerWrite)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    checked(&input)?;
    let kind = input.kind.clone().unwrap_or_else(|| "repair".into());
    let tx = app.store.begin().await?;
    // The visits must be openable: the type exists (and its required fields are none).
    crate::tickets::fields_of(app, &tx, &kind).await?;
    let existing = match plan_id {
        Some(id) => Some(
            maintenance_plan::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(AppError::NotFound("maintenance plan"))?,
        ),
        None => None,
    };
    let asset_id = existing
        .as_ref()
        .map(|p| p.asset_id)
        .or(asset_id)
        .unwrap_or_default();
    asset::Entity::find_by_id(asset_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("asset"))?;
    let mut errors = Vec::new();
    crate::tickets::check_assignee(&tx, "assignee_id", input.assignee_id, &mut errors).await?;
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let m = maintenance_plan::Model {
        id: existing.as_ref().map(|p| p.id).unwrap_or_else(Uuid::now_v7),
        asset_id,
        name: input.name.trim().to_owned(),
        interval_months: input.interval_months,
        next_due: input.next_due,
        lead_days: input.lead_days.unwrap_or(5),
        kind,
        priority: input.priority.clone().unwrap_or_else(|| "P3".into()),
        team_id: input.team_id,
        assignee_id: input.assignee_id,
        active: input.active.unwrap_or(true),
        last_ticket_id: existing.as_ref().and_then(|p| p.last_ticket_id),
        last_visit: existing.as_ref().and_then(|p| p.last_visit),
        created_at: existing.as_ref().map(|p| p.created_at).unwrap_or(now),
        updated_at: now,
    };
    let am = maintenance_plan::ActiveModel::from(m.clone());
    if existing.is_some() {
        maintenance_plan::Entity::update(am).exec(&tx).await?;
    } else {
        maintenance_plan::Entity::insert(am)
            .exec_without_returning(&tx)
            .await?;
    }
    audit::record(
        &tx,
        Some(actor.user_id),
        if existing.is_some() {
            "maintenance_plan.update"
        } else {
            "maintenance_plan.create"
        },
        "maintenance_plan",
        Some(m.id.to_string()),
        serde_json::json!({"asset_id": asset_id, "interval_months": m.interval_months,
            "next_due": m.next_due}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(view(m, &*calendar(app).await?))
}

/// What a maintenance pass did.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct MaintenanceScan {
    /// Plans looked at.
    pub checked: usize,
    /// Visit tickets opened.
    pub opened: usize,
    /// Plans whose ticket could not be opened (logged; tried again next pass).
    pub failed: usize,
}

/// Opens the visit tickets that are due (run by the worker every hour).
pub async fn run_due(app: &App) -> Result<MaintenanceScan, AppError> {
    let now = app.now();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let cal = calendar(app).await?;
    // Lead time plus the longest run of holidays a due date can slide over.
    let horizon = today + chrono::Duration::days(i64::from(MAX_LEAD_DAYS) * 2 + 30);
    let plans = maintenance_plan::Entity::find()
        .filter(maintenance_plan::Column::Active.eq(true))
        .filter(maintenance_plan::Column::NextDue.lte(horizon))
        .order_by_asc(maintenance_plan::Column::NextDue)
        .all(app.store.conn())
        .await?;
    let mut scan = MaintenanceScan::default();
    for p in plans {
        scan.checked += 1;
        let work = |d| cal.is_working_day(d);
        let Some(visit) = opens_by(p.next_due, p.lead_days.max(0) as u32, today, work) else {
            continue;
        };
        match open_visit(app, &p, visit, today, now).await {
            Ok(true) => scan.opened += 1,
            Ok(false) => {}
            Err(e) => {
                scan.failed += 1;
                tracing::warn!(plan = %p.id, error = %e, "maintenance visit not opened");
            }
        }
    }
    Ok(scan)
}

/// Opens one plan's visit ticket and moves the plan on; false when another worker did.
async fn open_visit(
    app: &App,
    p: &maintenance_plan::Model,
    visit: NaiveDate,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let tx = app.store.begin().await?;
    let a = asset::Entity::find_by_id(p.asset_id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("asset"))?;
    let bom = match a.product_id {
        Some(id) => crate::products::boms(&tx, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut description = format!(
        "计划上门日期 / Visit: {visit}\n设备 / Asset: {} {}\n",
        a.product_name, a.serial_number
    );
    if let Some(site) = &a.site_address {
        description.push_str(&format!("地址 / Site: {site}\n"));
    }
    if !bom.is_empty() {
        description.push_str("建议备件 / Parts to bring:\n");
        for l in &bom {
            description.push_str(&format!(
                "- {} {} × {} {}\n",
                l.part_code, l.part_name, l.quantity, l.unit
            ));
        }
    }
    let req = NewTicket {
        subject: format!("{}：{} {}", p.name, a.product_name, a.serial_number),
        description: Some(description),
        kind: Some(p.kind.clone()),
        priority: Some(p.priority.clone()),
        channel: Some("monitoring".into()),
        customer_id: Some(a.customer_id),
        asset_id: Some(a.id),
        team_id: p.team_id,
        assignee_id: p.assignee_id,
        tags: vec![TAG.into()],
        ..Default::default()
    };
    let (t, _) = open_in(app, &tx, &Actor::system(), req, None).await?;
    // Skip cycles missed while nothing ran: the next due date is in the future.
    let mut next = advance(p.next_due, p.interval_months.max(1) as u32);
    while next <= today {
        next = advance(next, p.interval_months.max(1) as u32);
    }
    let r = maintenance_plan::Entity::update_many()
        .col_expr(maintenance_plan::Column::NextDue, next.into())
        .col_expr(maintenance_plan::Column::LastTicketId, Some(t.id).into())
        .col_expr(maintenance_plan::Column::LastVisit, Some(visit).into())
        .col_expr(maintenance_plan::Column::UpdatedAt, now.into())
        .filter(maintenance_plan::Column::Id.eq(p.id))
        .filter(maintenance_plan::Column::NextDue.eq(p.next_due))
        .exec(&tx)
        .await?;
    if r.rows_affected != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}
