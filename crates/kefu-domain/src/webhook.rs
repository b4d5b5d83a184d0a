//! Outbound webhooks: which events a subscription takes, and when a failed delivery is tried
//! again. Deliveries of one ticket (or other aggregate) to one endpoint go out in order.

use chrono::Duration;

/// Tries before a delivery is given up (it stays in the log and can be sent again by hand).
pub const MAX_ATTEMPTS: i32 = 8;

/// Events a webhook can subscribe to (a trailing `*` takes a whole family).
pub const TOPICS: [&str; 15] = [
    "ticket.*",
    "ticket.created",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.part_reserved",
    "ticket.part_waiting",
    "ticket.parts_arrived",
    "ticket.trigger_fired",
    "ticket.survey_answered",
    "survey.*",
    "purchase_request.*",
    "part.*",
    "rma.*",
    "charge.*",
    "article.*",
];

/// Whether `topic` (`ticket.status_changed`) is taken by the subscription `pattern`
/// (`ticket.*`, `ticket.status_changed`, `*`).
pub fn matches(pattern: &str, topic: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some("") => true,
        Some(prefix) => topic.starts_with(prefix),
        None => pattern == topic,
    }
}

/// Whether a pattern is one a subscription may hold: `*`, `family.*` or `family.event`, in
/// lower case ASCII.
pub fn valid_pattern(p: &str) -> bool {
    let ok_chars = p
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'*'));
    ok_chars
        && !p.is_empty()
        && p.len() <= 60
        && (p == "*" || (p.contains('.') && !p[..p.len() - 1].contains('*')))
}

/// The wait before try number `attempt + 1` after `attempt` failed tries (1-based): 30 s,
/// 1 min, 2 min, … doubling, at most 1 h. `None` when no try is left.
pub fn retry_delay(attempt: i32) -> Option<Duration> {
    if attempt >= MAX_ATTEMPTS {
        return None;
    }
    let secs = 30i64 << (attempt.clamp(1, 20) - 1);
    Some(Duration::seconds(secs.min(3600)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_take_their_family_or_one_event() {
        assert!(matches("ticket.*", "ticket.status_changed"));
        assert!(matches("*", "purchase_request.updated"));
        assert!(matches("ticket.created", "ticket.created"));
        assert!(!matches("ticket.created", "ticket.created_again"));
        assert!(!matches("ticket.*", "article.updated"));
        assert!(
            valid_pattern("ticket.*")
                && valid_pattern("*")
                && valid_pattern("ticket.part_reserved")
        );
        assert!(!valid_pattern("ticket") && !valid_pattern("Ticket.*") && !valid_pattern("t*.x"));
    }

    #[test]
    fn retries_back_off_to_an_hour_and_stop() {
        assert_eq!(retry_delay(1), Some(Duration::seconds(30)));
        assert_eq!(retry_delay(2), Some(Duration::seconds(60)));
        assert_eq!(retry_delay(3), Some(Duration::seconds(120)));
        assert_eq!(retry_delay(7), Some(Duration::seconds(1920)));
        assert_eq!(retry_delay(MAX_ATTEMPTS), None);
    }
}
