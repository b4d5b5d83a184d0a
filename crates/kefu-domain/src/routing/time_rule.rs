//! Time rules: what happens to a ticket that has sat in a status for a while, in business time
//! (e.g. pending-customer for 3 business days → remind; 7 days → close).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::sla::BusinessCalendar;

/// What a time rule does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimeAction {
    /// Record a reminder (notifications read it from the outbox).
    Remind,
    /// Move the ticket to this status.
    Transition {
        /// Target status.
        to: String,
    },
}

/// One time rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRule {
    /// Stable id.
    pub id: Uuid,
    /// Name shown in the ticket history.
    pub name: String,
    /// Status the ticket must be in.
    pub status: String,
    /// Business minutes in that status before the rule fires.
    pub after_minutes: u32,
    /// What to do.
    pub action: TimeAction,
}

impl TimeRule {
    /// Whether a ticket that entered the status at `since` is due at `now`.
    pub fn due(&self, since: DateTime<Utc>, cal: &BusinessCalendar, now: DateTime<Utc>) -> bool {
        now > since
            && cal.business_time_between(since, now).num_seconds()
                >= i64::from(self.after_minutes) * 60
    }

    /// Why the rule cannot be used as written, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        if self.name.trim().is_empty() {
            return Some("name is empty");
        }
        if self.after_minutes == 0 {
            return Some("after_minutes must be more than zero");
        }
        if let TimeAction::Transition { to } = &self.action
            && to == &self.status
        {
            return Some("a rule cannot move a ticket to the status it is in");
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn three_business_days_skip_the_weekend_and_holidays() {
        let cal = BusinessCalendar::standard_china();
        let rule = TimeRule {
            id: Uuid::nil(),
            name: "提醒".into(),
            status: "pending_customer".into(),
            after_minutes: 3 * 450, // three working days of 7.5 h
            action: TimeAction::Remind,
        };
        // Thursday 2026-03-05 18:00 Beijing: Fri, Mon, Tue are the three working days.
        let since = Utc.with_ymd_and_hms(2026, 3, 5, 10, 0, 0).unwrap();
        let monday_evening = Utc.with_ymd_and_hms(2026, 3, 9, 10, 0, 0).unwrap();
        let tuesday_evening = Utc.with_ymd_and_hms(2026, 3, 10, 10, 0, 0).unwrap();
        assert!(!rule.due(since, &cal, monday_evening));
        assert!(rule.due(since, &cal, tuesday_evening));
        let mut same = rule.clone();
        same.action = TimeAction::Transition {
            to: "pending_customer".into(),
        };
        assert!(same.problem().is_some());
    }
}
