//! Business-calendar arithmetic around Chinese holidays (Spring Festival and National Day 2026),
//! checked against due times worked out by hand, plus clock-change days in DST zones.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use kefu_domain::sla::{BusinessCalendar, Shift, bundled_cn_holidays, parse_cn_holidays};

/// Asia/Shanghai wall-clock time `"YYYY-MM-DD HH:MM"` as an instant (UTC+8, no DST).
fn sh(local: &str) -> DateTime<Utc> {
    in_tz(chrono_tz::Asia::Shanghai, local)
}

fn in_tz(tz: Tz, local: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
    tz.from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// An instant as Shanghai wall-clock time, for readable assertions.
fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn due(cal: &BusinessCalendar, opened: &str, minutes: i64) -> String {
    local(
        cal.add_business_time(sh(opened), Duration::minutes(minutes))
            .unwrap(),
    )
}

#[test]
fn bundled_table_matches_shared_official_copy() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cn_holidays.csv"
    );
    let Ok(csv) = std::fs::read_to_string(path) else {
        eprintln!("skipped: ../shared/data not present");
        return;
    };
    assert_eq!(parse_cn_holidays(&csv).unwrap(), bundled_cn_holidays());
}

#[test]
fn spring_festival_2026_facts_from_the_data() {
    let t = bundled_cn_holidays();
    let feb = date("2026-02-01")..=date("2026-03-01");
    let off: Vec<_> = t
        .holidays
        .range(feb.clone())
        .map(|d| d.to_string())
        .collect();
    let expected: Vec<_> = (15..=23).map(|d| format!("2026-02-{d}")).collect();
    assert_eq!(off, expected);
    let makeup: Vec<_> = t
        .makeup_workdays
        .range(feb)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(makeup, ["2026-02-14", "2026-02-28"]);
}

#[test]
fn working_days_around_spring_festival_2026() {
    let cal = BusinessCalendar::standard_china();
    let cases = [
        ("2026-02-13", true),  // Fri
        ("2026-02-14", true),  // Sat, make-up working day
        ("2026-02-15", false), // Sun, first day of the holiday
        ("2026-02-17", false), // Tue, New Year's Day of the lunar calendar
        ("2026-02-23", false), // Mon, last day of the holiday
        ("2026-02-24", true),  // Tue, back to work
        ("2026-02-28", true),  // Sat, make-up working day
        ("2026-03-01", false), // Sun, ordinary weekend
        ("2026-03-07", false), // Sat, ordinary weekend
    ];
    for (d, working) in cases {
        assert_eq!(cal.is_working_day(date(d)), working, "{d}");
    }
}

#[test]
fn due_times_around_spring_festival_2026() {
    let cal = BusinessCalendar::standard_china();
    // (opened, business minutes, due), Asia/Shanghai wall-clock times, worked out by hand.
    let cases = [
        // P1 response: Fri 17:00–17:30.
        ("2026-02-13 17:00", 30, "2026-02-13 17:30"),
        // P1 resolution: Fri 17:00–18:00 (1 h), make-up Sat 09:00–10:00 (1 h).
        ("2026-02-13 17:00", 120, "2026-02-14 10:00"),
        // 8 h: make-up Sat 17:00–18:00 (1 h), holiday 2/15–2/23, Tue 09:00–12:00 (3 h),
        // 13:30–17:30 (4 h).
        ("2026-02-14 17:00", 480, "2026-02-24 17:30"),
        // Opened on a holiday: counting starts Tue 2/24 09:00.
        ("2026-02-15 10:00", 0, "2026-02-24 09:00"),
        ("2026-02-15 10:00", 30, "2026-02-24 09:30"),
        // Opened in the lunch break: counting starts at 13:30.
        ("2026-02-24 12:15", 30, "2026-02-24 14:00"),
        // Opened after hours on Friday: counting starts on make-up Sat 2/28 at 09:00.
        ("2026-02-27 19:00", 30, "2026-02-28 09:30"),
        // 8 h from Fri 17:00: 1 h Fri, make-up Sat 2/28 09:00–12:00, 13:30–17:30.
        ("2026-02-27 17:00", 480, "2026-02-28 17:30"),
        // The same on an ordinary weekend skips to Monday.
        ("2026-03-06 17:00", 480, "2026-03-09 17:30"),
        // P3 resolution 48 h from Fri 2/13 09:00: 7.5 h on each of 2/13, 2/14, 2/24, 2/25,
        // 2/26, 2/27 (45 h), then make-up Sat 2/28 09:00–12:00.
        ("2026-02-13 09:00", 2880, "2026-02-28 12:00"),
        // Ending exactly at a shift end stays there rather than jumping to the next opening.
        ("2026-02-13 09:00", 180, "2026-02-13 12:00"),
        // Exactly one ordinary week's working time (5 x 7.5 h) from a Sunday ends on Friday
        // 18:00, not at the following Monday's opening.
        ("2026-03-01 10:00", 2250, "2026-03-06 18:00"),
    ];
    for (opened, minutes, expected) in cases {
        assert_eq!(
            due(&cal, opened, minutes),
            expected,
            "{opened} + {minutes} min"
        );
    }
}

