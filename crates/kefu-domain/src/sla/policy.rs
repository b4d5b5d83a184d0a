//! SLA policy: first-response and resolution targets per priority and customer tier, and the
//! statuses that pause the clock.
//!
//! Targets are business time on the team's [`super::BusinessCalendar`], not wall-clock time.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::customer::Tier;
use crate::ticket::Priority;

/// The two targets that apply to one ticket, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Targets {
    /// Time allowed until the first public reply.
    pub first_response_minutes: u32,
    /// Time allowed until the ticket is resolved.
    pub resolution_minutes: u32,
}

impl Targets {
    /// Targets from the two minute counts.
    pub const fn new(first_response_minutes: u32, resolution_minutes: u32) -> Self {
        Self {
            first_response_minutes,
            resolution_minutes,
        }
    }

    /// The built-in targets for a priority, whatever the tier: P1 30 min / 2 h, P2 4 h / 24 h,
    /// P3 8 h / 48 h, P4 24 h / 120 h.
    pub const fn default_for(priority: Priority) -> Self {
        match priority {
            Priority::P1 => Self::new(30, 2 * 60),
            Priority::P2 => Self::new(4 * 60, 24 * 60),
            Priority::P3 => Self::new(8 * 60, 48 * 60),
            Priority::P4 => Self::new(24 * 60, 120 * 60),
        }
    }

    /// First-response target as a duration of business time.
    pub fn first_response(self) -> Duration {
        Duration::minutes(i64::from(self.first_response_minutes))
    }

    /// Resolution target as a duration of business time.
    pub fn resolution(self) -> Duration {
        Duration::minutes(i64::from(self.resolution_minutes))
    }
}

/// One configured row: targets for a priority, for one tier or (tier `None`) for any tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TargetRow {
    /// Priority the row applies to.
    pub priority: Priority,
    /// Tier the row applies to; `None` means every tier without a row of its own.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// First-response target in business minutes.
    pub first_response_minutes: u32,
    /// Resolution target in business minutes.
    pub resolution_minutes: u32,
}

impl TargetRow {
    fn targets(&self) -> Targets {
        Targets::new(self.first_response_minutes, self.resolution_minutes)
    }
}

/// Targets, pause statuses and warning threshold of a helpdesk.
///
/// Changing a ticket's priority (or its customer's tier, or the policy) needs no migration of
/// timers: call [`super::compute`] again with the new targets and every due time is recomputed
/// from the ticket's creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlaPolicy {
    /// Target rows; see [`SlaPolicy::targets_for`] for how one is chosen.
    pub targets: Vec<TargetRow>,
    /// Statuses during which the clock stops, for example waiting on the customer.
    pub pause_statuses: Vec<String>,
    /// A running timer turns to warning when at most this percentage of its target remains.
    pub warn_before_percent: u8,
    /// Steps taken once a timer is breached, each after its own amount of business time past
    /// the due time, in order.
    pub escalations: Vec<Escalation>,
}

/// One escalation level: after `after_minutes` of business time past a breached due time,
/// do these things (once per timer and due time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escalation {
    /// Business minutes past the due time (0: at the breach).
    pub after_minutes: u32,
    /// Only for this timer (`first_response` or `resolution`); both when absent.
    #[serde(default)]
    pub timer: Option<String>,
    /// Raise the priority one step (P4 → P3 … P2 → P1).
    #[serde(default)]
    pub raise_priority: bool,
    /// Reassign to this staff user.
    #[serde(default)]
    pub assign_to: Option<uuid::Uuid>,
    /// Move to this team.
    #[serde(default)]
    pub team_id: Option<uuid::Uuid>,
    /// Notify these staff users (e.g. the supervisor).
    #[serde(default)]
    pub notify: Vec<uuid::Uuid>,
}

impl Escalation {
    /// Whether the level applies to `timer` (`first_response` or `resolution`).
    pub fn covers(&self, timer: &str) -> bool {
        self.timer.as_deref().is_none_or(|t| t == timer)
    }
}

