//! Answering a survey through its signed link, without logging in: one answer per survey, none
//! after the link expired, none through an altered link — each refused with its own error and
//! nothing written. A low score opens a call-back task.

use chrono::{DateTime, Duration, Utc};
use kefu_domain::access::Actor;
use kefu_domain::care::TaskKind;
use kefu_domain::survey::{AnswerProblem, SurveyKind, SurveySettings};
use kefu_store::entity::{customer, survey, ticket};
use kefu_store::sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::links::{link_key, sign, verify};
use crate::care::settings::SURVEYS_KEY;
use crate::care::tasks::{NewTaskRow, insert_task};
use crate::config::list_setting::read_object;
use crate::intake::MailSettings;
use crate::notify::text::clip;
use crate::{App, AppError, FieldError};

/// A survey as its link shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SurveyPage {
    /// `csat` or `nps`.
    pub kind: String,
    /// `open`, `answered` or `expired`.
    pub state: String,
    /// Lowest score.
    pub min: i32,
    /// Highest score.
    pub max: i32,
    /// A score below this needs a comment.
    pub comment_below: i32,
    /// The ticket's number (CSAT).
    pub ticket_number: Option<String>,
    /// The ticket's subject (CSAT).
    pub ticket_subject: Option<String>,
    /// Who asks (the outgoing mail's sender name).
    pub company: String,
    /// The answer, once given.
    pub score: Option<i32>,
    /// The comment, once given.
    pub comment: Option<String>,
    /// Until when the link can be answered.
    pub expires_at: DateTime<Utc>,
}

/// An answer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    /// 1–5 (CSAT) or 0–10 (NPS).
    pub score: i32,
    /// Why (required below the comment threshold).
    #[serde(default)]
    pub comment: Option<String>,
}

fn altered() -> AppError {
    AppError::Forbidden(
        "此评价链接无效或已被修改 / this survey link is not valid (its signature does not match)"
            .into(),
    )
}

async fn load(
    app: &App,
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<survey::Model, AppError> {
    let key = link_key(db, app.now()).await?;
    let id = verify(&key, token).ok_or_else(altered)?;
    survey::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("survey"))
}

