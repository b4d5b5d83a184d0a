//! Opening a ticket: validate, number it, start its SLA clock, record the first event.

use chrono::FixedOffset;
use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::{Channel, Priority, TicketNumber};
use kefu_store::entity::{asset, contact, order, sla_policy, team, ticket, user};
use kefu_store::sea_orm::{ConnectionTrait, EntityTrait, QueryTrait, TryIntoModel};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::view::SlaView;
use super::{TicketView, events, kinds, sla_state};
use crate::customers::check_tags;
use crate::{App, AppError, FieldError, require};

/// Request to open a ticket.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    /// One-line summary.
    pub subject: String,
    /// The customer's description of the problem; becomes the first public message.
    #[serde(default)]
    pub description: Option<String>,
    /// Type code (default `inquiry`).
    #[serde(default)]
    pub kind: Option<String>,
    /// `P1`–`P4` (default `P3`).
    #[serde(default)]
    pub priority: Option<String>,
    /// Channel code (default `api`; portal users always `portal`).
    #[serde(default)]
    pub channel: Option<String>,
    /// Customer (portal users: always their own).
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// Contact at the customer.
    #[serde(default)]
    pub contact_id: Option<Uuid>,
    /// Installed asset concerned; sets the customer when none is given.
    #[serde(default)]
    pub asset_id: Option<Uuid>,
    /// Order concerned.
    #[serde(default)]
    pub order_id: Option<Uuid>,
    /// Team queue.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// Assignee (staff).
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    /// SLA policy (default policy when absent).
    #[serde(default)]
    pub sla_policy_id: Option<Uuid>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Custom field values of the ticket type.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub custom_fields: Map<String, Value>,
}

/// Checks that every linked record exists and belongs together; fills the customer from the
/// asset or order when missing.
pub(crate) async fn check_links(
    db: &impl ConnectionTrait,
    customer_id: &mut Option<Uuid>,
    contact_id: Option<Uuid>,
    asset_id: Option<Uuid>,
    order_id: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    let mut owner_of = |field: &str, owner: Option<Uuid>| match (owner, *customer_id) {
        (None, _) => errors.push(FieldError::new(field, "not_found", "no such record")),
        (Some(o), None) => *customer_id = Some(o),
        (Some(o), Some(c)) if o != c => errors.push(FieldError::new(
            field,
            "other_customer",
            "belongs to another customer",
        )),
        _ => {}
    };
    if let Some(id) = asset_id {
        owner_of(
            "asset_id",
            asset::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|a| a.customer_id),
        );
    }
    if let Some(id) = order_id {
        owner_of(
            "order_id",
            order::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|o| o.customer_id),
        );
    }
    if let Some(id) = contact_id {
        owner_of(
            "contact_id",
            contact::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|c| c.customer_id),
        );
    }
    if let Some(id) = *customer_id
        && kefu_store::entity::customer::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::new(
            "customer_id",
            "not_found",
            "no such customer",
        ));
    }
    Ok(())
}

/// Checks that `id` is an active staff user.
pub(crate) async fn check_assignee(
    db: &impl ConnectionTrait,
    field: &str,
    id: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<(), AppError> {
    if let Some(id) = id {
        let ok = user::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_some_and(|u| u.active && u.customer_id.is_none());
        if !ok {
            errors.push(FieldError::new(
                field,
                "not_found",
                "no such active staff user",
            ));
        }
    }
    Ok(())
}

/// Opens a ticket in one transaction: row, number, `created` event, outbox, SLA due times.
///
/// The checks, routing and SLA clock read (mostly cached) configuration and the linked records
/// before the transaction starts, so the transaction (on SQLite, the one writer every opening
/// waits for) holds only the writes; the view is made after the commit for the same reason. A
/// linked record deleted in between fails the insert's foreign key.
pub async fn open_ticket(app: &App, actor: &Actor, req: NewTicket) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketCreate)?;
    let ready = prepare_open(app, app.store.conn(), actor, req, None).await?;
    let tx = app.store.begin().await?;
    let (t, sla) = write_open(&tx, ready).await?;
    tx.commit().await?;
    Ok(TicketView::new(t, sla))
}

