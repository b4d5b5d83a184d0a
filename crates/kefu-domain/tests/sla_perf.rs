//! Rough timing of business-time arithmetic; ignored by default because timings only mean
//! something in an optimised build:
//! `cargo test --release -p kefu-domain --test sla_perf -- --ignored --nocapture`.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use kefu_domain::sla::BusinessCalendar;

fn per_call(label: &str, mut f: impl FnMut(i64)) -> f64 {
    const N: i64 = 20_000;
    let t = Instant::now();
    for i in 0..N {
        f(i);
    }
    let ns = t.elapsed().as_nanos() as f64 / N as f64;
    eprintln!("{label}: {ns:.0} ns/call");
    ns
}

#[test]
#[ignore = "timing; run in release"]
fn typical_calls_are_a_few_microseconds() {
    let cal = BusinessCalendar::standard_china();
    let berlin = BusinessCalendar::always_open(chrono_tz::Europe::Berlin);
    // Fri 2026-03-06 15:00 Shanghai, P3 resolution 48 h: crosses two weekends.
    let start = DateTime::parse_from_rfc3339("2026-03-06T07:00:00Z")
        .unwrap()
        .to_utc();
    let d = Duration::hours(48);
    let add = per_call("standard_china add 48h", |i| {
        black_box(cal.add_business_time(black_box(start + Duration::minutes(i % 600)), d));
    });
    let due: DateTime<Utc> = cal.add_business_time(start, d).unwrap();
    per_call("standard_china between 48h", |i| {
        black_box(cal.business_time_between(black_box(start + Duration::minutes(i % 600)), due));
    });
    per_call("24x7 berlin add 200h", |i| {
        black_box(berlin.add_business_time(
            black_box(start + Duration::minutes(i)),
            Duration::hours(200),
        ));
    });
    assert!(
        add < 50_000.0,
        "far slower than the 5 µs target even for a debug build"
    );
}
