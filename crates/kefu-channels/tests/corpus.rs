//! The parser against our own corpus (`tests/corpus`, 50 hand-built messages of what a Chinese
//! manufacturer's support mailbox receives) and its expectations (`expected.json`). Every
//! mismatch is listed before the test fails.

use std::path::Path;

use kefu_channels::mail::{Noise, parse, strip_quoted, ticket_number_in};
use serde_json::Value;

fn noise_code(n: Option<Noise>) -> Value {
    n.map_or(Value::Null, |n| Value::String(n.code().into()))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn corpus_matches_expectations() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let expected: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    assert!(expected.len() >= 40);
    let mut problems = Vec::new();
    for (file, e) in &expected {
        let raw = std::fs::read(dir.join(file)).unwrap();
        let m = match parse(&raw) {
            Ok(m) => m,
            Err(err) => {
                problems.push(format!("{file}: does not parse: {err}"));
                continue;
            }
        };
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                problems.push(format!("{file}: {what}: got {got}"));
            }
        };
        if let Some(id) = e.get("message_id") {
            check(
                "message_id",
                id.as_str() == m.message_id.as_deref(),
                format!("{:?}", m.message_id),
            );
        }
        if let Some(s) = e.get("subject").and_then(Value::as_str) {
            check("subject", s == m.subject, format!("{:?}", m.subject));
        }
        let from = m.from.as_ref();
        if let Some(s) = e.get("from_email").and_then(Value::as_str) {
            // Addresses are kept lower-cased (matched without case).
            let want = s.to_lowercase();
            check(
                "from_email",
                Some(want.as_str()) == from.map(|f| f.email.as_str()),
                format!("{from:?}"),
            );
        }
        if let Some(s) = e.get("from_name").and_then(Value::as_str) {
            check(
                "from_name",
                Some(s) == from.and_then(|f| f.name.as_deref()),
                format!("{from:?}"),
            );
        }
        for s in strs(e.get("text_contains").unwrap_or(&Value::Null)) {
            check(
                &format!("text contains {s:?}"),
                m.text.contains(&s),
                format!("{:.300?}", m.text),
            );
        }
        for s in strs(e.get("text_excludes").unwrap_or(&Value::Null)) {
            check(
                &format!("text excludes {s:?}"),
                !m.text.contains(&s),
                format!("{:.300?}", m.text),
            );
        }
        let stripped = strip_quoted(&m.text);
        for s in strs(e.get("reply_stripped_contains").unwrap_or(&Value::Null)) {
            check(
                &format!("reply contains {s:?}"),
                stripped.contains(&s),
                format!("{stripped:.300?}"),
            );
        }
        for s in strs(e.get("reply_stripped_excludes").unwrap_or(&Value::Null)) {
            check(
                &format!("reply excludes {s:?}"),
                !stripped.contains(&s),
                format!("{stripped:.300?}"),
            );
        }
        if let Some(list) = e.get("attachments").and_then(Value::as_array) {
            let got: Vec<(String, bool, String)> = m
                .attachments
                .iter()
                .map(|a| (a.name.clone(), a.inline, a.content_type.clone()))
                .collect();
            let want: Vec<(String, bool, String)> = list
                .iter()
                .map(|a| {
                    (
                        a["name"].as_str().unwrap_or("").to_owned(),
                        a["inline"].as_bool().unwrap_or(false),
                        a["content_type"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            check(
                "attachments",
                got == want,
                format!("{got:?}, want {want:?}"),
            );
        }
        if let Some(v) = e.get("in_reply_to") {
            let want: Vec<String> = v.as_str().map(|s| vec![s.to_owned()]).unwrap_or_default();
            check(
                "in_reply_to",
                m.in_reply_to == want,
                format!("{:?}", m.in_reply_to),
            );
        }
        if let Some(v) = e.get("references") {
            check(
                "references",
                m.references == strs(v),
                format!("{:?}", m.references),
            );
        }
        if let Some(v) = e.get("ticket_number_in_subject") {
            let got = ticket_number_in(&m.subject, "SR");
            check(
                "ticket number",
                v.as_str() == got.as_deref(),
                format!("{got:?}"),
            );
        }
        if let Some(v) = e.get("noise") {
            check("noise", *v == noise_code(m.noise), format!("{:?}", m.noise));
        }
        if let Some(v) = e.get("bounce_original_message_id").and_then(Value::as_str) {
            check(
                "bounced id",
                Some(v) == m.bounced_message_id.as_deref(),
                format!("{:?}", m.bounced_message_id),
            );
        }
        check("no NUL in text", !m.text.contains('\0'), String::new());
    }
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
