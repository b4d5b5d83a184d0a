//! Walks a calendar's working intervals as UTC seconds: the arithmetic behind business time.
//!
//! A shift boundary is a local wall-clock time; it becomes an instant through the calendar's
//! zone. When that local time does not exist (a spring-forward gap) the boundary is the first
//! instant after the gap; when it happens twice (a fall-back) it is the earlier one. Either way
//! the boundary is the earliest instant whose local time is at or past the wall-clock time, so
//! boundaries never run backwards within a day and a day's `24:00` equals the next day's `00:00`.
//!
//! Speed comes from not resolving every boundary through the zone: when a day starts and ends on
//! the same UTC offset, its boundaries are plain arithmetic from its midnight, and a week without
//! holidays or make-up days and with one offset throughout is skipped in a single step. This
//! assumes no zone changes its offset and back again within a single day or week, which holds
//! for every zone in the tz database in the years a helpdesk cares about.

use std::slice;

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use super::{BusinessCalendar, Shift};

/// A calendar with no working time for this long is treated as never opening again.
const MAX_IDLE_DAYS: i64 = 3 * 366;
/// Hard stop so that absurd durations terminate.
const MAX_SPAN_DAYS: i64 = 100 * 366;

/// A local wall-clock time resolved to an instant.
#[derive(Debug, Clone, Copy)]
struct Resolved {
    utc: i64,
    /// Seconds east of UTC at `utc`; only meaningful when `exact`.
    offset: i32,
    /// The local time existed exactly once.
    exact: bool,
}

/// Working-interval source for one calendar, caching the last two resolved midnights because
/// consecutive days share one (day N's end is day N+1's start).
struct Walker<'a> {
    cal: &'a BusinessCalendar,
    cache: [Option<(NaiveDate, Resolved)>; 2],
    next_slot: usize,
    weekly_secs: i64,
}

/// Seven consecutive days that can be consumed as one block.
struct Week {
    start: i64,
    end: i64,
    work: i64,
}

impl<'a> Walker<'a> {
    fn new(cal: &'a BusinessCalendar) -> Self {
        let weekly_secs = cal.weekly.iter().flatten().map(|s| shift_secs(*s)).sum();
        Self {
            cal,
            cache: [None, None],
            next_slot: 0,
            weekly_secs,
        }
    }

    fn local_date(&self, t: i64) -> Option<NaiveDate> {
        DateTime::from_timestamp(t, 0).map(|u| u.with_timezone(&self.cal.tz).date_naive())
    }

    fn midnight(&mut self, day: NaiveDate) -> Resolved {
        if let Some((_, r)) = self.cache.iter().flatten().find(|(d, _)| *d == day) {
            return *r;
        }
        let r = resolve(self.cal.tz, day.and_time(NaiveTime::MIN));
        self.cache[self.next_slot] = Some((day, r));
        self.next_slot ^= 1;
        r
    }

    /// The working intervals of one local date, in order, as `[start, end)` UTC seconds.
    fn intervals(&mut self, day: NaiveDate) -> DayIntervals<'a> {
        let shifts = self.cal.shifts_on(day);
        let mut fast = None;
        if !shifts.is_empty()
            && let Some(next) = day.succ_opt()
        {
            let (m0, m1) = (self.midnight(day), self.midnight(next));
            if m0.exact && m1.exact && m0.offset == m1.offset {
                fast = Some(m0.utc);
            }
        }
        DayIntervals {
            tz: self.cal.tz,
            day,
            shifts: shifts.iter(),
            fast,
        }
    }

    /// The seven days from `day` as one block, when nothing in them needs a day-by-day look.
    fn plain_week(&mut self, day: NaiveDate) -> Option<Week> {
        let last = day.checked_add_days(Days::new(6))?;
        let special =
            |set: &std::collections::BTreeSet<NaiveDate>| set.range(day..=last).next().is_some();
        if special(&self.cal.holidays) || special(&self.cal.makeup_workdays) {
            return None;
        }
        let (m0, m7) = (self.midnight(day), self.midnight(last.succ_opt()?));
        (m0.exact && m7.exact && m0.offset == m7.offset).then_some(Week {
            start: m0.utc,
            end: m7.utc,
            work: self.weekly_secs,
        })
    }
}

/// Iterator over one day's working intervals.
struct DayIntervals<'a> {
    tz: Tz,
    day: NaiveDate,
    shifts: slice::Iter<'a, Shift>,
    /// UTC midnight when the whole day has one offset, so boundaries need no zone lookup.
    fast: Option<i64>,
}

impl Iterator for DayIntervals<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        for s in self.shifts.by_ref() {
            let (a, b) = match self.fast {
                Some(m) => (
                    m + i64::from(s.start_minute()) * 60,
                    m + i64::from(s.end_minute()) * 60,
                ),
                None => (
                    boundary(self.tz, self.day, s.start_minute()),
                    boundary(self.tz, self.day, s.end_minute()),
                ),
            };
            // A shift lying wholly inside a spring-forward gap has no working time.
            if a < b {
                return Some((a, b));
            }
        }
        None
    }
}

