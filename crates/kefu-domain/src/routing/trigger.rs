//! Triggers: when something happens to a ticket (created, updated, a reply, a status change, an
//! SLA warning or breach) and the conditions hold, act — change fields, notify people, mail,
//! make a task. Every change a trigger makes carries the chain of triggers behind it; a trigger
//! never fires on a change its own chain made, and chains stop at [`MAX_CHAIN`], so triggers
//! cannot feed each other forever.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::condition::Condition;
use super::rule::TicketFacts;
use crate::ticket::TicketActions;

/// Longest chain of triggers firing on each other's changes.
pub const MAX_CHAIN: usize = 5;

/// What a trigger listens for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerEvent {
    /// A ticket was opened.
    Created,
    /// A field, the team or the assignee changed.
    Updated,
    /// The customer wrote.
    CustomerReplied,
    /// An agent replied publicly.
    AgentReplied,
    /// The status changed.
    StatusChanged,
    /// An SLA target is close.
    SlaWarning,
    /// An SLA target was missed.
    SlaBreached,
}

impl TriggerEvent {
    /// The trigger event a ticket history entry is, if any (`reply` data names its author).
    pub fn of(kind: &str, reply_from: Option<&str>) -> Option<TriggerEvent> {
        Some(match kind {
            "created" => TriggerEvent::Created,
            "field_changed" | "assigned" | "auto_assigned" => TriggerEvent::Updated,
            "reply" if reply_from == Some("agent") => TriggerEvent::AgentReplied,
            "reply" => TriggerEvent::CustomerReplied,
            "status_changed" => TriggerEvent::StatusChanged,
            "sla_warning" => TriggerEvent::SlaWarning,
            "sla_breached" => TriggerEvent::SlaBreached,
            _ => return None,
        })
    }
}

/// Who hears about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyTarget {
    /// The ticket's assignee.
    Assignee,
    /// Every member of the ticket's team.
    Team,
    /// Every active user of a role (`supervisor`).
    Role(String),
    /// One person.
    User(Uuid),
}

/// A mail to someone other than the customer (a manager, a partner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailAction {
    /// Address.
    pub to: String,
    /// Subject, with `{{variables}}`.
    pub subject: String,
    /// Body, with `{{variables}}`.
    pub body: String,
}

/// A task a trigger makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskAction {
    /// Title, with `{{variables}}`.
    pub title: String,
    /// Business hours until it is due.
    #[serde(default = "eight")]
    pub due_business_hours: u32,
    /// For the ticket's assignee (`false`: the customer's account owner, else the assignee).
    #[serde(default = "yes")]
    pub for_assignee: bool,
}

fn eight() -> u32 {
    8
}

fn yes() -> bool {
    true
}

/// What a trigger does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TriggerActions {
    /// Ticket changes (`assignee: me` is not allowed: a trigger is nobody).
    #[serde(flatten)]
    pub ticket: TicketActions,
    /// In-app notices.
    pub notify: Vec<NotifyTarget>,
    /// A mail to someone.
    pub mail: Option<MailAction>,
    /// A follow-up task.
    pub task: Option<TaskAction>,
}

/// One trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Stable id.
    pub id: Uuid,
    /// Name shown in the ticket history.
    pub name: String,
    /// Disabled triggers are skipped.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Events it listens for.
    pub on: Vec<TriggerEvent>,
    /// `true`: every condition must hold; `false`: any one.
    #[serde(default = "yes")]
    pub match_all: bool,
    /// Conditions on the ticket (the routing rules' conditions).
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Only when the ticket is in one of these statuses (empty: any); for `status_changed`, the
    /// status it moved to.
    #[serde(default)]
    pub status_in: Vec<String>,
    /// What to do.
    pub actions: TriggerActions,
}

impl Trigger {
    /// Whether the trigger fires for `event` on a ticket with these facts and status, given the
    /// chain of triggers whose changes caused the event.
    pub fn fires(
        &self,
        event: TriggerEvent,
        facts: &TicketFacts,
        status: &str,
        chain: &[Uuid],
    ) -> bool {
        if !self.enabled
            || !self.on.contains(&event)
            || chain.contains(&self.id)
            || chain.len() >= MAX_CHAIN
        {
            return false;
        }
        if !self.status_in.is_empty() && !self.status_in.iter().any(|s| s == status) {
            return false;
        }
        if self.match_all {
            self.conditions.iter().all(|c| c.holds(facts))
        } else {
            self.conditions.is_empty() || self.conditions.iter().any(|c| c.holds(facts))
        }
    }
}

