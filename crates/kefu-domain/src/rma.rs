//! Returns and exchanges (RMA): the goods come back (received), are inspected and then
//! restocked or scrapped; an exchange also ships a replacement (before or after the goods
//! arrive). The RMA is done when the goods are dealt with and, for an exchange, the
//! replacement has left.

use serde::{Deserialize, Serialize};

/// Return (credit / refund) or exchange (a replacement goes out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RmaKind {
    /// The goods come back; no replacement.
    Return,
    /// The goods come back and a replacement is shipped.
    Exchange,
}

/// Where the returned goods are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoodsStatus {
    /// The RMA number is issued; the customer sends the goods.
    Authorized,
    /// The goods arrived.
    Received,
    /// Inspected and put back into stock.
    Restocked,
    /// Inspected and scrapped.
    Scrapped,
}

impl GoodsStatus {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            GoodsStatus::Authorized => "authorized",
            GoodsStatus::Received => "received",
            GoodsStatus::Restocked => "restocked",
            GoodsStatus::Scrapped => "scrapped",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<GoodsStatus> {
        [
            GoodsStatus::Authorized,
            GoodsStatus::Received,
            GoodsStatus::Restocked,
            GoodsStatus::Scrapped,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
    }
}

/// What can happen to an RMA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RmaStep {
    /// The goods arrived.
    Receive,
    /// Inspected: back to stock (`true`) or scrapped.
    Inspect {
        /// Put back into stock.
        restock: bool,
    },
    /// The replacement left (exchanges).
    ShipReplacement,
}

/// The goods status after `step`, or why it is refused. `shipped` tells whether the
/// replacement already left.
pub fn apply(
    kind: RmaKind,
    goods: GoodsStatus,
    shipped: bool,
    step: RmaStep,
) -> Result<GoodsStatus, &'static str> {
    match (step, goods) {
        (RmaStep::Receive, GoodsStatus::Authorized) => Ok(GoodsStatus::Received),
        (RmaStep::Receive, _) => Err("the goods were already received"),
        (RmaStep::Inspect { restock }, GoodsStatus::Received) => Ok(if restock {
            GoodsStatus::Restocked
        } else {
            GoodsStatus::Scrapped
        }),
        (RmaStep::Inspect { .. }, GoodsStatus::Authorized) => Err("the goods have not arrived yet"),
        (RmaStep::Inspect { .. }, _) => Err("the goods were already inspected"),
        (RmaStep::ShipReplacement, _) if kind == RmaKind::Return => {
            Err("a return has no replacement")
        }
        (RmaStep::ShipReplacement, _) if shipped => Err("the replacement was already shipped"),
        (RmaStep::ShipReplacement, g) => Ok(g),
    }
}

/// Whether nothing is left to do.
pub fn done(kind: RmaKind, goods: GoodsStatus, shipped: bool) -> bool {
    matches!(goods, GoodsStatus::Restocked | GoodsStatus::Scrapped)
        && (kind == RmaKind::Return || shipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use GoodsStatus::*;

    #[test]
    fn goods_go_received_then_inspected() {
        let k = RmaKind::Return;
        assert_eq!(apply(k, Authorized, false, RmaStep::Receive), Ok(Received));
        assert!(apply(k, Authorized, false, RmaStep::Inspect { restock: true }).is_err());
        assert_eq!(
            apply(k, Received, false, RmaStep::Inspect { restock: false }),
            Ok(Scrapped)
        );
        assert!(apply(k, Scrapped, false, RmaStep::Inspect { restock: true }).is_err());
        assert!(apply(k, Received, false, RmaStep::Receive).is_err());
        assert!(apply(k, Received, false, RmaStep::ShipReplacement).is_err());
        assert!(done(k, Restocked, false) && !done(k, Received, false));
    }

    #[test]
    fn an_exchange_ships_once_at_any_point_and_is_done_after_both() {
        let k = RmaKind::Exchange;
        assert_eq!(
            apply(k, Authorized, false, RmaStep::ShipReplacement),
            Ok(Authorized)
        );
        assert!(apply(k, Received, true, RmaStep::ShipReplacement).is_err());
        assert!(!done(k, Restocked, false));
        assert!(done(k, Restocked, true));
        assert_eq!(GoodsStatus::parse("received"), Some(Received));
    }
}
