//! Canned replies: saved answers with variables such as `{{customer}}` or `{{number}}`,
//! filled in for the ticket at hand.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One saved answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    /// Stable id.
    pub id: Uuid,
    /// Title shown in the picker.
    pub title: String,
    /// Text with `{{variable}}` placeholders.
    pub body: String,
}

/// Variables a canned reply may use.
pub const VARIABLES: [&str; 6] = [
    "customer", "contact", "number", "subject", "agent", "status",
];

/// Replaces each `{{name}}` (spaces inside allowed) with its value; unknown names stay as
/// written so a typo is visible instead of silently vanishing.
pub fn fill(body: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match vars.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Placeholders in `body` that are not known variables.
pub fn unknown_variables(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim();
        if !VARIABLES.contains(&name) {
            out.push(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_are_filled_and_unknown_ones_kept() {
        let vars = BTreeMap::from([
            ("customer", "苏州精工".to_owned()),
            ("number", "SR-202611-000001".to_owned()),
        ]);
        assert_eq!(
            fill(
                "{{ customer }}您好，工单 {{number}} 已受理。{{oops}} {{",
                &vars
            ),
            "苏州精工您好，工单 SR-202611-000001 已受理。{{oops}} {{"
        );
        assert_eq!(unknown_variables("{{customer}} {{ oops }}"), vec!["oops"]);
    }
}