/// Problems of a trigger list as (index, field, message).
pub fn trigger_problems(list: &[Trigger]) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (i, t) in list.iter().enumerate() {
        if t.name.trim().is_empty() || t.name.chars().count() > 100 {
            out.push((i, "name".into(), "1 to 100 characters".into()));
        }
        if !ids.insert(t.id) {
            out.push((i, "id".into(), "used twice".into()));
        }
        if t.on.is_empty() {
            out.push((i, "on".into(), "name at least one event".into()));
        }
        for c in &t.conditions {
            if let Some(p) = c.problem() {
                out.push((i, "conditions".into(), p));
            }
        }
        let a = &t.actions;
        if a.ticket.assignee == Some(crate::ticket::AssigneeAction::Me) {
            out.push((
                i,
                "actions.assignee".into(),
                "a trigger has no `me`; name a user".into(),
            ));
        }
        for (f, m) in a.ticket.problems() {
            out.push((i, format!("actions.{f}"), m));
        }
        if let Some(m) = &a.mail
            && (!m.to.contains('@') || m.subject.trim().is_empty())
        {
            out.push((i, "actions.mail".into(), "an address and a subject".into()));
        }
        if let Some(task) = &a.task
            && (task.title.trim().is_empty() || task.due_business_hours > 24 * 30)
        {
            out.push((
                i,
                "actions.task".into(),
                "a title, due within 720 business hours".into(),
            ));
        }
        if a.ticket.is_empty() && a.notify.is_empty() && a.mail.is_none() && a.task.is_none() {
            out.push((i, "actions".into(), "the trigger does nothing".into()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Tier;
    use crate::ticket::Priority;

    fn vip_p1() -> Trigger {
        serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001",
            "name": "VIP 客户回复 → 升级",
            "on": ["customer_replied"],
            "conditions": [{"field": "tier", "op": "is", "value": "vip"}],
            "status_in": ["open", "pending_customer"],
            "actions": {"priority": "P1", "add_tags": ["vip跟进"], "notify": ["assignee", {"role": "supervisor"}]}
        }))
        .unwrap()
    }

    #[test]
    fn events_map_from_history_kinds() {
        assert_eq!(
            TriggerEvent::of("reply", Some("customer")),
            Some(TriggerEvent::CustomerReplied)
        );
        assert_eq!(
            TriggerEvent::of("reply", Some("agent")),
            Some(TriggerEvent::AgentReplied)
        );
        assert_eq!(
            TriggerEvent::of("assigned", None),
            Some(TriggerEvent::Updated)
        );
        assert_eq!(TriggerEvent::of("note", None), None);
    }

    #[test]
    fn fires_on_its_event_conditions_and_status_only() {
        let t = vip_p1();
        assert_eq!(t.actions.ticket.priority, Some(Priority::P1));
        assert_eq!(t.actions.notify[1], NotifyTarget::Role("supervisor".into()));
        let vip = TicketFacts {
            tier: Some(Tier::Vip),
            ..Default::default()
        };
        let std_ = TicketFacts::default();
        assert!(t.fires(TriggerEvent::CustomerReplied, &vip, "open", &[]));
        assert!(!t.fires(TriggerEvent::AgentReplied, &vip, "open", &[]));
        assert!(!t.fires(TriggerEvent::CustomerReplied, &std_, "open", &[]));
        assert!(!t.fires(TriggerEvent::CustomerReplied, &vip, "resolved", &[]));
    }

    #[test]
    fn a_trigger_never_fires_on_its_own_chain_and_chains_are_bounded() {
        let t = vip_p1();
        let vip = TicketFacts {
            tier: Some(Tier::Vip),
            ..Default::default()
        };
        assert!(!t.fires(TriggerEvent::CustomerReplied, &vip, "open", &[t.id]));
        let others: Vec<Uuid> = (10..10 + MAX_CHAIN as u128).map(Uuid::from_u128).collect();
        assert!(!t.fires(TriggerEvent::CustomerReplied, &vip, "open", &others));
        assert!(t.fires(TriggerEvent::CustomerReplied, &vip, "open", &others[..1]));
    }

    #[test]
    fn problems_name_the_field() {
        let mut t = vip_p1();
        t.on.clear();
        t.actions.ticket.assignee = Some(crate::ticket::AssigneeAction::Me);
        let p: Vec<String> = trigger_problems(&[t]).into_iter().map(|p| p.1).collect();
        assert_eq!(p, ["on", "actions.assignee"]);
    }
}
