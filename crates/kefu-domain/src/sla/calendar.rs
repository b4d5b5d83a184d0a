//! Business calendar: weekly shifts in a time zone, plus holidays and make-up working days (调休).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::holidays::{HolidayTable, bundled_cn_holidays};
use super::shift::Shift;
use super::walk;

/// Why a calendar, a shift or the holiday data was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A time of day that is not `HH:MM` between 00:00 and 24:00 (or has seconds).
    #[error("invalid time of day {0:?}: expected HH:MM between 00:00 and 24:00")]
    InvalidTime(String),
    /// A shift whose start is not before its end.
    #[error("a shift must start before it ends, got {start}-{end}")]
    EmptyShift {
        /// Start as `HH:MM`.
        start: String,
        /// End as `HH:MM`.
        end: String,
    },
    /// A day's shifts are out of order or overlap (touching is allowed).
    #[error("{weekday} shifts must be sorted by start time and must not overlap")]
    ShiftsOverlap {
        /// The offending day of the week.
        weekday: Weekday,
    },
    /// A date is both a day off and a make-up working day.
    #[error("{0} is listed both as a holiday and as a make-up working day")]
    HolidayAndMakeup(NaiveDate),
    /// Not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// A line of holiday data could not be used.
    #[error("holiday data line {line}: {message}")]
    HolidayData {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

/// When a team works: weekly shifts in a time zone, minus holidays, plus make-up working days.
///
/// Fields are public for configuration screens; build through [`BusinessCalendar::new`] (or
/// deserialize, which calls it) so the shift rules are checked. A day's shifts come from
/// [`BusinessCalendar::shifts_on`]. All business-time arithmetic works in whole seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarRepr")]
pub struct BusinessCalendar {
    /// Zone the shifts are read in; serialized as its IANA name.
    #[serde(with = "tz_name")]
    pub tz: Tz,
    /// Shifts per day of the week, index 0 = Monday … 6 = Sunday; sorted, non-overlapping.
    pub weekly: [Vec<Shift>; 7],
    /// Days off even when they fall on a working weekday.
    pub holidays: BTreeSet<NaiveDate>,
    /// Make-up working days (调休), usually weekends; they use `makeup_template`'s shifts.
    pub makeup_workdays: BTreeSet<NaiveDate>,
    /// Whose shifts a make-up working day borrows.
    pub makeup_template: Weekday,
}

impl BusinessCalendar {
    /// A validated calendar: every day's shifts sorted and non-overlapping, and no date both a
    /// holiday and a make-up day.
    pub fn new(
        tz: Tz,
        weekly: [Vec<Shift>; 7],
        holidays: BTreeSet<NaiveDate>,
        makeup_workdays: BTreeSet<NaiveDate>,
        makeup_template: Weekday,
    ) -> Result<Self, CalendarError> {
        let cal = Self {
            tz,
            weekly,
            holidays,
            makeup_workdays,
            makeup_template,
        };
        cal.validate()?;
        Ok(cal)
    }

    /// Checks the rules [`BusinessCalendar::new`] enforces, for calendars edited field by field.
    pub fn validate(&self) -> Result<(), CalendarError> {
        for (i, day) in self.weekly.iter().enumerate() {
            if day
                .windows(2)
                .any(|w| w[0].end_minute() > w[1].start_minute())
            {
                let weekday = Weekday::try_from(i as u8).unwrap_or(Weekday::Mon);
                return Err(CalendarError::ShiftsOverlap { weekday });
            }
        }
        match self.holidays.intersection(&self.makeup_workdays).next() {
            Some(d) => Err(CalendarError::HolidayAndMakeup(*d)),
            None => Ok(()),
        }
    }

    /// The usual mainland China office: Asia/Shanghai, Monday to Friday 09:00–12:00 and
    /// 13:30–18:00, with the bundled public holidays and make-up working days.
    pub fn standard_china() -> Self {
        let day = vec![
            Shift::from_minutes(9 * 60, 12 * 60).unwrap_or(Shift::full_day()),
            Shift::from_minutes(13 * 60 + 30, 18 * 60).unwrap_or(Shift::full_day()),
        ];
        let weekly = std::array::from_fn(|i| if i < 5 { day.clone() } else { Vec::new() });
        let cal = Self::without_holidays(chrono_tz::Asia::Shanghai, weekly);
        cal.with_holidays(&bundled_cn_holidays())
    }

    /// Open around the clock, every day, in `tz`.
    pub fn always_open(tz: Tz) -> Self {
        Self::without_holidays(tz, std::array::from_fn(|_| vec![Shift::full_day()]))
    }

    fn without_holidays(tz: Tz, weekly: [Vec<Shift>; 7]) -> Self {
        Self {
            tz,
            weekly,
            holidays: BTreeSet::new(),
            makeup_workdays: BTreeSet::new(),
            makeup_template: Weekday::Mon,
        }
    }

    /// This calendar with `table`'s days added. Where the table and the calendar disagree about a
    /// date, the table wins, so the result never lists a date both ways.
    pub fn with_holidays(mut self, table: &HolidayTable) -> Self {
        self.holidays.extend(table.holidays.iter().copied());
        self.makeup_workdays
            .extend(table.makeup_workdays.iter().copied());
        self.holidays.retain(|d| !table.makeup_workdays.contains(d));
        self.makeup_workdays.retain(|d| !table.holidays.contains(d));
        self
    }

    /// Shifts on a local date: none on a holiday, the template day's on a make-up day, else the
    /// weekday's.
    pub fn shifts_on(&self, date: NaiveDate) -> &[Shift] {
        if self.holidays.contains(&date) {
            &[]
        } else if self.makeup_workdays.contains(&date) {
            &self.weekly[self.makeup_template.num_days_from_monday() as usize]
        } else {
            &self.weekly[date.weekday().num_days_from_monday() as usize]
        }
    }

    /// Whether the local date has any working time.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !self.shifts_on(date).is_empty()
    }

    /// Whether `t` falls inside a shift (shifts include their start, exclude their end).
    pub fn is_open_at(&self, t: DateTime<Utc>) -> bool {
        walk::is_open(self, t.timestamp())
    }

    /// The first instant at or after `t` that is inside a shift; `None` if there is none within
    /// three years.
    pub fn next_opening(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.add_business_time(t, Duration::zero())
    }

    /// The instant at which `d` of business time has elapsed counting from `start` (counting
    /// begins at the next opening when `start` is outside hours; `d <= 0` gives that opening).
    ///
    /// `start` is truncated to the second. `None` when the calendar has a stretch of three years
    /// without working time ahead, or the answer lies more than a century away.
    pub fn add_business_time(&self, start: DateTime<Utc>, d: Duration) -> Option<DateTime<Utc>> {
        walk::add(self, start.timestamp(), d.num_seconds())
            .and_then(|s| DateTime::from_timestamp(s, 0))
    }

    /// Working time inside `[a, b)`, zero when `b <= a`; both ends are truncated to the second.
    pub fn business_time_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        Duration::seconds(walk::between(self, a.timestamp(), b.timestamp()))
    }
}

