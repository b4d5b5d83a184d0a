//! Automation pages: the triggers (one form for the whole ordered list: events, the routing
//! rules' conditions, statuses, and actions — ticket changes, notices, a mail, a task), the
//! macros (several ticket changes an agent applies with one click), and applying a macro from
//! the ticket page. A refused save re-renders the form with what was entered and each
//! problem next to the trigger or macro it belongs to; nothing is written.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::{AppError, FieldError, dispatch, tickets};
use kefu_domain::routing::{
    MAX_CHAIN, MailAction, NotifyTarget, TaskAction, Trigger, TriggerActions, TriggerEvent,
};
use kefu_domain::ticket::{AssigneeAction, Macro, Priority, TicketActions, VARIABLES};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::admin_dispatch::{FIELDS, OPS, condition_view, parse_conditions};
use super::errors::page_error;
use super::form::{Pairs, all, get, has, list, opt, rows, uuid};
use super::render::render_status;
use super::session::{PageForm, Staff, Viewer};
use super::{base, i18n, is_htmx};
use crate::AppState;
use crate::extract::Path;

/// The events a trigger can listen for, in the form's order.
const EVENTS: [&str; 7] = [
    "created",
    "updated",
    "customer_replied",
    "agent_replied",
    "status_changed",
    "sla_warning",
    "sla_breached",
];

/// Roles a trigger can notify.
const NOTIFY_ROLES: [&str; 5] = ["supervisor", "agent", "admin", "field_engineer", "finance"];

const PRIORITIES: [&str; 4] = ["P1", "P2", "P3", "P4"];

/// Default business hours until a trigger's task is due.
const TASK_HOURS: u32 = 8;

// ---------------------------------------------------------------------------------------------
// Shared: ticket actions in forms.

/// The ticket changes of a form row (`<prefix>status`, `…priority`, `…team_id`, `…assignee`,
/// `…add_tags`, `…remove_tags`, `…reply`, `…note`); empty fields change nothing.
fn parse_ticket_actions(p: &Pairs, prefix: &str) -> TicketActions {
    let k = |f: &str| format!("{prefix}{f}");
    let assignee = match get(p, &k("assignee")) {
        "" => None,
        "me" => Some(AssigneeAction::Me),
        "nobody" => Some(AssigneeAction::Nobody),
        other => Uuid::parse_str(other).ok().map(AssigneeAction::User),
    };
    TicketActions {
        status: opt(p, &k("status")),
        priority: Priority::parse(get(p, &k("priority"))),
        team_id: uuid(p, &k("team_id")),
        assignee,
        add_tags: list(get(p, &k("add_tags"))),
        remove_tags: list(get(p, &k("remove_tags"))),
        reply: opt(p, &k("reply")),
        note: opt(p, &k("note")),
    }
}

/// Ticket changes as the form shows them: every value a string (empty: no change).
fn ticket_actions_view(a: &TicketActions) -> Map<String, Value> {
    let assignee = match a.assignee {
        None => String::new(),
        Some(AssigneeAction::Me) => "me".into(),
        Some(AssigneeAction::Nobody) => "nobody".into(),
        Some(AssigneeAction::User(u)) => u.to_string(),
    };
    let mut m = Map::new();
    m.insert("status".into(), json!(a.status.clone().unwrap_or_default()));
    m.insert(
        "priority".into(),
        json!(
            a.priority
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default()
        ),
    );
    m.insert(
        "team_id".into(),
        json!(a.team_id.map(|t| t.to_string()).unwrap_or_default()),
    );
    m.insert("assignee".into(), json!(assignee));
    m.insert("add_tags".into(), json!(a.add_tags.join(", ")));
    m.insert("remove_tags".into(), json!(a.remove_tags.join(", ")));
    m.insert("reply".into(), json!(a.reply.clone().unwrap_or_default()));
    m.insert("note".into(), json!(a.note.clone().unwrap_or_default()));
    m
}

/// The text inside the first pair of backticks of an application message (`no status `x``).
fn quoted(message: &str) -> Option<&str> {
    message.split('`').nth(1)
}

