//! SLA configuration pages: policies (targets per priority × tier, pause statuses, warning
//! share) and business calendars (weekly shifts, holidays, 调休 make-up days, import of the
//! shipped Chinese holiday file).

use axum::extract::State;
use axum::response::Response;
use kefu_app::config::holidays;
use kefu_app::sla::{self, CalendarInput, PolicyInput};
use kefu_app::tickets;
use serde_json::{Value, json};
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, all, get, has, rows};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Shifts of a calendar day as text: `09:00-12:00, 13:30-18:00`.
fn shifts_text(day: &Value) -> String {
    day.as_array()
        .map(|shifts| {
            shifts
                .iter()
                .map(|s| {
                    format!(
                        "{}-{}",
                        s["start"].as_str().unwrap_or(""),
                        s["end"].as_str().unwrap_or("")
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

fn dates_text(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

async fn sla_page(s: &AppState, v: &Viewer, message: Option<String>) -> Response {
    let r = async {
        let policies = sla::list_policies(&s.app, &v.actor).await?;
        let calendars: Vec<Value> = sla::list_calendars(&s.app, &v.actor)
            .await?
            .into_iter()
            .map(|c| {
                let d = &c.definition;
                json!({
                    "id": c.id, "name": c.name, "is_default": c.is_default,
                    "tz": d["tz"], "makeup_template": d["makeup_template"],
                    "weekly": (0..7).map(|i| json!({"day": WEEKDAYS[i], "text": shifts_text(&d["weekly"][i])})).collect::<Vec<_>>(),
                    "holidays": dates_text(&d["holidays"]),
                    "makeup_workdays": dates_text(&d["makeup_workdays"]),
                    "holiday_count": d["holidays"].as_array().map_or(0, Vec::len),
                    "makeup_count": d["makeup_workdays"].as_array().map_or(0, Vec::len),
                })
            })
            .collect();
        let statuses = tickets::workflow_in_force(&s.app).await?.statuses;
        Ok::<_, kefu_app::AppError>(ctx!(base(v);
            policies, calendars, statuses, message, section => "admin",
            years => holidays::shipped_years(),
            priorities => ["P1", "P2", "P3", "P4"],
            tiers => ["", "standard", "vip", "strategic"],
            weekdays => WEEKDAYS,
        ))
    }
    .await;
    match r {
        Ok(ctx) => render("admin/sla.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/sla`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    sla_page(&s, &v, None).await
}

/// `POST /admin/sla/policies/{id}` (or `new`): target rows `r0.priority`, `r0.tier`,
/// `r0.first`, `r0.resolution` (minutes), pause statuses, warning share, calendar.
pub async fn save_policy(
    State(s): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let mut targets = Vec::new();
    for i in rows(&p, "r") {
        let g = |f: &str| get(&p, &format!("r{i}.{f}")).to_owned();
        if g("priority").is_empty() || g("first").is_empty() {
            continue;
        }
        let minutes = |f: &str| g(f).parse::<u32>().map_or(json!(g(f)), |m| json!(m));
        let tier = g("tier");
        targets.push(json!({
            "priority": g("priority"),
            "tier": if tier.is_empty() { Value::Null } else { json!(tier) },
            "first_response_minutes": minutes("first"),
            "resolution_minutes": minutes("resolution"),
        }));
    }
    let pause: Vec<&str> = all(&p, "pause_statuses").collect();
    // Escalation levels as JSON: [{"after_minutes": 60, "timer": "resolution",
    // "raise_priority": true, "assign_to": "<user id>", "team_id": …, "notify": […]}].
    let raw = get(&p, "escalations");
    let escalations: Value = if raw.is_empty() {
        json!([])
    } else {
        match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                return page_error(
                    kefu_app::AppError::invalid("escalations", "invalid_json", e.to_string()),
                    v.locale(),
                );
            }
        }
    };
    let input = PolicyInput {
        name: get(&p, "name").to_owned(),
        calendar_id: Uuid::parse_str(get(&p, "calendar_id")).unwrap_or_default(),
        definition: json!({
            "targets": targets,
            "pause_statuses": pause,
            "warn_before_percent": get(&p, "warn_before_percent").parse::<u8>().unwrap_or(20),
            "escalations": escalations,
        }),
        is_default: has(&p, "is_default"),
    };
    let id = Uuid::parse_str(&id).ok();
    match sla::save_policy(&s.app, Some(&v.actor), id, input).await {
        Ok(saved) => sla_page(&s, &v, Some(saved.name)).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// Parses `09:00-12:00, 13:30-18:00` into shift objects.
fn shifts(text: &str) -> Value {
    Value::Array(
        text.split([',', '，', ';'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| {
                let (a, b) = x.split_once('-').unwrap_or((x, ""));
                json!({"start": a.trim(), "end": b.trim()})
            })
            .collect(),
    )
}

fn dates(text: &str) -> Value {
    Value::Array(
        text.split([',', '，', '\n', ' '])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| json!(x))
            .collect(),
    )
}

/// `POST /admin/sla/calendars/{id}` (or `new`).
pub async fn save_calendar(
    State(s): State<AppState>,
    Path(id): Path<String>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let weekly: Vec<Value> = WEEKDAYS.iter().map(|d| shifts(get(&p, d))).collect();
    let input = CalendarInput {
        name: get(&p, "name").to_owned(),
        definition: json!({
            "tz": get(&p, "tz"),
            "weekly": weekly,
            "holidays": dates(get(&p, "holidays")),
            "makeup_workdays": dates(get(&p, "makeup_workdays")),
            "makeup_template": get(&p, "makeup_template"),
        }),
        is_default: has(&p, "is_default"),
    };
    let id = Uuid::parse_str(&id).ok();
    match sla::save_calendar(&s.app, Some(&v.actor), id, input).await {
        Ok(saved) => sla_page(&s, &v, Some(saved.name)).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/sla/calendars/{id}/import`: the shipped holidays of one year.
pub async fn import_holidays(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let year = get(&form.data, "year").parse().unwrap_or(0);
    match holidays::import_cn_holidays(&s.app, &v.actor, id, year).await {
        Ok(r) => {
            let msg = format!("{} · {} / {}", r.year, r.holidays, r.makeup_workdays);
            sla_page(&s, &v, Some(msg)).await
        }
        Err(e) => page_error(e, v.locale()),
    }
}
