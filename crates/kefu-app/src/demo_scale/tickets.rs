//! One generated ticket: who, what, which channel and priority, where it ended up given its
//! age, and the SLA projection the use cases would have stored for that history.

use chrono::{DateTime, Utc};
use kefu_domain::customer::Tier;
use kefu_store::entity::{ticket, ticket_event};
use serde_json::json;
use uuid::Uuid;

use super::parties::{CustomerInfo, World};
use super::rng::Rng;
use super::story::{self, Cast, Plan, Target};
use super::text::{self, Words, fill};
use crate::sla::LoadedPolicy;

/// What every ticket is generated against.
pub(super) struct Context<'a> {
    pub(super) world: &'a World,
    pub(super) policy: &'a LoadedPolicy,
    pub(super) now: DateTime<Utc>,
}

const KINDS: [(&str, u32); 6] = [
    ("repair", 40),
    ("inquiry", 18),
    ("installation", 12),
    ("return_exchange", 8),
    ("complaint", 10),
    ("suggestion", 12),
];

const CHANNELS: [(&str, u32); 8] = [
    ("phone", 30),
    ("email", 25),
    ("portal", 15),
    ("wechat", 14),
    ("web", 8),
    ("chat", 5),
    ("api", 2),
    ("monitoring", 1),
];

fn priority(kind: &str, rng: &mut Rng) -> &'static str {
    let table: &[(&str, u32)] = match kind {
        "repair" => &[("P1", 10), ("P2", 30), ("P3", 45), ("P4", 15)],
        "complaint" => &[("P1", 10), ("P2", 50), ("P3", 40)],
        "installation" => &[("P2", 15), ("P3", 70), ("P4", 15)],
        "return_exchange" => &[("P2", 20), ("P3", 70), ("P4", 10)],
        _ => &[("P3", 40), ("P4", 60)],
    };
    rng.weighted(table)
}

/// Older tickets are mostly closed; today's are mostly new or open.
fn target(age_days: i64, rng: &mut Rng) -> Target {
    use Target::*;
    let table: &[(Target, u32)] = match age_days {
        0 => &[
            (New, 35),
            (Open, 30),
            (Pending("pending_customer"), 8),
            (Pending("pending_parts"), 4),
            (Pending("on_site"), 5),
            (Resolved, 15),
            (Closed, 3),
        ],
        1..=2 => &[
            (New, 10),
            (Open, 30),
            (Pending("pending_customer"), 12),
            (Pending("pending_parts"), 10),
            (Pending("on_site"), 6),
            (Resolved, 22),
            (Closed, 10),
        ],
        3..=13 => &[
            (New, 2),
            (Open, 12),
            (Pending("pending_customer"), 10),
            (Pending("pending_parts"), 12),
            (Pending("on_site"), 3),
            (Resolved, 31),
            (Closed, 30),
        ],
        14..=59 => &[
            (Open, 1),
            (Pending("pending_customer"), 2),
            (Pending("pending_parts"), 3),
            (Resolved, 14),
            (Closed, 80),
        ],
        // A long tail of forgotten tickets: 0.5 % of the old ones are still open somewhere.
        _ => &[
            (Open, 1),
            (Pending("pending_customer"), 1),
            (Pending("pending_parts"), 3),
            (Resolved, 25),
            (Closed, 970),
        ],
    };
    match rng.weighted(table) {
        Closed if rng.chance(0.02) => Duplicate,
        t => t,
    }
}