#[test]
fn due_times_around_national_day_2026() {
    let cal = BusinessCalendar::standard_china();
    let cases = [
        // P2 resolution 24 h from Wed 9/30 16:00: 2 h Wed, holiday 10/1–10/7, Thu 10/8 7.5 h,
        // Fri 10/9 7.5 h (17 h), make-up Sat 10/10 09:00–12:00 (20 h), 13:30–17:30 (24 h).
        ("2026-09-30 16:00", 1440, "2026-10-10 17:30"),
        // P1 resolution from Wed 9/30 17:00: 1 h Wed, then Thu 10/8 09:00–10:00.
        ("2026-09-30 17:00", 120, "2026-10-08 10:00"),
        // Make-up Sun 9/20 works to Monday's shifts: 1 h Fri 9/18, Sun 09:00–12:00.
        ("2026-09-18 17:00", 240, "2026-09-20 12:00"),
        // Mid-autumn Fri 9/25–Sun 9/27: 1 h Thu 9/24, Mon 9/28 09:00–12:00, 13:30–17:30.
        ("2026-09-24 17:00", 480, "2026-09-28 17:30"),
        // Opened on National Day itself.
        ("2026-10-03 11:00", 0, "2026-10-08 09:00"),
    ];
    for (opened, minutes, expected) in cases {
        assert_eq!(
            due(&cal, opened, minutes),
            expected,
            "{opened} + {minutes} min"
        );
    }
}

#[test]
fn business_time_between_counts_only_working_days() {
    let cal = BusinessCalendar::standard_china();
    let between = |a, b| cal.business_time_between(sh(a), sh(b));
    // 2/13, 2/14, 2/24, 2/25, 2/26, 2/27, 2/28 at 7.5 h each.
    assert_eq!(
        between("2026-02-13 00:00", "2026-03-02 00:00"),
        Duration::minutes(7 * 450)
    );
    // The whole Spring Festival holiday is worth nothing.
    assert_eq!(
        between("2026-02-14 18:00", "2026-02-24 09:00"),
        Duration::zero()
    );
    // Morning shift end to lunch end to 13:31: one minute.
    assert_eq!(
        between("2026-02-24 11:59", "2026-02-24 13:31"),
        Duration::minutes(2)
    );
    assert_eq!(
        between("2026-02-24 13:31", "2026-02-24 11:59"),
        Duration::zero()
    );
    // Weeks without holidays (skipped in blocks internally): five 7.5 h days a week.
    assert_eq!(
        between("2026-03-02 00:00", "2026-03-30 00:00"),
        Duration::minutes(4 * 5 * 450)
    );
}

#[test]
fn open_at_respects_shifts_lunch_and_holidays() {
    let cal = BusinessCalendar::standard_china();
    let cases = [
        ("2026-02-14 10:00", true),  // make-up Saturday
        ("2026-02-16 10:00", false), // holiday Monday
        ("2026-02-24 09:00", true),  // shift start is inside
        ("2026-02-24 12:00", false), // shift end is outside
        ("2026-02-24 12:30", false), // lunch
        ("2026-02-24 13:30", true),
        ("2026-02-24 18:00", false),
    ];
    for (t, open) in cases {
        assert_eq!(cal.is_open_at(sh(t)), open, "{t}");
    }
    assert!(cal.is_open_at(sh("2026-02-24 18:00") - Duration::seconds(1)));
}

