//! `/search`: staff search tickets and articles in one box (words, phrases, codes, `sn:`,
//! `order:`), filtered by kind, status, type and creation date, with highlighted snippets.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kefu_app::search::{self, SearchParams};
use serde::{Deserialize, Serialize};

use super::agent_queue::vocab;
use super::base;
use super::errors::page_error;
use super::render::render;
use super::session::Staff;
use crate::AppState;
use crate::extract::Query;

/// Hits per page.
const PAGE: usize = 20;

/// The form, as the browser sends it.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    kind: String,
    status: String,
    #[serde(rename = "type")]
    doc_type: String,
    from: String,
    to: String,
    offset: usize,
}

impl SearchForm {
    /// The form's values as a query string, without the offset.
    fn query_string(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("q", &self.q),
            ("kind", &self.kind),
            ("status", &self.status),
            ("type", &self.doc_type),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.as_str()))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// Midnight in China of a `YYYY-MM-DD` date, `days` later.
fn day_start(date: &str, days: i64) -> Option<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()? + chrono::Duration::days(days);
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// `GET /search`.
pub async fn page(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(f): Query<SearchForm>,
) -> Response {
    let vocab = match vocab(&s, &v).await {
        Ok(x) => x,
        Err(e) => return page_error(e, v.locale()),
    };
    // Articles are filtered by category (their "type" in the index).
    let categories: std::collections::BTreeMap<String, String> =
        match kefu_app::kb::list_categories(&s.app, Some(&v.actor)).await {
            Ok(list) => list
                .into_iter()
                .map(|c| (c.id.to_string(), c.name))
                .collect(),
            Err(e) => return page_error(e, v.locale()),
        };
    let (results, error) = if f.q.trim().is_empty() {
        (None, None)
    } else {
        let p = SearchParams {
            q: f.q.clone(),
            kind: opt(&f.kind),
            status: opt(&f.status),
            doc_type: opt(&f.doc_type),
            customer_id: None,
            from: day_start(&f.from, 0),
            // The "to" day is included.
            to: day_start(&f.to, 1),
            any: false,
            limit: Some(PAGE),
            offset: Some(f.offset),
        };
        match search::search(&s.app, &v.actor, p).await {
            Ok(r) => (Some(r), None),
            Err(kefu_app::AppError::Invalid(e)) => (None, e.first().map(|e| e.message.clone())),
            Err(e) => return page_error(e, v.locale()),
        }
    };
    render(
        "agent/search.html",
        ctx!(base(&v); p => f, query => f.query_string(), offset => f.offset, limit => PAGE,
            results, error, vocab, categories, section => "search"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_china_midnights_and_the_to_day_is_included() {
        assert_eq!(
            day_start("2026-11-05", 0).unwrap().to_rfc3339(),
            "2026-11-04T16:00:00+00:00"
        );
        assert_eq!(
            day_start("2026-11-05", 1).unwrap().to_rfc3339(),
            "2026-11-05T16:00:00+00:00"
        );
        assert!(day_start("", 0).is_none());
        assert!(day_start("5.11.2026", 0).is_none());
    }
}