impl Default for SlaPolicy {
    fn default() -> Self {
        let targets = Priority::ALL
            .into_iter()
            .map(|priority| {
                let t = Targets::default_for(priority);
                TargetRow {
                    priority,
                    tier: None,
                    first_response_minutes: t.first_response_minutes,
                    resolution_minutes: t.resolution_minutes,
                }
            })
            .collect();
        Self {
            targets,
            pause_statuses: vec!["pending_customer".to_owned()],
            warn_before_percent: 20,
            escalations: Vec::new(),
        }
    }
}

/// A rule a policy breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A target of zero minutes would breach the moment a ticket is opened.
    #[error("{priority:?} ({}): targets must be more than zero minutes", tier_label(.tier))]
    ZeroTarget {
        /// Row priority.
        priority: Priority,
        /// Row tier.
        tier: Option<Tier>,
    },
    /// A ticket cannot be resolved before it has been answered.
    #[error("{priority:?} ({}): resolution target is shorter than first response", tier_label(.tier))]
    ResolutionBeforeResponse {
        /// Row priority.
        priority: Priority,
        /// Row tier.
        tier: Option<Tier>,
    },
    /// The warning threshold is a percentage.
    #[error("warn_before_percent must be at most 100, got {0}")]
    WarnPercentTooLarge(u8),
    /// An escalation level that does nothing, or names an unknown timer.
    #[error("escalation level {0}: {1}")]
    BadEscalation(usize, &'static str),
    /// Two rows for the same priority and tier would make the choice arbitrary.
    #[error("{priority:?} ({}) has more than one target row", tier_label(.tier))]
    DuplicateRow {
        /// Row priority.
        priority: Priority,
        /// Row tier.
        tier: Option<Tier>,
    },
}

fn tier_label(tier: &Option<Tier>) -> &'static str {
    tier.map_or("any tier", Tier::as_str)
}

impl SlaPolicy {
    /// Targets for a ticket: the row for its exact tier, else the any-tier row for its priority,
    /// else the built-in [`Targets::default_for`], so a partial policy still yields a clock.
    pub fn targets_for(&self, priority: Priority, tier: Tier) -> Targets {
        let row = |want: Option<Tier>| {
            self.targets
                .iter()
                .find(|r| r.priority == priority && r.tier == want)
        };
        row(Some(tier))
            .or_else(|| row(None))
            .map_or(Targets::default_for(priority), TargetRow::targets)
    }

    /// Whether a ticket in `status` has its clock stopped.
    pub fn pauses_in(&self, status: &str) -> bool {
        self.pause_statuses.iter().any(|s| s == status)
    }

    /// Every rule the policy breaks, in row order; empty when it is valid.
    pub fn problems(&self) -> Vec<PolicyError> {
        let mut out = Vec::new();
        if self.warn_before_percent > 100 {
            out.push(PolicyError::WarnPercentTooLarge(self.warn_before_percent));
        }
        for (i, e) in self.escalations.iter().enumerate() {
            if !e.raise_priority
                && e.assign_to.is_none()
                && e.team_id.is_none()
                && e.notify.is_empty()
            {
                out.push(PolicyError::BadEscalation(i, "does nothing"));
            }
            if e.timer
                .as_deref()
                .is_some_and(|t| t != "first_response" && t != "resolution")
            {
                out.push(PolicyError::BadEscalation(
                    i,
                    "timer must be first_response or resolution",
                ));
            }
        }
        for (i, r) in self.targets.iter().enumerate() {
            let (priority, tier) = (r.priority, r.tier);
            if r.first_response_minutes == 0 || r.resolution_minutes == 0 {
                out.push(PolicyError::ZeroTarget { priority, tier });
            } else if r.resolution_minutes < r.first_response_minutes {
                out.push(PolicyError::ResolutionBeforeResponse { priority, tier });
            }
            let earlier = &self.targets[..i];
            if earlier
                .iter()
                .any(|e| e.priority == priority && e.tier == tier)
            {
                out.push(PolicyError::DuplicateRow { priority, tier });
            }
        }
        out
    }

