//! The configurable status workflow: which statuses exist and which transitions are allowed.
//!
//! The default is the after-sales flow most of our users run:
//! `new → open → pending_customer / pending_parts / on_site → resolved → closed`, with reopen.

use serde::{Deserialize, Serialize};

use crate::access::Permission;

/// What a status means to the rest of the system, whatever admins call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCategory {
    /// Not yet looked at.
    New,
    /// Being worked on.
    Open,
    /// Waiting on someone else (customer, parts, a visit).
    Pending,
    /// Solved, can still be reopened.
    Resolved,
    /// Final.
    Closed,
}

/// One status of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDef {
    /// Stable code, e.g. `pending_customer`.
    pub key: String,
    /// Label in Simplified Chinese.
    pub name_zh: String,
    /// Label in English.
    pub name_en: String,
    /// What the status means.
    pub category: StatusCategory,
}

/// One allowed move between statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Status moved from.
    pub from: String,
    /// Status moved to.
    pub to: String,
    /// Permission the actor needs beyond `ticket.update`, if any.
    #[serde(default)]
    pub requires: Option<Permission>,
}

/// A complete status workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// Statuses; the first one is where new tickets start.
    pub statuses: Vec<StatusDef>,
    /// Allowed transitions.
    pub transitions: Vec<Transition>,
}

/// Why a transition or a workflow definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The status is not part of the workflow.
    #[error("unknown status `{0}`")]
    UnknownStatus(String),
    /// The workflow has no such transition.
    #[error("transition from `{from}` to `{to}` is not allowed")]
    NotAllowed {
        /// Current status.
        from: String,
        /// Requested status.
        to: String,
    },
    /// The transition needs a permission the actor lacks.
    #[error("transition from `{from}` to `{to}` needs permission `{permission}`")]
    MissingPermission {
        /// Current status.
        from: String,
        /// Requested status.
        to: String,
        /// The permission needed.
        permission: &'static str,
    },
    /// A workflow definition is inconsistent.
    #[error("invalid workflow: {0}")]
    InvalidWorkflow(String),
}

fn status(key: &str, zh: &str, en: &str, category: StatusCategory) -> StatusDef {
    StatusDef {
        key: key.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        category,
    }
}

impl Default for Workflow {
    fn default() -> Self {
        use StatusCategory::*;
        let statuses = vec![
            status("new", "新建", "New", New),
            status("open", "处理中", "Open", Open),
            status(
                "pending_customer",
                "待客户回复",
                "Pending customer",
                Pending,
            ),
            status("pending_parts", "待备件", "Pending parts", Pending),
            status("on_site", "上门服务中", "On site", Pending),
            status("resolved", "已解决", "Resolved", Resolved),
            status("closed", "已关闭", "Closed", Closed),
        ];
        let mut transitions = Vec::new();
        let mut allow = |from: &str, to: &str, requires: Option<Permission>| {
            transitions.push(Transition {
                from: from.into(),
                to: to.into(),
                requires,
            })
        };
        let working = ["open", "pending_customer", "pending_parts", "on_site"];
        allow("new", "open", None);
        allow("new", "resolved", None);
        allow("new", "closed", None);
        for from in working {
            for to in working {
                if from != to {
                    allow(from, to, None);
                }
            }
            allow(from, "resolved", None);
        }
        allow("resolved", "closed", None);
        allow("resolved", "open", None);
        allow("closed", "open", Some(Permission::TicketReopen));
        let wf = Workflow {
            statuses,
            transitions,
        };
        debug_assert!(wf.validate().is_ok());
        wf
    }
}

impl Workflow {
    /// Checks that keys are unique and transitions name known statuses.
    pub fn validate(&self) -> Result<(), TransitionError> {
        if self.statuses.is_empty() {
            return Err(TransitionError::InvalidWorkflow("no statuses".into()));
        }
        for (i, s) in self.statuses.iter().enumerate() {
            if self.statuses[..i].iter().any(|o| o.key == s.key) {
                return Err(TransitionError::InvalidWorkflow(format!(
                    "duplicate status `{}`",
                    s.key
                )));
            }
        }
        for t in &self.transitions {
            self.status(&t.from)?;
            self.status(&t.to)?;
        }
        Ok(())
    }

