//! Survey results: answers counted and scored in SQL, overall and per ticket, agent, team or
//! customer, with the response rate of the period.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::survey::{SurveyKind, Tally};
use kefu_store::entity::survey;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, AppError, require};

/// Which results.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SurveyResultsQuery {
    /// `csat` (default) or `nps`.
    #[serde(default)]
    pub kind: Option<String>,
    /// `agent`, `team`, `customer`, `ticket`, or none for the total only.
    #[serde(default)]
    pub by: Option<String>,
    /// Answers from (inclusive).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Answers until (exclusive).
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

/// The figures of one group (or of all answers).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResultRow {
    /// Agent, team, customer or ticket id; none for answers without one.
    pub key: Option<Uuid>,
    /// Its name (ticket number for tickets).
    pub name: String,
    /// Answers.
    pub responses: u32,
    /// Mean score.
    pub average: Option<f64>,
    /// CSAT: share of 4 and 5, percent.
    pub csat_percent: Option<f64>,
    /// NPS: promoters minus detractors, percent.
    pub nps: Option<i32>,
    /// NPS promoters (9–10).
    pub promoters: u32,
    /// NPS detractors (0–6).
    pub detractors: u32,
}

/// Results of one kind of survey.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyResults {
    /// `csat` or `nps`.
    pub kind: String,
    /// Surveys sent in the period (answered, waiting or expired).
    pub sent: u64,
    /// Of those, answered.
    pub answered: u64,
    /// answered / sent, percent.
    pub response_rate: Option<f64>,
    /// All answers of the period.
    pub total: ResultRow,
    /// Per group, most answers first (at most 500).
    pub groups: Vec<ResultRow>,
}

fn row(kind: SurveyKind, key: Option<Uuid>, name: String, t: &Tally) -> ResultRow {
    ResultRow {
        key,
        name,
        responses: t.responses,
        average: t.average(),
        csat_percent: (kind == SurveyKind::Csat)
            .then(|| t.csat_percent())
            .flatten(),
        nps: (kind == SurveyKind::Nps).then(|| t.nps()).flatten(),
        promoters: t.promoters,
        detractors: t.detractors,
    }
}

type Agg = (Option<Uuid>, i64, i64, i64, i64, i64);

/// The results (`audit.read`: supervisors and admins).
pub async fn survey_results(
    app: &App,
    actor: &Actor,
    q: SurveyResultsQuery,
) -> Result<SurveyResults, AppError> {
    require(actor, Permission::AuditRead)?;
    let kind = SurveyKind::parse(q.kind.as_deref().unwrap_or("csat"))
        .ok_or_else(|| AppError::invalid("kind", "invalid", "csat or nps"))?;
    let group_col = match q.by.as_deref() {
        None | Some("") => None,
        Some("agent") => Some(survey::Column::AgentId),
        Some("team") => Some(survey::Column::TeamId),
        Some("customer") => Some(survey::Column::CustomerId),
        Some("ticket") => Some(survey::Column::TicketId),
        Some(_) => {
            return Err(AppError::invalid(
                "by",
                "invalid",
                "agent, team, customer or ticket",
            ));
        }
    };
    let db = app.store.conn();
    let answered = || {
        let mut s = survey::Entity::find()
            .filter(survey::Column::Kind.eq(kind.as_str()))
            .filter(survey::Column::AnsweredAt.is_not_null());
        if let Some(f) = q.from {
            s = s.filter(survey::Column::AnsweredAt.gte(f));
        }
        if let Some(t) = q.to {
            s = s.filter(survey::Column::AnsweredAt.lt(t));
        }
        s.select_only()
    };
    let aggregates = |s: kefu_store::sea_orm::Select<survey::Entity>| {
        s.column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(score), 0) AS BIGINT)"),
                "total",
            )
            .column_as(
                Expr::cust(
                    "CAST(COALESCE(SUM(CASE WHEN score >= 4 THEN 1 ELSE 0 END), 0) AS BIGINT)",
                ),
                "satisfied",
            )
            .column_as(
                Expr::cust(
                    "CAST(COALESCE(SUM(CASE WHEN score >= 9 THEN 1 ELSE 0 END), 0) AS BIGINT)",
                ),
                "promoters",
            )
            .column_as(
                Expr::cust(
                    "CAST(COALESCE(SUM(CASE WHEN score <= 6 THEN 1 ELSE 0 END), 0) AS BIGINT)",
                ),
                "detractors",
            )
    };
    let tally = |(_, n, sum, sat, pro, det): &Agg| Tally {
        responses: *n as u32,
        sum: *sum,
        satisfied: if kind == SurveyKind::Csat {
            *sat as u32
        } else {
            0
        },
        promoters: if kind == SurveyKind::Nps {
            *pro as u32
        } else {
            0
        },
        detractors: if kind == SurveyKind::Nps {
            *det as u32
        } else {
            0
        },
    };
    let (n, sum, sat, pro, det) = aggregates(answered())
        .into_tuple::<(i64, i64, i64, i64, i64)>()
        .one(db)
        .await?
        .unwrap_or_default();
    let total: Agg = (None, n, sum, sat, pro, det);
    let mut groups = Vec::new();
    if let Some(col) = group_col {
        let mut rows: Vec<Agg> = aggregates(answered().column(col))
            .group_by(col)
            .into_tuple()
            .all(db)
            .await?;
        rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        rows.truncate(500);
        let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.0).collect();
        let names = crate::care::names_of(db, q.by.as_deref().unwrap_or(""), ids).await?;
        for r in &rows {
            let name =
                r.0.and_then(|k| names.get(&k).cloned())
                    .unwrap_or_else(|| "—".into());
            groups.push(row(kind, r.0, name, &tally(r)));
        }
    }
    // The response rate: surveys sent in the period, and how many of them were answered.
    let mut sent_q = survey::Entity::find()
        .filter(survey::Column::Kind.eq(kind.as_str()))
        .filter(survey::Column::SentAt.is_not_null());
    if let Some(f) = q.from {
        sent_q = sent_q.filter(survey::Column::SentAt.gte(f));
    }
    if let Some(t) = q.to {
        sent_q = sent_q.filter(survey::Column::SentAt.lt(t));
    }
    let (sent, answered_n): (i64, i64) = sent_q
        .select_only()
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(
            Expr::cust(
                "CAST(COALESCE(SUM(CASE WHEN answered_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT)",
            ),
            "a",
        )
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, 0));
    Ok(SurveyResults {
        kind: kind.as_str().into(),
        sent: sent as u64,
        answered: answered_n as u64,
        response_rate: (sent > 0)
            .then(|| (answered_n as f64 * 1000.0 / sent as f64).round() / 10.0),
        total: row(kind, None, "全部 / All".into(), &tally(&total)),
        groups,
    })
}
