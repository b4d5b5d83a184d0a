//! `kefu-bench sla`: due times on the standard China calendar (holidays, 调休, lunch break)
//! for tickets opened at pseudo-random instants of 2026 with random priorities and tiers.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kefu_domain::customer::Tier;
use kefu_domain::sla::{self, BusinessCalendar, SlaHistory, SlaPolicy};
use kefu_domain::ticket::Priority;

/// Flags of `kefu-bench sla`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of tickets.
    #[arg(long, default_value_t = 1_000_000)]
    count: u64,
    /// Seed of the pseudo-random sequence (same seed, same tickets).
    #[arg(long, default_value_t = 0x9E37_79B9_7F4A_7C15)]
    seed: u64,
}

/// 2026-01-01T00:00:00Z and 2027-01-01T00:00:00Z as Unix seconds.
const YEAR_2026: (i64, i64) = (1_767_225_600, 1_798_761_600);

/// Marsaglia's xorshift64: enough spread for test inputs, no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Ticket {
    created_at: DateTime<Utc>,
    priority: Priority,
    tier: Tier,
}

fn tickets(count: u64, seed: u64) -> Vec<Ticket> {
    let mut rng = XorShift(seed.max(1));
    let span = (YEAR_2026.1 - YEAR_2026.0) as u64;
    (0..count)
        .map(|_| {
            let secs = YEAR_2026.0 + rng.below(span) as i64;
            Ticket {
                created_at: DateTime::from_timestamp(secs, 0).unwrap_or_default(),
                priority: Priority::ALL[rng.below(4) as usize],
                tier: Tier::ALL[rng.below(3) as usize],
            }
        })
        .collect()
}

/// Runs the benchmark and prints the figures.
pub fn run(args: &Args) {
    let started = Instant::now();
    let cal = BusinessCalendar::standard_china();
    let calendar_built = started.elapsed();
    let policy = SlaPolicy::default();
    let input = tickets(args.count, args.seed);
    let n = input.len().max(1) as f64;

    // Due times only: the two calendar walks every new ticket needs.
    let started = Instant::now();
    let mut missing = 0u64;
    for t in &input {
        let targets = policy.targets_for(t.priority, t.tier);
        let first = cal.add_business_time(t.created_at, targets.first_response());
        let resolve = cal.add_business_time(t.created_at, targets.resolution());
        missing += u64::from(black_box(first).is_none()) + u64::from(black_box(resolve).is_none());
    }
    let due = started.elapsed();

    // The full clock with one closed pause, at a `now` one week after creation: what a ticket
    // view or the breach scanner computes.
    let started = Instant::now();
    for t in &input {
        let h = SlaHistory {
            created_at: t.created_at,
            pauses: vec![(
                t.created_at + chrono::Duration::hours(2),
                Some(t.created_at + chrono::Duration::hours(5)),
            )],
            first_responded_at: None,
            resolved_at: None,
        };
        let now = t.created_at + chrono::Duration::days(7);
        black_box(sla::compute_with_policy(
            &policy, t.priority, t.tier, &cal, &h, now,
        ));
    }
    let clock = started.elapsed();

    println!("kefu-bench sla: {} tickets opened over 2026", input.len());
    println!(
        "  calendar: standard_china (Asia/Shanghai, 09:00-12:00 + 13:30-18:00, holidays + 调休)"
    );
    println!(
        "  build calendar:               {:>10.3} ms",
        ms(calendar_built)
    );
    println!(
        "  due times (2 walks/ticket):   {:>10.3} ms total, {:>8.0} ns/ticket",
        ms(due),
        per(due, n)
    );
    println!(
        "  full clock (compute, 1 pause): {:>9.3} ms total, {:>8.0} ns/ticket",
        ms(clock),
        per(clock, n)
    );
    if missing > 0 {
        println!("  warning: {missing} due times could not be computed");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn per(d: Duration, n: f64) -> f64 {
    d.as_secs_f64() * 1e9 / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tickets_fall_in_2026_and_repeat_per_seed() {
        let a = tickets(1000, 7);
        let b = tickets(1000, 7);
        assert!(a.iter().zip(&b).all(|(x, y)| x.created_at == y.created_at));
        assert!(
            a.iter()
                .all(|t| t.created_at.format("%Y").to_string() == "2026")
        );
        assert!(
            Priority::ALL
                .iter()
                .all(|p| a.iter().any(|t| t.priority == *p))
        );
    }
}
