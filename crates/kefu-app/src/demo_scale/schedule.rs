//! When tickets are opened: spread over the last two years, fewer on weekends and holidays,
//! most in Beijing office hours, slowly growing with the business; generated day by day in
//! time order, so ids, numbers and indexes are written in the order a real helpdesk writes them.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use kefu_domain::sla::BusinessCalendar;

use super::rng::Rng;

/// Days of history.
pub(super) const DAYS: i64 = 730;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// How many tickets each day of the history gets.
pub(super) struct Schedule {
    start: DateTime<Utc>,
    counts: Vec<u64>,
}

fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

impl Schedule {
    /// `n` tickets over the `DAYS` days before `now`; exactly `n` in total.
    pub(super) fn new(n: u64, now: DateTime<Utc>, cal: &BusinessCalendar) -> Schedule {
        let start = now - Duration::days(DAYS);
        let weights: Vec<f64> = (0..DAYS)
            .map(|d| {
                let mid = start + Duration::days(d) + Duration::hours(12);
                let date = mid.with_timezone(&beijing()).date_naive();
                let base = if cal.is_working_day(date) { 1.0 } else { 0.3 };
                base * (0.8 + 0.4 * d as f64 / DAYS as f64)
            })
            .collect();
        let total: f64 = weights.iter().sum();
        let mut counts = Vec::with_capacity(weights.len());
        let (mut acc, mut given) = (0.0, 0u64);
        for w in weights {
            acc += w;
            let upto = ((acc / total) * n as f64).round() as u64;
            let upto = upto.min(n);
            counts.push(upto - given);
            given = upto;
        }
        if let Some(last) = counts.last_mut() {
            *last += n - given;
        }
        Schedule { start, counts }
    }

    /// Number of days.
    pub(super) fn days(&self) -> usize {
        self.counts.len()
    }

    /// The sorted creation instants of day `d`, in microseconds.
    pub(super) fn times(&self, d: usize, rng: &mut Rng) -> Vec<DateTime<Utc>> {
        let day_start = self.start + Duration::days(d as i64);
        let mut out = Vec::with_capacity(self.counts[d] as usize);
        while (out.len() as u64) < self.counts[d] {
            let t = day_start + Duration::microseconds(rng.range(0, MICROS_PER_DAY));
            let accept = match t.with_timezone(&beijing()).hour() {
                9..=17 => 1.0,
                8 | 18..=20 => 0.45,
                7 | 21 | 22 => 0.15,
                _ => 0.04,
            };
            if rng.chance(accept) {
                out.push(t);
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_and_times_stay_in_the_past() {
        let now = Utc::now();
        let cal = BusinessCalendar::standard_china();
        let s = Schedule::new(10_001, now, &cal);
        assert_eq!(s.counts.iter().sum::<u64>(), 10_001);
        let mut rng = Rng::new(3);
        let last = s.times(s.days() - 1, &mut rng);
        assert!(last.iter().all(|t| *t < now));
        assert!(last.windows(2).all(|w| w[0] <= w[1]));
    }
}
