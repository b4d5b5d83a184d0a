//! Care tasks: follow-up visits (回访) after a resolution for the customers that warrant one,
//! call-backs after a low survey score, and tasks made by triggers or by hand — who gets them,
//! when they are due, and what outcome closes them.

use serde::{Deserialize, Serialize};

use crate::customer::Tier;

/// What a task is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// A follow-up visit or call after a resolution (回访).
    FollowUp,
    /// A call-back after a low survey score.
    LowScore,
    /// Made by a trigger.
    Trigger,
    /// Made by hand.
    Manual,
}

impl TaskKind {
    /// Every kind.
    pub const ALL: [TaskKind; 4] = [
        TaskKind::FollowUp,
        TaskKind::LowScore,
        TaskKind::Trigger,
        TaskKind::Manual,
    ];

    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::FollowUp => "follow_up",
            TaskKind::LowScore => "low_score",
            TaskKind::Trigger => "trigger",
            TaskKind::Manual => "manual",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reached; the customer is satisfied.
    Satisfied,
    /// Reached; the customer still has a problem (the note says which).
    IssueFound,
    /// Could not reach anyone.
    Unreachable,
    /// The customer did not want to talk.
    Declined,
    /// Done (tasks that are not calls).
    Done,
    /// No longer needed.
    Cancelled,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 6] = [
        Outcome::Satisfied,
        Outcome::IssueFound,
        Outcome::Unreachable,
        Outcome::Declined,
        Outcome::Done,
        Outcome::Cancelled,
    ];

    /// Stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Satisfied => "satisfied",
            Outcome::IssueFound => "issue_found",
            Outcome::Unreachable => "unreachable",
            Outcome::Declined => "declined",
            Outcome::Done => "done",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The status a task takes with this outcome.
    pub fn status(self) -> &'static str {
        if self == Outcome::Cancelled {
            "cancelled"
        } else {
            "done"
        }
    }

    /// Whether the outcome needs a note (what the problem is, why it was cancelled).
    pub fn needs_note(self) -> bool {
        matches!(self, Outcome::IssueFound | Outcome::Cancelled)
    }
}

/// Who gets a follow-up visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpAssignee {
    /// The customer's account owner (the ticket's assignee when there is none).
    #[default]
    CustomerOwner,
    /// Whoever resolved the ticket.
    TicketAssignee,
}

/// When a resolved ticket gets a follow-up visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowUpSettings {
    /// Schedule follow-ups at all.
    pub enabled: bool,
    /// Customer tiers that get one.
    pub tiers: Vec<Tier>,
    /// Ticket types that get one (empty: all).
    pub ticket_kinds: Vec<String>,
    /// Business hours after the resolution the visit is due.
    pub after_business_hours: u32,
    /// Who does it.
    pub assignee: FollowUpAssignee,
}

impl Default for FollowUpSettings {
    fn default() -> Self {
        FollowUpSettings {
            enabled: true,
            tiers: vec![Tier::Vip, Tier::Strategic],
            ticket_kinds: Vec::new(),
            after_business_hours: 16,
            assignee: FollowUpAssignee::CustomerOwner,
        }
    }
}

impl FollowUpSettings {
    /// Whether a resolved ticket of `kind` for a customer of `tier` gets a follow-up.
    pub fn applies(&self, tier: Option<Tier>, kind: &str) -> bool {
        self.enabled
            && tier.is_some_and(|t| self.tiers.contains(&t))
            && (self.ticket_kinds.is_empty() || self.ticket_kinds.iter().any(|k| k == kind))
    }

    /// Problems as (field, message).
    pub fn problems(&self) -> Vec<(&'static str, &'static str)> {
        let mut out = Vec::new();
        if self.after_business_hours == 0 || self.after_business_hours > 24 * 30 {
            out.push(("after_business_hours", "1 to 720"));
        }
        if self.enabled && self.tiers.is_empty() {
            out.push(("tiers", "name at least one tier, or switch follow-ups off"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_go_to_the_configured_tiers_and_types() {
        let mut s = FollowUpSettings::default();
        assert!(s.applies(Some(Tier::Vip), "repair"));
        assert!(s.applies(Some(Tier::Strategic), "inquiry"));
        assert!(!s.applies(Some(Tier::Standard), "repair"));
        assert!(!s.applies(None, "repair"));
        s.ticket_kinds = vec!["repair".into(), "installation".into()];
        assert!(s.applies(Some(Tier::Vip), "installation"));
        assert!(!s.applies(Some(Tier::Vip), "inquiry"));
        s.enabled = false;
        assert!(!s.applies(Some(Tier::Vip), "repair"));
    }

    #[test]
    fn outcomes_close_tasks_and_some_need_a_note() {
        assert_eq!(Outcome::parse("issue_found"), Some(Outcome::IssueFound));
        assert_eq!(Outcome::Cancelled.status(), "cancelled");
        assert_eq!(Outcome::Unreachable.status(), "done");
        assert!(Outcome::IssueFound.needs_note());
        assert!(!Outcome::Satisfied.needs_note());
        assert_eq!(Outcome::parse("nope"), None);
    }

    #[test]
    fn settings_refuse_a_zero_delay_and_an_empty_tier_list() {
        let s = FollowUpSettings {
            after_business_hours: 0,
            tiers: vec![],
            ..Default::default()
        };
        let fields: Vec<_> = s.problems().into_iter().map(|p| p.0).collect();
        assert_eq!(fields, ["after_business_hours", "tiers"]);
    }
}
