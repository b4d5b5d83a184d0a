//! Routing and assignment of a ticket being opened, inside its transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kefu_domain::customer::Tier;
use kefu_domain::routing::{
    AssignError, Candidate, Decision, TicketFacts, evaluate, load_weight, pick_assignee,
};
use kefu_domain::ticket::Priority;
use kefu_store::entity::{asset, customer, team_member, ticket, user};
use kefu_store::sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{App, AppError};

/// The facts routing looks at, read from the linked customer and asset.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn facts_of(
    db: &impl ConnectionTrait,
    kind: &str,
    channel: &str,
    priority: Priority,
    customer_id: Option<Uuid>,
    asset_id: Option<Uuid>,
    subject: &str,
    description: &str,
    custom_fields: Map<String, Value>,
) -> Result<TicketFacts, AppError> {
    let c = match customer_id {
        Some(id) => customer::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let a = match asset_id {
        Some(id) => asset::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    Ok(TicketFacts {
        kind: kind.to_owned(),
        channel: channel.to_owned(),
        priority,
        tier: c.as_ref().and_then(|c| Tier::parse(&c.tier)),
        region: c.as_ref().and_then(|c| c.region.clone()),
        product: a.as_ref().map(|a| a.product_name.clone()),
        serial: a.map(|a| a.serial_number),
        customer_id,
        subject: subject.to_owned(),
        description: description.to_owned(),
        custom_fields,
    })
}

/// What routing and assignment decided for a new ticket, for its history.
#[derive(Debug, Clone, Default)]
pub struct Routed {
    /// The rules' decision.
    pub decision: Decision,
    /// Event data of the assignment outcome (`auto_assigned` or `assignment_failed`), if the
    /// team assigns automatically.
    pub assignment: Option<(&'static str, Value)>,
}

/// Applies the routing rules to `t` (the request's explicit team, priority and SLA policy win),
/// then the team's assignment policy when nobody is assigned yet.
pub async fn route_new_ticket(
    app: &App,
    db: &impl ConnectionTrait,
    t: &mut ticket::Model,
    explicit_priority: bool,
    description: &str,
    now: DateTime<Utc>,
) -> Result<Routed, AppError> {
    let cfg = super::config::load(app, db).await?;
    let mut routed = Routed::default();
    let priority = Priority::parse(&t.priority).unwrap_or_default();
    let facts = if cfg.rules.is_empty() {
        None
    } else {
        Some(
            facts_of(
                db,
                &t.kind,
                &t.channel,
                priority,
                t.customer_id,
                t.asset_id,
                &t.subject,
                description,
                t.custom_fields.as_object().cloned().unwrap_or_default(),
            )
            .await?,
        )
    };
    if let Some(f) = &facts {
        let d = evaluate(&cfg.rules, f);
        if t.team_id.is_none() {
            t.team_id = d.team_id;
        }
        if !explicit_priority && let Some(p) = d.priority {
            t.priority = p.as_str().into();
        }
        if t.sla_policy_id.is_none() {
            t.sla_policy_id = d.sla_policy_id;
        }
        if !d.add_tags.is_empty() {
            let mut tags: Vec<String> = serde_json::from_value(t.tags.clone()).unwrap_or_default();
            for tag in &d.add_tags {
                if !tags.contains(tag) {
                    tags.push(tag.clone());
                }
            }
            t.tags = json!(tags);
        }
        routed.decision = d;
    }
    if t.assignee_id.is_none()
        && let Some(team) = t.team_id
        && let Some(policy) = cfg.teams.get(&team)
    {
        let candidates = candidates(app, db, team, now).await?;
        let region = match &facts {
            Some(f) => f.region.clone(),
            None => match t.customer_id {
                Some(c) => customer::Entity::find_by_id(c)
                    .one(db)
                    .await?
                    .and_then(|c| c.region),
                None => None,
            },
        };
        let p = Priority::parse(&t.priority).unwrap_or_default();
        routed.assignment = Some(
            match pick_assignee(
                policy,
                &candidates,
                &routed.decision.require_skills,
                region.as_deref(),
                p,
                now,
            ) {
                Ok(pick) => {
                    t.assignee_id = Some(pick.user_id);
                    (
                        "auto_assigned",
                        json!({"to": pick.user_id, "reason": pick.reason, "strategy": policy.strategy, "team_id": team}),
                    )
                }
                Err(AssignError::Manual) => return Ok(routed_without(routed)),
                Err(e) => (
                    "assignment_failed",
                    json!({"reason": e.to_string(), "team_id": team}),
                ),
            },
        );
    }
    Ok(routed)
}

fn routed_without(mut r: Routed) -> Routed {
    r.assignment = None;
    r
}

/// The team's active staff members with their open work and last assignment in this team.
async fn candidates(
    app: &App,
    db: &impl ConnectionTrait,
    team: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>, AppError> {
    let member_ids: Vec<Uuid> = team_member::Entity::find()
        .filter(team_member::Column::TeamId.eq(team))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    if member_ids.is_empty() {
        return Ok(Vec::new());
    }
    let members = user::Entity::find()
        .filter(user::Column::Id.is_in(member_ids.clone()))
        .filter(user::Column::Active.eq(true))
        .all(db)
        .await?;
    // Open work and the latest ticket of this team per member, in one pass over their open
    // and recent tickets (indexed by assignee and status).
    let finished = crate::tickets::finished_statuses(app, db).await?;
    let open = ticket::Entity::find()
        .filter(ticket::Column::AssigneeId.is_in(member_ids))
        .filter(ticket::Column::Status.is_not_in(finished))
        .filter(ticket::Column::MergedIntoId.is_null())
        .all(db)
        .await?;
    let mut load: HashMap<Uuid, u32> = HashMap::new();
    for t in &open {
        let Some(a) = t.assignee_id else { continue };
        *load.entry(a).or_default() +=
            load_weight(Priority::parse(&t.priority).unwrap_or_default());
    }
    // Round robin looks at the team's tickets of the last 30 days, whatever their status.
    let recent = ticket::Entity::find()
        .filter(ticket::Column::TeamId.eq(team))
        .filter(ticket::Column::AssigneeId.is_not_null())
        .filter(ticket::Column::CreatedAt.gte(now - chrono::Duration::days(30)))
        .all(db)
        .await?;
    let mut last: HashMap<Uuid, DateTime<Utc>> = HashMap::new();
    for t in &recent {
        let Some(a) = t.assignee_id else { continue };
        let e = last.entry(a).or_insert(t.created_at);
        if t.created_at > *e {
            *e = t.created_at;
        }
    }
    let calendar = crate::sla::policy_for(app, db, None)
        .await?
        .calendar
        .clone();
    Ok(members
        .into_iter()
        .map(|u| Candidate {
            user_id: u.id,
            name: u.name,
            skills: serde_json::from_value(u.skills).unwrap_or_default(),
            region: u.region,
            open_load: load.get(&u.id).copied().unwrap_or(0),
            last_assigned_at: last.get(&u.id).copied(),
            calendar: Some((*calendar).clone()),
            leave: Vec::new(),
        })
        .collect())
}
