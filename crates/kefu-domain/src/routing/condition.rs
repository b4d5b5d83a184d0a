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

fn lower(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(lower).collect(),
        other => lower(other).into_iter().collect(),
    }
}

impl Condition {
    /// Whether the facts satisfy this condition. A missing fact satisfies only `is_not` and
    /// `not_in`.
    pub fn holds(&self, f: &TicketFacts) -> bool {
        let fact: Option<Value> = match &self.field {
            Field::Kind => Some(Value::String(f.kind.clone())),
            Field::Channel => Some(Value::String(f.channel.clone())),
            Field::Priority => Some(Value::String(f.priority.as_str().to_owned())),
            Field::Tier => f.tier.map(|t| Value::String(t.as_str().to_owned())),
            Field::Region => f.region.clone().map(Value::String),
            Field::Product => f.product.clone().map(Value::String),
            Field::Serial => f.serial.clone().map(Value::String),
            Field::Customer => f.customer_id.map(|c| Value::String(c.to_string())),
            Field::Text => Some(Value::String(format!("{}\n{}", f.subject, f.description))),
            Field::Custom(key) => f.custom_fields.get(key).cloned(),
        };
        let fact = fact.filter(|v| !v.is_null() && v.as_str() != Some(""));
        match (self.op, fact) {
            (Op::Present, fact) => fact.is_some(),
            (Op::IsNot | Op::NotIn, None) => true,
            (_, None) => false,
            (Op::Is, Some(v)) => lower(&v) == lower(&self.value),
            (Op::IsNot, Some(v)) => lower(&v) != lower(&self.value),
            (Op::In, Some(v)) => lower(&v).is_some_and(|x| list(&self.value).contains(&x)),
            (Op::NotIn, Some(v)) => lower(&v).is_none_or(|x| !list(&self.value).contains(&x)),
            (Op::Contains, Some(v)) => match (lower(&v), lower(&self.value)) {
                (Some(hay), Some(needle)) => hay.contains(&needle),
                _ => false,
            },
            (Op::ContainsAny, Some(v)) => lower(&v)
                .is_some_and(|hay| list(&self.value).iter().any(|n| hay.contains(n.as_str()))),
            (Op::Gte, Some(v)) => {
                matches!((v.as_f64(), self.value.as_f64()), (Some(a), Some(b)) if a >= b)
            }
            (Op::Lte, Some(v)) => {
                matches!((v.as_f64(), self.value.as_f64()), (Some(a), Some(b)) if a <= b)
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
        if !needs_list && !needs_number && self.op != Op::Present && lower(&self.value).is_none() {
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
