//! Assignment strategies: who in a team gets a ticket.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sla::BusinessCalendar;
use crate::ticket::Priority;

/// How a team hands out tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Whoever was assigned least recently.
    #[default]
    RoundRobin,
    /// Whoever has the least open work, weighted by priority.
    LeastOpen,
    /// Tickets stay in the team queue.
    Manual,
}

/// A team's assignment policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AssignPolicy {
    /// Strategy.
    #[serde(default)]
    pub strategy: Strategy,
    /// Only people who have every skill the ticket needs.
    #[serde(default)]
    pub match_skills: bool,
    /// Only people of the customer's region (for on-site work).
    #[serde(default)]
    pub match_region: bool,
    /// Only people working now by their calendar and not on leave.
    #[serde(default)]
    pub on_shift_only: bool,
    /// Most open weighted work per person (none: unlimited).
    #[serde(default)]
    pub capacity: Option<u32>,
}

/// A team member as the strategy sees them.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// User id.
    pub user_id: Uuid,
    /// Display name, for the reason text.
    pub name: String,
    /// Skills (lowercase compared).
    pub skills: Vec<String>,
    /// Region.
    pub region: Option<String>,
    /// Open work, weighted by priority (see [`load_weight`]).
    pub open_load: u32,
    /// When they were last given a ticket of this team.
    pub last_assigned_at: Option<DateTime<Utc>>,
    /// Their working calendar (the team's when they have none).
    pub calendar: Option<BusinessCalendar>,
    /// Days of leave.
    pub leave: Vec<NaiveDate>,
}

/// The choice and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    /// Who.
    pub user_id: Uuid,
    /// Why, in English for the history (e.g. `least open work (3) among 4 on shift`).
    pub reason: String,
}

/// Why nobody was picked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssignError {
    /// The team assigns by hand.
    #[error("the team assigns by hand")]
    Manual,
    /// Nobody passed the filters.
    #[error("nobody qualifies: {0}")]
    NobodyQualifies(String),
}

/// Weight of an open ticket in `least_open` and capacity: P1 4, P2 3, P3 2, P4 1.
pub fn load_weight(p: Priority) -> u32 {
    match p {
        Priority::P1 => 4,
        Priority::P2 => 3,
        Priority::P3 => 2,
        Priority::P4 => 1,
    }
}

/// Picks an assignee for a ticket needing `skills` in `region` with `priority`, at `now`.
pub fn pick_assignee(
    policy: &AssignPolicy,
    candidates: &[Candidate],
    skills: &[String],
    region: Option<&str>,
    priority: Priority,
    now: DateTime<Utc>,
) -> Result<Pick, AssignError> {
    if policy.strategy == Strategy::Manual {
        return Err(AssignError::Manual);
    }
    let need: Vec<String> = skills.iter().map(|s| s.to_lowercase()).collect();
    let mut dropped = Vec::new();
    let eligible: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| {
            let has: Vec<String> = c.skills.iter().map(|s| s.to_lowercase()).collect();
            if policy.match_skills && !need.iter().all(|n| has.contains(n)) {
                dropped.push("skills");
                return false;
            }
            if policy.match_region
                && let Some(r) = region
                && c.region
                    .as_deref()
                    .is_none_or(|cr| !cr.eq_ignore_ascii_case(r))
            {
                dropped.push("region");
                return false;
            }
            if policy.on_shift_only {
                let today = c.calendar.as_ref().map_or(now.date_naive(), |cal| {
                    now.with_timezone(&cal.tz).date_naive()
                });
                let working = c.calendar.as_ref().is_none_or(|cal| cal.is_open_at(now));
                if c.leave.contains(&today) || !working {
                    dropped.push("off shift");
                    return false;
                }
            }
            if let Some(cap) = policy.capacity
                && c.open_load + load_weight(priority) > cap
            {
                dropped.push("capacity");
                return false;
            }
            true
        })
        .collect();
    let n = eligible.len();
    let chosen = match policy.strategy {
        Strategy::RoundRobin => eligible
            .into_iter()
            // Never assigned first, then the longest ago; ties by id for a stable order.
            .min_by_key(|c| (c.last_assigned_at, c.user_id))
            .map(|c| Pick {
                user_id: c.user_id,
                reason: format!("round robin: {} assigned least recently among {n}", c.name),
            }),
        Strategy::LeastOpen => eligible
            .into_iter()
            .min_by_key(|c| (c.open_load, c.last_assigned_at, c.user_id))
            .map(|c| Pick {
                user_id: c.user_id,
                reason: format!("least open work: {} has {} among {n}", c.name, c.open_load),
            }),
        Strategy::Manual => None,
    };
    chosen.ok_or_else(|| {
        dropped.sort_unstable();
        dropped.dedup();
        AssignError::NobodyQualifies(if candidates.is_empty() {
            "the team has no members".into()
        } else {
            format!("filtered out by {}", dropped.join(", "))
        })
    })
}
