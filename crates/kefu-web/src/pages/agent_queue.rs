//! The agent's queues: counts per queue, filters, keyset pages ("load more"), bulk actions.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, TimeZone, Utc};
use kefu_app::tickets::{self, AssignInput, TicketListQuery, TicketPatch, TransitionInput};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::errors::{message_text, page_error};
use super::form::{Pairs, all, get};
use super::render::{render, render_status};
use super::session::{PageForm, Staff, Viewer};
use super::{base, i18n, is_htmx};
use crate::AppState;
use crate::extract::Query;

/// Filters as the form sends them (empty strings mean "any").
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct QueueParams {
    queue: String,
    status: String,
    priority: String,
    kind: String,
    team_id: String,
    assignee_id: String,
    customer_id: String,
    tag: String,
    created_from: String,
    created_to: String,
    q: String,
    sort: String,
    cursor: String,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn uuid(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

/// The start of a local calendar day, in UTC.
fn local_day(s: &str, tz: &str, plus_days: i64) -> Option<chrono::DateTime<Utc>> {
    let d =
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()? + chrono::Duration::days(plus_days);
    let tz: chrono_tz::Tz = tz.parse().unwrap_or(chrono_tz::Asia::Shanghai);
    tz.from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

impl QueueParams {
    fn to_query(&self, v: &Viewer) -> TicketListQuery {
        TicketListQuery {
            queue: opt(&self.queue),
            status: opt(&self.status),
            priority: opt(&self.priority),
            kind: opt(&self.kind),
            team_id: uuid(&self.team_id),
            assignee_id: uuid(&self.assignee_id),
            customer_id: uuid(&self.customer_id),
            tag: opt(&self.tag),
            created_from: local_day(&self.created_from, &v.user.time_zone, 0),
            // The "to" date is inclusive on screen.
            created_to: local_day(&self.created_to, &v.user.time_zone, 1),
            q: opt(&self.q),
            sort: opt(&self.sort),
            cursor: opt(&self.cursor),
            limit: Some(50),
            ..Default::default()
        }
    }

    /// The filters that are set, as a query string without the cursor (for "load more" and
    /// links, which append their own: a second `cursor` key would be refused).
    fn query_string(&self) -> String {
        let pairs: Vec<(String, String)> = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) if k != "cursor" && !s.is_empty() => Some((k, s)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The export format of `/tickets/export`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportFormat {
    format: String,
}

/// `GET /tickets/export?<queue filters>&format=xlsx|csv`: what the queue page lists, as a file.
pub async fn export(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(p): Query<QueueParams>,
    Query(f): Query<ExportFormat>,
) -> Response {
    let Some(format) = kefu_app::export::Format::parse(&f.format) else {
        return page_error(
            kefu_app::AppError::invalid("format", "invalid", "xlsx or csv"),
            v.locale(),
        );
    };
    match kefu_app::export::export_tickets(&s.app, &v.actor, p.to_query(&v), format).await {
        Ok(file) => {
            crate::api::file_response(file.content_type, &file.file_name, file.bytes, false)
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /`: the agent's own queue.
pub async fn home(_staff: Staff) -> Response {
    Redirect::to("/tickets?queue=mine").into_response()
}

/// An option of a picker: code and label in the viewer's language.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Choice {
    key: String,
    name: String,
    /// Custom fields (ticket types only).
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<Vec<kefu_domain::fields::FieldDef>>,
}

/// Labels and option lists the queue, new-ticket and ticket pages share (one read each of the
/// workflow, the ticket types and the staff directory).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Vocab {
    statuses: Vec<Choice>,
    types: Vec<Choice>,
    staff: Vec<kefu_app::users::StaffEntry>,
    pub(super) status_names: std::collections::BTreeMap<String, String>,
    type_names: std::collections::BTreeMap<String, String>,
    pub(super) staff_names: std::collections::BTreeMap<String, String>,
    priorities: [&'static str; 4],
}

pub(super) async fn vocab(s: &AppState, v: &Viewer) -> Result<Vocab, kefu_app::AppError> {
    let wf = tickets::workflow_in_force(&s.app).await?;
    let en = v.locale() == "en";
    let label = |zh: &str, e: &str| if en { e.to_owned() } else { zh.to_owned() };
    let statuses: Vec<Choice> = wf
        .statuses
        .iter()
        .map(|st| Choice {
            key: st.key.clone(),
            name: label(&st.name_zh, &st.name_en),
            fields: None,
        })
        .collect();
    let all_types = tickets::list_ticket_types(&s.app, &v.actor).await?;
    let type_names = all_types
        .iter()
        .map(|t| (t.code.clone(), label(&t.name_zh, &t.name_en)))
        .collect();
    let types = all_types
        .into_iter()
        .filter(|t| t.active)
        .map(|t| Choice {
            name: label(&t.name_zh, &t.name_en),
            key: t.code,
            fields: Some(t.fields),
        })
        .collect();
    let staff = kefu_app::users::staff_directory(&s.app, &v.actor)
        .await
        .unwrap_or_default();
    Ok(Vocab {
        status_names: super::labels::status_names_of(&wf, v.locale()),
        staff_names: staff
            .iter()
            .map(|u| (u.id.to_string(), u.name.clone()))
            .collect(),
        statuses,
        types,
        staff,
        type_names,
        priorities: ["P1", "P2", "P3", "P4"],
    })
}

/// `GET /tickets`: a queue page, or (for htmx "load more") just the next rows.
pub async fn queue(
    State(s): State<AppState>,
    Staff(v): Staff,
    headers: HeaderMap,
    Query(p): Query<QueueParams>,
) -> Response {
    let locale = v.locale();
    let page = match tickets::list_tickets(&s.app, &v.actor, p.to_query(&v)).await {
        Ok(page) => page,
        Err(e) => return page_error(e, locale),
    };
    let vocab = match vocab(&s, &v).await {
        Ok(x) => x,
        Err(e) => return page_error(e, locale),
    };
    let ctx_rows = ctx!(base(&v); tickets => page.items,
        next_cursor => page.next_cursor,
        filters => p.query_string(),
        vocab);
    if is_htmx(&headers) && !p.cursor.is_empty() {
        return render("agent/queue_rows.html", ctx_rows);
    }

    let current = if p.queue.is_empty() {
        "all".to_owned()
    } else {
        p.queue.clone()
    };
    render(
        "agent/queue.html",
        ctx!(ctx_rows; current, params => p, section => "tickets",
            queues => tickets::Queue::ALL.iter().map(|q| q.code()).collect::<Vec<_>>()),
    )
}

/// `POST /tickets/bulk`: one action on every checked ticket; reports what failed.
pub async fn bulk(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let locale = v.locale();
    let p = &form.data;
    let ids: Vec<Uuid> = all(p, "ids")
        .filter_map(|id| Uuid::parse_str(id).ok())
        .collect();
    let action = get(p, "action").to_owned();
    let value = get(p, "value").to_owned();
    if ids.is_empty() {
        return message_text(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            locale,
            &i18n::translate(locale, "bulk.none_selected"),
        );
    }
    let mut failed = Vec::new();
    for id in &ids {
        let r = match action.as_str() {
            "assign" => tickets::assign_ticket(
                &s.app,
                &v.actor,
                *id,
                AssignInput {
                    assignee_id: Uuid::parse_str(&value).ok(),
                    team_id: None,
                    version: None,
                },
            )
            .await
            .map(drop),
            "status" => tickets::transition_ticket(
                &s.app,
                &v.actor,
                *id,
                TransitionInput {
                    to: value.clone(),
                    version: None,
                    comment: None,
                },
            )
            .await
            .map(drop),
            "priority" => tickets::update_ticket(
                &s.app,
                &v.actor,
                *id,
                TicketPatch {
                    priority: Some(value.clone()),
                    ..Default::default()
                },
            )
            .await
            .map(drop),
            "tag" => match tickets::get_ticket(&s.app, &v.actor, *id).await {
                Ok(t) => {
                    let mut tags = t.tags.clone();
                    if !tags.contains(&value) {
                        tags.push(value.clone());
                    }
                    tickets::update_ticket(
                        &s.app,
                        &v.actor,
                        *id,
                        TicketPatch {
                            tags: Some(tags),
                            version: Some(t.version),
                            ..Default::default()
                        },
                    )
                    .await
                    .map(drop)
                }
                Err(e) => Err(e),
            },
            _ => Err(kefu_app::AppError::invalid(
                "action",
                "invalid",
                "unknown bulk action",
            )),
        };
        if let Err(e) = r {
            // Name the ticket as the agent knows it.
            let label = match tickets::get_ticket(&s.app, &v.actor, *id).await {
                Ok(t) => t.number,
                Err(_) => id.to_string(),
            };
            failed.push(format!("{label}: {}", super::errors::describe(e, locale).1));
        }
    }
    let done = ids.len() - failed.len();
    let summary = i18n::translate(locale, "bulk.done").replace("{n}", &done.to_string());
    let status = if failed.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = render_status(
        status,
        "error.html",
        ctx!(; locale, status => status.as_u16(), message => summary, details => failed),
    );
    // Reload the queue so the rows show the new state; after a failure, keep the report on
    // screen instead (a reload would wipe it before anyone could read it).
    if status.is_success() {
        res.headers_mut()
            .insert("HX-Refresh", axum::http::HeaderValue::from_static("true"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::QueueParams;

    #[test]
    fn load_more_query_keeps_set_filters_and_drops_the_cursor() {
        let p = QueueParams {
            queue: "all".into(),
            priority: "P1".into(),
            q: "主轴 异响".into(),
            cursor: "123_abc".into(),
            ..Default::default()
        };
        assert_eq!(
            p.query_string(),
            "priority=P1&q=%E4%B8%BB%E8%BD%B4+%E5%BC%82%E5%93%8D&queue=all"
        );
    }
}

/// Which queue the page shows (for the highlighted link).
#[derive(Debug, Default, Deserialize)]
pub struct CountsQuery {
    #[serde(default)]
    current: String,
}

/// `GET /tickets/counts`: the queue links with their counts (loaded after the queue page).
pub async fn counts(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(q): Query<CountsQuery>,
) -> Response {
    match tickets::queue_counts(&s.app, &v.actor).await {
        Ok(counts) => render(
            "agent/queue_counts.html",
            ctx!(base(&v); counts, current => q.current),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}
