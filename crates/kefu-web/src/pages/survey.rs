//! The public survey page `/survey/{token}`: the CSAT or NPS question behind a signed link,
//! answered without logging in. The signed token is the only credential, so the form carries no
//! session CSRF token (like the portal invitation). Every refusal has its own page: an altered
//! link (403), an answer given before (409), an expired link (410), and field errors (422) that
//! show the form again with what was entered. The app writes nothing on any of them.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use kefu_app::care::surveys::{self, SurveyAnswer, SurveyPage};
use kefu_app::{AppError, FieldError};
use serde::Deserialize;
use serde_json::Map;

use super::errors::{field_messages, page_error};
use super::i18n;
use super::render::render_status;
use super::session::MaybeViewer;
use crate::AppState;
use crate::extract::{Path, Query};

/// `?lang=en` switches the page's language.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SurveyQuery {
    lang: Option<String>,
}

/// The answer form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    score: Option<String>,
    comment: String,
    lang: Option<String>,
}

/// The reader's language: `?lang=` (or the form's `lang`), else a signed-in user's own, else
/// the language cookie or `Accept-Language`.
fn locale(viewer: &MaybeViewer, headers: &HeaderMap, lang: Option<&str>) -> &'static str {
    let lang = lang.filter(|l| !l.is_empty());
    match (&viewer.0, lang) {
        (Some(v), None) => v.locale(),
        _ => super::login::locale_of(headers, lang),
    }
}

/// What the page shows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// The question.
    Open,
    /// Just answered.
    Thanks,
    /// Answered before.
    Answered,
    /// Past its expiry.
    Expired,
    /// Altered or unknown link.
    Invalid,
}

impl Shown {
    fn code(self) -> &'static str {
        match self {
            Shown::Open => "open",
            Shown::Thanks => "thanks",
            Shown::Answered => "answered",
            Shown::Expired => "expired",
            Shown::Invalid => "invalid",
        }
    }
}

/// The hint next to the comment box: when a comment is required.
fn comment_hint(locale: &str, s: &SurveyPage) -> String {
    if s.comment_below <= s.min {
        i18n::translate(locale, "survey.comment_optional")
    } else if s.comment_below > s.max {
        i18n::translate(locale, "survey.comment_always")
    } else {
        i18n::translate(locale, "survey.comment_required_below")
            .replace("{n}", &s.comment_below.to_string())
    }
}

/// What the reader entered, shown again with the field errors.
struct Entered {
    score: Option<i32>,
    comment: String,
}

fn show(
    status: StatusCode,
    locale: &'static str,
    token: &str,
    state: Shown,
    survey: Option<&SurveyPage>,
    errors: Map<String, serde_json::Value>,
    entered: Entered,
) -> Response {
    let hint = survey.map(|s| comment_hint(locale, s)).unwrap_or_default();
    // The score to show as given: the one just entered, else the stored answer.
    let given = entered.score.or(survey.and_then(|s| s.score));
    render_status(
        status,
        "survey.html",
        ctx!(; locale, token, state => state.code(), survey, errors,
            score => entered.score, given, comment => entered.comment, comment_hint => hint),
    )
}

fn nothing_entered() -> Entered {
    Entered {
        score: None,
        comment: String::new(),
    }
}

/// The page for a refusal that is not about a field.
fn refused(e: AppError, locale: &'static str, token: &str) -> Response {
    let (status, state) = match e {
        AppError::Forbidden(_) => (StatusCode::FORBIDDEN, Shown::Invalid),
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, Shown::Invalid),
        AppError::Conflict { .. } => (StatusCode::CONFLICT, Shown::Answered),
        AppError::Gone { .. } => (StatusCode::GONE, Shown::Expired),
        other => return page_error(other, locale),
    };
    show(
        status,
        locale,
        token,
        state,
        None,
        Map::new(),
        nothing_entered(),
    )
}

/// `GET /survey/{token}`.
pub async fn form(
    State(s): State<AppState>,
    viewer: MaybeViewer,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<SurveyQuery>,
) -> Response {
    let locale = locale(&viewer, &headers, q.lang.as_deref());
    match surveys::open_survey(&s.app, &token).await {
        Ok(page) => {
            let (status, state) = match page.state.as_str() {
                "answered" => (StatusCode::OK, Shown::Answered),
                "expired" => (StatusCode::GONE, Shown::Expired),
                _ => (StatusCode::OK, Shown::Open),
            };
            show(
                status,
                locale,
                &token,
                state,
                Some(&page),
                Map::new(),
                nothing_entered(),
            )
        }
        Err(e) => refused(e, locale, &token),
    }
}

