//! The care settings: who gets a follow-up visit, and how surveys are sent.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::care::FollowUpSettings;
use kefu_domain::survey::SurveySettings;

use crate::config::list_setting::{read_object, write_object};
use crate::{App, AppError, FieldError, require, require_staff};

pub(crate) const FOLLOW_UP_KEY: &str = "follow_up";
pub(crate) const SURVEYS_KEY: &str = "surveys";

fn refuse(problems: Vec<(&'static str, &'static str)>) -> Result<(), AppError> {
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid(
        problems
            .into_iter()
            .map(|(f, m)| FieldError::new(f, "invalid", m))
            .collect(),
    ))
}

/// The follow-up settings (staff).
pub async fn follow_up_settings(app: &App, actor: &Actor) -> Result<FollowUpSettings, AppError> {
    require_staff(actor)?;
    read_object(app.store.conn(), FOLLOW_UP_KEY).await
}

/// Replaces the follow-up settings (`config.manage`).
pub async fn save_follow_up_settings(
    app: &App,
    actor: &Actor,
    s: FollowUpSettings,
) -> Result<FollowUpSettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    refuse(s.problems())?;
    write_object(app, actor, FOLLOW_UP_KEY, &s).await?;
    Ok(s)
}

/// The survey settings (staff).
pub async fn survey_settings(app: &App, actor: &Actor) -> Result<SurveySettings, AppError> {
    require_staff(actor)?;
    read_object(app.store.conn(), SURVEYS_KEY).await
}

/// Replaces the survey settings (`config.manage`).
pub async fn save_survey_settings(
    app: &App,
    actor: &Actor,
    s: SurveySettings,
) -> Result<SurveySettings, AppError> {
    require(actor, Permission::ConfigManage)?;
    refuse(s.problems())?;
    write_object(app, actor, SURVEYS_KEY, &s).await?;
    Ok(s)
}
