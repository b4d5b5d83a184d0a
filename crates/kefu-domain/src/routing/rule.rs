//! Routing rules and their evaluation.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::condition::{Condition, Lowered};
use crate::customer::Tier;
use crate::ticket::Priority;

/// What a rule does when it matches; absent parts leave the ticket as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleActions {
    /// Team queue.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// Priority.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Tags to add.
    #[serde(default)]
    pub add_tags: Vec<String>,
    /// SLA policy.
    #[serde(default)]
    pub sla_policy_id: Option<Uuid>,
    /// Skills the ticket needs (for teams that match skills).
    #[serde(default)]
    pub require_skills: Vec<String>,
}

/// One routing rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// Stable id.
    pub id: Uuid,
    /// Name shown in the ticket history.
    pub name: String,
    /// Disabled rules are skipped.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `true`: every condition must hold; `false`: any one.
    #[serde(default = "yes")]
    pub match_all: bool,
    /// Conditions (none: always matches).
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// What to do.
    #[serde(default)]
    pub actions: RuleActions,
    /// Stop evaluating later rules after this one matched ("first match").
    #[serde(default)]
    pub stop: bool,
}

fn yes() -> bool {
    true
}

/// What routing looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketFacts {
    /// Type code.
    pub kind: String,
    /// Channel code.
    pub channel: String,
    /// Priority.
    pub priority: Priority,
    /// Customer tier, when there is a customer.
    pub tier: Option<Tier>,
    /// Customer region.
    pub region: Option<String>,
    /// Asset product name.
    pub product: Option<String>,
    /// Asset serial number.
    pub serial: Option<String>,
    /// Customer.
    pub customer_id: Option<Uuid>,
    /// Subject.
    pub subject: String,
    /// Description.
    pub description: String,
    /// Custom fields.
    pub custom_fields: Map<String, Value>,
}

/// The outcome of routing: what to set, and which rules decided it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Decision {
    /// Team, if a rule chose one.
    pub team_id: Option<Uuid>,
    /// Priority, if a rule chose one.
    pub priority: Option<Priority>,
    /// Tags added (sorted, without duplicates).
    pub add_tags: Vec<String>,
    /// SLA policy, if a rule chose one.
    pub sla_policy_id: Option<Uuid>,
    /// Skills the ticket needs (sorted, without duplicates).
    pub require_skills: Vec<String>,
    /// Names of the rules that matched, in order.
    pub fired: Vec<String>,
}

impl RoutingRule {
    /// Whether the rule matches the facts.
    pub fn matches(&self, f: &TicketFacts) -> bool {
        self.matches_lowered(f, &Lowered::of(f))
    }

    fn matches_lowered(&self, f: &TicketFacts, l: &Lowered) -> bool {
        if !self.enabled {
            return false;
        }
        if self.match_all {
            self.conditions.iter().all(|c| c.holds_lowered(f, l))
        } else {
            self.conditions.is_empty() || self.conditions.iter().any(|c| c.holds_lowered(f, l))
        }
    }
}

/// Evaluates the rules in order: each matching rule applies its actions over the earlier ones
/// (tags accumulate); a matching rule with `stop` ends the evaluation.
pub fn evaluate(rules: &[RoutingRule], f: &TicketFacts) -> Decision {
    let mut d = Decision::default();
    let mut tags = BTreeSet::new();
    let mut skills = BTreeSet::new();
    let lowered = Lowered::of(f);
    for r in rules {
        if !r.matches_lowered(f, &lowered) {
            continue;
        }
        d.fired.push(r.name.clone());
        let a = &r.actions;
        if a.team_id.is_some() {
            d.team_id = a.team_id;
        }
        if a.priority.is_some() {
            d.priority = a.priority;
        }
        if a.sla_policy_id.is_some() {
            d.sla_policy_id = a.sla_policy_id;
        }
        tags.extend(a.add_tags.iter().cloned());
        skills.extend(a.require_skills.iter().cloned());
        if r.stop {
            break;
        }
    }
    d.add_tags = tags.into_iter().collect();
    d.require_skills = skills.into_iter().collect();
    d
}

/// Problems of a rule set as an admin wrote it: (rule index, message).
pub fn rule_problems(rules: &[RoutingRule]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut ids = BTreeSet::new();
    for (i, r) in rules.iter().enumerate() {
        if r.name.trim().is_empty() || r.name.chars().count() > 100 {
            out.push((i, "name: 1 to 100 characters".into()));
        }
        if !ids.insert(r.id) {
            out.push((i, "id: used twice".into()));
        }
        for c in &r.conditions {
            if let Some(p) = c.problem() {
                out.push((i, p));
            }
        }
        let a = &r.actions;
        if a.team_id.is_none()
            && a.priority.is_none()
            && a.add_tags.is_empty()
            && a.sla_policy_id.is_none()
            && a.require_skills.is_empty()
        {
            out.push((i, "actions: the rule changes nothing".into()));
        }
    }
    out
}
