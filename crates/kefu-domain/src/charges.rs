//! Service charges: labour, parts, travel and fees on a ticket, priced from the price list,
//! and zeroed when the equipment's warranty or service contract covers that kind of charge.
//! Amounts are integer fen (分, 1/100 yuan); quantities are thousandths (1.5 h = 1500), so no
//! float ever touches money.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a charge line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// Working time (工时).
    Labour,
    /// A spare part used on the job (备件).
    Part,
    /// Travel to site (差旅 / 上门).
    Travel,
    /// Any other fee (其他费用), e.g. an expedite fee.
    Fee,
}

impl ChargeKind {
    /// All kinds, in display order.
    pub const ALL: [ChargeKind; 4] = [
        ChargeKind::Labour,
        ChargeKind::Part,
        ChargeKind::Travel,
        ChargeKind::Fee,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeKind::Labour => "labour",
            ChargeKind::Part => "part",
            ChargeKind::Travel => "travel",
            ChargeKind::Fee => "fee",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<ChargeKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Why a line costs the customer nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The product's warranty (保修).
    Warranty,
    /// A service contract (服务合同).
    Contract,
    /// Waived by a manager's decision (商务减免).
    Goodwill,
}

impl Coverage {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Coverage::Warranty => "warranty",
            Coverage::Contract => "contract",
            Coverage::Goodwill => "goodwill",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<Coverage> {
        [Coverage::Warranty, Coverage::Contract, Coverage::Goodwill]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// What the equipment of a ticket is entitled to on the service date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Entitlement {
    /// Under the product warranty.
    InWarranty,
    /// Out of warranty, under a service contract.
    InContract,
    /// Both have ended.
    Expired,
    /// No dates are known (or no equipment on the ticket).
    Unknown,
}

impl Entitlement {
    /// The entitlement on `day` given the warranty and contract end dates (both inclusive).
    pub fn on(
        warranty_end: Option<NaiveDate>,
        contract_end: Option<NaiveDate>,
        day: NaiveDate,
    ) -> Self {
        if warranty_end.is_some_and(|d| d >= day) {
            Entitlement::InWarranty
        } else if contract_end.is_some_and(|d| d >= day) {
            Entitlement::InContract
        } else if warranty_end.is_none() && contract_end.is_none() {
            Entitlement::Unknown
        } else {
            Entitlement::Expired
        }
    }

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Entitlement::InWarranty => "in_warranty",
            Entitlement::InContract => "in_contract",
            Entitlement::Expired => "expired",
            Entitlement::Unknown => "unknown",
        }
    }
}

/// Which kinds of charge a warranty and a contract cover (the rest is billed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRules {
    /// Kinds free of charge under warranty.
    pub warranty: Vec<ChargeKind>,
    /// Kinds free of charge under a service contract.
    pub contract: Vec<ChargeKind>,
}

impl Default for ChargeRules {
    /// The common Chinese after-sales terms: the warranty covers parts, labour and the visit
    /// (三包); a service contract covers labour and the visit, parts are billed. Fees are
    /// never covered.
    fn default() -> Self {
        ChargeRules {
            warranty: vec![ChargeKind::Labour, ChargeKind::Part, ChargeKind::Travel],
            contract: vec![ChargeKind::Labour, ChargeKind::Travel],
        }
    }
}

impl ChargeRules {
    /// Who pays for a line of `kind` when the warranty and the contract run (or not) on the
    /// service date: `Some(coverage)` when it is free for the customer. The warranty is
    /// asked first; a contract that runs beside it covers what the warranty leaves out.
    pub fn coverage(&self, kind: ChargeKind, warranty: bool, contract: bool) -> Option<Coverage> {
        if warranty && self.warranty.contains(&kind) {
            Some(Coverage::Warranty)
        } else if contract && self.contract.contains(&kind) {
            Some(Coverage::Contract)
        } else {
            None
        }
    }
}

/// Whether the warranty and the contract run on `day` (end dates inclusive).
pub fn running(
    warranty_end: Option<NaiveDate>,
    contract_end: Option<NaiveDate>,
    day: NaiveDate,
) -> (bool, bool) {
    (
        warranty_end.is_some_and(|d| d >= day),
        contract_end.is_some_and(|d| d >= day),
    )
}

/// Largest quantity on a line: 100,000 units (in thousandths).
pub const MAX_QUANTITY_MILLI: i64 = 100_000_000;
/// Largest unit price: 10,000,000 yuan (in fen).
pub const MAX_UNIT_PRICE: i64 = 1_000_000_000;

