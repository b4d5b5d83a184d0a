//! The history of one generated ticket: 3–10 events that walk the default workflow to the
//! ticket's final status, with the same kinds and data shapes the use cases write (`created`,
//! `assigned`, `reply`, `note`, `status_changed`), and the row fields that follow from them.

use chrono::{DateTime, Duration, Utc};
use kefu_domain::sla::SlaPolicy;
use serde_json::{Value, json};
use uuid::Uuid;

use super::rng::Rng;
use super::text::{self, Words, fill};

/// Where a ticket ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// Nobody answered yet.
    New,
    /// Being worked on.
    Open,
    /// Waiting in one of the pending statuses.
    Pending(&'static str),
    /// Solved, not yet confirmed.
    Resolved,
    /// Solved and closed.
    Closed,
    /// Closed at once as a duplicate, without an answer.
    Duplicate,
}

/// One event before it gets its id.
pub(super) struct Event {
    pub(super) kind: &'static str,
    pub(super) actor: Option<Uuid>,
    pub(super) public: bool,
    pub(super) data: Value,
    pub(super) at: DateTime<Utc>,
}

/// Who acts on the ticket.
pub(super) struct Cast {
    /// Opened it (an agent, or the customer's portal login).
    pub(super) creator: Uuid,
    /// Works on it.
    pub(super) handler: Uuid,
    /// Assigned person, if any.
    pub(super) assignee: Option<Uuid>,
    /// Assigned by the supervisor after creation rather than when opened.
    pub(super) assign_later: bool,
    /// The team's supervisor.
    pub(super) supervisor: Uuid,
    /// A field engineer of the team.
    pub(super) engineer: Uuid,
    /// The customer's portal login.
    pub(super) customer: Uuid,
    /// The team.
    pub(super) team: Uuid,
}

/// Everything a story is told from.
pub(super) struct Plan<'a> {
    pub(super) created_at: DateTime<Utc>,
    pub(super) now: DateTime<Utc>,
    pub(super) first_response_due: Option<DateTime<Utc>>,
    pub(super) resolution_due: Option<DateTime<Utc>>,
    pub(super) target: Target,
    pub(super) cast: &'a Cast,
    pub(super) words: &'a Words<'a>,
    pub(super) created: Value,
}

struct Teller<'a> {
    evs: Vec<Event>,
    status: &'static str,
    words: &'a Words<'a>,
}

impl Teller<'_> {
    fn push(&mut self, at: DateTime<Utc>, kind: &'static str, actor: Option<Uuid>, data: Value) {
        let public = !matches!(kind, "note" | "assigned");
        self.evs.push(Event {
            kind,
            actor,
            public,
            data,
            at,
        });
    }

    fn change(
        &mut self,
        at: DateTime<Utc>,
        actor: Option<Uuid>,
        to: &'static str,
        c: Option<&str>,
    ) {
        let data = json!({"from": self.status, "to": to, "comment": c});
        self.push(at, "status_changed", actor, data);
        self.status = to;
    }

    /// A public reply; an agent's answers a new ticket, a customer's reopens a waiting one.
    fn reply(&mut self, at: DateTime<Utc>, actor: Uuid, agent: bool, rng: &mut Rng) {
        let pool: &[&str] = if agent {
            &text::AGENT_REPLIES
        } else {
            &text::CUSTOMER_REPLIES
        };
        let body = fill(rng.pick::<&str>(pool), self.words);
        let from = if agent { "agent" } else { "customer" };
        let data = json!({"body": body, "attachment_ids": [], "from": from});
        self.push(at, "reply", Some(actor), data);
        let to_open = if agent {
            self.status == "new"
        } else {
            matches!(
                self.status,
                "pending_customer" | "pending_parts" | "on_site" | "resolved"
            )
        };
        if to_open {
            self.change(at, Some(actor), "open", Some("reply"));
        }
    }

    fn note(&mut self, at: DateTime<Utc>, actor: Uuid, rng: &mut Rng) {
        let body = fill(rng.pick::<&str>(&text::NOTES), self.words);
        self.push(
            at,
            "note",
            Some(actor),
            json!({"body": body, "attachment_ids": []}),
        );
    }
}

/// A step between the first answer and the end, with the events it costs.
#[derive(Clone, Copy)]
enum Step {
    Note,
    Reply,
    WaitCustomer,
    WaitParts,
    OnSite,
}

impl Step {
    fn cost(self) -> usize {
        match self {
            Step::Note | Step::Reply => 1,
            Step::WaitParts | Step::OnSite => 2,
            Step::WaitCustomer => 3,
        }
    }
}

fn between(a: DateTime<Utc>, b: DateTime<Utc>, lo: f64, hi: f64, rng: &mut Rng) -> DateTime<Utc> {
    let span = (b - a).num_microseconds().unwrap_or(0).max(0) as f64;
    a + Duration::microseconds((span * (lo + (hi - lo) * rng.unit())) as i64)
}

