//! Chinese public holidays and make-up working days (调休), from a bundled copy of the official
//! State Council notices.
//!
//! The data is a small CSV (`data/cn_holidays.csv`) compiled into the binary, so computing SLAs
//! never reads a file. It lists only the days that differ from an ordinary week: holidays
//! (including the weekend days inside a holiday block) and make-up working days.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// The bundled copy of the official table.
const BUNDLED_CSV: &str = include_str!("../../data/cn_holidays.csv");

const HEADER: &str = "date,kind,name,name_en,weekday,source_notice";

static BUNDLED: LazyLock<HolidayTable> = LazyLock::new(|| {
    // A unit test parses the same bytes, so this cannot fail in a released build.
    parse_cn_holidays(BUNDLED_CSV).expect("bundled cn_holidays.csv is valid")
});

/// Holidays and make-up working days, with the festival each belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayTable {
    /// Days off.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休).
    pub makeup_workdays: BTreeSet<NaiveDate>,
    /// Festival of each listed date: (Chinese name, English name).
    pub names: BTreeMap<NaiveDate, (String, String)>,
}

impl HolidayTable {
    /// The festival a listed date belongs to, as (Chinese name, English name).
    pub fn name_of(&self, date: NaiveDate) -> Option<(&str, &str)> {
        self.names
            .get(&date)
            .map(|(zh, en)| (zh.as_str(), en.as_str()))
    }

    /// The last date the table says anything about; later dates are treated as ordinary days,
    /// so a deployment should refresh the data before then.
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.names.keys().next_back().copied()
    }
}

/// The bundled official table (2024–2026 at the time of writing).
pub fn bundled_cn_holidays() -> HolidayTable {
    BUNDLED.clone()
}

/// Parses the holiday CSV (`date,kind,name,name_en,weekday,source_notice`, kind `holiday` or
/// `workday`). Plain comma splitting: the official data has no quoted fields, and a quote is
/// rejected rather than misread. The weekday column is checked against the date, and a make-up
/// working day must fall on a weekend, which catches most typing slips in a new year's data.
pub fn parse_cn_holidays(csv: &str) -> Result<HolidayTable, CalendarError> {
    let mut table = HolidayTable::default();
    let mut lines = csv.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
    let header = lines.next().map(|(_, h)| h.trim_start_matches('\u{feff}'));
    if header != Some(HEADER) {
        return Err(bad(1, format!("expected header {HEADER:?}")));
    }
    for (line, text) in lines {
        if text.trim().is_empty() {
            continue;
        }
        if text.contains('"') {
            return Err(bad(line, "quoted fields are not supported".into()));
        }
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        let [date, kind, name, name_en, weekday, _source] = fields[..] else {
            return Err(bad(
                line,
                format!("expected 6 fields, found {}", fields.len()),
            ));
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|e| bad(line, format!("date {date:?}: {e}")))?;
        if weekday != date.weekday().to_string() {
            return Err(bad(
                line,
                format!("{date} is a {}, not {weekday:?}", date.weekday()),
            ));
        }
        let set = match kind {
            "holiday" => &mut table.holidays,
            "workday" if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) => {
                &mut table.makeup_workdays
            }
            "workday" => {
                return Err(bad(
                    line,
                    format!("make-up working day {date} is a weekday"),
                ));
            }
            other => {
                return Err(bad(
                    line,
                    format!("kind {other:?}: expected holiday or workday"),
                ));
            }
        };
        set.insert(date);
        if name.is_empty() {
            return Err(bad(line, "empty name".into()));
        }
        let names = (name.to_owned(), name_en.to_owned());
        if table.names.insert(date, names).is_some() {
            return Err(bad(line, format!("{date} is listed twice")));
        }
    }
    Ok(table)
}

fn bad(line: usize, message: String) -> CalendarError {
    CalendarError::HolidayData { line, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const HEAD: &str = "date,kind,name,name_en,weekday,source_notice\n";

    #[test]
    fn bundled_table_parses_and_covers_2024_to_2026() {
        let t = parse_cn_holidays(BUNDLED_CSV).unwrap();
        assert_eq!(t, bundled_cn_holidays());
        assert_eq!(t.holidays.first(), Some(&d(2024, 1, 1)));
        assert_eq!(t.last_date(), Some(d(2026, 10, 10)));
        assert_eq!(t.holidays.len() + t.makeup_workdays.len(), t.names.len());
        assert!(t.holidays.contains(&d(2026, 2, 17)));
        assert!(t.makeup_workdays.contains(&d(2026, 2, 28)));
        assert_eq!(t.name_of(d(2026, 2, 17)), Some(("春节", "Spring Festival")));
    }

    #[test]
    fn errors_carry_line_numbers() {
        let cases = [
            ("2026-02-30,holiday,x,x,Mon,u", "date"),
            ("2026-02-16,holiday,x,x,Tue,u", "is a Mon"),
            ("2026-02-16,vacation,x,x,Mon,u", "kind"),
            ("2026-02-16,workday,x,x,Mon,u", "weekday"),
            ("2026-02-16,holiday,x,x,Mon", "6 fields"),
            ("2026-02-16,holiday,\"x,y\",x,Mon,u", "quoted"),
        ];
        for (row, needle) in cases {
            let csv = format!("{HEAD}2026-02-15,holiday,x,x,Sun,u\n\n{row}\n");
            match parse_cn_holidays(&csv) {
                Err(CalendarError::HolidayData { line: 4, message }) => {
                    assert!(message.contains(needle), "{row}: {message}");
                }
                other => panic!("{row}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_bad_header_and_duplicates() {
        assert!(matches!(
            parse_cn_holidays("date,kind\n"),
            Err(CalendarError::HolidayData { line: 1, .. })
        ));
        let dup = format!("{HEAD}2026-02-15,holiday,x,x,Sun,u\n2026-02-15,workday,x,x,Sun,u\n");
        assert!(matches!(
            parse_cn_holidays(&dup),
            Err(CalendarError::HolidayData { line: 3, .. })
        ));
    }

    #[test]
    fn tolerates_bom_and_crlf() {
        let csv = format!("\u{feff}{}", HEAD.replace('\n', "\r\n"))
            + "2026-02-14,workday,春节,Spring Festival,Sat,u\r\n";
        let t = parse_cn_holidays(&csv).unwrap();
        assert!(t.makeup_workdays.contains(&d(2026, 2, 14)));
    }
}