/// One problem of a trigger or macro in the reader's language: `automation.err.<kind>.<field>`,
/// else `automation.err.<field>`, with the variable or status it names; else the application's
/// own message.
fn problem_text(locale: &str, kind: &str, field: &str, code: &str, message: &str) -> String {
    let tr = |key: &str| {
        let s = i18n::translate(locale, key);
        (s != key).then_some(s)
    };
    if code == "unknown_status" {
        let s = tr("automation.err.unknown_status").unwrap_or_default();
        return format!("{s}{}", quoted(message).unwrap_or(message));
    }
    if field == "conditions" {
        let key = if message.contains("number") {
            "automation.err.condition_number"
        } else if message.contains("key") {
            "automation.err.condition_key"
        } else {
            "automation.err.conditions"
        };
        return tr(key).unwrap_or_else(|| message.to_owned());
    }
    if matches!(field, "actions.reply" | "actions.note") {
        let which = tr(&format!("automation.{}", &field[8..])).unwrap_or_default();
        let sep = if i18n::pick(locale) == "en" {
            ": "
        } else {
            "："
        };
        return match quoted(message) {
            Some(var) if message.starts_with("no variable") => format!(
                "{which}{sep}{}{{{{{var}}}}}",
                tr("automation.err.unknown_variable").unwrap_or_default()
            ),
            _ => format!(
                "{which}{sep}{}",
                tr("automation.err.too_long").unwrap_or_else(|| message.to_owned())
            ),
        };
    }
    tr(&format!("automation.err.{kind}.{field}"))
        .or_else(|| tr(&format!("automation.err.{field}")))
        .unwrap_or_else(|| message.to_owned())
}

/// Field errors of `save_triggers` / `save_macros` (`triggers[2].actions.mail`) as messages per
/// list index, and the ones that name no index.
fn problems_by_index(
    locale: &str,
    kind: &str,
    len: usize,
    errs: Vec<FieldError>,
) -> (Vec<Vec<String>>, Vec<String>) {
    let mut per = vec![Vec::new(); len];
    let mut general = Vec::new();
    for e in errs {
        let at = e.field.split_once('[').and_then(|(_, rest)| {
            let (n, tail) = rest.split_once(']')?;
            Some((n.parse::<usize>().ok()?, tail.trim_start_matches('.')))
        });
        match at {
            Some((i, field)) if i < len => {
                let text = problem_text(locale, kind, field, &e.code, &e.message);
                if !per[i].contains(&text) {
                    per[i].push(text);
                }
            }
            _ => general.push(problem_text(locale, kind, &e.field, &e.code, &e.message)),
        }
    }
    (per, general)
}

/// Pickers both pages share: workflow statuses (in order, in the viewer's language), teams and
/// the staff.
async fn pickers(s: &AppState, v: &Viewer) -> Result<minijinja::Value, AppError> {
    let wf = tickets::workflow_in_force(&s.app).await?;
    let en = v.locale() == "en";
    let statuses: Vec<Value> = wf
        .statuses
        .iter()
        .map(|st| json!({"key": st.key, "name": if en { &st.name_en } else { &st.name_zh }}))
        .collect();
    let teams = kefu_app::config::teams::list_teams(&s.app, &v.actor).await?;
    let staff = kefu_app::users::staff_directory(&s.app, &v.actor).await?;
    Ok(ctx!(base(v);
        statuses, teams, staff, priorities => PRIORITIES, section => "admin",
    ))
}

/// What a save came back with: the list to show (the submitted one when refused), and the
/// problems.
struct Outcome<T> {
    list: Option<Vec<T>>,
    saved: Option<usize>,
    errors: Vec<FieldError>,
}

impl<T> Outcome<T> {
    fn fresh() -> Self {
        Outcome {
            list: None,
            saved: None,
            errors: Vec::new(),
        }
    }

    fn of(r: Result<Vec<T>, AppError>, submitted: Vec<T>) -> Result<Self, AppError> {
        match r {
            Ok(saved) => Ok(Outcome {
                list: None,
                saved: Some(saved.len()),
                errors: Vec::new(),
            }),
            Err(AppError::Invalid(errors)) => Ok(Outcome {
                list: Some(submitted),
                saved: None,
                errors,
            }),
            Err(e) => Err(e),
        }
    }