async fn page(
    db: &impl ConnectionTrait,
    s: &survey::Model,
    settings: &SurveySettings,
    now: DateTime<Utc>,
) -> Result<SurveyPage, AppError> {
    let kind = SurveyKind::parse(&s.kind).unwrap_or(SurveyKind::Csat);
    let (min, max) = kind.range();
    let t = match s.ticket_id {
        Some(id) => ticket::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let state = if s.answered_at.is_some() {
        "answered"
    } else if s.status == "expired" || s.expires_at < now {
        "expired"
    } else {
        "open"
    };
    Ok(SurveyPage {
        kind: s.kind.clone(),
        state: state.into(),
        min,
        max,
        comment_below: match kind {
            SurveyKind::Csat => settings.csat.comment_below,
            SurveyKind::Nps => settings.nps.comment_below,
        },
        ticket_number: t.as_ref().map(|t| t.number.clone()),
        ticket_subject: t.map(|t| t.subject),
        company: MailSettings::load(db).await?.outbound.from_name,
        score: s.score,
        comment: s.comment.clone(),
        expires_at: s.expires_at,
    })
}

/// The survey behind a link.
pub async fn open_survey(app: &App, token: &str) -> Result<SurveyPage, AppError> {
    let db = app.store.conn();
    let s = load(app, db, token).await?;
    let settings: SurveySettings = read_object(db, SURVEYS_KEY).await?;
    page(db, &s, &settings, app.now()).await
}

/// Records the answer; a second answer is a conflict, an expired link is gone, an altered link
/// is forbidden, a bad score or a missing comment names its field — and none of them writes.
pub async fn answer_survey(
    app: &App,
    token: &str,
    a: SurveyAnswer,
) -> Result<SurveyPage, AppError> {
    let now = app.now();
    let tx = app.store.begin().await?;
    let s = load(app, &tx, token).await?;
    if s.answered_at.is_some() {
        return Err(already());
    }
    if s.status == "expired" || s.expires_at < now {
        return Err(AppError::Gone {
            code: "survey_expired",
            message: "此评价链接已过期 / this survey link has expired".into(),
        });
    }
    let settings: SurveySettings = read_object(&tx, SURVEYS_KEY).await?;
    let kind = SurveyKind::parse(&s.kind).unwrap_or(SurveyKind::Csat);
    let comment = a.comment.unwrap_or_default().trim().to_owned();
    if let Err(p) = settings.check_answer(kind, a.score, &comment) {
        let field = match p {
            AnswerProblem::ScoreOutOfRange { .. } => "score",
            AnswerProblem::CommentRequired | AnswerProblem::CommentTooLong => "comment",
        };
        let code = match p {
            AnswerProblem::ScoreOutOfRange { .. } => "out_of_range",
            AnswerProblem::CommentRequired => "required",
            AnswerProblem::CommentTooLong => "too_long",
        };
        return Err(AppError::Invalid(vec![FieldError::new(
            field,
            code,
            p.to_string(),
        )]));
    }
    let comment = (!comment.is_empty()).then_some(comment);
    // Only the first answer counts, even when two arrive at once.
    let took = survey::Entity::update_many()
        .col_expr(survey::Column::Score, Expr::val(a.score))
        .col_expr(survey::Column::Comment, Expr::val(comment.clone()))
        .col_expr(survey::Column::AnsweredAt, Expr::val(now))
        .col_expr(survey::Column::Status, Expr::val("answered"))
        .filter(survey::Column::Id.eq(s.id))
        .filter(survey::Column::AnsweredAt.is_null())
        .exec(&tx)
        .await?
        .rows_affected;
    if took == 0 {
        return Err(already());
    }
    let low = settings.is_low(kind, a.score);
    if let Some(t) = s.ticket_id {
        crate::tickets::events::append(
            &tx,
            t,
            "survey_answered",
            None,
            false,
            json!({"survey_id": s.id, "kind": s.kind, "score": a.score, "comment": comment,
                "low": low}),
            now,
        )
        .await?;
    } else {
        crate::outbox::announce(
            &tx,
            "survey.answered",
            s.id,
            json!({"survey_id": s.id, "kind": s.kind, "score": a.score,
                "contact_id": s.contact_id, "customer_id": s.customer_id}),
            now,
        )
        .await?;
    }
    if low {
        low_score_task(app, &tx, &s, kind, a.score, comment.as_deref(), now).await?;
    }
    let saved = survey::Entity::find_by_id(s.id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("survey"))?;
    let view = page(&tx, &saved, &settings, now).await?;
    tx.commit().await?;
    Ok(view)
}

fn already() -> AppError {
    AppError::Conflict {
        code: "survey_answered",
        message: "您已评价过，感谢！/ this survey has already been answered".into(),
    }
}

/// A call-back for the customer's account owner (or the agent of the ticket), due within one
/// business day.
async fn low_score_task(
    app: &App,
    db: &impl ConnectionTrait,
    s: &survey::Model,
    kind: SurveyKind,
    score: i32,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let owner = match s.customer_id {
        Some(c) => customer::Entity::find_by_id(c)
            .one(db)
            .await?
            .and_then(|c| c.owner_id),
        None => None,
    };
    let number = match s.ticket_id {
        Some(t) => ticket::Entity::find_by_id(t)
            .one(db)
            .await?
            .map(|t| t.number)
            .unwrap_or_default(),
        None => String::new(),
    };
    let cal = crate::sla::policy_for(app, db, None)
        .await?
        .calendar
        .clone();
    let due = cal
        .add_business_time(now, Duration::hours(8))
        .unwrap_or(now + Duration::days(1));
    let label = match kind {
        SurveyKind::Csat => "CSAT",
        SurveyKind::Nps => "NPS",
    };
    insert_task(
        db,
        NewTaskRow {
            kind: TaskKind::LowScore,
            title: format!("低分回访 {label} {score} {number}")
                .trim()
                .to_owned(),
            details: comment.map(|c| clip(c, 2000)),
            ticket_id: s.ticket_id,
            customer_id: s.customer_id,
            contact_id: s.contact_id,
            assignee_id: owner.or(s.agent_id),
            due_at: due,
            dedupe_key: Some(format!("low_score:{}", s.id)),
            created_by: None,
        },
        now,
    )
    .await?;
    Ok(())
}

/// The link of the ticket's open survey, for its customer's portal page (and for staff to copy);
/// none when there is nothing to answer.
pub async fn ticket_survey_link(
    app: &App,
    actor: &Actor,
    ticket_id: Uuid,
) -> Result<Option<String>, AppError> {
    let db = app.store.conn();
    let now = app.now();
    let t = crate::tickets::visible_ticket(db, actor, ticket_id).await?;
    let s = survey::Entity::find()
        .filter(survey::Column::TicketId.eq(t.id))
        .filter(survey::Column::Kind.eq("csat"))
        .filter(survey::Column::Status.eq("sent"))
        .one(db)
        .await?;
    let Some(s) = s.filter(|s| s.expires_at >= now) else {
        return Ok(None);
    };
    let key = link_key(db, now).await?;
    // A path: the portal page links it on the same host.
    Ok(Some(super::survey_url("", &sign(&key, s.id))))
}
