//! Customers: service tier and kind.

use serde::{Deserialize, Serialize};

/// Service tier of a customer; SLA targets may differ per tier.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Ordinary customers.
    #[default]
    Standard,
    /// VIP customers (重要客户).
    Vip,
    /// Strategic accounts (战略客户).
    Strategic,
}

impl Tier {
    /// All tiers, lowest first.
    pub const ALL: [Tier; 3] = [Tier::Standard, Tier::Vip, Tier::Strategic];

    /// Stable string code, as stored and as sent over the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Standard => "standard",
            Tier::Vip => "vip",
            Tier::Strategic => "strategic",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// Whether a customer is a company or a private person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CustomerKind {
    /// A company (企业客户).
    #[default]
    Company,
    /// A private person (个人客户).
    Person,
}

impl CustomerKind {
    /// Stable string code.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerKind::Company => "company",
            CustomerKind::Person => "person",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        [CustomerKind::Company, CustomerKind::Person]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Lifecycle stage of a customer relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Prospect, not yet buying (潜在客户).
    Prospect,
    /// Active customer (活跃客户).
    #[default]
    Active,
    /// At risk of churning (流失风险).
    AtRisk,
    /// Churned (已流失).
    Churned,
}

impl Lifecycle {
    /// Stable string code.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Prospect => "prospect",
            Lifecycle::Active => "active",
            Lifecycle::AtRisk => "at_risk",
            Lifecycle::Churned => "churned",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Lifecycle::Prospect,
            Lifecycle::Active,
            Lifecycle::AtRisk,
            Lifecycle::Churned,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
