//! Properties of business-time arithmetic and of the SLA clock, over random instants in
//! 2024–2026 and random durations up to 200 business hours, on several calendars.

use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc, Weekday};
use kefu_domain::sla::{
    BusinessCalendar, SlaHistory, Targets, TimerState, bundled_cn_holidays, compute,
};
use proptest::prelude::*;

const FROM: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
const TO: i64 = 1_798_761_599; // 2026-12-31T23:59:59Z

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (FROM..=TO).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn business() -> impl Strategy<Value = Duration> {
    (0..=200i64 * 3600).prop_map(Duration::seconds)
}

/// Split shifts in a DST zone, with shifts ending at 24:00, a Sunday shift across the spring
/// gap (02:00–03:00 local) and a few holidays and make-up days.
fn split_new_york() -> BusinessCalendar {
    let s = |a, b| kefu_domain::sla::Shift::parse(a, b).unwrap();
    let weekday = vec![
        s("08:00", "12:00"),
        s("13:00", "17:00"),
        s("22:00", "24:00"),
    ];
    let weekly = [
        weekday.clone(),
        weekday.clone(),
        vec![s("00:00", "06:00"), s("07:15", "07:16")],
        weekday.clone(),
        weekday,
        Vec::new(),
        vec![s("01:00", "03:00"), s("23:00", "24:00")],
    ];
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let holidays = [
        d(2024, 7, 4),
        d(2024, 12, 25),
        d(2025, 11, 27),
        d(2026, 1, 1),
    ];
    let makeup = [d(2024, 3, 9), d(2025, 11, 1)];
    BusinessCalendar::new(
        chrono_tz::America::New_York,
        weekly,
        holidays.into(),
        makeup.into(),
        Weekday::Wed,
    )
    .unwrap()
}

fn calendars() -> Vec<(&'static str, BusinessCalendar)> {
    vec![
        ("standard_china", BusinessCalendar::standard_china()),
        ("split_new_york", split_new_york()),
        (
            "24x7_berlin",
            BusinessCalendar::always_open(chrono_tz::Europe::Berlin),
        ),
        (
            "24x7_shanghai_holidays",
            BusinessCalendar::always_open(chrono_tz::Asia::Shanghai)
                .with_holidays(&bundled_cn_holidays()),
        ),
    ]
}

fn calendar() -> impl Strategy<Value = (&'static str, BusinessCalendar)> {
    prop::sample::select(calendars())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn between_inverts_add((name, cal) in calendar(), start in instant(), d in business()) {
        let due = cal.add_business_time(start, d).unwrap();
        prop_assert!(due >= start, "{name}");
        prop_assert_eq!(cal.business_time_between(start, due), d, "{}", name);
    }

    #[test]
    fn due_is_inside_working_hours((name, cal) in calendar(), start in instant(), d in business()) {
        let due = cal.add_business_time(start, d).unwrap();
        if d > Duration::zero() {
            prop_assert!(cal.is_open_at(due - Duration::seconds(1)), "{name}: {due}");
        } else {
            prop_assert!(cal.is_open_at(due), "{name}: {due}");
            prop_assert_eq!(cal.business_time_between(start, due), Duration::zero());
        }
    }

    #[test]
    fn add_is_monotonic_and_additive(
        (name, cal) in calendar(),
        start in instant(),
        d1 in business(),
        d2 in business(),
    ) {
        let (lo, hi) = (d1.min(d2), d1.max(d2));
        let a = cal.add_business_time(start, lo).unwrap();
        let b = cal.add_business_time(start, hi).unwrap();
        prop_assert!(a <= b, "{name}");
        if hi > lo {
            // Continuing from an intermediate due time lands on the same instant.
            prop_assert_eq!(cal.add_business_time(a, hi - lo), Some(b), "{}", name);
        }
    }

    #[test]
    fn between_is_additive_over_a_split_point(
        (name, cal) in calendar(),
        a in instant(),
        x in 0..30 * 86_400i64,
        y in 0..30 * 86_400i64,
    ) {
        let (m, b) = (a + Duration::seconds(x), a + Duration::seconds(x + y));
        let whole = cal.business_time_between(a, b);
        let parts = cal.business_time_between(a, m) + cal.business_time_between(m, b);
        prop_assert_eq!(whole, parts, "{}", name);
    }

    #[test]
    fn pauses_never_bring_a_due_time_forward(
        (name, cal) in calendar(),
        created in instant(),
        target_minutes in 1..=12_000u32,
        raw in prop::collection::vec((0..20 * 86_400i64, 1..5 * 86_400i64), 0..4),
        last_open in any::<bool>(),
    ) {
        // Random pause intervals after creation, made sorted and disjoint.
        let mut at = created;
        let mut pauses = Vec::new();
        for (gap, len) in raw {
            let start = at + Duration::seconds(gap);
            at = start + Duration::seconds(len);
            pauses.push((start, Some(at)));
        }
        if last_open && let Some(last) = pauses.last_mut() {
            last.1 = None;
        }
        let targets = Targets::new(target_minutes, target_minutes);
        let history = |pauses| SlaHistory {
            created_at: created,
            pauses,
            first_responded_at: None,
            resolved_at: None,
        };
        let now = at + Duration::days(1);
        let plain = compute(targets, 20, &cal, &history(Vec::new()), now).resolution;
        let paused = compute(targets, 20, &cal, &history(pauses.clone()), now).resolution;
        let plain_due = plain.due_at.unwrap();
        match paused.due_at {
            None => prop_assert_eq!(paused.state, TimerState::Paused, "{}", name),
            Some(due) => {
                prop_assert!(due >= plain_due, "{name}");
                // Business time outside the pauses up to the due time is exactly the target.
                let paused_time: Duration = pauses
                    .iter()
                    .filter(|(s, _)| *s < due)
                    .map(|(s, e)| cal.business_time_between(*s, e.unwrap_or(due).min(due)))
                    .sum();
                let worked = cal.business_time_between(created, due) - paused_time;
                prop_assert_eq!(worked, Duration::minutes(target_minutes.into()), "{}", name);
            }
        }
    }
}

/// Independent minute-by-minute oracle on the standard calendar: Shanghai has no DST, so an
/// instant is open exactly when its local minute falls in one of its local date's shifts.
fn oracle_between(cal: &BusinessCalendar, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
    let mut t = a;
    let mut minutes = 0;
    while t < b {
        let local = t.with_timezone(&cal.tz);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        let open = cal
            .shifts_on(local.date_naive())
            .iter()
            .any(|s| s.start_minute() <= minute && minute < s.end_minute());
        minutes += i64::from(open);
        t += Duration::minutes(1);
    }
    Duration::minutes(minutes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn between_matches_minute_oracle(a in (FROM / 60..=TO / 60), span in 0..12 * 1440i64) {
        let cal = BusinessCalendar::standard_china();
        let a = DateTime::from_timestamp(a * 60, 0).unwrap();
        let b = a + Duration::minutes(span);
        prop_assert_eq!(cal.business_time_between(a, b), oracle_between(&cal, a, b));
    }
}