/// Why a quantity or price is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Zero or less.
    NotPositive,
    /// Beyond the limits above.
    TooLarge,
    /// Finer than a thousandth.
    TooPrecise,
}

/// A quantity typed as a decimal (`1.5`, `2`) in thousandths.
pub fn quantity_milli(q: f64) -> Result<i64, AmountError> {
    if !q.is_finite() || q <= 0.0 {
        return Err(AmountError::NotPositive);
    }
    let m = (q * 1000.0).round();
    if (m - q * 1000.0).abs() > 1e-6 {
        return Err(AmountError::TooPrecise);
    }
    if m > MAX_QUANTITY_MILLI as f64 {
        return Err(AmountError::TooLarge);
    }
    if m < 1.0 {
        return Err(AmountError::NotPositive);
    }
    Ok(m as i64)
}

/// Checks a unit price in fen (zero is allowed: a free item).
pub fn check_unit_price(fen: i64) -> Result<i64, AmountError> {
    if fen < 0 {
        Err(AmountError::NotPositive)
    } else if fen > MAX_UNIT_PRICE {
        Err(AmountError::TooLarge)
    } else {
        Ok(fen)
    }
}

/// The list amount of a line: quantity × unit price, rounded half away from zero to the fen.
pub fn line_amount(quantity_milli: i64, unit_price: i64) -> i64 {
    let p = i128::from(quantity_milli) * i128::from(unit_price);
    ((p + 500) / 1000) as i64
}

/// One priced line, as the totals see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Priced {
    /// Quantity × unit price.
    pub list: i64,
    /// Who pays it instead of the customer, if anyone.
    pub coverage: Option<Coverage>,
}

impl Priced {
    /// What the customer pays for this line.
    pub fn due(self) -> i64 {
        if self.coverage.is_some() {
            0
        } else {
            self.list
        }
    }
}

/// Sums of a set of lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Everything at list price.
    pub list: i64,
    /// The part covered by warranty, contract or goodwill.
    pub covered: i64,
    /// What the customer pays.
    pub due: i64,
}

/// The totals of `lines`.
pub fn totals(lines: impl IntoIterator<Item = Priced>) -> Totals {
    lines.into_iter().fold(Totals::default(), |mut t, l| {
        t.list += l.list;
        t.due += l.due();
        t.covered += l.list - l.due();
        t
    })
}

/// The price for a customer tier: the tier's own price when the list has one.
pub fn tier_price(
    base: i64,
    vip: Option<i64>,
    strategic: Option<i64>,
    tier: crate::customer::Tier,
) -> i64 {
    use crate::customer::Tier;
    match tier {
        Tier::Strategic => strategic.or(vip).unwrap_or(base),
        Tier::Vip => vip.unwrap_or(base),
        Tier::Standard => base,
    }
}

/// Where a quotation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStatus {
    /// Waiting for the customer.
    Sent,
    /// The customer agreed.
    Accepted,
    /// The customer refused.
    Declined,
    /// The charges changed after it was sent; a new quotation is needed.
    Superseded,
}

impl QuoteStatus {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteStatus::Sent => "sent",
            QuoteStatus::Accepted => "accepted",
            QuoteStatus::Declined => "declined",
            QuoteStatus::Superseded => "superseded",
        }
    }

    /// From its code.
    pub fn parse(s: &str) -> Option<QuoteStatus> {
        [
            QuoteStatus::Sent,
            QuoteStatus::Accepted,
            QuoteStatus::Declined,
            QuoteStatus::Superseded,
        ]
        .into_iter()
        .find(|q| q.as_str() == s)
    }

    /// Whether the quotation still speaks for the current charges (so a change supersedes it).
    pub fn is_live(self) -> bool {
        matches!(self, QuoteStatus::Sent | QuoteStatus::Accepted)
    }
}

