//! `/admin/care`: who gets a follow-up visit (回访) after a resolution, and how the CSAT and NPS
//! surveys are sent. Two forms, each saved on its own; a refused form comes back with what was
//! typed and the message next to each field.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::care;
use kefu_app::{AppError, FieldError};
use kefu_domain::care::{FollowUpAssignee, FollowUpSettings};
use kefu_domain::customer::Tier;
use kefu_domain::survey::SurveySettings;
use serde_json::{Map, Value, json};

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, all, get, has};
use super::i18n;
use super::render::render_status;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;

/// One form's state on the page: the values shown, the messages per field, whether it was just
/// saved.
struct FormState {
    values: Value,
    errors: Map<String, Value>,
    saved: bool,
}

impl FormState {
    fn of(values: Value) -> FormState {
        FormState {
            values,
            errors: Map::new(),
            saved: false,
        }
    }
}

async fn page(
    s: &AppState,
    v: &Viewer,
    status: StatusCode,
    follow: Option<FormState>,
    surveys: Option<FormState>,
) -> Response {
    let loaded = async {
        let follow = match follow {
            Some(f) => f,
            None => FormState::of(follow_values(
                &care::follow_up_settings(&s.app, &v.actor).await?,
            )),
        };
        let surveys = match surveys {
            Some(f) => f,
            None => FormState::of(survey_values(
                &care::survey_settings(&s.app, &v.actor).await?,
            )),
        };
        let en = v.locale() == "en";
        let types: Vec<Value> = kefu_app::tickets::list_ticket_types(&s.app, &v.actor)
            .await?
            .into_iter()
            .map(|t| json!({"code": t.code, "name": if en { t.name_en } else { t.name_zh }}))
            .collect();
        Ok::<_, AppError>((follow, surveys, types))
    }
    .await;
    match loaded {
        Ok((f, sv, types)) => render_status(
            status,
            "admin/care.html",
            ctx!(base(v); section => "admin", types,
                tiers => Tier::ALL.map(Tier::as_str),
                fu => f.values, fu_errors => f.errors, fu_saved => f.saved,
                sv => sv.values, sv_errors => sv.errors, sv_saved => sv.saved),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

fn assignee_code(a: FollowUpAssignee) -> &'static str {
    match a {
        FollowUpAssignee::CustomerOwner => "customer_owner",
        FollowUpAssignee::TicketAssignee => "ticket_assignee",
    }
}

/// The follow-up settings as the form shows them.
fn follow_values(f: &FollowUpSettings) -> Value {
    json!({
        "enabled": f.enabled,
        "tiers": f.tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "ticket_kinds": f.ticket_kinds,
        "after_business_hours": f.after_business_hours.to_string(),
        "assignee": assignee_code(f.assignee),
    })
}

/// The survey settings as the form shows them (numbers as text, as typed).
fn survey_values(s: &SurveySettings) -> Value {
    let (c, n) = (&s.csat, &s.nps);
    json!({
        "csat": {
            "enabled": c.enabled,
            "delay_minutes": c.delay_minutes.to_string(),
            "sample_percent": c.sample_percent.to_string(),
            "comment_below": c.comment_below.to_string(),
            "expires_days": c.expires_days.to_string(),
            "low_score_at_most": c.low_score_at_most.to_string(),
            "ticket_kinds": c.ticket_kinds,
        },
        "nps": {
            "enabled": n.enabled,
            "cooldown_days": n.cooldown_days.to_string(),
            "active_days": n.active_days.to_string(),
            "sample_percent": n.sample_percent.to_string(),
            "expires_days": n.expires_days.to_string(),
            "low_score_at_most": n.low_score_at_most.to_string(),
            "comment_below": n.comment_below.to_string(),
        },
    })
}

/// Field errors in the reader's language: each settings field has its own catalog entry
/// (`care.err.<field>`) naming the accepted range; other codes get the generic text.
fn messages(locale: &str, errs: Vec<FieldError>) -> Map<String, Value> {
    errs.into_iter()
        .map(|e| {
            let key = format!("care.err.{}", e.field);
            let mut text = i18n::translate(locale, &key);
            if text == key {
                text = i18n::field_error(locale, &e.field, &e.code, &e.message);
            }
            (e.field, Value::String(text))
        })
        .collect()
}

/// Reads a number field; a missing or malformed one is a field error.
fn number<T: std::str::FromStr>(p: &Pairs, field: &str, errs: &mut Vec<FieldError>) -> Option<T> {
    let raw = get(p, field);
    let parsed = raw.parse::<T>().ok();
    if parsed.is_none() {
        errs.push(FieldError::new(field, "invalid", "a whole number"));
    }
    parsed
}

/// `GET /admin/care`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    page(&s, &v, StatusCode::OK, None, None).await
}

/// `POST /admin/care/follow-up`.
pub async fn save_follow_up(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let (v, p) = (form.viewer, form.data);
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    let mut errs = Vec::new();
    let hours = number::<u32>(&p, "after_business_hours", &mut errs);
    let settings = FollowUpSettings {
        enabled: has(&p, "enabled"),
        tiers: all(&p, "tiers").filter_map(Tier::parse).collect(),
        ticket_kinds: all(&p, "ticket_kinds")
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        after_business_hours: hours.unwrap_or_default(),
        assignee: match get(&p, "assignee") {
            "ticket_assignee" => FollowUpAssignee::TicketAssignee,
            _ => FollowUpAssignee::CustomerOwner,
        },
    };
    let typed = |errors: Map<String, Value>| {
        let mut values = follow_values(&settings);
        values["after_business_hours"] = Value::String(get(&p, "after_business_hours").into());
        FormState {
            values,
            errors,
            saved: false,
        }
    };
    if !errs.is_empty() {
        let f = typed(messages(v.locale(), errs));
        return page(&s, &v, StatusCode::UNPROCESSABLE_ENTITY, Some(f), None).await;
    }
    match care::save_follow_up_settings(&s.app, &v.actor, settings.clone()).await {
        Ok(saved) => {
            let f = FormState {
                saved: true,
                ..FormState::of(follow_values(&saved))
            };
            page(&s, &v, StatusCode::OK, Some(f), None).await
        }
        Err(AppError::Invalid(errs)) => {
            let f = typed(messages(v.locale(), errs));
            page(&s, &v, StatusCode::UNPROCESSABLE_ENTITY, Some(f), None).await
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// The number fields of the survey form, as (section, name).
const SURVEY_NUMBERS: [(&str, &str); 11] = [
    ("csat", "delay_minutes"),
    ("csat", "sample_percent"),
    ("csat", "comment_below"),
    ("csat", "expires_days"),
    ("csat", "low_score_at_most"),
    ("nps", "cooldown_days"),
    ("nps", "active_days"),
    ("nps", "sample_percent"),
    ("nps", "expires_days"),
    ("nps", "low_score_at_most"),
    ("nps", "comment_below"),
];

/// `POST /admin/care/surveys`: the settings in force, with the form's fields replaced.
pub async fn save_surveys(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let (v, p) = (form.viewer, form.data);
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    let mut settings = match care::survey_settings(&s.app, &v.actor).await {
        Ok(x) => x,
        Err(e) => return page_error(e, v.locale()),
    };
    let mut errs = Vec::new();
    {
        let c = &mut settings.csat;
        c.enabled = has(&p, "csat.enabled");
        c.ticket_kinds = all(&p, "csat.ticket_kinds")
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect();
        if let Some(x) = number(&p, "csat.delay_minutes", &mut errs) {
            c.delay_minutes = x;
        }
        if let Some(x) = number(&p, "csat.sample_percent", &mut errs) {
            c.sample_percent = x;
        }
        if let Some(x) = number(&p, "csat.comment_below", &mut errs) {
            c.comment_below = x;
        }
        if let Some(x) = number(&p, "csat.expires_days", &mut errs) {
            c.expires_days = x;
        }
        if let Some(x) = number(&p, "csat.low_score_at_most", &mut errs) {
            c.low_score_at_most = x;
        }
    }
    {
        let n = &mut settings.nps;
        n.enabled = has(&p, "nps.enabled");
        if let Some(x) = number(&p, "nps.cooldown_days", &mut errs) {
            n.cooldown_days = x;
        }
        if let Some(x) = number(&p, "nps.active_days", &mut errs) {
            n.active_days = x;
        }
        if let Some(x) = number(&p, "nps.sample_percent", &mut errs) {
            n.sample_percent = x;
        }
        if let Some(x) = number(&p, "nps.expires_days", &mut errs) {
            n.expires_days = x;
        }
        if let Some(x) = number(&p, "nps.low_score_at_most", &mut errs) {
            n.low_score_at_most = x;
        }
        if let Some(x) = number(&p, "nps.comment_below", &mut errs) {
            n.comment_below = x;
        }
    }
    let typed = |settings: &SurveySettings, errors: Map<String, Value>| {
        let mut values = survey_values(settings);
        for (section, name) in SURVEY_NUMBERS {
            values[section][name] = Value::String(get(&p, &format!("{section}.{name}")).into());
        }
        FormState {
            values,
            errors,
            saved: false,
        }
    };
    if !errs.is_empty() {
        let f = typed(&settings, messages(v.locale(), errs));
        return page(&s, &v, StatusCode::UNPROCESSABLE_ENTITY, None, Some(f)).await;
    }
    match care::save_survey_settings(&s.app, &v.actor, settings.clone()).await {
        Ok(saved) => {
            let f = FormState {
                saved: true,
                ..FormState::of(survey_values(&saved))
            };
            page(&s, &v, StatusCode::OK, None, Some(f)).await
        }
        Err(AppError::Invalid(errs)) => {
            let f = typed(&settings, messages(v.locale(), errs));
            page(&s, &v, StatusCode::UNPROCESSABLE_ENTITY, None, Some(f)).await
        }
        Err(e) => page_error(e, v.locale()),
    }
}
