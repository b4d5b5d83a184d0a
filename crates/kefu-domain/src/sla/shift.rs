//! A shift: one opening interval of a working day, at minute precision, able to end at 24:00.

use std::fmt;

use chrono::{Duration, NaiveTime, Timelike};
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// Minutes in a (wall-clock) day; a shift may end exactly here, meaning 24:00.
pub const MINUTES_PER_DAY: u16 = 1440;

/// One opening interval `[start, end)` of a working day, in local wall-clock time.
///
/// Stored as minutes since local midnight (`0..=1440`) rather than as two `NaiveTime`s because
/// `NaiveTime` cannot say 24:00, and a 24x7 calendar needs a shift that runs to the end of the
/// day. Serialized as `{"start": "09:00", "end": "12:00"}`; `"24:00"` is accepted as an end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "ShiftRepr", into = "ShiftRepr")]
pub struct Shift {
    start: u16,
    end: u16,
}

impl Shift {
    /// A shift from `start` to `end` minutes after local midnight; `end` may be 1440 (24:00).
    pub fn from_minutes(start: u16, end: u16) -> Result<Self, CalendarError> {
        if end > MINUTES_PER_DAY {
            return Err(CalendarError::InvalidTime(format_minutes(end)));
        }
        if start >= end {
            return Err(CalendarError::EmptyShift {
                start: format_minutes(start),
                end: format_minutes(end),
            });
        }
        Ok(Self { start, end })
    }

    /// A shift between two whole-minute times of day. A shift ending at midnight cannot be said
    /// with `NaiveTime`; use [`Shift::parse`] with `"24:00"` or [`Shift::from_minutes`] for that.
    pub fn new(start: NaiveTime, end: NaiveTime) -> Result<Self, CalendarError> {
        Self::from_minutes(minute_of(start)?, minute_of(end)?)
    }

    /// Parses `"HH:MM"` bounds, for example `Shift::parse("13:30", "18:00")`.
    pub fn parse(start: &str, end: &str) -> Result<Self, CalendarError> {
        Self::from_minutes(parse_hhmm(start)?, parse_hhmm(end)?)
    }

    /// The whole day, 00:00–24:00.
    pub const fn full_day() -> Self {
        Self {
            start: 0,
            end: MINUTES_PER_DAY,
        }
    }

    /// Start, in minutes after local midnight.
    pub fn start_minute(self) -> u16 {
        self.start
    }

    /// End, in minutes after local midnight (1440 means 24:00).
    pub fn end_minute(self) -> u16 {
        self.end
    }

    /// Start as a time of day.
    pub fn start(self) -> NaiveTime {
        time_of(self.start).unwrap_or(NaiveTime::MIN)
    }

    /// End as a time of day, or `None` when the shift runs to 24:00.
    pub fn end(self) -> Option<NaiveTime> {
        time_of(self.end)
    }

    /// Nominal length on a day without a clock change.
    pub fn duration(self) -> Duration {
        Duration::minutes(i64::from(self.end - self.start))
    }
}

impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            format_minutes(self.start),
            format_minutes(self.end)
        )
    }
}

/// Wire form of [`Shift`]; deserializing goes through [`Shift::parse`] so bad data is rejected.
#[derive(Serialize, Deserialize)]
struct ShiftRepr {
    start: String,
    end: String,
}

impl TryFrom<ShiftRepr> for Shift {
    type Error = CalendarError;

    fn try_from(r: ShiftRepr) -> Result<Self, Self::Error> {
        Shift::parse(&r.start, &r.end)
    }
}

impl From<Shift> for ShiftRepr {
    fn from(s: Shift) -> Self {
        Self {
            start: format_minutes(s.start),
            end: format_minutes(s.end),
        }
    }
}

/// `"HH:MM"` for minutes after midnight, so 1440 prints as `"24:00"`.
pub(crate) fn format_minutes(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

fn minute_of(t: NaiveTime) -> Result<u16, CalendarError> {
    if t.second() != 0 || t.nanosecond() != 0 {
        return Err(CalendarError::InvalidTime(t.to_string()));
    }
    // At most 23 * 60 + 59, which fits in u16.
    Ok((t.hour() * 60 + t.minute()) as u16)
}

fn time_of(m: u16) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(u32::from(m / 60), u32::from(m % 60), 0)
}

fn parse_hhmm(s: &str) -> Result<u16, CalendarError> {
    let bad = || CalendarError::InvalidTime(s.to_owned());
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let digits = |p: &str, max_len| {
        !p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_hh_mm_including_24_00() {
        let s = Shift::parse("13:30", "24:00").unwrap();
        assert_eq!((s.start_minute(), s.end_minute()), (810, 1440));
        assert_eq!(s.end(), None);
        assert_eq!(s.to_string(), "13:30-24:00");
        assert_eq!(s.duration(), Duration::minutes(630));
    }

    #[test]
    fn rejects_malformed_times_and_empty_shifts() {
        for bad in ["24:01", "25:00", "9", "09:60", "09:5", "ab:cd", "-1:00", ""] {
            assert!(
                matches!(
                    Shift::parse(bad, "24:00"),
                    Err(CalendarError::InvalidTime(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            Shift::parse("12:00", "12:00"),
            Err(CalendarError::EmptyShift { .. })
        ));
        assert!(Shift::from_minutes(0, 1441).is_err());
        let with_seconds = NaiveTime::from_hms_opt(9, 0, 30).unwrap();
        assert!(Shift::new(with_seconds, NaiveTime::from_hms_opt(10, 0, 0).unwrap()).is_err());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let s = Shift::parse("09:00", "12:00").unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"{"start":"09:00","end":"12:00"}"#);
        assert_eq!(serde_json::from_str::<Shift>(&json).unwrap(), s);
        assert!(serde_json::from_str::<Shift>(r#"{"start":"18:00","end":"09:00"}"#).is_err());
    }
}