#[test]
fn calendar_without_working_time_gives_none() {
    let empty = BusinessCalendar::new(
        chrono_tz::Asia::Shanghai,
        Default::default(),
        Default::default(),
        Default::default(),
        Weekday::Mon,
    )
    .unwrap();
    let start = sh("2026-02-13 09:00");
    assert_eq!(empty.add_business_time(start, Duration::hours(1)), None);
    assert_eq!(empty.next_opening(start), None);
    assert_eq!(
        empty.business_time_between(start, start + Duration::days(400)),
        Duration::zero()
    );
}

#[test]
fn makeup_day_uses_the_template_weekday() {
    let mut cal = BusinessCalendar::standard_china();
    cal.weekly[4] = vec![Shift::parse("10:00", "11:00").unwrap()]; // Fridays are short
    cal.makeup_template = Weekday::Fri;
    assert_eq!(due(&cal, "2026-02-14 08:00", 60), "2026-02-14 11:00");
}

#[test]
fn new_york_clock_changes_on_a_24x7_calendar() {
    let ny = chrono_tz::America::New_York;
    let cal = BusinessCalendar::always_open(ny);
    let at = |s| in_tz(ny, s);
    // Spring forward: 2024-03-10 has 23 hours; fall back: 2024-11-03 has 25.
    let spring = cal.business_time_between(at("2024-03-10 00:00"), at("2024-03-11 00:00"));
    assert_eq!(spring, Duration::hours(23));
    let fall = cal.business_time_between(at("2024-11-03 00:00"), at("2024-11-04 00:00"));
    assert_eq!(fall, Duration::hours(25));
    // Two weeks around the spring change, in blocks and day by day.
    let two_weeks = cal.business_time_between(at("2024-03-04 00:00"), at("2024-03-18 00:00"));
    assert_eq!(two_weeks, Duration::hours(14 * 24 - 1));
    let back = cal.add_business_time(at("2024-03-04 00:00"), Duration::hours(14 * 24 - 1));
    assert_eq!(back, Some(at("2024-03-18 00:00")));
}

#[test]
fn shifts_in_gaps_and_repeated_hours() {
    let ny = chrono_tz::America::New_York;
    let mut weekly: [Vec<Shift>; 7] = Default::default();
    weekly[6] = vec![
        Shift::parse("01:30", "02:30").unwrap(), // 02:30 does not exist on 2024-03-10
        Shift::parse("02:40", "02:50").unwrap(), // wholly inside the gap
    ];
    let cal = BusinessCalendar::new(
        ny,
        weekly,
        Default::default(),
        Default::default(),
        Weekday::Mon,
    )
    .unwrap();
    let day = |d| {
        let start = in_tz(ny, &format!("{d} 00:00"));
        cal.business_time_between(start, start + Duration::days(1))
    };
    // 01:30 EST to the jump at 02:00 EST = 03:00 EDT.
    assert_eq!(day("2024-03-10"), Duration::minutes(30));
    // An ordinary Sunday: 60 + 10 minutes.
    assert_eq!(day("2024-03-17"), Duration::minutes(70));
    // 2024-11-03 repeats 01:00–02:00: 01:30 is the first (EDT) one, 02:30 is EST.
    assert_eq!(day("2024-11-03"), Duration::minutes(130));
    let due = cal.add_business_time(in_tz(ny, "2024-03-10 00:00"), Duration::minutes(30));
    assert_eq!(
        due,
        DateTime::parse_from_rfc3339("2024-03-10T07:00:00Z")
            .ok()
            .map(|d| d.to_utc())
    );
}

#[test]
fn santiago_skips_midnight_itself() {
    // Chile springs forward at 24:00, so 2024-09-08 00:00 never happens there.
    let cl = chrono_tz::America::Santiago;
    let cal = BusinessCalendar::always_open(cl);
    let start = in_tz(cl, "2024-09-07 00:00");
    let end = in_tz(cl, "2024-09-09 00:00");
    assert_eq!(cal.business_time_between(start, end), Duration::hours(47));
    assert_eq!(cal.add_business_time(start, Duration::hours(47)), Some(end));
    assert!(cal.is_open_at(start + Duration::hours(24)));
}
