//! Approval rules: which transitions of which ticket types need whose sign-off first
//! (a return/exchange needs a supervisor; a refund above an amount needs finance).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::access::Role;

/// One approval step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalRule {
    /// Name of the step, shown to requester and approver (e.g. `主管审批`).
    pub step: String,
    /// Ticket type it applies to (all types when absent).
    #[serde(default)]
    pub kind: Option<String>,
    /// Target status whose transition needs the sign-off.
    pub to: String,
    /// Who may approve (admins always may).
    pub approver_role: Role,
    /// Only when this custom field (a number) is at least `min_amount`.
    #[serde(default)]
    pub amount_field: Option<String>,
    /// Threshold for `amount_field`.
    #[serde(default)]
    pub min_amount: Option<f64>,
}

impl ApprovalRule {
    /// Whether moving a ticket of `kind` with `custom` fields to `to` needs this step.
    pub fn applies(&self, kind: &str, to: &str, custom: &Map<String, Value>) -> bool {
        if self.to != to || self.kind.as_deref().is_some_and(|k| k != kind) {
            return false;
        }
        match (&self.amount_field, self.min_amount) {
            (Some(field), Some(min)) => custom
                .get(field)
                .and_then(Value::as_f64)
                .is_some_and(|v| v >= min),
            _ => true,
        }
    }

    /// Whether `role` may decide this step.
    pub fn approvable_by(&self, role: Role) -> bool {
        role == self.approver_role || role == Role::Admin
    }

    /// Why the rule cannot be used as written, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        if self.step.trim().is_empty() {
            return Some("step name is empty");
        }
        if self.to.trim().is_empty() {
            return Some("target status is empty");
        }
        if self.approver_role == Role::Customer {
            return Some("customers cannot approve");
        }
        if self.amount_field.is_some() != self.min_amount.is_some() {
            return Some("amount_field and min_amount go together");
        }
        None
    }
}

/// The steps a transition needs, in rule order.
pub fn required_steps<'a>(
    rules: &'a [ApprovalRule],
    kind: &str,
    to: &str,
    custom: &Map<String, Value>,
) -> Vec<&'a ApprovalRule> {
    rules
        .iter()
        .filter(|r| r.applies(kind, to, custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn steps_follow_type_target_and_amount() {
        let rules: Vec<ApprovalRule> = serde_json::from_value(json!([
            {"step": "主管审批", "kind": "return_exchange", "to": "resolved", "approver_role": "supervisor"},
            {"step": "财务审批", "kind": "return_exchange", "to": "resolved", "approver_role": "finance",
             "amount_field": "refund_amount", "min_amount": 1000}
        ]))
        .unwrap();
        let small: Map<String, Value> =
            serde_json::from_value(json!({"refund_amount": 200})).unwrap();
        let big: Map<String, Value> =
            serde_json::from_value(json!({"refund_amount": 5000})).unwrap();
        let names =
            |v: Vec<&ApprovalRule>| v.into_iter().map(|r| r.step.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(required_steps(
                &rules,
                "return_exchange",
                "resolved",
                &small
            )),
            ["主管审批"]
        );
        assert_eq!(
            names(required_steps(&rules, "return_exchange", "resolved", &big)),
            ["主管审批", "财务审批"]
        );
        assert!(required_steps(&rules, "repair", "resolved", &big).is_empty());
        assert!(required_steps(&rules, "return_exchange", "on_site", &big).is_empty());
        assert!(rules[1].approvable_by(Role::Finance));
        assert!(rules[1].approvable_by(Role::Admin));
        assert!(!rules[1].approvable_by(Role::Supervisor));
        let mut bad = rules[1].clone();
        bad.min_amount = None;
        assert!(bad.problem().is_some());
    }
}
