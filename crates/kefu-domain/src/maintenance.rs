//! Preventive maintenance (预防性维护 / 定期保养): a plan on an installed asset repeats every
//! N months. The visit falls on the first working day on or after the due date (holidays and
//! weekends skipped, 调休 make-up days worked, per the business calendar), and its ticket opens
//! a number of working days before the visit so it can be dispatched in time.

use chrono::{Months, NaiveDate};

/// Longest interval between visits: ten years.
pub const MAX_INTERVAL_MONTHS: u32 = 120;
/// Most working days of lead time.
pub const MAX_LEAD_DAYS: u32 = 60;
/// How far a search for a working day goes (a calendar without one gives up there).
const SEARCH_DAYS: u32 = 60;

/// The next due date after `due`: the same day `months` later (the month's last day when it is
/// shorter: 31 Jan + 1 month = 28/29 Feb).
pub fn advance(due: NaiveDate, months: u32) -> NaiveDate {
    due.checked_add_months(Months::new(months)).unwrap_or(due)
}

/// The visit day for a plan due on `due`: the first working day on or after it.
pub fn visit_day(due: NaiveDate, is_working: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    due.iter_days()
        .take(SEARCH_DAYS as usize)
        .find(|d| is_working(*d))
        .unwrap_or(due)
}

/// The day the visit's ticket opens: `lead` working days before `visit` (the visit day itself
/// when `lead` is 0).
pub fn open_day(visit: NaiveDate, lead: u32, is_working: impl Fn(NaiveDate) -> bool) -> NaiveDate {
    let mut d = visit;
    let mut left = lead;
    let mut steps = 0;
    while left > 0 && steps < SEARCH_DAYS * 3 {
        d = d.pred_opt().unwrap_or(d);
        steps += 1;
        if is_working(d) {
            left -= 1;
        }
    }
    d
}

/// Whether the ticket of a plan due on `due` opens on or before `today`; with the visit day.
pub fn opens_by(
    due: NaiveDate,
    lead: u32,
    today: NaiveDate,
    is_working: impl Fn(NaiveDate) -> bool + Copy,
) -> Option<NaiveDate> {
    let visit = visit_day(due, is_working);
    (open_day(visit, lead, is_working) <= today).then_some(visit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::{BusinessCalendar, bundled_cn_holidays};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn china() -> BusinessCalendar {
        BusinessCalendar::standard_china().with_holidays(&bundled_cn_holidays())
    }

    #[test]
    fn months_clamp_to_the_end_of_shorter_months() {
        assert_eq!(advance(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(advance(d("2026-03-15"), 3), d("2026-06-15"));
        assert_eq!(advance(d("2026-11-30"), 12), d("2027-11-30"));
    }

    #[test]
    fn a_visit_due_in_the_national_day_holiday_moves_to_the_first_working_day() {
        let cal = china();
        let work = |x| cal.is_working_day(x);
        // 2026-10-01..07 is the National Day holiday; 2026-10-08 is the first working day.
        assert_eq!(visit_day(d("2026-10-02"), work), d("2026-10-08"));
        // A Saturday that is an ordinary weekend → Monday.
        assert_eq!(visit_day(d("2026-11-21"), work), d("2026-11-23"));
        // A working day stays.
        assert_eq!(visit_day(d("2026-11-24"), work), d("2026-11-24"));
    }

    #[test]
    fn make_up_weekend_days_are_visit_days() {
        let cal = china();
        let work = |x| cal.is_working_day(x);
        // 调休: Sunday 2026-09-20 and Saturday 2026-10-10 are worked.
        assert_eq!(visit_day(d("2026-09-20"), work), d("2026-09-20"));
        assert_eq!(visit_day(d("2026-10-10"), work), d("2026-10-10"));
        // Mid-autumn Festival Fri–Sun 25–27 Sep 2026 → Monday 28 Sep.
        assert_eq!(visit_day(d("2026-09-25"), work), d("2026-09-28"));
    }

    #[test]
    fn lead_time_counts_working_days_back_over_holidays() {
        let cal = china();
        let work = |x| cal.is_working_day(x);
        // Visit Thu 2026-10-08; three working days before, skipping 1–7 Oct: 30, 29, 28 Sep.
        assert_eq!(open_day(d("2026-10-08"), 3, work), d("2026-09-28"));
        assert_eq!(open_day(d("2026-11-24"), 0, work), d("2026-11-24"));
        // Monday visit, one working day lead: the Friday before.
        assert_eq!(open_day(d("2026-11-23"), 1, work), d("2026-11-20"));
        // Across the make-up Sunday 20 Sep: Monday 21 Sep, one day back = Sunday 20 Sep.
        assert_eq!(open_day(d("2026-09-21"), 1, work), d("2026-09-20"));
    }

    #[test]
    fn opens_by_compares_the_open_day_with_today() {
        let cal = china();
        let work = |x| cal.is_working_day(x);
        assert_eq!(
            opens_by(d("2026-11-23"), 1, d("2026-11-20"), work),
            Some(d("2026-11-23"))
        );
        assert_eq!(opens_by(d("2026-11-23"), 1, d("2026-11-19"), work), None);
    }
}
