//! Care: tasks (follow-up visits, call-backs), the follow-up and survey settings, the survey
//! results, and the public survey link (no login: the signed token is the credential).

use axum::extract::State;
use kefu_app::care::surveys::{SurveyAnswer, SurveyPage, SurveyResults, SurveyResultsQuery};
use kefu_app::care::{NewTask, TaskDone, TaskQuery, TaskView};
use kefu_domain::care::FollowUpSettings;
use kefu_domain::survey::SurveySettings;
use uuid::Uuid;

use super::ApiResult;
use crate::AppState;
use crate::extract::{Auth, Json, Path, Query};

/// Tasks, soonest due first: the caller's open ones unless asked otherwise.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "care", params(TaskQuery), responses((status = 200, body = Vec<TaskView>)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<TaskQuery>,
) -> ApiResult<axum::Json<Vec<TaskView>>> {
    Ok(axum::Json(kefu_app::care::list_tasks(&s.app, &a, q).await?))
}

/// Makes a task.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "care", request_body = NewTask, responses((status = 201, body = TaskView)))]
pub async fn create_task(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<NewTask>,
) -> ApiResult<(axum::http::StatusCode, axum::Json<TaskView>)> {
    Ok((
        axum::http::StatusCode::CREATED,
        axum::Json(kefu_app::care::create_task(&s.app, &a, b).await?),
    ))
}

/// Closes a task with its outcome.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/complete", tag = "care", params(("id" = Uuid, Path)), request_body = TaskDone, responses((status = 200, body = TaskView)))]
pub async fn complete_task(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(id): Path<Uuid>,
    Json(b): Json<TaskDone>,
) -> ApiResult<axum::Json<TaskView>> {
    Ok(axum::Json(
        kefu_app::care::complete_task(&s.app, &a, id, b).await?,
    ))
}

/// Who gets a follow-up visit after a resolution.
#[utoipa::path(get, path = "/api/v1/follow-up-settings", tag = "care", responses((status = 200, body = Object)))]
pub async fn get_follow_up(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<FollowUpSettings>> {
    Ok(axum::Json(
        kefu_app::care::follow_up_settings(&s.app, &a).await?,
    ))
}

/// Replaces the follow-up settings.
#[utoipa::path(put, path = "/api/v1/follow-up-settings", tag = "care", request_body = Object, responses((status = 200, body = Object)))]
pub async fn put_follow_up(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<FollowUpSettings>,
) -> ApiResult<axum::Json<FollowUpSettings>> {
    Ok(axum::Json(
        kefu_app::care::save_follow_up_settings(&s.app, &a, b).await?,
    ))
}

/// How CSAT and NPS surveys are sent.
#[utoipa::path(get, path = "/api/v1/survey-settings", tag = "care", responses((status = 200, body = Object)))]
pub async fn get_surveys(
    State(s): State<AppState>,
    Auth(a): Auth,
) -> ApiResult<axum::Json<SurveySettings>> {
    Ok(axum::Json(
        kefu_app::care::survey_settings(&s.app, &a).await?,
    ))
}

/// Replaces the survey settings.
#[utoipa::path(put, path = "/api/v1/survey-settings", tag = "care", request_body = Object, responses((status = 200, body = Object)))]
pub async fn put_surveys(
    State(s): State<AppState>,
    Auth(a): Auth,
    Json(b): Json<SurveySettings>,
) -> ApiResult<axum::Json<SurveySettings>> {
    Ok(axum::Json(
        kefu_app::care::save_survey_settings(&s.app, &a, b).await?,
    ))
}

/// Survey results, overall and per agent, team, customer or ticket.
#[utoipa::path(get, path = "/api/v1/surveys/results", tag = "care", params(SurveyResultsQuery), responses((status = 200, body = SurveyResults)))]
pub async fn results(
    State(s): State<AppState>,
    Auth(a): Auth,
    Query(q): Query<SurveyResultsQuery>,
) -> ApiResult<axum::Json<SurveyResults>> {
    Ok(axum::Json(
        kefu_app::care::surveys::survey_results(&s.app, &a, q).await?,
    ))
}

/// The survey behind a signed link (no login). An altered link is 403.
#[utoipa::path(get, path = "/api/v1/surveys/{token}", tag = "care", params(("token" = String, Path)), responses((status = 200, body = SurveyPage)), security(()))]
pub async fn open(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<axum::Json<SurveyPage>> {
    Ok(axum::Json(
        kefu_app::care::surveys::open_survey(&s.app, &token).await?,
    ))
}

/// Answers a survey (no login): 409 `survey_answered` when answered before, 410
/// `survey_expired` after the expiry, 403 for an altered link, 422 naming `score` or `comment`.
#[utoipa::path(post, path = "/api/v1/surveys/{token}/answer", tag = "care", params(("token" = String, Path)), request_body = SurveyAnswer, responses((status = 200, body = SurveyPage)), security(()))]
pub async fn answer(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Json(b): Json<SurveyAnswer>,
) -> ApiResult<axum::Json<SurveyPage>> {
    Ok(axum::Json(
        kefu_app::care::surveys::answer_survey(&s.app, &token, b).await?,
    ))
}