/// `POST /survey/{token}` (urlencoded `score`, `comment`).
pub async fn answer(
    State(s): State<AppState>,
    viewer: MaybeViewer,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let f: AnswerForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let locale = locale(&viewer, &headers, f.lang.as_deref());
    let raw_score = f.score.as_deref().map(str::trim).unwrap_or("");
    let score = raw_score.parse::<i32>().ok();
    let entered = Entered {
        score,
        comment: f.comment.clone(),
    };
    let result = match score {
        Some(score) => {
            surveys::answer_survey(
                &s.app,
                &token,
                SurveyAnswer {
                    score,
                    comment: Some(f.comment),
                },
            )
            .await
        }
        // Nothing chosen (or not a number): nothing to send to the app; the link is still
        // checked first so an altered or answered link says so instead.
        None => match surveys::open_survey(&s.app, &token).await {
            Ok(p) if p.state == "answered" => Err(AppError::Conflict {
                code: "survey_answered",
                message: String::new(),
            }),
            Ok(p) if p.state == "expired" => Err(AppError::Gone {
                code: "survey_expired",
                message: String::new(),
            }),
            Ok(_) => Err(AppError::Invalid(vec![FieldError::new(
                "score",
                if raw_score.is_empty() {
                    "required"
                } else {
                    "out_of_range"
                },
                "choose a score",
            )])),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(page) => show(
            StatusCode::OK,
            locale,
            &token,
            Shown::Thanks,
            Some(&page),
            Map::new(),
            entered,
        ),
        Err(AppError::Invalid(errs)) => {
            let errors = messages(locale, errs);
            match surveys::open_survey(&s.app, &token).await {
                Ok(page) => show(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    locale,
                    &token,
                    Shown::Open,
                    Some(&page),
                    errors,
                    entered,
                ),
                Err(e) => refused(e, locale, &token),
            }
        }
        Err(e) => refused(e, locale, &token),
    }
}

/// Field errors in the reader's words: the survey's own catalog entries first.
fn messages(locale: &str, errs: Vec<FieldError>) -> Map<String, serde_json::Value> {
    let mut out = Map::new();
    let mut rest = Vec::new();
    for e in errs {
        let key = format!("survey.error.{}.{}", e.field, e.code);
        let text = i18n::translate(locale, &key);
        if text == key {
            rest.push(e);
        } else {
            out.insert(e.field, serde_json::Value::String(text));
        }
    }
    out.extend(field_messages(locale, rest));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nps() -> SurveyPage {
        SurveyPage {
            kind: "nps".into(),
            state: "open".into(),
            min: 0,
            max: 10,
            comment_below: 0,
            ticket_number: None,
            ticket_subject: None,
            company: "演示公司".into(),
            score: None,
            comment: None,
            expires_at: chrono::Utc::now(),
        }
    }

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn nps_shows_zero_to_ten_with_the_scale_and_an_optional_comment() {
        let s = nps();
        let entered = Entered {
            score: Some(7),
            comment: "还行".into(),
        };
        let r = show(
            StatusCode::OK,
            "zh-CN",
            "t.k",
            Shown::Open,
            Some(&s),
            Map::new(),
            entered,
        );
        assert_eq!(r.status(), StatusCode::OK);
        let html = body(r).await;
        for n in 0..=10 {
            assert!(
                html.contains(&format!("data-testid=\"score-{n}\"")),
                "{n}: {html}"
            );
        }
        assert!(!html.contains("data-testid=\"score-11\""));
        assert!(html.contains("0 = 不可能推荐，10 = 非常愿意推荐"), "{html}");
        assert!(html.contains("value=\"7\" required checked"), "{html}");
        assert!(
            html.contains("（选填）") && html.contains(">还行</textarea>"),
            "{html}"
        );
        assert!(!html.contains("★") && !html.contains(" style=\""), "{html}");
    }

    #[tokio::test]
    async fn csat_in_english_and_the_end_states() {
        let mut s = nps();
        (s.kind, s.min, s.max, s.comment_below) = ("csat".into(), 1, 5, 6);
        s.ticket_number = Some("SR-202601-000001".into());
        let r = show(
            StatusCode::OK,
            "en",
            "t.k",
            Shown::Open,
            Some(&s),
            Map::new(),
            nothing_entered(),
        );
        let html = body(r).await;
        assert!(
            html.contains("Very satisfied") && html.contains("(required)"),
            "{html}"
        );
        assert!(html.contains("SR-202601-000001"), "{html}");
        for (state, text) in [
            (Shown::Answered, "You have already answered"),
            (Shown::Expired, "This survey link has expired"),
            (Shown::Invalid, "not valid or has been altered"),
        ] {
            let r = show(
                StatusCode::OK,
                "en",
                "t.k",
                state,
                None,
                Map::new(),
                nothing_entered(),
            );
            let html = body(r).await;
            assert!(html.contains(text), "{html}");
            assert!(!html.contains("<form"), "{html}");
        }
    }
}
