//! Ticket priority P1 (most urgent) to P4.

use serde::{Deserialize, Serialize};

/// Ticket priority; P1 is the most urgent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Priority {
    /// Critical: production down (紧急).
    P1,
    /// High (高).
    P2,
    /// Normal (中).
    #[default]
    P3,
    /// Low (低).
    P4,
}

impl Priority {
    /// All priorities, most urgent first.
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];

    /// One step more urgent (P1 stays P1).
    pub fn raised(self) -> Priority {
        match self {
            Priority::P1 | Priority::P2 => Priority::P1,
            Priority::P3 => Priority::P2,
            Priority::P4 => Priority::P3,
        }
    }

    /// Stable code ("P1".."P4").
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }

    /// Parses "P1".."P4" (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    /// Weight used when balancing load: a P1 counts as much work as several P4s.
    pub fn weight(self) -> u32 {
        match self {
            Priority::P1 => 8,
            Priority::P2 => 4,
            Priority::P3 => 2,
            Priority::P4 => 1,
        }
    }
}
