//! A load plan: the requests to time, written as JSON so the same tool can drive another
//! helpdesk's REST API (`bench/README.md`). Strings in paths, headers and bodies may hold
//! `{{…}}` placeholders, filled per request:
//!
//! - `{{n}}`: the request's sequence number within its scenario;
//! - `{{pool:NAME}}`: a random id from the pool NAME, collected before the scenarios run;
//! - `{{list:NAME}}`: a random entry of the plan's list NAME (search words, …);
//! - `{{days_ago:D}}`: an RFC 3339 instant a random 0–D days before now;
//! - `{{cursor}}`: in a walked scenario, the cursor the walk reached;
//! - `{{NAME}}`: a variable: `--var NAME=VALUE`, or captured by a setup request.
//!
//! In paths the filled values are percent-encoded; in headers and bodies they are copied.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use serde::Deserialize;
use serde_json::Value;

/// The built-in plan for kefu itself.
pub const KEFU_PLAN: &str = include_str!("../../../../../bench/kefu.json");

/// What to run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Requests made once, in order, before anything is timed (log in, create a token).
    #[serde(default)]
    pub setup: Vec<Request>,
    /// Id pools to collect before the scenarios.
    #[serde(default)]
    pub pools: BTreeMap<String, Pool>,
    /// Lists for `{{list:NAME}}`.
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<String>>,
    /// The timed scenarios, run one after another in this order.
    pub scenarios: Vec<Scenario>,
}

/// One request template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// HTTP method [default: GET].
    #[serde(default = "get")]
    pub method: String,
    /// Path and query, appended to the base URL.
    pub path: String,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// The status every answer must have [default: any 2xx].
    #[serde(default)]
    pub expect: Option<u16>,
    /// Setup only: variables to take from the JSON answer, name → JSON pointer.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
}

fn get() -> String {
    "GET".into()
}

/// Ids collected by repeating a listing request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pool {
    /// The listing request.
    #[serde(flatten)]
    pub request: Request,
    /// How many times to send it (each send may fill different placeholders).
    #[serde(default = "one")]
    pub requests: usize,
    /// JSON pointer to the array of items in the answer ("" when the answer is the array).
    #[serde(default)]
    pub items: String,
    /// JSON pointer to the id inside an item.
    pub id: String,
}

fn one() -> usize {
    1
}

/// A timed scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name in the report.
    pub name: String,
    /// The request.
    #[serde(flatten)]
    pub request: Request,
    /// Follow a cursor this many pages before timing (the deep page).
    #[serde(default)]
    pub walk: Option<Walk>,
    /// Another scenario (by name) sent at a fixed rate by one extra client while this one runs,
    /// so that what this one reads keeps changing.
    #[serde(default)]
    pub background: Option<Background>,
    /// Counts this scenario's throughput against a ceiling: `http` (the empty handler) or
    /// `insert` (raw single-row insert transactions).
    #[serde(default)]
    pub ceiling: Option<String>,
}

/// A cursor walk.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Walk {
    /// Pages to follow; the timed request is page `pages + 1`.
    pub pages: usize,
    /// JSON pointer to the next cursor in each answer.
    pub next: String,
}

/// Writes running beside a scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Background {
    /// The scenario whose request is sent.
    pub scenario: String,
    /// Requests per second.
    pub per_second: f64,
}

impl Plan {
    /// Parses and checks a plan.
    pub fn parse(text: &str) -> anyhow::Result<Plan> {
        let plan: Plan = serde_json::from_str(text).context("the plan is not valid")?;
        for s in &plan.scenarios {
            if let Some(b) = &s.background {
                if !plan.scenarios.iter().any(|o| o.name == b.scenario) {
                    bail!(
                        "scenario {}: background scenario {} is not in the plan",
                        s.name,
                        b.scenario
                    );
                }
                if b.per_second <= 0.0 {
                    bail!("scenario {}: background per_second must be > 0", s.name);
                }
            }
            if let Some(c) = &s.ceiling
                && c != "http"
                && c != "insert"
            {
                bail!(
                    "scenario {}: ceiling must be \"http\" or \"insert\"",
                    s.name
                );
            }
        }
        Ok(plan)
    }
}

/// Where placeholders get their values.
pub struct Fill<'a> {
    /// Variables (`--var` and setup captures).
    pub vars: &'a BTreeMap<String, String>,
    /// Id pools.
    pub pools: &'a BTreeMap<String, Vec<String>>,
    /// Lists.
    pub lists: &'a BTreeMap<String, Vec<String>>,
    /// The request's sequence number.
    pub n: usize,
    /// The walked cursor.
    pub cursor: &'a str,
    /// Randomness.
    pub rng: &'a mut Rng,
    /// The current instant, Unix seconds.
    pub now: i64,
}

