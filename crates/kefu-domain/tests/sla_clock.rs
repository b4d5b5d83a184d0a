//! SLA clock over ticket histories: pauses, states at chosen instants, late completion and
//! priority changes. All on the standard China calendar in March 2026, a month without public
//! holidays: Monday to Friday 09:00–12:00 and 13:30–18:00 (7.5 h a day), Asia/Shanghai.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use kefu_domain::customer::Tier;
use kefu_domain::sla::{
    BusinessCalendar, Pause, SlaHistory, SlaPolicy, SlaStatus, TargetRow, Targets, TimerState,
    compute, compute_with_policy, pauses_from_status_changes,
};
use kefu_domain::ticket::Priority;

fn sh(local: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn local(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(|t| {
        t.with_timezone(&chrono_tz::Asia::Shanghai)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
}

fn history(created: &str, pauses: &[(&str, Option<&str>)]) -> SlaHistory {
    SlaHistory {
        created_at: sh(created),
        pauses: pauses.iter().map(|(s, e)| (sh(s), e.map(sh))).collect(),
        first_responded_at: None,
        resolved_at: None,
    }
}

const P1: Targets = Targets::new(30, 120);
const P3: Targets = Targets::new(480, 2880);

fn run(targets: Targets, h: &SlaHistory, now: &str) -> SlaStatus {
    compute(targets, 20, &BusinessCalendar::standard_china(), h, sh(now))
}

/// Due times of both timers, as local wall-clock strings.
fn dues(s: &SlaStatus) -> (Option<String>, Option<String>) {
    (local(s.first_response.due_at), local(s.resolution.due_at))
}

fn some(a: &str, b: &str) -> (Option<String>, Option<String>) {
    (Some(a.to_owned()), Some(b.to_owned()))
}

#[test]
fn without_pauses_p3_due_times() {
    // 8 h: Mon 7.5 h, Tue 09:00–09:30. 48 h: Mon–Fri 37.5 h, Mon 3/9 7.5 h, Tue 3/10 09:00–12:00.
    let s = run(P3, &history("2026-03-02 09:00", &[]), "2026-03-02 09:00");
    assert_eq!(dues(&s), some("2026-03-03 09:30", "2026-03-10 12:00"));
    assert_eq!(s.first_response.state, TimerState::OnTrack);
    assert_eq!(s.first_response.remaining_seconds, Some(8 * 3600));
}

#[test]
fn closed_pause_shifts_due_by_exactly_the_business_time_paused() {
    // Pending customer Mon 10:00–15:00 holds 10:00–12:00 and 13:30–15:00: 3.5 business hours.
    let plain = run(P3, &history("2026-03-02 09:00", &[]), "2026-03-02 16:00");
    let h = history(
        "2026-03-02 09:00",
        &[("2026-03-02 10:00", Some("2026-03-02 15:00"))],
    );
    let paused = run(P3, &h, "2026-03-02 16:00");
    // Tue 09:30 + 3.5 h = 14:30 (lunch skipped); Tue 3/10 12:00 + 3.5 h = 17:00.
    assert_eq!(dues(&paused), some("2026-03-03 14:30", "2026-03-10 17:00"));
    let cal = BusinessCalendar::standard_china();
    for (a, b) in [
        (plain.first_response.due_at, paused.first_response.due_at),
        (plain.resolution.due_at, paused.resolution.due_at),
    ] {
        let shift = cal.business_time_between(a.unwrap(), b.unwrap());
        assert_eq!(shift, Duration::minutes(210));
    }
}

#[test]
fn pause_after_the_due_instant_does_not_matter() {
    // Paused Wed 10:00–Thu 10:00 (7.5 business hours): after the response due time, before
    // the resolution due time, which moves from Tue 3/10 12:00 to Wed 3/11 12:00.
    let h = history(
        "2026-03-02 09:00",
        &[("2026-03-04 10:00", Some("2026-03-05 10:00"))],
    );
    let s = run(P3, &h, "2026-03-05 11:00");
    assert_eq!(dues(&s), some("2026-03-03 09:30", "2026-03-11 12:00"));
    assert_eq!(s.first_response.state, TimerState::Breached);
    assert_eq!(s.resolution.state, TimerState::OnTrack);
}

#[test]
fn currently_paused_has_no_due_time() {
    // 2 h used (Mon 09:00–11:00) before the customer was asked for details.
    let h = history("2026-03-02 09:00", &[("2026-03-02 11:00", None)]);
    let s = run(P3, &h, "2026-03-04 10:00");
    for (timer, left) in [(s.first_response, 6 * 3600), (s.resolution, 46 * 3600)] {
        assert_eq!(timer.state, TimerState::Paused);
        assert_eq!(timer.due_at, None);
        assert_eq!(timer.remaining_seconds, Some(left));
    }
    // Once the customer answers (Wed 10:00), the 6 h left run Wed 10:00–12:00, 13:30–17:30.
    let resumed = history(
        "2026-03-02 09:00",
        &[("2026-03-02 11:00", Some("2026-03-04 10:00"))],
    );
    let s = run(P3, &resumed, "2026-03-04 10:00");
    assert_eq!(
        local(s.first_response.due_at).as_deref(),
        Some("2026-03-04 17:30")
    );
    assert_eq!(s.first_response.remaining_seconds, Some(6 * 3600));
}

#[test]
fn paused_after_breach_stays_breached() {
    let h = history("2026-03-02 09:00", &[("2026-03-02 10:00", None)]);
    let s = run(P1, &h, "2026-03-02 11:00");
    assert_eq!(s.first_response.state, TimerState::Breached);
    assert_eq!(
        local(s.first_response.due_at).as_deref(),
        Some("2026-03-02 09:30")
    );
    // The pause began after the due instant, so it neither moves the due time nor stops the
    // overdue count: 09:30–11:00 is 90 business minutes late.
    assert_eq!(s.first_response.remaining_seconds, Some(-5400));
    assert_eq!(s.resolution.state, TimerState::Paused);
    assert_eq!(s.resolution.remaining_seconds, Some(3600));
}

#[test]
fn pause_starting_exactly_at_the_due_instant_does_not_matter() {
    let h = history("2026-03-02 09:00", &[("2026-03-02 09:30", None)]);
    let s = run(P1, &h, "2026-03-02 10:00");
    assert_eq!(s.first_response.state, TimerState::Breached);
    assert_eq!(
        local(s.first_response.due_at).as_deref(),
        Some("2026-03-02 09:30")
    );
}

#[test]
fn states_at_chosen_instants() {
    // P1 from Mon 09:00: response due 09:30, resolution due 11:00; warning at 20 % left
    // (6 min of 30, 24 min of 120).
    let h = history("2026-03-02 09:00", &[]);
    let cases = [
        (
            "2026-03-02 09:10",
            TimerState::OnTrack,
            1200,
            TimerState::OnTrack,
            6600,
        ),
        (
            "2026-03-02 09:23",
            TimerState::OnTrack,
            420,
            TimerState::OnTrack,
            5820,
        ),
        (
            "2026-03-02 09:24",
            TimerState::Warning,
            360,
            TimerState::OnTrack,
            5760,
        ),
        (
            "2026-03-02 09:30",
            TimerState::Breached,
            0,
            TimerState::OnTrack,
            5400,
        ),
        (
            "2026-03-02 10:40",
            TimerState::Breached,
            -4200,
            TimerState::Warning,
            1200,
        ),
        // Overdue time counts business time only: 09:30–12:00 and 13:30–14:00.
        (
            "2026-03-02 14:00",
            TimerState::Breached,
            -10800,
            TimerState::Breached,
            -5400,
        ),
    ];
    for (now, fr_state, fr_left, res_state, res_left) in cases {
        let s = run(P1, &h, now);
        assert_eq!(
            (s.first_response.state, s.first_response.remaining_seconds),
            (fr_state, Some(fr_left)),
            "first response at {now}"
        );
        assert_eq!(
            (s.resolution.state, s.resolution.remaining_seconds),
            (res_state, Some(res_left)),
            "resolution at {now}"
        );
    }
}

#[test]
fn remaining_time_is_business_time_across_lunch() {
    // Opened 11:40: 20 min before lunch, due 13:40. At 12:30 ten business minutes are left.
    let h = history("2026-03-02 11:40", &[]);
    let s = run(P1, &h, "2026-03-02 12:30");
    assert_eq!(
        local(s.first_response.due_at).as_deref(),
        Some("2026-03-02 13:40")
    );
    assert_eq!(s.first_response.remaining_seconds, Some(600));
    assert_eq!(s.first_response.state, TimerState::OnTrack);
    let s = run(P1, &h, "2026-03-02 13:35");
    assert_eq!(s.first_response.state, TimerState::Warning);
}

#[test]
fn completion_met_and_met_late() {
    let mut h = history("2026-03-02 09:00", &[]);
    h.first_responded_at = Some(sh("2026-03-02 09:45"));
    h.resolved_at = Some(sh("2026-03-02 11:00"));
    let s = run(P1, &h, "2026-03-05 09:00");
    assert_eq!(s.first_response.state, TimerState::MetLate);
    assert_eq!(s.first_response.completed_at, Some(sh("2026-03-02 09:45")));
    assert_eq!(s.first_response.remaining_seconds, None);
    // Resolved exactly at the due instant counts as met.
    assert_eq!(s.resolution.state, TimerState::Met);
    assert_eq!(
        local(s.resolution.due_at).as_deref(),
        Some("2026-03-02 11:00")
    );
    let json = serde_json::to_value(s.first_response.state).unwrap();
    assert_eq!(json, "met_late");
}

#[test]
fn completion_ignores_later_pauses_and_ends_an_open_one() {
    // Answered 10:30, then waiting on the customer from 11:00, resolved while waiting Wed 10:00.
    let mut h = history("2026-03-02 09:00", &[("2026-03-02 11:00", None)]);
    h.first_responded_at = Some(sh("2026-03-02 10:30"));
    let s = run(P3, &h, "2026-03-03 10:00");
    assert_eq!(s.first_response.state, TimerState::Met);
    assert_eq!(
        local(s.first_response.due_at).as_deref(),
        Some("2026-03-03 09:30")
    );
    assert_eq!(s.resolution.state, TimerState::Paused);

    h.resolved_at = Some(sh("2026-03-04 10:00"));
    let s = run(P3, &h, "2026-03-04 10:00");
    // 2 h used, pause ends at resolution, 46 h from Wed 10:00: Wed 6.5 h, Thu, Fri, Mon, Tue
    // 7.5 h each (36.5 h), Wed 3/11 7.5 h (44 h), Thu 3/12 09:00–11:00.
    assert_eq!(s.resolution.state, TimerState::Met);
    assert_eq!(
        local(s.resolution.due_at).as_deref(),
        Some("2026-03-12 11:00")
    );
}

#[test]
fn rough_pause_input_is_sorted_clipped_and_merged() {
    let clean = history(
        "2026-03-02 09:00",
        &[("2026-03-02 10:00", Some("2026-03-02 15:00"))],
    );
    let rough = history(
        "2026-03-02 09:00",
        &[
            ("2026-03-02 11:00", Some("2026-03-02 15:00")),
            ("2026-03-01 10:00", Some("2026-03-01 12:00")), // before creation
            ("2026-03-02 10:00", Some("2026-03-02 12:00")),
            ("2026-03-02 14:00", Some("2026-03-02 14:00")), // empty
        ],
    );
    let now = "2026-03-02 16:00";
    assert_eq!(run(P3, &rough, now), run(P3, &clean, now));
}

#[test]
fn priority_change_recomputes_from_creation() {
    let policy = SlaPolicy::default();
    let cal = BusinessCalendar::standard_china();
    let h = history("2026-03-02 09:00", &[]);
    let now = sh("2026-03-02 10:00");
    let at = |p| compute_with_policy(&policy, p, Tier::Standard, &cal, &h, now);
    let (p1, p3) = (at(Priority::P1), at(Priority::P3));
    assert_eq!(dues(&p1), some("2026-03-02 09:30", "2026-03-02 11:00"));
    assert_eq!(dues(&p3), some("2026-03-03 09:30", "2026-03-10 12:00"));
    assert_eq!(p1.first_response.state, TimerState::Breached);
    assert_eq!(p3.first_response.state, TimerState::OnTrack);

    // A VIP row for P3 applies to VIP customers only.
    let mut vip = policy.clone();
    vip.targets.push(TargetRow {
        priority: Priority::P3,
        tier: Some(Tier::Vip),
        first_response_minutes: 60,
        resolution_minutes: 450,
    });
    let s = compute_with_policy(&vip, Priority::P3, Tier::Vip, &cal, &h, now);
    assert_eq!(dues(&s), some("2026-03-02 10:00", "2026-03-02 18:00"));
    let s = compute_with_policy(&vip, Priority::P3, Tier::Strategic, &cal, &h, now);
    assert_eq!(dues(&s), dues(&p3));
}

#[test]
fn pauses_from_a_status_timeline() {
    let changes: Vec<(DateTime<Utc>, String)> = [
        ("2026-03-02 10:00", "pending_customer"),
        ("2026-03-02 15:00", "open"),
        ("2026-03-03 10:00", "pending_parts"),
        ("2026-03-03 11:00", "pending_customer"),
        ("2026-03-04 09:00", "pending_customer"),
    ]
    .iter()
    .map(|(t, s)| (sh(t), (*s).to_owned()))
    .collect();
    let created = sh("2026-03-02 09:00");
    let expect = |v: &[(&str, Option<&str>)]| -> Vec<Pause> {
        v.iter().map(|(s, e)| (sh(s), e.map(sh))).collect()
    };

    let default = SlaPolicy::default();
    assert_eq!(
        pauses_from_status_changes(&changes, "new", created, &default),
        expect(&[
            ("2026-03-02 10:00", Some("2026-03-02 15:00")),
            ("2026-03-03 11:00", None),
        ])
    );

    let mut with_parts = default.clone();
    with_parts.pause_statuses.push("pending_parts".into());
    assert_eq!(
        pauses_from_status_changes(&changes, "new", created, &with_parts),
        expect(&[
            ("2026-03-02 10:00", Some("2026-03-02 15:00")),
            ("2026-03-03 10:00", None),
        ])
    );

    // Opened straight into a pause status, changes given out of order.
    let mut shuffled = changes[..2].to_vec();
    shuffled.reverse();
    assert_eq!(
        pauses_from_status_changes(&shuffled, "pending_customer", created, &default),
        expect(&[("2026-03-02 09:00", Some("2026-03-02 15:00"))])
    );
}
