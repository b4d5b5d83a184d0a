//! Human-readable ticket numbers such as `SR-202611-000123`.

use std::fmt;

use chrono::Datelike;
use chrono::NaiveDate;

/// A ticket number: prefix, year-month of creation and a per-month sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketNumber {
    prefix: String,
    year: i32,
    month: u32,
    seq: u64,
}

impl TicketNumber {
    /// The sequence is zero-padded to at least this many digits.
    pub const SEQ_DIGITS: usize = 6;

    /// Builds the number for the `seq`-th ticket of the month containing `date`.
    pub fn new(prefix: &str, date: NaiveDate, seq: u64) -> Self {
        TicketNumber {
            prefix: prefix.to_owned(),
            year: date.year(),
            month: date.month(),
            seq,
        }
    }

    /// The key of the sequence this number belongs to (`SR-202611`).
    pub fn period_key(prefix: &str, date: NaiveDate) -> String {
        format!("{prefix}-{:04}{:02}", date.year(), date.month())
    }

    /// Parses `SR-202611-000123`.
    pub fn parse(s: &str) -> Option<Self> {
        let mut parts = s.rsplitn(3, '-');
        let seq = parts.next()?.parse().ok()?;
        let ym = parts.next()?;
        let prefix = parts.next()?;
        if ym.len() != 6 || prefix.is_empty() {
            return None;
        }
        let year = ym[..4].parse().ok()?;
        let month = ym[4..].parse().ok()?;
        (1..=12).contains(&month).then(|| TicketNumber {
            prefix: prefix.to_owned(),
            year,
            month,
            seq,
        })
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:04}{:02}-{:0digits$}",
            self.prefix,
            self.year,
            self.month,
            self.seq,
            digits = Self::SEQ_DIGITS
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_back() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let n = TicketNumber::new("SR", d, 123);
        assert_eq!(n.to_string(), "SR-202611-000123");
        assert_eq!(TicketNumber::parse("SR-202611-000123"), Some(n));
        assert_eq!(TicketNumber::parse("SR-202613-000123"), None);
        assert_eq!(TicketNumber::parse("garbage"), None);
    }
}
