//! Spare parts on tickets: how a request splits into what stock can reserve now and what must
//! wait for purchasing, in which order received stock goes to waiting tickets, and which
//! changes a reservation allows. Quantities are whole units of the part's unit (个, 套, 米).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ticket::Priority;

/// Largest quantity of one request or receipt.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Why a quantity is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
    /// Zero or negative.
    NotPositive,
    /// Above [`MAX_QUANTITY`].
    TooLarge,
}

/// Checks a quantity asked for (reserve, receive, consume).
pub fn check_quantity(q: i64) -> Result<i64, QuantityError> {
    if q <= 0 {
        Err(QuantityError::NotPositive)
    } else if q > MAX_QUANTITY {
        Err(QuantityError::TooLarge)
    } else {
        Ok(q)
    }
}

/// A request split by what is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Reserved from stock now.
    pub reserve: i64,
    /// Waiting for purchasing (the shortage).
    pub wait: i64,
}

/// What of `wanted` stock can reserve when `available` (on hand minus reserved) is free.
pub fn split(available: i64, wanted: i64) -> Split {
    let reserve = available.clamp(0, wanted);
    Split {
        reserve,
        wait: wanted - reserve,
    }
}

/// The state of a reservation line on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// Stock is set aside for the ticket.
    Reserved,
    /// Nothing in stock yet: waits for a purchase request.
    Waiting,
    /// Used on the job (stock left the warehouse).
    Consumed,
    /// Given back to stock.
    Released,
    /// A waiting line withdrawn before stock came.
    Cancelled,
}

impl LineStatus {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Reserved => "reserved",
            LineStatus::Waiting => "waiting",
            LineStatus::Consumed => "consumed",
            LineStatus::Released => "released",
            LineStatus::Cancelled => "cancelled",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<Self> {
        [
            LineStatus::Reserved,
            LineStatus::Waiting,
            LineStatus::Consumed,
            LineStatus::Released,
            LineStatus::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Still holds stock or a claim on it.
    pub fn is_open(self) -> bool {
        matches!(self, LineStatus::Reserved | LineStatus::Waiting)
    }
}

/// What may be done to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineAction {
    /// Use reserved stock on the job.
    Consume,
    /// Give reserved stock back, or withdraw a waiting claim.
    Release,
}

/// The state after `action`, or why it is refused.
pub fn apply(status: LineStatus, action: LineAction) -> Result<LineStatus, &'static str> {
    match (status, action) {
        (LineStatus::Reserved, LineAction::Consume) => Ok(LineStatus::Consumed),
        (LineStatus::Reserved, LineAction::Release) => Ok(LineStatus::Released),
        (LineStatus::Waiting, LineAction::Release) => Ok(LineStatus::Cancelled),
        (LineStatus::Waiting, LineAction::Consume) => {
            Err("nothing is reserved yet: the part is still waiting for stock")
        }
        _ => Err("the line is already closed"),
    }
}

/// A ticket line waiting for stock, with what decides its turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting<Id> {
    /// The line.
    pub id: Id,
    /// Units still missing.
    pub quantity: i64,
    /// The ticket's priority (P1 first).
    pub priority: Priority,
    /// The ticket's resolution due time (sooner first; none last).
    pub due: Option<DateTime<Utc>>,
    /// When the line started waiting (earlier first).
    pub since: DateTime<Utc>,
}

/// Hands `received` units to waiting lines: by priority, then the sooner resolution due time,
/// then the longer wait. A line may get part of what it misses; units left over stay free.
pub fn allocate<Id: Clone>(received: i64, waiting: &[Waiting<Id>]) -> Vec<(Id, i64)> {
    let mut order: Vec<&Waiting<Id>> = waiting.iter().collect();
    order.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then_with(|| match (a.due, b.due) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.since.cmp(&b.since))
    });
    let mut left = received.max(0);
    let mut out = Vec::new();
    for w in order {
        if left == 0 {
            break;
        }
        let give = w.quantity.min(left);
        if give > 0 {
            out.push((w.id.clone(), give));
            left -= give;
        }
    }
    out
}