/// Wire form; deserializing goes through [`BusinessCalendar::new`] so bad data is rejected.
#[derive(Deserialize)]
struct CalendarRepr {
    #[serde(with = "tz_name", default = "shanghai")]
    tz: Tz,
    weekly: [Vec<Shift>; 7],
    #[serde(default)]
    holidays: BTreeSet<NaiveDate>,
    #[serde(default)]
    makeup_workdays: BTreeSet<NaiveDate>,
    #[serde(default = "monday")]
    makeup_template: Weekday,
}

fn shanghai() -> Tz {
    chrono_tz::Asia::Shanghai
}

fn monday() -> Weekday {
    Weekday::Mon
}

impl TryFrom<CalendarRepr> for BusinessCalendar {
    type Error = CalendarError;

    fn try_from(r: CalendarRepr) -> Result<Self, Self::Error> {
        Self::new(
            r.tz,
            r.weekly,
            r.holidays,
            r.makeup_workdays,
            r.makeup_template,
        )
    }
}

/// Serde for a zone as its IANA name, since chrono-tz's own serde feature is not enabled here.
mod tz_name {
    use chrono_tz::Tz;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use super::CalendarError;

    pub fn serialize<S: Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(tz.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
        let name = String::deserialize(d)?;
        name.parse::<Tz>()
            .map_err(|_| D::Error::custom(CalendarError::UnknownTimeZone(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn standard_china_is_valid_and_knows_makeup_days() {
        let cal = BusinessCalendar::standard_china();
        cal.validate().unwrap();
        assert_eq!(cal.tz, chrono_tz::Asia::Shanghai);
        assert_eq!(cal.shifts_on(d(2026, 2, 13)).len(), 2); // Friday
        assert!(cal.shifts_on(d(2026, 2, 16)).is_empty()); // Spring Festival Monday
        assert_eq!(cal.shifts_on(d(2026, 2, 14)), cal.shifts_on(d(2026, 2, 13))); // make-up Sat
        assert!(!cal.is_working_day(d(2026, 3, 1))); // ordinary Sunday
    }

    #[test]
    fn new_rejects_overlaps_and_double_listed_dates() {
        let mut weekly: [Vec<Shift>; 7] = Default::default();
        weekly[2] = vec![
            Shift::parse("09:00", "12:30").unwrap(),
            Shift::parse("12:00", "18:00").unwrap(),
        ];
        let err = BusinessCalendar::new(
            shanghai(),
            weekly.clone(),
            BTreeSet::new(),
            BTreeSet::new(),
            Weekday::Mon,
        );
        assert_eq!(
            err,
            Err(CalendarError::ShiftsOverlap {
                weekday: Weekday::Wed
            })
        );
        weekly[2].reverse();
        assert!(
            BusinessCalendar::new(
                shanghai(),
                weekly,
                BTreeSet::new(),
                BTreeSet::new(),
                Weekday::Mon
            )
            .is_err()
        );
        let both = BTreeSet::from([d(2026, 2, 14)]);
        assert_eq!(
            BusinessCalendar::new(
                shanghai(),
                Default::default(),
                both.clone(),
                both,
                Weekday::Mon
            ),
            Err(CalendarError::HolidayAndMakeup(d(2026, 2, 14)))
        );
    }

    #[test]
    fn touching_shifts_are_allowed() {
        let mut weekly: [Vec<Shift>; 7] = Default::default();
        weekly[0] = vec![
            Shift::parse("00:00", "12:00").unwrap(),
            Shift::parse("12:00", "24:00").unwrap(),
        ];
        BusinessCalendar::new(
            shanghai(),
            weekly,
            BTreeSet::new(),
            BTreeSet::new(),
            Weekday::Mon,
        )
        .unwrap();
    }

    #[test]
    fn serde_round_trip_uses_iana_name_and_validates() {
        let cal = BusinessCalendar::standard_china();
        let json = serde_json::to_value(&cal).unwrap();
        assert_eq!(json["tz"], "Asia/Shanghai");
        assert_eq!(json["weekly"][0][1]["start"], "13:30");
        let back: BusinessCalendar = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, cal);

        let mut bad_tz = json.clone();
        bad_tz["tz"] = "Mars/Olympus_Mons".into();
        assert!(serde_json::from_value::<BusinessCalendar>(bad_tz).is_err());

        let mut overlap = json;
        overlap["weekly"][0][1]["start"] = "11:00".into();
        assert!(serde_json::from_value::<BusinessCalendar>(overlap).is_err());
    }
}
