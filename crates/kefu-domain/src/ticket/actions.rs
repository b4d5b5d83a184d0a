//! Changes applied to a ticket in one go — by a macro an agent clicks, or by a trigger — and the
//! macros themselves.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Priority;
use super::canned::unknown_variables;

/// Who the ticket goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeAction {
    /// Whoever applies the macro (macros only).
    Me,
    /// Nobody (back to the team queue).
    Nobody,
    /// This person.
    User(Uuid),
}

/// What to change; absent parts leave the ticket as it is. Applied in this order: assignment,
/// priority, tags, note, reply, status.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TicketActions {
    /// New status (the workflow and its sign-offs apply).
    pub status: Option<String>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New team.
    pub team_id: Option<Uuid>,
    /// New assignee.
    pub assignee: Option<AssigneeAction>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to take off.
    pub remove_tags: Vec<String>,
    /// A public reply to the customer (mailed like an agent's), with `{{variables}}`.
    pub reply: Option<String>,
    /// An internal note, with `{{variables}}`.
    pub note: Option<String>,
}

impl TicketActions {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.priority.is_none()
            && self.team_id.is_none()
            && self.assignee.is_none()
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
            && self.reply.as_deref().is_none_or(|r| r.trim().is_empty())
            && self.note.as_deref().is_none_or(|r| r.trim().is_empty())
    }

    /// Problems as (field, message), fields relative to the actions.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (name, text) in [("reply", &self.reply), ("note", &self.note)] {
            if let Some(t) = text {
                if t.chars().count() > 20_000 {
                    out.push((name.to_owned(), "at most 20000 characters".to_owned()));
                }
                for v in unknown_variables(t) {
                    out.push((name.to_owned(), format!("no variable `{v}`")));
                }
            }
        }
        for (name, tags) in [
            ("add_tags", &self.add_tags),
            ("remove_tags", &self.remove_tags),
        ] {
            if tags
                .iter()
                .any(|t| t.trim().is_empty() || t.chars().count() > 50)
            {
                out.push((name.to_owned(), "tags are 1 to 50 characters".to_owned()));
            }
        }
        out
    }

    /// `tags` after adding and removing.
    pub fn retag(&self, tags: &[String]) -> Vec<String> {
        let mut out: Vec<String> = tags
            .iter()
            .filter(|t| !self.remove_tags.contains(t))
            .cloned()
            .collect();
        for t in &self.add_tags {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }
}

/// A macro: several changes an agent applies with one click.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Macro {
    /// Stable id.
    pub id: Uuid,
    /// Name on the button.
    pub name: String,
    /// What it does.
    pub actions: TicketActions,
}

/// Problems of a macro list as (index, field, message).
pub fn macro_problems(list: &[Macro]) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (i, m) in list.iter().enumerate() {
        if m.name.trim().is_empty() || m.name.chars().count() > 100 {
            out.push((i, "name".into(), "1 to 100 characters".into()));
        }
        if !ids.insert(m.id) {
            out.push((i, "id".into(), "used twice".into()));
        }
        if m.actions.is_empty() {
            out.push((i, "actions".into(), "the macro changes nothing".into()));
        }
        for (f, msg) in m.actions.problems() {
            out.push((i, format!("actions.{f}"), msg));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retag_removes_then_adds_without_duplicates() {
        let a = TicketActions {
            add_tags: vec!["待回访".into(), "vip".into()],
            remove_tags: vec!["新".into()],
            ..Default::default()
        };
        let tags = vec!["新".into(), "vip".into()];
        assert_eq!(a.retag(&tags), vec!["vip".to_string(), "待回访".into()]);
    }

    #[test]
    fn macros_that_change_nothing_or_use_unknown_variables_are_refused() {
        let ok = Macro {
            id: Uuid::from_u128(1),
            name: "已寄出配件".into(),
            actions: TicketActions {
                status: Some("pending_customer".into()),
                reply: Some("{{contact}}您好，配件已寄出。".into()),
                ..Default::default()
            },
        };
        assert!(macro_problems(std::slice::from_ref(&ok)).is_empty());
        let empty = Macro {
            id: Uuid::from_u128(2),
            name: "空".into(),
            actions: TicketActions {
                reply: Some("  ".into()),
                ..Default::default()
            },
        };
        let bad = Macro {
            id: Uuid::from_u128(1),
            name: "x".into(),
            actions: TicketActions {
                note: Some("{{nope}}".into()),
                ..Default::default()
            },
        };
        let p = macro_problems(&[ok, empty, bad]);
        let fields: Vec<(usize, &str)> = p.iter().map(|(i, f, _)| (*i, f.as_str())).collect();
        assert_eq!(fields, [(1, "actions"), (2, "id"), (2, "actions.note")]);
    }
}
