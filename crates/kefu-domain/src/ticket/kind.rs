//! Ticket types and the channels tickets arrive through.

use serde::{Deserialize, Serialize};

/// Built-in ticket types. Admins may add their own, stored as plain codes; a custom code must
/// be lowercase ASCII letters, digits, `_` or `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketKind(String);

impl TicketKind {
    /// The built-in type codes with their zh-CN and English labels.
    pub const BUILT_IN: [(&'static str, &'static str, &'static str); 6] = [
        ("inquiry", "咨询", "Inquiry"),
        ("repair", "维修", "Repair"),
        ("installation", "安装", "Installation"),
        ("return_exchange", "退换货", "Return / exchange"),
        ("complaint", "投诉", "Complaint"),
        ("suggestion", "建议", "Suggestion"),
    ];

    /// Validates a type code's syntax; whether a custom code is configured is checked by the app.
    pub fn parse(code: &str) -> Option<Self> {
        let ok = !code.is_empty()
            && code.len() <= 40
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        ok.then(|| TicketKind(code.to_owned()))
    }

    /// True for the six types every installation has.
    pub fn is_built_in(&self) -> bool {
        Self::BUILT_IN.iter().any(|(c, _, _)| *c == self.0)
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a ticket came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Created by an agent in the web workspace.
    #[default]
    Web,
    /// Created through the REST API.
    Api,
    /// Inbound email.
    Email,
    /// Customer portal.
    Portal,
    /// Web chat widget.
    Chat,
    /// WeChat official account.
    Wechat,
    /// Logged phone call.
    Phone,
    /// Proactive monitoring event.
    Monitoring,
}

impl Channel {
    /// All channels.
    pub const ALL: [Channel; 8] = [
        Channel::Web,
        Channel::Api,
        Channel::Email,
        Channel::Portal,
        Channel::Chat,
        Channel::Wechat,
        Channel::Phone,
        Channel::Monitoring,
    ];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Api => "api",
            Channel::Email => "email",
            Channel::Portal => "portal",
            Channel::Chat => "chat",
            Channel::Wechat => "wechat",
            Channel::Phone => "phone",
            Channel::Monitoring => "monitoring",
        }
    }

    /// Parses the stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}
