//! When the SLA watch must look at a ticket next: the instant a running timer enters its
//! warning band, falls due, or reaches its next escalation level. Stored on the ticket, this
//! lets the periodic scan read only the tickets whose time has come (like Zammad's
//! `escalation_at`), however many tickets are open.

use chrono::{DateTime, Duration, Utc};

use super::calendar::BusinessCalendar;
use super::clock::{SlaStatus, Timer, TimerState};
use super::policy::SlaPolicy;

/// The next instant after `now` at which `timer` (named `name`) needs the watch; none when
/// nothing more will happen to it (completed, paused, or past its last escalation level).
pub fn timer_check(
    name: &str,
    timer: &Timer,
    policy: &SlaPolicy,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let due = timer.due_at?;
    match timer.state {
        // The instant it enters its warning band; its due time when there is no band ahead.
        TimerState::OnTrack => Some(
            timer_warn_at(timer, policy, cal, now)
                .filter(|w| *w > now)
                .unwrap_or(due),
        ),
        TimerState::Warning => Some(due),
        TimerState::Breached => {
            let overdue = -timer.remaining_seconds.unwrap_or(0);
            policy
                .escalations
                .iter()
                .filter(|e| e.covers(name) && i64::from(e.after_minutes) * 60 > overdue)
                .filter_map(|e| {
                    cal.add_business_time(due, Duration::minutes(i64::from(e.after_minutes)))
                })
                .min()
        }
        TimerState::Paused | TimerState::Met | TimerState::MetLate => None,
    }
}

/// When a running `timer` is (or will be) in its warning band: the instant it enters the band
/// for a timer on track, `now` for one already in it; none for a timer that will not warn
/// (paused, completed, breached, or a policy without a band). Stored on the ticket, it makes
/// "in warning at t" a column comparison: `warn_at <= t` and no running timer due before `t`.
pub fn timer_warn_at(
    timer: &Timer,
    policy: &SlaPolicy,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    timer.due_at?;
    let band = i64::from(timer.target_minutes) * 60 * i64::from(policy.warn_before_percent) / 100;
    match timer.state {
        TimerState::OnTrack if band > 0 => {
            let left = timer.remaining_seconds.unwrap_or(0);
            if left <= band {
                Some(now)
            } else {
                cal.add_business_time(now, Duration::seconds(left - band))
            }
        }
        TimerState::Warning => Some(now),
        _ => None,
    }
}

/// The earlier warning instant of both timers (see [`timer_warn_at`]).
pub fn warn_at(
    s: &SlaStatus,
    policy: &SlaPolicy,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    [
        timer_warn_at(&s.first_response, policy, cal, now),
        timer_warn_at(&s.resolution, policy, cal, now),
    ]
    .into_iter()
    .flatten()
    .min()
}

/// The earliest check of both timers.
pub fn next_check(
    s: &SlaStatus,
    policy: &SlaPolicy,
    cal: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    [
        timer_check("first_response", &s.first_response, policy, cal, now),
        timer_check("resolution", &s.resolution, policy, cal, now),
    ]
    .into_iter()
    .flatten()
    .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::{Escalation, SlaHistory, compute};
    use chrono::TimeZone;

    #[test]
    fn checks_fall_on_the_warning_the_due_time_and_each_escalation() {
        let cal = BusinessCalendar::standard_china();
        let policy = SlaPolicy {
            escalations: vec![Escalation {
                after_minutes: 60,
                timer: Some("resolution".into()),
                raise_priority: true,
                assign_to: None,
                team_id: None,
                notify: vec![],
            }],
            ..SlaPolicy::default()
        };
        // Wednesday 2026-03-04 10:00 Beijing; first response 4 h (P2): warning at 20 % left
        // = 48 min before the due time.
        let created = Utc.with_ymd_and_hms(2026, 3, 4, 2, 0, 0).unwrap();
        let h = SlaHistory {
            created_at: created,
            pauses: vec![],
            first_responded_at: None,
            resolved_at: None,
        };
        let targets =
            policy.targets_for(crate::ticket::Priority::P2, crate::customer::Tier::Standard);
        let at = |now| compute(targets, policy.warn_before_percent, &cal, &h, now);
        let s = at(created);
        let fr_due = s.first_response.due_at.unwrap();
        let first = next_check(&s, &policy, &cal, created).unwrap();
        assert_eq!(
            first,
            cal.add_business_time(created, Duration::minutes(240 - 48))
                .unwrap()
        );
        assert!(first < fr_due);
        // The warning instant is that same check; once in the band it is "now".
        assert_eq!(warn_at(&s, &policy, &cal, created), Some(first));
        // At that instant the timer is in its band; the next check is its due time.
        let s = at(first);
        assert_eq!(warn_at(&s, &policy, &cal, first), Some(first));
        assert_eq!(
            warn_at(&s, &policy, &cal, first + Duration::minutes(1)),
            Some(first + Duration::minutes(1))
        );
        assert_eq!(s.first_response.state, TimerState::Warning);
        assert_eq!(
            timer_check("first_response", &s.first_response, &policy, &cal, first),
            Some(fr_due)
        );
        // Breached first response: no escalation covers it, nothing more to watch for it.
        let later = fr_due + Duration::minutes(1);
        let s = at(later);
        assert_eq!(s.first_response.state, TimerState::Breached);
        assert_eq!(
            timer_check("first_response", &s.first_response, &policy, &cal, later),
            None
        );
        // Breached resolution: the escalation level one business hour after its due time.
        let res_due = s.resolution.due_at.unwrap();
        let after = res_due + Duration::minutes(5);
        let s = at(after);
        assert_eq!(s.resolution.state, TimerState::Breached);
        assert_eq!(
            timer_check("resolution", &s.resolution, &policy, &cal, after),
            cal.add_business_time(res_due, Duration::minutes(60))
        );
        // Completed timers need nothing.
        let done = SlaHistory {
            first_responded_at: Some(created + Duration::minutes(5)),
            resolved_at: Some(created + Duration::minutes(30)),
            ..h.clone()
        };
        let s = compute(
            targets,
            policy.warn_before_percent,
            &cal,
            &done,
            created + Duration::hours(1),
        );
        assert_eq!(
            next_check(&s, &policy, &cal, created + Duration::hours(1)),
            None
        );
        assert_eq!(
            warn_at(&s, &policy, &cal, created + Duration::hours(1)),
            None
        );
    }
}