/// Validates and inserts a ticket inside `tx`; `parent_id` marks a ticket split from another.
/// Returns the row and its SLA clock as set at opening (for a [`TicketView`]).
pub(crate) async fn open_in(
    app: &App,
    tx: &kefu_store::Tx,
    actor: &Actor,
    req: NewTicket,
    parent_id: Option<Uuid>,
) -> Result<(ticket::Model, SlaView), AppError> {
    let ready = prepare_open(app, tx, actor, req, parent_id).await?;
    write_open(tx, ready).await
}

/// A ticket checked, routed and timed, ready to be written.
pub(crate) struct ReadyTicket {
    /// The row (numbered `~{id}` until written).
    t: ticket::Model,
    /// Its SLA clock as set at opening (a new ticket has no status history to replay).
    sla: SlaView,
    /// The row's insert and its first events' (with their outbox messages).
    inserts: Vec<kefu_store::sea_orm::sea_query::InsertStatement>,
    /// The numbering period (`SR-202612`).
    period: String,
}

/// Writes a ticket made by [`prepare_open`] inside `tx` and numbers it (last: taking the
/// number locks the month's counter row until the commit, so concurrent openings queue
/// behind each other only for this step and the commit; the numbers stay gapless, a rollback
/// returns it). SQLite sends it all as one batch.
pub(crate) async fn write_open(
    tx: &kefu_store::Tx,
    ready: ReadyTicket,
) -> Result<(ticket::Model, SlaView), AppError> {
    let ReadyTicket {
        mut t,
        sla,
        inserts,
        period,
    } = ready;
    t.number =
        kefu_store::insert_and_number(tx, inserts, t.id, &period, TicketNumber::SEQ_DIGITS).await?;
    Ok((t, sla))
}