fn shift_secs(s: Shift) -> i64 {
    i64::from(s.end_minute() - s.start_minute()) * 60
}

fn boundary(tz: Tz, day: NaiveDate, minute: u16) -> i64 {
    let local = day.and_time(NaiveTime::MIN) + chrono::Duration::minutes(i64::from(minute));
    resolve(tz, local).utc
}

fn resolve(tz: Tz, local: NaiveDateTime) -> Resolved {
    let offset = |dt: &DateTime<Tz>| dt.offset().fix().local_minus_utc();
    match tz.from_local_datetime(&local) {
        LocalResult::Single(dt) => Resolved {
            utc: dt.timestamp(),
            offset: offset(&dt),
            exact: true,
        },
        LocalResult::Ambiguous(a, b) => {
            let first = a.min(b);
            Resolved {
                utc: first.timestamp(),
                offset: offset(&first),
                exact: false,
            }
        }
        LocalResult::None => Resolved {
            utc: gap_end(tz, local),
            offset: 0,
            exact: false,
        },
    }
}

/// The first instant whose local time is at or past `local`, which sits in a gap. Found by
/// bisection because chrono-tz does not expose its transition table; gaps are rare.
fn gap_end(tz: Tz, local: NaiveDateTime) -> i64 {
    let target = local.and_utc().timestamp();
    let local_of = |u: i64| {
        DateTime::from_timestamp(u, 0).map_or(i64::MIN, |dt| {
            u + i64::from(
                tz.offset_from_utc_datetime(&dt.naive_utc())
                    .fix()
                    .local_minus_utc(),
            )
        })
    };
    // Offsets stay within ±26 h, so these bracket the answer.
    let (mut lo, mut hi) = (target - 36 * 3600, target + 36 * 3600);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if local_of(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// See [`BusinessCalendar::add_business_time`]; seconds in, seconds out.
pub(super) fn add(cal: &BusinessCalendar, start: i64, dur: i64) -> Option<i64> {
    let mut w = Walker::new(cal);
    let (mut cursor, mut remaining) = (start, dur.max(0));
    let first = w.local_date(start)?;
    let (mut day, mut last_work) = (first, first);
    loop {
        if (day - last_work).num_days() > MAX_IDLE_DAYS || (day - first).num_days() > MAX_SPAN_DAYS
        {
            return None;
        }
        // Only whole weeks strictly smaller than what is left may be skipped, so an answer that
        // lands exactly on a shift end is still found by the day-by-day path below.
        if day > first
            && (w.weekly_secs == 0 || remaining > w.weekly_secs)
            && let Some(week) = w.plain_week(day)
            && week.start >= cursor
        {
            remaining -= week.work;
            cursor = week.end;
            if week.work > 0 {
                last_work = day;
            }
            day = day.checked_add_days(Days::new(7))?;
            continue;
        }
        for (a, b) in w.intervals(day) {
            if b <= cursor {
                continue;
            }
            last_work = day;
            let a = a.max(cursor);
            if remaining <= b - a {
                return Some(a + remaining);
            }
            remaining -= b - a;
            cursor = b;
        }
        day = day.succ_opt()?;
    }
}

/// See [`BusinessCalendar::business_time_between`]; seconds in, seconds out.
pub(super) fn between(cal: &BusinessCalendar, a: i64, b: i64) -> i64 {
    if b <= a {
        return 0;
    }
    let mut w = Walker::new(cal);
    // One day of slack past `b`'s date covers local dates that repeat around a fall-back.
    let (Some(first), Some(last)) = (w.local_date(a), w.local_date(b).and_then(|d| d.succ_opt()))
    else {
        return 0;
    };
    let (mut day, mut total) = (first, 0);
    while day <= last {
        if day > first
            && (last - day).num_days() > 8
            && let Some(week) = w.plain_week(day)
            && week.start >= a
            && week.end <= b
        {
            total += week.work;
            day = match day.checked_add_days(Days::new(7)) {
                Some(d) => d,
                None => break,
            };
            continue;
        }
        for (s, e) in w.intervals(day) {
            let (s, e) = (s.max(a), e.min(b));
            if e > s {
                total += e - s;
            }
        }
        day = match day.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    total
}

/// See [`BusinessCalendar::is_open_at`].
pub(super) fn is_open(cal: &BusinessCalendar, t: i64) -> bool {
    let mut w = Walker::new(cal);
    let Some(d) = w.local_date(t) else {
        return false;
    };
    // Neighbouring dates too, for instants whose local date repeats or skips around a change.
    [d.pred_opt(), Some(d), d.succ_opt()]
        .into_iter()
        .flatten()
        .any(|day| w.intervals(day).any(|(a, b)| a <= t && t < b))
}
