//! Custom field definitions and validation of submitted values.
//!
//! Admins define fields per entity (ticket, customer); values travel as a JSON object keyed by
//! field key. Validation rejects unknown keys, wrong types and missing required values, and
//! reports every problem at once with a stable code per field.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a custom field holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text up to `max_len` characters.
    Text {
        /// Maximum length in characters.
        max_len: usize,
    },
    /// A number, optionally bounded.
    Number {
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
    },
    /// A calendar date `YYYY-MM-DD`.
    Date,
    /// Yes/no.
    Checkbox,
    /// One of the listed options.
    Select {
        /// Allowed option codes.
        options: Vec<String>,
    },
    /// Any subset of the listed options.
    MultiSelect {
        /// Allowed option codes.
        options: Vec<String>,
    },
    /// A staff user, by id.
    User,
    /// A customer, by id.
    Customer,
}

/// One custom field definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    /// Stable key used in JSON.
    pub key: String,
    /// Label in Simplified Chinese.
    pub label_zh: String,
    /// Label in English.
    pub label_en: String,
    /// Type and constraints.
    pub kind: FieldKind,
    /// Whether a value must be present.
    #[serde(default)]
    pub required: bool,
}

/// One problem with one submitted field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// The field key, as submitted.
    pub field: String,
    /// Stable machine code (`unknown_field`, `required`, `wrong_type`, `too_long`, `out_of_range`,
    /// `invalid_option`, `invalid_date`).
    pub code: &'static str,
    /// Human-readable detail in English.
    pub message: String,
}

fn violation(field: &str, code: &'static str, message: impl Into<String>) -> FieldViolation {
    FieldViolation {
        field: field.to_owned(),
        code,
        message: message.into(),
    }
}

