//! `/reports/surveys`: satisfaction results (supervisors and admins — the app asks for
//! `audit.read`): CSAT or NPS, per agent, team or customer, optionally for a period of days in
//! the viewer's time zone.

use axum::extract::State;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kefu_app::AppError;
use kefu_app::care::surveys::{self, SurveyResultsQuery};
use serde::Deserialize;

use super::base;
use super::errors::page_error;
use super::render::render;
use super::session::{Staff, Viewer};
use crate::AppState;
use crate::extract::Query;

/// The filter form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultsForm {
    /// `csat` (default) or `nps`.
    kind: String,
    /// `agent` (default), `team` or `customer`.
    by: String,
    /// First day (`YYYY-MM-DD`), inclusive.
    from: String,
    /// Last day (`YYYY-MM-DD`), inclusive.
    to: String,
}

/// The start of `day` (plus `days_later`) in the viewer's time zone.
fn day_start(
    v: &Viewer,
    field: &str,
    raw: &str,
    days_later: i64,
) -> Result<Option<DateTime<Utc>>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, "invalid", "a date, YYYY-MM-DD"))?
        + chrono::Duration::days(days_later);
    let tz: chrono_tz::Tz = v
        .user
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(tz
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc)))
}

/// `GET /reports/surveys?kind=csat|nps&by=agent|team|customer&from=&to=`.
pub async fn surveys(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(q): Query<ResultsForm>,
) -> Response {
    let kind = if q.kind == "nps" { "nps" } else { "csat" };
    let by = match q.by.as_str() {
        "team" => "team",
        "customer" => "customer",
        _ => "agent",
    };
    let r = async {
        let query = SurveyResultsQuery {
            kind: Some(kind.into()),
            by: Some(by.into()),
            from: day_start(&v, "from", &q.from, 0)?,
            to: day_start(&v, "to", &q.to, 1)?,
        };
        surveys::survey_results(&s.app, &v.actor, query).await
    }
    .await;
    match r {
        Ok(results) => render(
            "agent/survey_results.html",
            ctx!(base(&v); results, kind, by, from => q.from.trim(), to => q.to.trim(),
                section => "reports"),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}
