//! The SLA clock of one ticket, computed from its history and an explicit `now`.
//!
//! Due times depend only on the history, never on `now`: walk business time from creation,
//! leaving out time spent in pause statuses. `now` only decides the state of a running timer.
//! Nothing is stored between calls, so a priority, tier or policy change is handled by calling
//! [`compute`] again with the new targets; the due times are then recomputed from creation.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{BusinessCalendar, SlaPolicy, Targets};
use crate::customer::Tier;
use crate::ticket::Priority;

/// An interval spent in a pause status: start, and end (`None` while still paused).
pub type Pause = (DateTime<Utc>, Option<DateTime<Utc>>);

/// What the clock needs to know about a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaHistory {
    /// When the ticket was opened; both timers start here.
    pub created_at: DateTime<Utc>,
    /// Intervals spent in pause statuses, sorted; only the last may be open.
    /// See [`pauses_from_status_changes`].
    pub pauses: Vec<Pause>,
    /// First public reply by an agent, which stops the first-response timer.
    pub first_responded_at: Option<DateTime<Utc>>,
    /// Resolution, which stops the resolution timer.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Where a timer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerState {
    /// Running, with more than the warning share of the target left.
    OnTrack,
    /// Running, with at most the warning share of the target left.
    Warning,
    /// Running and past due.
    Breached,
    /// Stopped by a pause status before the target was used up; no due time until it resumes.
    Paused,
    /// Completed by the due time.
    Met,
    /// Completed after the due time.
    MetLate,
}

/// One timer (first response or resolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    /// The target, in business minutes.
    pub target_minutes: u32,
    /// When the target is used up; `None` while paused (or if the calendar never opens).
    pub due_at: Option<DateTime<Utc>>,
    /// Where the timer stands at `now`.
    pub state: TimerState,
    /// Business seconds left (negative, the business time overdue, once breached); `None` once
    /// completed.
    pub remaining_seconds: Option<i64>,
    /// When the timer was stopped by a reply or resolution.
    pub completed_at: Option<DateTime<Utc>>,
}

/// Both timers of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaStatus {
    /// Time to first public reply.
    pub first_response: Timer,
    /// Time to resolution.
    pub resolution: Timer,
}

/// Both timers of a ticket at `now`. Pauses stop both timers alike (Zendesk-style pausable
/// SLAs): a pause that starts before a timer's due instant moves it later by the business time
/// spent paused; pauses after it, or after the timer completed, change nothing.
pub fn compute(
    policy_targets: Targets,
    warn_before_percent: u8,
    cal: &BusinessCalendar,
    h: &SlaHistory,
    now: DateTime<Utc>,
) -> SlaStatus {
    let pauses = normalise(h.created_at, &h.pauses);
    let timer = |minutes, completed| {
        timer(
            minutes,
            completed,
            warn_before_percent,
            cal,
            h.created_at,
            &pauses,
            now,
        )
    };
    SlaStatus {
        first_response: timer(policy_targets.first_response_minutes, h.first_responded_at),
        resolution: timer(policy_targets.resolution_minutes, h.resolved_at),
    }
}

/// [`compute`] with the targets and warning threshold `policy` sets for a ticket.
pub fn compute_with_policy(
    policy: &SlaPolicy,
    priority: Priority,
    tier: Tier,
    cal: &BusinessCalendar,
    h: &SlaHistory,
    now: DateTime<Utc>,
) -> SlaStatus {
    let targets = policy.targets_for(priority, tier);
    compute(targets, policy.warn_before_percent, cal, h, now)
}

/// Pause intervals from a ticket's status timeline: `changes` are (when, new status), starting
/// from `initial_status` at `created_at`. Changes before creation count as at creation; the
/// result is sorted, without empty intervals, and open at the end if the ticket is paused now.
pub fn pauses_from_status_changes(
    changes: &[(DateTime<Utc>, String)],
    initial_status: &str,
    created_at: DateTime<Utc>,
    policy: &SlaPolicy,
) -> Vec<Pause> {
    let mut ordered: Vec<_> = changes.iter().collect();
    // Stable, so same-instant changes keep their recorded order.
    ordered.sort_by_key(|(at, _)| *at);
    let mut out = Vec::new();
    let mut open = policy.pauses_in(initial_status).then_some(created_at);
    for (at, status) in ordered {
        let at = (*at).max(created_at);
        match (open, policy.pauses_in(status)) {
            (None, true) => open = Some(at),
            (Some(start), false) => {
                if at > start {
                    out.push((start, Some(at)));
                }
                open = None;
            }
            _ => {}
        }
    }
    out.extend(open.map(|start| (start, None)));
    out
}