/// Validates `values` against `defs`, returning the cleaned map (nulls dropped) or every problem.
pub fn validate(
    defs: &[FieldDef],
    values: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<FieldViolation>> {
    let mut problems = Vec::new();
    let mut out = Map::new();
    for key in values.keys() {
        if !defs.iter().any(|d| &d.key == key) {
            problems.push(violation(
                key,
                "unknown_field",
                format!("no custom field `{key}` is defined"),
            ));
        }
    }
    for def in defs {
        match values.get(&def.key) {
            None | Some(Value::Null) => {
                if def.required {
                    problems.push(violation(&def.key, "required", "a value is required"));
                }
            }
            Some(v) => match check(def, v) {
                Ok(()) => {
                    out.insert(def.key.clone(), v.clone());
                }
                Err(p) => problems.push(p),
            },
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn check(def: &FieldDef, v: &Value) -> Result<(), FieldViolation> {
    let key = def.key.as_str();
    let wrong = |expected: &str| violation(key, "wrong_type", format!("expected {expected}"));
    match &def.kind {
        FieldKind::Text { max_len } => {
            let s = v.as_str().ok_or_else(|| wrong("a string"))?;
            if s.chars().count() > *max_len {
                return Err(violation(
                    key,
                    "too_long",
                    format!("at most {max_len} characters"),
                ));
            }
        }
        FieldKind::Number { min, max } => {
            let n = v.as_f64().ok_or_else(|| wrong("a number"))?;
            if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                return Err(violation(
                    key,
                    "out_of_range",
                    format!("must be within {min:?}..{max:?}"),
                ));
            }
        }
        FieldKind::Date => {
            let s = v
                .as_str()
                .ok_or_else(|| wrong("a date string YYYY-MM-DD"))?;
            if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() {
                return Err(violation(key, "invalid_date", "expected YYYY-MM-DD"));
            }
        }
        FieldKind::Checkbox => {
            v.as_bool().ok_or_else(|| wrong("true or false"))?;
        }
        FieldKind::Select { options } => {
            let s = v.as_str().ok_or_else(|| wrong("a string"))?;
            if !options.iter().any(|o| o == s) {
                return Err(violation(
                    key,
                    "invalid_option",
                    format!("`{s}` is not one of {options:?}"),
                ));
            }
        }
        FieldKind::User | FieldKind::Customer => {
            let s = v.as_str().ok_or_else(|| wrong("an id"))?;
            if uuid::Uuid::parse_str(s).is_err() {
                return Err(violation(key, "invalid_id", "expected an id (UUID)"));
            }
        }
        FieldKind::MultiSelect { options } => {
            let arr = v.as_array().ok_or_else(|| wrong("an array of strings"))?;
            for item in arr {
                let s = item.as_str().ok_or_else(|| wrong("an array of strings"))?;
                if !options.iter().any(|o| o == s) {
                    return Err(violation(
                        key,
                        "invalid_option",
                        format!("`{s}` is not one of {options:?}"),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Problems with a set of field definitions (as an admin edits them): keys are lowercase
/// identifiers and unique, labels present, select options present and unique, bounds ordered.
pub fn check_defs(defs: &[FieldDef]) -> Vec<FieldViolation> {
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for d in defs {
        let k = d.key.as_str();
        let valid_key = k.len() <= 40
            && k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_key {
            problems.push(violation(
                k,
                "invalid_key",
                "lowercase letters, digits and _, starting with a letter, at most 40",
            ));
        }
        if !seen.insert(k) {
            problems.push(violation(k, "duplicate_key", "keys must be unique"));
        }
        if d.label_zh.trim().is_empty() || d.label_en.trim().is_empty() {
            problems.push(violation(k, "label_required", "both labels are required"));
        }
        match &d.kind {
            FieldKind::Select { options } | FieldKind::MultiSelect { options } => {
                let unique: std::collections::BTreeSet<_> = options.iter().collect();
                if options.is_empty() || options.iter().any(|o| o.trim().is_empty()) {
                    problems.push(violation(k, "options_required", "list at least one option"));
                } else if unique.len() != options.len() {
                    problems.push(violation(k, "duplicate_option", "options must be unique"));
                }
            }
            FieldKind::Number {
                min: Some(a),
                max: Some(b),
            } if a > b => {
                problems.push(violation(k, "invalid_range", "min must not exceed max"));
            }
            FieldKind::Text { max_len } if *max_len == 0 || *max_len > 10_000 => {
                problems.push(violation(k, "invalid_length", "max_len must be 1 to 10000"));
            }
            _ => {}
        }
    }
    problems
}

/// Turns the strings of an HTML form into the JSON values `validate` expects, by field type:
/// numbers parsed, checkboxes as booleans, multi-selects as arrays. Unknown keys and values
/// that do not parse are passed on as strings, so `validate` reports them.
pub fn from_form(defs: &[FieldDef], pairs: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, raw) in pairs {
        let raw = raw.trim();
        let def = defs.iter().find(|d| &d.key == key);
        match def.map(|d| &d.kind) {
            Some(FieldKind::MultiSelect { .. }) => {
                let entry = out
                    .entry(key.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = entry
                    && !raw.is_empty()
                {
                    a.push(Value::String(raw.to_owned()));
                }
            }
            _ if raw.is_empty() => {}
            Some(FieldKind::Number { .. }) => {
                let v = raw
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(raw.to_owned()), Value::Number);
                out.insert(key.clone(), v);
            }
            Some(FieldKind::Checkbox) => {
                out.insert(key.clone(), Value::Bool(matches!(raw, "true" | "on" | "1")));
            }
            _ => {
                out.insert(key.clone(), Value::String(raw.to_owned()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_follow_the_field_types() {
        let defs = vec![
            FieldDef {
                key: "code".into(),
                label_zh: "代码".into(),
                label_en: "Code".into(),
                kind: FieldKind::Text { max_len: 20 },
                required: false,
            },
            FieldDef {
                key: "hours".into(),
                label_zh: "工时".into(),
                label_en: "Hours".into(),
                kind: FieldKind::Number {
                    min: Some(0.0),
                    max: None,
                },
                required: false,
            },
            FieldDef {
                key: "parts".into(),
                label_zh: "备件".into(),
                label_en: "Parts".into(),
                kind: FieldKind::MultiSelect {
                    options: vec!["a".into(), "b".into()],
                },
                required: false,
            },
        ];
        let pairs = [
            ("code".to_owned(), "123".to_owned()),
            ("hours".to_owned(), "1.5".to_owned()),
            ("parts".to_owned(), "a".to_owned()),
            ("parts".to_owned(), "b".to_owned()),
        ];
        let m = from_form(&defs, &pairs);
        assert_eq!(m["code"], Value::String("123".into()), "text stays text");
        assert_eq!(m["hours"], serde_json::json!(1.5));
        assert_eq!(m["parts"], serde_json::json!(["a", "b"]));
        assert!(validate(&defs, &m).is_ok());
        assert!(check_defs(&defs).is_empty());
        let mut bad = defs.clone();
        bad.push(bad[0].clone());
        bad[1].key = "Hours".into();
        let codes: Vec<_> = check_defs(&bad).into_iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["invalid_key", "duplicate_key"]);
    }
    use serde_json::json;

    fn defs() -> Vec<FieldDef> {
        vec![
            FieldDef {
                key: "machine_hours".into(),
                label_zh: "运行小时".into(),
                label_en: "Machine hours".into(),
                kind: FieldKind::Number {
                    min: Some(0.0),
                    max: None,
                },
                required: true,
            },
            FieldDef {
                key: "fault".into(),
                label_zh: "故障类别".into(),
                label_en: "Fault".into(),
                kind: FieldKind::Select {
                    options: vec!["electrical".into(), "mechanical".into()],
                },
                required: false,
            },
        ]
    }

    #[test]
    fn accepts_valid_values_and_drops_nulls() {
        let v = json!({"machine_hours": 1200, "fault": null});
        let out = validate(&defs(), v.as_object().unwrap()).unwrap();
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn reports_every_problem_with_codes() {
        let v = json!({"fault": "hydraulic", "colour": "red"});
        let errs = validate(&defs(), v.as_object().unwrap()).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert!(codes.contains(&("colour", "unknown_field")));
        assert!(codes.contains(&("machine_hours", "required")));
        assert!(codes.contains(&("fault", "invalid_option")));
        let v = json!({"machine_hours": -1});
        assert_eq!(
            validate(&defs(), v.as_object().unwrap()).unwrap_err()[0].code,
            "out_of_range"
        );
    }
}