/// Checks a new ticket against `db` (linked records, type fields, assignee), routes it and
/// starts its SLA clock; writes nothing.
pub(crate) async fn prepare_open(
    app: &App,
    db: &impl ConnectionTrait,
    actor: &Actor,
    req: NewTicket,
    parent_id: Option<Uuid>,
) -> Result<ReadyTicket, AppError> {
    let staff = actor.role.is_staff();
    let mut errors = Vec::new();
    let subject = req.subject.trim().to_owned();
    if subject.is_empty() || subject.chars().count() > 200 {
        errors.push(FieldError::new("subject", "invalid", "1 to 200 characters"));
    }
    if req
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 100_000)
    {
        errors.push(FieldError::new(
            "description",
            "too_long",
            "at most 100000 characters",
        ));
    }
    let priority = req
        .priority
        .as_deref()
        .map_or(Some(Priority::P3), Priority::parse);
    if priority.is_none() {
        errors.push(FieldError::new("priority", "invalid", "P1, P2, P3 or P4"));
    }
    let channel = if staff {
        req.channel
            .as_deref()
            .map_or(Some(Channel::Api), Channel::parse)
    } else {
        Some(Channel::Portal)
    };
    if channel.is_none() {
        errors.push(FieldError::new(
            "channel",
            "invalid",
            "web, api, email, portal, chat, wechat, phone or monitoring",
        ));
    }
    if !staff && (req.assignee_id.is_some() || req.team_id.is_some() || req.sla_policy_id.is_some())
    {
        errors.push(FieldError::new(
            "assignee_id",
            "forbidden",
            "customers cannot route tickets",
        ));
    }
    if req.assignee_id.is_some() && !actor.has(Permission::TicketAssign) {
        errors.push(FieldError::new(
            "assignee_id",
            "forbidden",
            "needs permission ticket.assign",
        ));
    }
    check_tags("tags", &req.tags, &mut errors);
    let kind = req.kind.clone().unwrap_or_else(|| "inquiry".into());
    let defs = match kinds::fields_of(app, db, &kind).await {
        Ok(d) => d,
        Err(AppError::Invalid(mut e)) => {
            errors.append(&mut e);
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let custom = kefu_domain::fields::validate(&defs, &req.custom_fields).unwrap_or_else(|v| {
        errors.extend(
            v.into_iter()
                .map(|p| FieldError::new(format!("custom_fields.{}", p.field), p.code, p.message)),
        );
        Map::new()
    });
    let mut customer_id = if staff {
        req.customer_id
    } else {
        actor.customer_scope()
    };
    if !staff && req.customer_id.is_some_and(|c| Some(c) != customer_id) {
        errors.push(FieldError::new(
            "customer_id",
            "forbidden",
            "you can only open tickets for your own company",
        ));
    }
    check_links(
        db,
        &mut customer_id,
        req.contact_id,
        req.asset_id,
        req.order_id,
        &mut errors,
    )
    .await?;
    check_assignee(db, "assignee_id", req.assignee_id, &mut errors).await?;
    if let Some(id) = req.team_id
        && team::Entity::find_by_id(id).one(db).await?.is_none()
    {
        errors.push(FieldError::new("team_id", "not_found", "no such team"));
    }
    if let Some(id) = req.sla_policy_id
        && sla_policy::Entity::find_by_id(id).one(db).await?.is_none()
    {
        errors.push(FieldError::new(
            "sla_policy_id",
            "not_found",
            "no such SLA policy",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    // Numbers follow the Beijing calendar month, where our users read them.
    let local_date = now
        .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("valid offset"))
        .date_naive();
    let wf = super::workflow_of(app, db).await?;
    let id = Uuid::now_v7();
    let mut t = ticket::Model {
        id,
        // Numbered last (below); until then a unique stand-in.
        number: format!("~{id}"),
        kind,
        channel: channel.unwrap_or_default().as_str().into(),
        priority: priority.unwrap_or_default().as_str().into(),
        status: wf.initial().key.clone(),
        subject,
        customer_id,
        contact_id: req.contact_id,
        asset_id: req.asset_id,
        order_id: req.order_id,
        team_id: req.team_id,
        assignee_id: req.assignee_id,
        sla_policy_id: req.sla_policy_id,
        first_response_due_at: None,
        resolution_due_at: None,
        first_responded_at: None,
        resolved_at: None,
        closed_at: None,
        sla_paused_since: None,
        sla_check_at: None,
        sla_warn_at: None,
        tags: serde_json::json!(req.tags),
        custom_fields: Value::Object(custom),
        parent_id,
        merged_into_id: None,
        created_by: actor.user_ref(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let routed = crate::dispatch::route_new_ticket(
        app,
        db,
        &mut t,
        req.priority.is_some(),
        req.description.as_deref().unwrap_or(""),
        now,
    )
    .await?;
    let lp = crate::sla::policy_for(app, db, t.sla_policy_id).await?;
    let mut am = ticket::ActiveModel::from(t.clone());
    // A new ticket has no status history yet: its clock needs only the customer's tier.
    let tier = sla_state::tier_of(db, t.customer_id).await?;
    let clock = sla_state::compute(&t, &lp, tier, &[], now);
    sla_state::project(&t, &lp, &clock, &mut am, now);
    let t_saved = am.clone();
    let insert = ticket::Entity::insert(am).into_query();
    t = t_saved.try_into_model()?;
    let policy_id = (lp.id != Uuid::nil()).then_some(lp.id);
    let sla = SlaView::new(policy_id, t.sla_paused_since.is_some(), clock);
    // The row and its `created` event (with the event's outbox message) in one go.
    let (_, created) = events::append_inserts(
        t.id,
        "created",
        actor.user_ref(),
        true,
        serde_json::json!({
            "subject": t.subject,
            "body": req.description,
            "kind": t.kind,
            "priority": t.priority,
            "channel": t.channel,
            "status": t.status,
            "assignee_id": t.assignee_id,
        }),
        now,
    );
    let mut inserts = vec![insert];
    inserts.extend(created);
    // Every automatic decision is on the record, with the rule or strategy that made it.
    let d = &routed.decision;
    if !d.fired.is_empty() {
        let (_, routed_event) = events::append_inserts(
            t.id,
            "routed",
            None,
            false,
            serde_json::json!({
                "rules": d.fired, "team_id": d.team_id, "priority": d.priority,
                "add_tags": d.add_tags, "sla_policy_id": d.sla_policy_id,
                "require_skills": d.require_skills,
            }),
            now,
        );
        inserts.extend(routed_event);
    }
    if let Some((kind, data)) = routed.assignment {
        let (_, assigned) = events::append_inserts(t.id, kind, None, false, data, now);
        inserts.extend(assigned);
    }
    Ok(ReadyTicket {
        t,
        sla,
        inserts,
        period: TicketNumber::period_key(&app.settings.ticket_prefix, local_date),
    })
}