/// Sorted, clipped to creation, empty intervals dropped and overlaps merged, so the due-time
/// walk can trust its input even when callers hand in rough data.
fn normalise(created_at: DateTime<Utc>, pauses: &[Pause]) -> Vec<Pause> {
    let mut sorted: Vec<Pause> = pauses
        .iter()
        .map(|&(s, e)| (s.max(created_at), e))
        .filter(|&(s, e)| e.is_none_or(|e| e > s))
        .collect();
    sorted.sort_by_key(|&(s, _)| s);
    let mut out: Vec<Pause> = Vec::with_capacity(sorted.len());
    for (s, e) in sorted {
        if let Some(last) = out.last_mut() {
            match last.1 {
                // An open pause swallows everything after it.
                None => break,
                Some(last_end) if s <= last_end => {
                    last.1 = e.map(|e| e.max(last_end));
                    continue;
                }
                Some(_) => {}
            }
        }
        out.push((s, e));
    }
    out
}

/// Outcome of walking a target through the calendar and the pauses.
enum Due {
    At(DateTime<Utc>),
    /// Paused before the target was used up; business seconds still left.
    Paused(i64),
    /// The calendar has no working time ahead.
    Never,
}

fn due(cal: &BusinessCalendar, created_at: DateTime<Utc>, target: i64, pauses: &[Pause]) -> Due {
    let (mut cursor, mut remaining) = (created_at, target);
    for &(start, end) in pauses {
        let Some(due) = cal.add_business_time(cursor, Duration::seconds(remaining)) else {
            return Due::Never;
        };
        if due <= start {
            return Due::At(due);
        }
        // The target was not used up when the pause began: bank what was used, resume after.
        remaining -= cal.business_time_between(cursor, start).num_seconds();
        match end {
            None => return Due::Paused(remaining),
            Some(end) => cursor = cursor.max(end),
        }
    }
    cal.add_business_time(cursor, Duration::seconds(remaining))
        .map_or(Due::Never, Due::At)
}

fn timer(
    target_minutes: u32,
    completed_at: Option<DateTime<Utc>>,
    warn_before_percent: u8,
    cal: &BusinessCalendar,
    created_at: DateTime<Utc>,
    pauses: &[Pause],
    now: DateTime<Utc>,
) -> Timer {
    let target = i64::from(target_minutes) * 60;
    let base = Timer {
        target_minutes,
        due_at: None,
        state: TimerState::OnTrack,
        remaining_seconds: Some(target),
        completed_at,
    };
    if let Some(done) = completed_at {
        // Only pauses before completion can matter, and one still open at completion ends there.
        let before: Vec<Pause> = pauses
            .iter()
            .filter(|(s, _)| *s < done)
            .map(|&(s, e)| (s, Some(e.map_or(done, |e| e.min(done)))))
            .collect();
        let due_at = match due(cal, created_at, target, &before) {
            Due::At(t) => Some(t),
            Due::Paused(_) | Due::Never => None,
        };
        let late = due_at.is_some_and(|d| done > d);
        let state = if late {
            TimerState::MetLate
        } else {
            TimerState::Met
        };
        return Timer {
            due_at,
            state,
            remaining_seconds: None,
            ..base
        };
    }
    match due(cal, created_at, target, pauses) {
        Due::Never => base,
        Due::Paused(left) => Timer {
            state: TimerState::Paused,
            remaining_seconds: Some(left),
            ..base
        },
        Due::At(due_at) if now >= due_at => Timer {
            due_at: Some(due_at),
            state: TimerState::Breached,
            remaining_seconds: Some(-cal.business_time_between(due_at, now).num_seconds()),
            ..base
        },
        Due::At(due_at) => {
            let left = cal.business_time_between(now, due_at).num_seconds();
            let warn = left * 100 <= i64::from(warn_before_percent) * target;
            Timer {
                due_at: Some(due_at),
                state: if warn {
                    TimerState::Warning
                } else {
                    TimerState::OnTrack
                },
                remaining_seconds: Some(left),
                ..base
            }
        }
    }
}