fn tags(kind: &str, c: &CustomerInfo, warranty: Option<bool>, rng: &mut Rng) -> serde_json::Value {
    let mut tags: Vec<&str> = Vec::new();
    for _ in 0..rng.weighted(&[(0usize, 35), (1, 45), (2, 20)]) {
        let t = *rng.pick(&text::TAGS);
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if c.tier != Tier::Standard && rng.chance(0.5) {
        tags.push("VIP");
    }
    if kind == "repair" {
        match warranty {
            Some(true) => tags.push("保修期内"),
            Some(false) => tags.push("保修期外"),
            None => {}
        }
    }
    json!(tags)
}

/// Generates ticket `number` opened at `created_at`, with its events.
pub(super) fn generate(
    ctx: &Context<'_>,
    rng: &mut Rng,
    created_at: DateTime<Utc>,
    number: String,
) -> (ticket::Model, Vec<ticket_event::Model>) {
    let w = ctx.world;
    let c = w.pick_customer(rng);
    let team = &w.teams[c.team];
    let kind = rng.weighted(&KINDS);
    let priority = priority(kind, rng);
    let channel = rng.weighted(&CHANNELS);
    let needs_asset = matches!(kind, "repair" | "installation" | "return_exchange");
    let asset = (needs_asset || rng.chance(0.25)).then(|| rng.pick(&c.assets));
    let product = asset.map_or_else(
        || rng.below(text::PRODUCTS.len() as u64) as usize,
        |a| a.product,
    );
    let engineer = *rng.pick(&team.engineers);
    let words = Words {
        product: text::PRODUCTS[product].0,
        alarm: rng.pick::<&str>(&text::ALARMS),
        city: text::CITIES[c.city].0,
        engineer: w.staff[engineer].name,
        part: rng.pick::<&str>(&text::PARTS),
        serial: asset.map_or("SN-0000X", |a| a.serial.as_str()),
    };
    let templates: &[&str] = match kind {
        "repair" => &text::REPAIR_SUBJECTS,
        "installation" => &text::INSTALLATION_SUBJECTS,
        "return_exchange" => &text::RETURN_SUBJECTS,
        "complaint" => &text::COMPLAINT_SUBJECTS,
        "inquiry" => &text::INQUIRY_SUBJECTS,
        _ => &text::SUGGESTION_SUBJECTS,
    };
    let subject = fill(rng.pick::<&str>(templates), &words);
    let (contact_id, contact_name) = rng.pick(&c.contacts).clone();
    let mut body = format!(
        "{contact_name}反映：{subject}。{}",
        rng.pick(&text::DETAILS)
    );
    if let Some(a) = asset {
        body.push_str(&format!("设备序列号 {}。", a.serial));
    }
    let age_days = (ctx.now - created_at).num_days();
    let target = target(age_days, rng);
    let desk = if needs_asset && rng.chance(0.3) {
        engineer
    } else {
        *rng.pick(&team.agents)
    };
    let handler = w.staff[desk].id;
    let assignee = (target != Target::New || rng.chance(0.7)).then_some(handler);
    let cast = Cast {
        creator: if channel == "portal" {
            c.portal_user
        } else {
            w.staff[*rng.pick(&team.agents)].id
        },
        handler,
        assignee,
        assign_later: assignee.is_some() && rng.chance(0.4),
        supervisor: w.staff[team.supervisor].id,
        engineer: w.staff[engineer].id,
        customer: c.portal_user,
        team: team.id,
    };
    let warranty = asset.map(|a| a.warranty_end >= created_at.date_naive());
    let mut t = ticket::Model {
        id: rng.uuid_v7(created_at, 0),
        number,
        kind: kind.into(),
        channel: channel.into(),
        priority: priority.into(),
        status: "new".into(),
        subject,
        customer_id: Some(c.id),
        contact_id: Some(contact_id),
        asset_id: asset.map(|a| a.id),
        order_id: None,
        team_id: Some(team.id),
        assignee_id: assignee,
        sla_policy_id: (ctx.policy.id != Uuid::nil()).then_some(ctx.policy.id),
        first_response_due_at: None,
        resolution_due_at: None,
        first_responded_at: None,
        resolved_at: None,
        closed_at: None,
        sla_paused_since: None,
        sla_check_at: None,
        sla_warn_at: None,
        tags: tags(kind, c, warranty, rng),
        custom_fields: json!({}),
        parent_id: None,
        merged_into_id: None,
        created_by: Some(cast.creator),
        created_at,
        updated_at: created_at,
        version: 1,
    };
    let opened = crate::tickets::sla_clock(&t, ctx.policy, c.tier, &[], ctx.now);
    let created = json!({
        "subject": t.subject, "body": body, "kind": t.kind, "priority": t.priority,
        "channel": t.channel, "status": "new",
        "assignee_id": if cast.assign_later { None } else { assignee },
    });
    let plan = Plan {
        created_at,
        now: ctx.now,
        first_response_due: opened.first_response.due_at,
        resolution_due: opened.resolution.due_at,
        target,
        cast: &cast,
        words: &words,
        created,
    };
    let evs = story::tell(plan, rng);
    let p = story::project(&evs, &ctx.policy.policy);
    t.status = p.status;
    t.first_responded_at = p.first_responded_at;
    t.resolved_at = p.resolved_at;
    t.closed_at = p.closed_at;
    t.sla_paused_since = p.paused_since;
    t.updated_at = p.updated_at;
    t.version = p.version;
    let s = crate::tickets::sla_clock(&t, ctx.policy, c.tier, &p.changes, ctx.now);
    t.first_response_due_at = s.first_response.due_at;
    t.resolution_due_at = s.resolution.due_at;
    t.sla_check_at =
        kefu_domain::sla::next_check(&s, &ctx.policy.policy, &ctx.policy.calendar, ctx.now);
    t.sla_warn_at =
        kefu_domain::sla::warn_at(&s, &ctx.policy.policy, &ctx.policy.calendar, ctx.now);
    let events = evs
        .into_iter()
        .enumerate()
        .map(|(j, e)| ticket_event::Model {
            id: rng.uuid_v7(e.at, j as u8),
            ticket_id: t.id,
            kind: e.kind.into(),
            actor_id: e.actor,
            public: e.public,
            data: e.data,
            created_at: e.at,
        })
        .collect();
    (t, events)
}