/// When the first answer comes: mostly within the first-response target.
fn first_answer(p: &Plan<'_>, rng: &mut Rng) -> DateTime<Utc> {
    match p.first_response_due {
        Some(due) if due > p.created_at && rng.chance(0.88) => {
            between(p.created_at, due, 0.05, 0.9, rng)
        }
        Some(due) => due.max(p.created_at) + rng.minutes(5, 36 * 60),
        None => p.created_at + rng.minutes(10, 240),
    }
}

/// When the ticket is solved (or, for open ones, last touched).
fn last_step(p: &Plan<'_>, fr: DateTime<Utc>, rng: &mut Rng) -> DateTime<Utc> {
    let at = match (p.target, p.resolution_due) {
        (Target::Resolved | Target::Closed, Some(due)) if due > fr && rng.chance(0.8) => {
            between(p.created_at, due, 0.3, 0.95, rng)
        }
        (Target::Resolved | Target::Closed, Some(due)) => due.max(fr) + rng.minutes(60, 5 * 1440),
        _ => fr + rng.minutes(30, 6 * 1440),
    };
    at.max(fr + Duration::minutes(20))
}

/// Tells the story; events come out in time order, all before `now`.
pub(super) fn tell(mut p: Plan<'_>, rng: &mut Rng) -> Vec<Event> {
    let c = p.cast;
    let t0 = p.created_at;
    let mut t = Teller {
        evs: Vec::with_capacity(10),
        status: "new",
        words: p.words,
    };
    let created = std::mem::take(&mut p.created);
    t.push(t0, "created", Some(c.creator), created);
    let assign_at = t0 + rng.minutes(2, 40);
    match p.target {
        Target::New => {
            if c.assign_later {
                assign(&mut t, assign_at, c);
            }
            t.note(t0 + rng.minutes(5, 180), c.handler, rng);
            if t.evs.len() < 3 || rng.chance(0.5) {
                t.reply(t0 + rng.minutes(10, 360), c.customer, false, rng);
            }
        }
        Target::Duplicate => {
            let at = t0 + rng.minutes(5, 120);
            t.note(at, c.handler, rng);
            let comment = "重复工单，已在原工单处理 duplicate";
            t.change(
                at + rng.minutes(1, 30),
                Some(c.handler),
                "closed",
                Some(comment),
            );
        }
        _ => {
            let fr = first_answer(&p, rng);
            if c.assign_later {
                assign(&mut t, assign_at.min(between(t0, fr, 0.2, 0.8, rng)), c);
            }
            t.reply(fr, c.handler, true, rng);
            let end = last_step(&p, fr, rng);
            let finals = match p.target {
                Target::Open => 0,
                Target::Closed => 2,
                _ => 1,
            };
            let budget = 10 - t.evs.len() - finals;
            middle(&mut t, fr, end, budget, c, rng);
            finish(&mut t, p.target, end, c, rng);
        }
    }
    t.evs.sort_by_key(|e| e.at);
    squeeze(&mut t.evs, t0, p.now, rng);
    t.evs
}

fn assign(t: &mut Teller<'_>, at: DateTime<Utc>, c: &Cast) {
    let data = json!({"from": null, "to": c.assignee, "team_from": c.team, "team_to": c.team});
    t.push(at, "assigned", Some(c.supervisor), data);
}

/// Up to three steps between the first answer and the end, within `budget` events.
fn middle(
    t: &mut Teller<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    mut budget: usize,
    c: &Cast,
    rng: &mut Rng,
) {
    let k = rng.weighted(&[(0usize, 25), (1, 35), (2, 25), (3, 15)]);
    let mut starts: Vec<DateTime<Utc>> = (0..k).map(|_| between(from, to, 0.0, 0.9, rng)).collect();
    starts.sort_unstable();
    for (i, &at) in starts.iter().enumerate() {
        let next = starts.get(i + 1).copied().unwrap_or(to);
        let back = between(at, next, 0.3, 0.8, rng);
        let step = rng.weighted(&[
            (Step::Note, 30),
            (Step::Reply, 25),
            (Step::WaitCustomer, 20),
            (Step::WaitParts, 15),
            (Step::OnSite, 10),
        ]);
        let step = if step.cost() <= budget {
            step
        } else if budget > 0 {
            Step::Note
        } else {
            break;
        };
        budget -= step.cost();
        match step {
            Step::Note => t.note(at, c.handler, rng),
            Step::Reply => t.reply(at, c.handler, true, rng),
            Step::WaitCustomer => {
                t.change(
                    at,
                    Some(c.handler),
                    "pending_customer",
                    Some("等待客户提供照片和报警截图"),
                );
                t.reply(back, c.customer, false, rng);
            }
            Step::WaitParts => {
                let wait = format!("等待备件：{}", t.words.part);
                t.change(at, Some(c.handler), "pending_parts", Some(&wait));
                t.change(back, Some(c.handler), "open", Some("备件已到货"));
            }
            Step::OnSite => {
                let go = format!("{}工程师已出发", t.words.engineer);
                t.change(at, Some(c.engineer), "on_site", Some(&go));
                t.change(back, Some(c.engineer), "open", Some("现场处理完毕，待观察"));
            }
        }
    }
}