    /// `Ok` when the policy is usable, else the first rule it breaks (see [`SlaPolicy::problems`]).
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.problems().into_iter().next().map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(priority: Priority, tier: Option<Tier>, fr: u32, res: u32) -> TargetRow {
        TargetRow {
            priority,
            tier,
            first_response_minutes: fr,
            resolution_minutes: res,
        }
    }

    #[test]
    fn default_policy_matches_the_published_table() {
        let p = SlaPolicy::default();
        p.validate().unwrap();
        assert_eq!(
            p.targets_for(Priority::P1, Tier::Vip),
            Targets::new(30, 120)
        );
        assert_eq!(
            p.targets_for(Priority::P2, Tier::Standard),
            Targets::new(240, 1440)
        );
        assert_eq!(
            p.targets_for(Priority::P3, Tier::Strategic),
            Targets::new(480, 2880)
        );
        assert_eq!(
            p.targets_for(Priority::P4, Tier::Standard),
            Targets::new(1440, 7200)
        );
        assert!(p.pauses_in("pending_customer"));
        assert!(!p.pauses_in("pending_parts"));
        assert_eq!(p.warn_before_percent, 20);
    }

    #[test]
    fn exact_tier_row_beats_any_tier_row_and_missing_rows_fall_back() {
        let p = SlaPolicy {
            targets: vec![
                row(Priority::P2, None, 120, 600),
                row(Priority::P2, Some(Tier::Vip), 60, 300),
            ],
            ..SlaPolicy::default()
        };
        assert_eq!(
            p.targets_for(Priority::P2, Tier::Vip),
            Targets::new(60, 300)
        );
        assert_eq!(
            p.targets_for(Priority::P2, Tier::Strategic),
            Targets::new(120, 600)
        );
        assert_eq!(
            p.targets_for(Priority::P4, Tier::Vip),
            Targets::default_for(Priority::P4)
        );
    }

    #[test]
    fn validate_reports_each_broken_rule() {
        let p = SlaPolicy {
            targets: vec![
                row(Priority::P1, None, 0, 60),
                row(Priority::P2, None, 60, 30),
                row(Priority::P3, Some(Tier::Vip), 60, 90),
                row(Priority::P3, Some(Tier::Vip), 60, 120),
            ],
            pause_statuses: vec!["pending_customer".into(), "pending_parts".into()],
            warn_before_percent: 101,
            escalations: Vec::new(),
        };
        let vip = Some(Tier::Vip);
        assert_eq!(
            p.problems(),
            vec![
                PolicyError::WarnPercentTooLarge(101),
                PolicyError::ZeroTarget {
                    priority: Priority::P1,
                    tier: None
                },
                PolicyError::ResolutionBeforeResponse {
                    priority: Priority::P2,
                    tier: None
                },
                PolicyError::DuplicateRow {
                    priority: Priority::P3,
                    tier: vip
                },
            ]
        );
        assert_eq!(p.validate(), Err(PolicyError::WarnPercentTooLarge(101)));
        assert!(p.pauses_in("pending_parts"));
        let msg = PolicyError::DuplicateRow {
            priority: Priority::P3,
            tier: vip,
        }
        .to_string();
        assert_eq!(msg, "P3 (vip) has more than one target row");
    }

    #[test]
    fn serde_fills_defaults() {
        let p: SlaPolicy = serde_json::from_str(r#"{"warn_before_percent": 25}"#).unwrap();
        assert_eq!(p.warn_before_percent, 25);
        assert_eq!(p.targets, SlaPolicy::default().targets);
        let r: TargetRow = serde_json::from_str(
            r#"{"priority":"P1","first_response_minutes":15,"resolution_minutes":60}"#,
        )
        .unwrap();
        assert_eq!(r.tier, None);
    }
}