/// The state of a purchase request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PurchaseStatus {
    /// Raised; shortages of the same part and warehouse add to it.
    Open,
    /// Sent to the supplier (the ERP); new shortages raise a new request.
    Ordered,
    /// Everything asked for has arrived.
    Received,
    /// Withdrawn.
    Cancelled,
}

impl PurchaseStatus {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseStatus::Open => "open",
            PurchaseStatus::Ordered => "ordered",
            PurchaseStatus::Received => "received",
            PurchaseStatus::Cancelled => "cancelled",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<Self> {
        [
            PurchaseStatus::Open,
            PurchaseStatus::Ordered,
            PurchaseStatus::Received,
            PurchaseStatus::Cancelled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Still expecting goods.
    pub fn is_pending(self) -> bool {
        matches!(self, PurchaseStatus::Open | PurchaseStatus::Ordered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn a_request_splits_into_what_is_free_and_the_shortage() {
        assert_eq!(
            split(10, 3),
            Split {
                reserve: 3,
                wait: 0
            }
        );
        assert_eq!(
            split(2, 5),
            Split {
                reserve: 2,
                wait: 3
            }
        );
        assert_eq!(
            split(0, 4),
            Split {
                reserve: 0,
                wait: 4
            }
        );
        assert_eq!(
            split(-1, 4),
            Split {
                reserve: 0,
                wait: 4
            }
        );
    }

    #[test]
    fn quantities_are_positive_and_bounded() {
        assert_eq!(check_quantity(0), Err(QuantityError::NotPositive));
        assert_eq!(check_quantity(-3), Err(QuantityError::NotPositive));
        assert_eq!(
            check_quantity(MAX_QUANTITY + 1),
            Err(QuantityError::TooLarge)
        );
        assert_eq!(check_quantity(7), Ok(7));
    }

    #[test]
    fn received_stock_goes_by_priority_then_due_time_then_wait() {
        let w = |id: &'static str, q: i64, p: Priority, due: Option<u32>, since: u32| Waiting {
            id,
            quantity: q,
            priority: p,
            due: due.map(t),
            since: t(since),
        };
        let waiting = [
            w("p3-early", 2, Priority::P3, Some(9), 1),
            w("p1-late-due", 1, Priority::P1, Some(20), 3),
            w("p1-soon-due", 1, Priority::P1, Some(10), 4),
            w("p2-no-due", 2, Priority::P2, None, 2),
            w("p2-due", 2, Priority::P2, Some(23), 5),
        ];
        assert_eq!(
            allocate(5, &waiting),
            [
                ("p1-soon-due", 1),
                ("p1-late-due", 1),
                ("p2-due", 2),
                ("p2-no-due", 1)
            ]
        );
        assert_eq!(allocate(100, &waiting).iter().map(|x| x.1).sum::<i64>(), 8);
        assert!(allocate(0, &waiting).is_empty());
    }

    #[test]
    fn lines_allow_only_what_makes_sense() {
        use LineAction::*;
        assert_eq!(
            apply(LineStatus::Reserved, Consume),
            Ok(LineStatus::Consumed)
        );
        assert_eq!(
            apply(LineStatus::Reserved, Release),
            Ok(LineStatus::Released)
        );
        assert_eq!(
            apply(LineStatus::Waiting, Release),
            Ok(LineStatus::Cancelled)
        );
        assert!(apply(LineStatus::Waiting, Consume).is_err());
        assert!(apply(LineStatus::Consumed, Release).is_err());
        assert!(apply(LineStatus::Released, Consume).is_err());
        assert!(LineStatus::Waiting.is_open() && !LineStatus::Consumed.is_open());
        assert_eq!(LineStatus::parse("waiting"), Some(LineStatus::Waiting));
        assert_eq!(
            PurchaseStatus::parse("ordered"),
            Some(PurchaseStatus::Ordered)
        );
        assert!(PurchaseStatus::Ordered.is_pending() && !PurchaseStatus::Received.is_pending());
    }
}