    fn status(&self) -> StatusCode {
        if self.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Triggers.

fn event_code(e: TriggerEvent) -> String {
    serde_json::to_value(e)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_event(s: &str) -> Option<TriggerEvent> {
    serde_json::from_value(Value::String(s.to_owned())).ok()
}

/// A trigger as the form shows it.
fn trigger_view(t: &Trigger, problems: Vec<String>) -> Value {
    let a = &t.actions;
    let mut m = ticket_actions_view(&a.ticket);
    let mut roles = Vec::new();
    let mut users = Vec::new();
    for n in &a.notify {
        match n {
            NotifyTarget::Role(r) => roles.push(r.clone()),
            NotifyTarget::User(u) => users.push(u.to_string()),
            _ => {}
        }
    }
    let task = a.task.as_ref();
    let extra = json!({
        "id": t.id, "name": t.name, "enabled": t.enabled, "match_all": t.match_all,
        "on": t.on.iter().copied().map(event_code).collect::<Vec<_>>(),
        "conditions": t.conditions.iter().map(condition_view).collect::<Vec<_>>(),
        "status_in": t.status_in,
        "notify_assignee": a.notify.contains(&NotifyTarget::Assignee),
        "notify_team": a.notify.contains(&NotifyTarget::Team),
        "notify_roles": roles, "notify_users": users,
        "mail_to": a.mail.as_ref().map_or("", |x| x.to.as_str()),
        "mail_subject": a.mail.as_ref().map_or("", |x| x.subject.as_str()),
        "mail_body": a.mail.as_ref().map_or("", |x| x.body.as_str()),
        "task_title": task.map_or("", |x| x.title.as_str()),
        "task_hours": task.map_or(TASK_HOURS, |x| x.due_business_hours),
        "task_for": if task.is_some_and(|x| !x.for_assignee) { "owner" } else { "assignee" },
        "problems": problems,
    });
    if let Value::Object(x) = extra {
        m.extend(x);
    }
    Value::Object(m)
}

async fn triggers_page(s: &AppState, v: &Viewer, out: Outcome<Trigger>) -> Response {
    let status = out.status();
    let invalid = !out.errors.is_empty();
    let r = async {
        let list = match out.list {
            Some(l) => l,
            None => dispatch::list_triggers(&s.app, &v.actor).await?,
        };
        let (per, general) = problems_by_index(v.locale(), "trigger", list.len(), out.errors);
        let triggers: Vec<Value> = list
            .iter()
            .zip(per)
            .map(|(t, p)| trigger_view(t, p))
            .collect();
        let base = pickers(s, v).await?;
        Ok::<_, AppError>(ctx!(base;
            triggers, general, invalid, saved => out.saved, events => EVENTS, roles => NOTIFY_ROLES,
            fields => FIELDS, ops => OPS, variables => VARIABLES, max_chain => MAX_CHAIN,
            task_hours => TASK_HOURS,
        ))
    }
    .await;
    match r {
        Ok(ctx) => render_status(status, "admin/triggers.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/triggers`.
pub async fn triggers_show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    triggers_page(&s, &v, Outcome::fresh()).await
}

/// The trigger rows of the form (`t<i>.…`, conditions `t<i>.c<j>.…`) in their order; rows
/// without a name and rows ticked for removal are left out.
fn parse_triggers(p: &Pairs) -> Vec<Trigger> {
    let mut ordered: Vec<(f64, Trigger)> = Vec::new();
    for i in rows(p, "t") {
        let k = |f: &str| format!("t{i}.{f}");
        let g = |f: &str| get(p, &k(f));
        if g("name").is_empty() || has(p, &k("remove")) {
            continue;
        }
        let mut notify = Vec::new();
        if has(p, &k("notify_assignee")) {
            notify.push(NotifyTarget::Assignee);
        }
        if has(p, &k("notify_team")) {
            notify.push(NotifyTarget::Team);
        }
        let role_key = k("notify_role");
        notify.extend(all(p, &role_key).map(|r| NotifyTarget::Role(r.to_owned())));
        let user_key = k("notify_user");
        notify.extend(
            all(p, &user_key)
                .filter_map(|u| Uuid::parse_str(u).ok())
                .map(NotifyTarget::User),
        );
        let mail = (!g("mail_to").is_empty()
            || !g("mail_subject").is_empty()
            || !g("mail_body").is_empty())
        .then(|| MailAction {
            to: g("mail_to").to_owned(),
            subject: g("mail_subject").to_owned(),
            body: g("mail_body").to_owned(),
        });
        let task = (!g("task_title").is_empty()).then(|| TaskAction {
            title: g("task_title").to_owned(),
            // Not a number: out of range, so the form says so.
            due_business_hours: match g("task_hours") {
                "" => TASK_HOURS,
                h => h.parse().unwrap_or(u32::MAX),
            },
            for_assignee: g("task_for") != "owner",
        });
        let on_key = k("on");
        let status_key = k("status_in");
        let trigger = Trigger {
            id: Uuid::parse_str(g("id")).unwrap_or_else(|_| Uuid::now_v7()),
            name: g("name").to_owned(),
            enabled: has(p, &k("enabled")),
            on: all(p, &on_key).filter_map(parse_event).collect(),
            match_all: g("match") != "any",
            conditions: parse_conditions(p, &k("c")),
            status_in: all(p, &status_key).map(str::to_owned).collect(),
            actions: TriggerActions {
                ticket: parse_ticket_actions(p, &k("")),
                notify,
                mail,
                task,
            },
        };
        ordered.push((g("order").parse().unwrap_or(i as f64), trigger));
    }
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0));
    ordered.into_iter().map(|(_, t)| t).collect()
}

/// `POST /admin/triggers`: the whole ordered list.
pub async fn triggers_save(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let list = parse_triggers(&form.data);
    let r = dispatch::save_triggers(&s.app, &v.actor, list.clone()).await;
    match Outcome::of(r, list) {
        Ok(out) => triggers_page(&s, &v, out).await,
        Err(e) => page_error(e, v.locale()),
    }
}

// ---------------------------------------------------------------------------------------------
// Macros.

fn macro_view(m: &Macro, problems: Vec<String>) -> Value {
    let mut v = ticket_actions_view(&m.actions);
    v.insert("id".into(), json!(m.id));
    v.insert("name".into(), json!(m.name));
    v.insert("problems".into(), json!(problems));
    Value::Object(v)
}

async fn macros_page(s: &AppState, v: &Viewer, out: Outcome<Macro>) -> Response {
    let status = out.status();
    let invalid = !out.errors.is_empty();
    let r = async {
        let list = match out.list {
            Some(l) => l,
            None => tickets::list_macros(&s.app, &v.actor).await?,
        };
        let (per, general) = problems_by_index(v.locale(), "macro", list.len(), out.errors);
        let macros: Vec<Value> = list
            .iter()
            .zip(per)
            .map(|(m, p)| macro_view(m, p))
            .collect();
        let base = pickers(s, v).await?;
        Ok::<_, AppError>(ctx!(base;
            macros, general, invalid, saved => out.saved, variables => VARIABLES,
        ))
    }
    .await;
    match r {
        Ok(ctx) => render_status(status, "admin/macros.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/macros`.
pub async fn macros_show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    macros_page(&s, &v, Outcome::fresh()).await
}

/// The macro rows of the form (`m<i>.…`) in their order.
fn parse_macros(p: &Pairs) -> Vec<Macro> {
    let mut ordered: Vec<(f64, Macro)> = Vec::new();
    for i in rows(p, "m") {
        let k = |f: &str| format!("m{i}.{f}");
        if get(p, &k("name")).is_empty() || has(p, &k("remove")) {
            continue;
        }
        let m = Macro {
            id: uuid(p, &k("id")).unwrap_or_else(Uuid::now_v7),
            name: get(p, &k("name")).to_owned(),
            actions: parse_ticket_actions(p, &k("")),
        };
        ordered.push((get(p, &k("order")).parse().unwrap_or(i as f64), m));
    }
    ordered.sort_by(|a, b| a.0.total_cmp(&b.0));
    ordered.into_iter().map(|(_, m)| m).collect()
}

/// `POST /admin/macros`: the whole ordered list.
pub async fn macros_save(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let list = parse_macros(&form.data);
    let r = tickets::save_macros(&s.app, &v.actor, list.clone()).await;
    match Outcome::of(r, list) {
        Ok(out) => macros_page(&s, &v, out).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /tickets/{id}/macros` (`macro_id`, `version`): applies a macro, all or nothing. htmx
/// reloads the ticket page; a plain form post is sent back to it. A refusal (a stale version,
/// a status waiting for sign-off, a missing permission) is shown like other ticket actions'.
pub async fn apply(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let r = match uuid(&p, "macro_id") {
        Some(m) => {
            let version = get(&p, "version").parse().ok();
            tickets::apply_macro(&s.app, &v.actor, id, m, version).await
        }
        None => Err(AppError::invalid("macro_id", "required", "choose a macro")),
    };
    match r {
        Ok(_) if is_htmx(&headers) => super::agent_ticket::reload(),
        Ok(_) => Redirect::to(&format!("/tickets/{id}")).into_response(),
        Err(e) => page_error(e, v.locale()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Pairs {
        v.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_trigger_row_round_trips_through_its_view() {
        let team = Uuid::from_u128(7);
        let user = Uuid::from_u128(9);
        let p = pairs(&[
            ("t0.id", "00000000-0000-0000-0000-000000000001"),
            ("t0.name", "VIP 升级"),
            ("t0.enabled", "1"),
            ("t0.on", "customer_replied"),
            ("t0.on", "sla_breached"),
            ("t0.match", "any"),
            ("t0.c0.field", "tier"),
            ("t0.c0.op", "is"),
            ("t0.c0.value", "vip"),
            ("t0.c1.field", ""),
            ("t0.status_in", "open"),
            ("t0.priority", "P1"),
            ("t0.team_id", &team.to_string()),
            ("t0.assignee", "nobody"),
            ("t0.add_tags", "vip跟进， 加急"),
            ("t0.notify_assignee", "1"),
            ("t0.notify_role", "supervisor"),
            ("t0.notify_user", &user.to_string()),
            ("t0.mail_to", "boss@example.cn"),
            ("t0.mail_subject", "{{number}} 升级"),
            ("t0.task_title", "回电 {{contact}}"),
            ("t0.task_hours", "2"),
            ("t0.task_for", "owner"),
            ("t1.name", ""),
            ("t2.name", "删掉"),
            ("t2.remove", "1"),
        ]);
        let list = parse_triggers(&p);
        assert_eq!(list.len(), 1);
        let t = &list[0];
        assert_eq!(
            t.on,
            [TriggerEvent::CustomerReplied, TriggerEvent::SlaBreached]
        );
        assert!(!t.match_all && t.enabled);
        assert_eq!(t.conditions.len(), 1);
        assert_eq!(t.actions.ticket.team_id, Some(team));
        assert_eq!(t.actions.ticket.assignee, Some(AssigneeAction::Nobody));
        assert_eq!(t.actions.ticket.add_tags, ["vip跟进", "加急"]);
        assert_eq!(
            t.actions.notify,
            [
                NotifyTarget::Assignee,
                NotifyTarget::Role("supervisor".into()),
                NotifyTarget::User(user)
            ]
        );
        assert_eq!(t.actions.task.as_ref().unwrap().due_business_hours, 2);
        assert!(!t.actions.task.as_ref().unwrap().for_assignee);
        assert!(kefu_domain::routing::trigger_problems(&list).is_empty());
        let v = trigger_view(t, vec![]);
        assert_eq!(v["on"], json!(["customer_replied", "sla_breached"]));
        assert_eq!(v["task_for"], "owner");
        assert_eq!(v["assignee"], "nobody");
        assert_eq!(v["add_tags"], "vip跟进, 加急");
        assert_eq!(v["conditions"][0]["value"], "vip");
    }

    #[test]
    fn problems_land_on_their_row_in_the_readers_language() {
        let errs = vec![
            FieldError::new("triggers[1].on", "invalid", "name at least one event"),
            FieldError::new("triggers[1].actions.note", "invalid", "no variable `nope`"),
            FieldError::new("triggers[0]", "unknown_status", "no status `gone`"),
            FieldError::new("other", "invalid", "as is"),
        ];
        let (per, general) = problems_by_index("zh-CN", "trigger", 2, errs);
        assert_eq!(per[0], ["没有这个状态：gone"]);
        assert_eq!(per[1][0], "请至少选择一个触发事件");
        assert!(per[1][1].contains("{{nope}}"), "{:?}", per[1]);
        assert_eq!(general, ["as is"]);
    }
}
