//! One condition of a routing rule: a ticket fact, an operator and a value.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::rule::TicketFacts;

/// Which fact a condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Ticket type code.
    Kind,
    /// Channel code.
    Channel,
    /// `P1`–`P4`.
    Priority,
    /// Customer tier (`standard`, `vip`, `strategic`; none without a customer).
    Tier,
    /// Customer region.
    Region,
    /// Product name of the asset.
    Product,
    /// Serial number of the asset.
    Serial,
    /// Customer id.
    Customer,
    /// Subject and description together (keywords).
    Text,
    /// A custom field of the ticket, by key.
    Custom(String),
}

/// How a fact is compared with the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal (text case-insensitive).
    Is,
    /// Not equal.
    IsNot,
    /// One of a list.
    In,
    /// Not one of a list.
    NotIn,
    /// Contains the text (case-insensitive).
    Contains,
    /// Contains any of a list of texts (case-insensitive).
    ContainsAny,
    /// Number ≥ value.
    Gte,
    /// Number ≤ value.
    Lte,
    /// The fact is present and not empty.
    Present,
}

/// `field op value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The fact.
    pub field: Field,
    /// The comparison.
    pub op: Op,
    /// The value (a string, a number, or a list for `in` / `not_in` / `contains_any`).
    #[serde(default)]
    pub value: Value,
}

/// The facts as conditions compare them: text lowercased once per ticket, not per condition.
pub(crate) struct Lowered {
    kind: String,
    channel: String,
    priority: &'static str,
    tier: Option<&'static str>,
    region: Option<String>,
    product: Option<String>,
    serial: Option<String>,
    customer: Option<String>,
    text: String,
}

impl Lowered {
    pub(crate) fn of(f: &TicketFacts) -> Lowered {
        let low = |s: &str| s.to_lowercase();
        Lowered {
            kind: low(&f.kind),
            channel: low(&f.channel),
            priority: match f.priority.as_str() {
                "P1" => "p1",
                "P2" => "p2",
                "P3" => "p3",
                _ => "p4",
            },
            tier: f.tier.map(|t| t.as_str()),
            region: f.region.as_deref().map(low),
            product: f.product.as_deref().map(low),
            serial: f.serial.as_deref().map(low),
            customer: f.customer_id.map(|c| c.to_string()),
            text: format!("{}\n{}", low(&f.subject), low(&f.description)),
        }
    }
}

/// A scalar value as text (numbers and booleans too), not lowercased.
fn text_of(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::String(s) => Some(std::borrow::Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(std::borrow::Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(std::borrow::Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// `a` (already lowercase) equals `b` ignoring case, without allocating.
fn eq_ci(a_lower: &str, b: &str) -> bool {
    a_lower.chars().eq(b.chars().flat_map(char::to_lowercase))
}

/// `hay` (already lowercase) contains `needle` ignoring case.
fn contains_ci(hay_lower: &str, needle: &str) -> bool {
    if needle.chars().any(char::is_uppercase) {
        hay_lower.contains(&needle.to_lowercase())
    } else {
        hay_lower.contains(needle)
    }
}

fn items(v: &Value) -> impl Iterator<Item = &Value> {
    match v {
        Value::Array(a) => a.iter().collect::<Vec<_>>().into_iter(),
        other => vec![other].into_iter(),
    }
}

impl Condition {
    /// Whether the facts satisfy this condition. A missing fact satisfies only `is_not` and
    /// `not_in`.
    pub fn holds(&self, f: &TicketFacts) -> bool {
        self.holds_lowered(f, &Lowered::of(f))
    }

    pub(crate) fn holds_lowered(&self, f: &TicketFacts, l: &Lowered) -> bool {
        let custom_text;
        // The fact as lowercase text, and as a number when it is one.
        let (fact, number): (Option<&str>, Option<f64>) = match &self.field {
            Field::Kind => (Some(&l.kind), None),
            Field::Channel => (Some(&l.channel), None),
            Field::Priority => (Some(l.priority), None),
            Field::Tier => (l.tier, None),
            Field::Region => (l.region.as_deref(), None),
            Field::Product => (l.product.as_deref(), None),
            Field::Serial => (l.serial.as_deref(), None),
            Field::Customer => (l.customer.as_deref(), None),
            Field::Text => (Some(&l.text), None),
            Field::Custom(key) => match f.custom_fields.get(key) {
                Some(v) => {
                    custom_text = text_of(v).map(|t| t.to_lowercase());
                    (custom_text.as_deref(), v.as_f64())
                }
                None => (None, None),
            },
        };
        let fact = fact.filter(|s| !s.is_empty());
        let value_is = |x: &Value| text_of(x).is_some_and(|t| fact.is_some_and(|f| eq_ci(f, &t)));
        match (self.op, fact) {
            (Op::Present, fact) => fact.is_some(),
            (Op::IsNot | Op::NotIn, None) => true,
            (_, None) => false,
            (Op::Is, Some(_)) => value_is(&self.value),
            (Op::IsNot, Some(_)) => !value_is(&self.value),
            (Op::In, Some(_)) => items(&self.value).any(value_is),
            (Op::NotIn, Some(_)) => !items(&self.value).any(value_is),
            (Op::Contains, Some(hay)) => text_of(&self.value).is_some_and(|n| contains_ci(hay, &n)),
            (Op::ContainsAny, Some(hay)) => items(&self.value)
                .filter_map(text_of)
                .any(|n| contains_ci(hay, &n)),
            (Op::Gte, Some(_)) => {
                matches!((number, self.value.as_f64()), (Some(a), Some(b)) if a >= b)
            }
            (Op::Lte, Some(_)) => {
                matches!((number, self.value.as_f64()), (Some(a), Some(b)) if a <= b)
            }
        }
    }

    /// Why this condition cannot be evaluated as written, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let needs_list = matches!(self.op, Op::In | Op::NotIn | Op::ContainsAny);
        let needs_number = matches!(self.op, Op::Gte | Op::Lte);
        if needs_list && !self.value.is_array() {
            return Some(format!("{:?} needs a list of values", self.op));
        }
        if needs_number && !self.value.is_number() {
            return Some(format!("{:?} needs a number", self.op));
        }
        if !needs_list && !needs_number && self.op != Op::Present && text_of(&self.value).is_none()
        {
            return Some(format!("{:?} needs a value", self.op));
        }
        if let Field::Custom(k) = &self.field
            && k.trim().is_empty()
        {
            return Some("custom field key is empty".into());
        }
        None
    }
}