    /// The status new tickets start in.
    pub fn initial(&self) -> &StatusDef {
        &self.statuses[0]
    }

    /// Looks up a status by key.
    pub fn status(&self, key: &str) -> Result<&StatusDef, TransitionError> {
        self.statuses
            .iter()
            .find(|s| s.key == key)
            .ok_or_else(|| TransitionError::UnknownStatus(key.to_owned()))
    }

    /// Keys of the statuses that mean the work is done (resolved or closed).
    pub fn finished_statuses(&self) -> Vec<String> {
        self.statuses
            .iter()
            .filter(|s| {
                matches!(
                    s.category,
                    StatusCategory::Resolved | StatusCategory::Closed
                )
            })
            .map(|s| s.key.clone())
            .collect()
    }

    /// Keys of the statuses still being worked on (every status but the finished ones).
    pub fn unfinished_statuses(&self) -> Vec<String> {
        let finished = self.finished_statuses();
        self.statuses
            .iter()
            .map(|s| s.key.clone())
            .filter(|k| !finished.contains(k))
            .collect()
    }

    /// Statuses reachable from `from` for an actor holding `perms`.
    pub fn next_statuses<'a>(
        &'a self,
        from: &'a str,
        perms: &'a [Permission],
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.transitions
            .iter()
            .filter(move |t| t.from == from && t.requires.is_none_or(|p| perms.contains(&p)))
            .map(|t| t.to.as_str())
    }

    /// Checks a move for an actor holding `perms`.
    pub fn check(&self, from: &str, to: &str, perms: &[Permission]) -> Result<(), TransitionError> {
        self.status(from)?;
        self.status(to)?;
        let t = self
            .transitions
            .iter()
            .find(|t| t.from == from && t.to == to)
            .ok_or_else(|| TransitionError::NotAllowed {
                from: from.into(),
                to: to.into(),
            })?;
        match t.requires {
            Some(p) if !perms.contains(&p) => Err(TransitionError::MissingPermission {
                from: from.into(),
                to: to.into(),
                permission: p.as_str(),
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_flow_allows_the_usual_path_and_refuses_shortcuts() {
        let wf = Workflow::default();
        wf.validate().unwrap();
        assert_eq!(wf.initial().key, "new");
        for (a, b) in [
            ("new", "open"),
            ("open", "pending_parts"),
            ("pending_parts", "open"),
            ("open", "resolved"),
            ("resolved", "closed"),
            ("resolved", "open"),
        ] {
            wf.check(a, b, &[]).unwrap();
        }
        assert!(matches!(
            wf.check("closed", "resolved", &[]),
            Err(TransitionError::NotAllowed { .. })
        ));
        assert!(matches!(
            wf.check("closed", "open", &[]),
            Err(TransitionError::MissingPermission { .. })
        ));
        wf.check("closed", "open", &[Permission::TicketReopen])
            .unwrap();
        assert!(matches!(
            wf.check("open", "nope", &[]),
            Err(TransitionError::UnknownStatus(_))
        ));
        // Every status is either finished or still being worked on, never both.
        let (done, open) = (wf.finished_statuses(), wf.unfinished_statuses());
        assert_eq!(done, ["resolved", "closed"]);
        assert!(open.contains(&"new".to_owned()) && open.contains(&"pending_parts".to_owned()));
        assert_eq!(done.len() + open.len(), wf.statuses.len());
    }

    #[test]
    fn validate_rejects_unknown_transition_targets() {
        let mut wf = Workflow::default();
        wf.transitions.push(Transition {
            from: "open".into(),
            to: "limbo".into(),
            requires: None,
        });
        assert!(wf.validate().is_err());
    }
}