/// The last move to the final status.
fn finish(t: &mut Teller<'_>, target: Target, at: DateTime<Utc>, c: &Cast, rng: &mut Rng) {
    let fixed = format!("已更换{}，试机正常", t.words.part);
    match target {
        Target::Pending(to) => {
            let why = match to {
                "pending_parts" => format!("等待备件：{}", t.words.part),
                "on_site" => format!("{}工程师已出发", t.words.engineer),
                _ => "请客户确认设备状态".to_owned(),
            };
            t.change(at, Some(c.handler), to, Some(&why));
        }
        Target::Resolved => t.change(at, Some(c.handler), "resolved", Some(&fixed)),
        Target::Closed => {
            t.change(at, Some(c.handler), "resolved", Some(&fixed));
            let later = at + rng.minutes(60, 7 * 1440);
            match rng.below(10) {
                0..=3 => t.change(later, Some(c.customer), "closed", Some("客户确认已解决")),
                4..=7 => t.change(later, Some(c.handler), "closed", Some("回访确认，关闭工单")),
                _ => t.change(later, None, "closed", Some("已解决 7 天无回复，自动关闭")),
            }
        }
        Target::New | Target::Open | Target::Duplicate => {}
    }
}

/// Squeezes a history that would end in the future into the time before `now` (ending at a
/// random point of it, so recent tickets do not all share one last instant), keeping order.
fn squeeze(evs: &mut [Event], t0: DateTime<Utc>, now: DateTime<Utc>, rng: &mut Rng) {
    let Some(last) = evs.last().map(|e| e.at) else {
        return;
    };
    if last <= now - Duration::minutes(1) {
        return;
    }
    let limit = between(t0, now - Duration::minutes(1), 0.5, 1.0, rng);
    let span = (last - t0).num_microseconds().unwrap_or(1).max(1) as f64;
    let room = (limit - t0).num_microseconds().unwrap_or(0).max(0) as f64;
    for e in evs.iter_mut() {
        let off = (e.at - t0).num_microseconds().unwrap_or(0) as f64;
        e.at = t0 + Duration::microseconds((off * room / span) as i64);
    }
}

/// The ticket fields that follow from a history, as the use cases would have left them.
pub(super) struct Projection {
    pub(super) status: String,
    pub(super) first_responded_at: Option<DateTime<Utc>>,
    pub(super) resolved_at: Option<DateTime<Utc>>,
    pub(super) closed_at: Option<DateTime<Utc>>,
    pub(super) paused_since: Option<DateTime<Utc>>,
    /// (when, new status) of every status change, for the SLA clock.
    pub(super) changes: Vec<(DateTime<Utc>, String)>,
    pub(super) updated_at: DateTime<Utc>,
    pub(super) version: i32,
}

/// Replays `evs` (in time order) the way the use cases apply them.
pub(super) fn project(evs: &[Event], policy: &SlaPolicy) -> Projection {
    let mut p = Projection {
        status: "new".into(),
        first_responded_at: None,
        resolved_at: None,
        closed_at: None,
        paused_since: None,
        changes: Vec::new(),
        updated_at: evs[0].at,
        version: 1,
    };
    for e in evs {
        p.updated_at = e.at;
        let by_reply = e.data["comment"] == "reply";
        if e.kind != "created" && !(e.kind == "status_changed" && by_reply) {
            p.version += 1;
        }
        if e.kind == "reply" && e.data["from"] == "agent" && p.first_responded_at.is_none() {
            p.first_responded_at = Some(e.at);
        }
        if e.kind != "status_changed" {
            continue;
        }
        let to = e.data["to"].as_str().unwrap_or("open");
        p.status = to.to_owned();
        p.changes.push((e.at, to.to_owned()));
        match to {
            "resolved" => {
                p.resolved_at = p.resolved_at.or(Some(e.at));
                p.closed_at = None;
            }
            "closed" => {
                p.resolved_at = p.resolved_at.or(Some(e.at));
                p.closed_at = Some(e.at);
            }
            _ => {
                p.resolved_at = None;
                p.closed_at = None;
            }
        }
        p.paused_since = if policy.pauses_in(to) {
            p.paused_since.or(Some(e.at))
        } else {
            None
        };
    }
    p
}