/// `12345` fen as `123.45`.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A price typed as yuan (`88`, `88.5`, `1,280.00`, `¥88`) in fen.
pub fn parse_yuan(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || whole.len() > 12
    {
        return None;
    }
    let w: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let f: i64 = format!("{frac:0<2}").parse().ok()?;
    Some(w * 100 + f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Tier;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn entitlement_is_inclusive_of_the_end_day() {
        let day = d("2026-06-30");
        assert_eq!(
            Entitlement::on(Some(day), None, day),
            Entitlement::InWarranty
        );
        assert_eq!(
            Entitlement::on(Some(d("2026-06-29")), Some(day), day),
            Entitlement::InContract
        );
        assert_eq!(
            Entitlement::on(Some(d("2026-06-29")), None, day),
            Entitlement::Expired
        );
        assert_eq!(Entitlement::on(None, None, day), Entitlement::Unknown);
    }

    #[test]
    fn default_rules_bill_parts_under_contract_and_fees_always() {
        let r = ChargeRules::default();
        use ChargeKind::*;
        assert_eq!(r.coverage(Part, true, false), Some(Coverage::Warranty));
        assert_eq!(r.coverage(Labour, false, true), Some(Coverage::Contract));
        assert_eq!(r.coverage(Part, false, true), None);
        assert_eq!(r.coverage(Fee, true, true), None);
        assert_eq!(r.coverage(Labour, false, false), None);
    }

    #[test]
    fn a_contract_beside_the_warranty_covers_what_the_warranty_leaves_out() {
        let r = ChargeRules {
            warranty: vec![ChargeKind::Part],
            contract: vec![ChargeKind::Labour],
        };
        assert_eq!(
            r.coverage(ChargeKind::Labour, true, true),
            Some(Coverage::Contract)
        );
        assert_eq!(r.coverage(ChargeKind::Labour, true, false), None);
        assert_eq!(
            r.coverage(ChargeKind::Part, true, true),
            Some(Coverage::Warranty)
        );
        let day = d("2026-03-01");
        assert_eq!(
            running(Some(day), Some(d("2026-02-28")), day),
            (true, false)
        );
    }

    #[test]
    fn quantities_are_thousandths_and_amounts_round_half_up() {
        assert_eq!(quantity_milli(1.5), Ok(1500));
        assert_eq!(quantity_milli(2.0), Ok(2000));
        assert_eq!(quantity_milli(0.0), Err(AmountError::NotPositive));
        assert_eq!(quantity_milli(-1.0), Err(AmountError::NotPositive));
        assert_eq!(quantity_milli(f64::NAN), Err(AmountError::NotPositive));
        assert_eq!(quantity_milli(1.0005), Err(AmountError::TooPrecise));
        assert_eq!(quantity_milli(200_000.0), Err(AmountError::TooLarge));
        // 1.5 h × 120.00 = 180.00; 0.333 × 1.00 = 0.333 → 0.33; 0.335 × 1.00 → 0.34.
        assert_eq!(line_amount(1500, 12_000), 18_000);
        assert_eq!(line_amount(333, 100), 33);
        assert_eq!(line_amount(335, 100), 34);
        assert_eq!(
            line_amount(MAX_QUANTITY_MILLI, MAX_UNIT_PRICE),
            100_000_000_000_000
        );
    }

    #[test]
    fn totals_split_what_is_covered_from_what_is_due() {
        let t = totals([
            Priced {
                list: 18_000,
                coverage: Some(Coverage::Warranty),
            },
            Priced {
                list: 5_000,
                coverage: None,
            },
            Priced {
                list: 2_000,
                coverage: Some(Coverage::Goodwill),
            },
        ]);
        assert_eq!(
            t,
            Totals {
                list: 25_000,
                covered: 20_000,
                due: 5_000
            }
        );
    }

    #[test]
    fn tier_prices_fall_back_to_the_base() {
        assert_eq!(tier_price(100, Some(90), None, Tier::Strategic), 90);
        assert_eq!(tier_price(100, Some(90), Some(80), Tier::Strategic), 80);
        assert_eq!(tier_price(100, None, Some(80), Tier::Vip), 100);
        assert_eq!(tier_price(100, Some(90), Some(80), Tier::Standard), 100);
    }

    #[test]
    fn yuan_round_trips() {
        assert_eq!(yuan(12_345), "123.45");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-150), "-1.50");
        assert_eq!(parse_yuan("88"), Some(8_800));
        assert_eq!(parse_yuan("¥1,280.5"), Some(128_050));
        assert_eq!(parse_yuan(".5"), Some(50));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("-3"), None);
    }

    #[test]
    fn only_live_quotes_are_superseded() {
        assert!(QuoteStatus::Sent.is_live());
        assert!(QuoteStatus::Accepted.is_live());
        assert!(!QuoteStatus::Declined.is_live());
        assert_eq!(
            QuoteStatus::parse("superseded"),
            Some(QuoteStatus::Superseded)
        );
    }
}