impl Fill<'_> {
    /// `text` with every placeholder replaced; `encode` percent-encodes the values (paths).
    pub fn text(&mut self, text: &str, encode: bool) -> anyhow::Result<String> {
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .with_context(|| format!("unclosed {{{{ in {text:?}"))?;
            let value = self.value(after[..end].trim())?;
            if encode {
                percent_encode(&value, &mut out);
            } else {
                out.push_str(&value);
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A JSON body with placeholders filled in its strings.
    pub fn json(&mut self, v: &Value) -> anyhow::Result<Value> {
        Ok(match v {
            Value::String(s) => Value::String(self.text(s, false)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| self.json(i))
                    .collect::<anyhow::Result<_>>()?,
            ),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.json(v)?)))
                    .collect::<anyhow::Result<_>>()?,
            ),
            other => other.clone(),
        })
    }

    fn value(&mut self, name: &str) -> anyhow::Result<String> {
        if name == "n" {
            return Ok(self.n.to_string());
        }
        if name == "cursor" {
            return Ok(self.cursor.to_owned());
        }
        if let Some(pool) = name.strip_prefix("pool:") {
            let ids = self
                .pools
                .get(pool)
                .filter(|ids| !ids.is_empty())
                .with_context(|| format!("pool {pool} is missing or empty"))?;
            return Ok(ids[self.rng.below(ids.len())].clone());
        }
        if let Some(list) = name.strip_prefix("list:") {
            let items = self
                .lists
                .get(list)
                .filter(|l| !l.is_empty())
                .with_context(|| format!("list {list} is missing or empty"))?;
            return Ok(items[self.rng.below(items.len())].clone());
        }
        if let Some(days) = name.strip_prefix("days_ago:") {
            let days: i64 = days
                .parse()
                .with_context(|| format!("{{{{{name}}}}}: not a number of days"))?;
            let secs = self.rng.below((days.max(1) * 86_400) as usize) as i64;
            let at = chrono::DateTime::from_timestamp(self.now - secs, 0)
                .context("instant out of range")?;
            return Ok(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        self.vars
            .get(name)
            .cloned()
            .with_context(|| format!("{{{{{name}}}}} has no value (pass --var {name}=…)"))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Marsaglia's xorshift64: enough spread for picking ids, no dependency.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill_with<'a>(
        vars: &'a BTreeMap<String, String>,
        pools: &'a BTreeMap<String, Vec<String>>,
        lists: &'a BTreeMap<String, Vec<String>>,
        rng: &'a mut Rng,
    ) -> Fill<'a> {
        Fill {
            vars,
            pools,
            lists,
            n: 7,
            cursor: "a b/c",
            rng,
            now: 1_767_225_600,
        }
    }

    #[test]
    fn placeholders_are_filled_and_encoded_in_paths() {
        let vars = BTreeMap::from([("token".to_owned(), "t0k".to_owned())]);
        let pools = BTreeMap::from([("any".to_owned(), vec!["id-1".to_owned()])]);
        let lists = BTreeMap::from([("word".to_owned(), vec!["主轴 异响".to_owned()])]);
        let mut rng = Rng::new(3);
        let mut f = fill_with(&vars, &pools, &lists, &mut rng);
        assert_eq!(
            f.text("/t/{{pool:any}}?q={{list:word}}&c={{cursor}}&n={{n}}", true)
                .unwrap(),
            "/t/id-1?q=%E4%B8%BB%E8%BD%B4%20%E5%BC%82%E5%93%8D&c=a%20b%2Fc&n=7"
        );
        assert_eq!(f.text("Bearer {{token}}", false).unwrap(), "Bearer t0k");
        let body = serde_json::json!({"s": "工单 {{n}}", "k": [1, "{{token}}"]});
        assert_eq!(
            f.json(&body).unwrap(),
            serde_json::json!({"s": "工单 7", "k": [1, "t0k"]})
        );
        let at = f.text("{{days_ago:2}}", false).unwrap();
        assert!(
            at.as_str() <= "2026-01-01T00:00:00Z" && at.as_str() > "2025-12-29",
            "{at}"
        );
    }

    #[test]
    fn missing_values_are_named() {
        let empty = BTreeMap::new();
        let (pools, lists) = (BTreeMap::new(), BTreeMap::new());
        let mut rng = Rng::new(1);
        let mut f = fill_with(&empty, &pools, &lists, &mut rng);
        let e = f.text("{{token}}", false).unwrap_err().to_string();
        assert!(e.contains("--var token="), "{e}");
        let e = f.text("{{pool:open}}", false).unwrap_err().to_string();
        assert!(e.contains("pool open"), "{e}");
        assert!(f.text("{{n", false).is_err());
    }

    #[test]
    fn the_built_in_plan_parses() {
        let plan = Plan::parse(KEFU_PLAN).unwrap();
        let names: Vec<&str> = plan.scenarios.iter().map(|s| s.name.as_str()).collect();
        for wanted in [
            "create",
            "reply",
            "queue",
            "queue_deep",
            "ticket",
            "search",
            "counts",
        ] {
            assert!(names.contains(&wanted), "{names:?}");
        }
        let bad = r#"{"scenarios": [{"name": "a", "path": "/", "background": {"scenario": "b", "per_second": 1}}]}"#;
        assert!(Plan::parse(bad).is_err());
    }
}
