//! Zero-code configuration pages: ticket types with their forms, the status workflow, teams.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use kefu_app::config::{teams, ticket_types, workflow};
use kefu_app::tickets;
use kefu_domain::access::Permission;
use kefu_domain::fields::{FieldDef, FieldKind};
use kefu_domain::ticket::{StatusCategory, StatusDef, Transition, Workflow};
use uuid::Uuid;

use super::admin::refuse_non_admin;
use super::base;
use super::errors::page_error;
use super::form::{Pairs, get, has, rows};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

async fn types_page(s: &AppState, v: &Viewer, saved: Option<String>) -> Response {
    match tickets::list_ticket_types(&s.app, &v.actor).await {
        Ok(types) => render(
            "admin/types.html",
            ctx!(base(v); types, saved, section => "admin",
                kinds => ["text", "number", "date", "checkbox", "select", "multi_select", "user", "customer"]),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/types`.
pub async fn types_list(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    types_page(&s, &v, None).await
}

fn field_from_row(p: &Pairs, i: usize) -> Option<FieldDef> {
    let g = |f: &str| get(p, &format!("f{i}.{f}")).to_owned();
    let key = g("key");
    if key.is_empty() || has(p, &format!("f{i}.remove")) {
        return None;
    }
    let options: Vec<String> = g("options")
        .split([',', '，', '\n'])
        .map(|o| o.trim().to_owned())
        .filter(|o| !o.is_empty())
        .collect();
    let num = |f: &str| g(f).parse::<f64>().ok();
    let kind = match g("type").as_str() {
        "number" => FieldKind::Number {
            min: num("min"),
            max: num("max"),
        },
        "date" => FieldKind::Date,
        "checkbox" => FieldKind::Checkbox,
        "select" => FieldKind::Select { options },
        "multi_select" => FieldKind::MultiSelect { options },
        "user" => FieldKind::User,
        "customer" => FieldKind::Customer,
        _ => FieldKind::Text {
            max_len: g("max_len").parse().unwrap_or(200),
        },
    };
    Some(FieldDef {
        key,
        label_zh: g("label_zh"),
        label_en: g("label_en"),
        kind,
        required: has(p, &format!("f{i}.required")),
    })
}

/// `POST /admin/types`: creates or updates one type with its form.
pub async fn types_save(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let fields = rows(&p, "f")
        .into_iter()
        .filter_map(|i| field_from_row(&p, i))
        .collect();
    let input = ticket_types::TicketTypeInput {
        code: get(&p, "code").to_owned(),
        name_zh: get(&p, "name_zh").to_owned(),
        name_en: get(&p, "name_en").to_owned(),
        fields,
        active: has(&p, "active"),
    };
    match ticket_types::save_ticket_type(&s.app, &v.actor, input).await {
        Ok(t) => types_page(&s, &v, Some(t.code)).await,
        Err(e) => page_error(e, v.locale()),
    }
}

async fn workflow_page(s: &AppState, v: &Viewer, saved: bool) -> Response {
    match tickets::workflow_in_force(&s.app).await {
        Ok(wf) => {
            let cells: BTreeMap<String, String> = wf
                .transitions
                .iter()
                .map(|t| {
                    (
                        format!("{}>{}", t.from, t.to),
                        t.requires.map_or("any", |p| p.as_str()).to_owned(),
                    )
                })
                .collect();
            render(
                "admin/workflow.html",
                ctx!(base(v); wf, cells, saved, section => "admin",
                    categories => ["new", "open", "pending", "resolved", "closed"],
                    permissions => Permission::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>()),
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/workflow`.
pub async fn workflow_show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    workflow_page(&s, &v, false).await
}

fn category(s: &str) -> Option<StatusCategory> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// `POST /admin/workflow`: statuses (rows `s0.key` …) and the transition grid
/// (`t.<from>.<to>` = `""` | `any` | a permission code).
pub async fn workflow_save(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let mut statuses = Vec::new();
    for i in rows(&p, "s") {
        let g = |f: &str| get(&p, &format!("s{i}.{f}")).to_owned();
        if g("key").is_empty() || has(&p, &format!("s{i}.remove")) {
            continue;
        }
        statuses.push(StatusDef {
            key: g("key"),
            name_zh: g("name_zh"),
            name_en: g("name_en"),
            category: category(&g("category")).unwrap_or(StatusCategory::Open),
        });
    }
    let mut transitions = Vec::new();
    for (k, val) in &p {
        let Some(rest) = k.strip_prefix("t.") else {
            continue;
        };
        let Some((from, to)) = rest.split_once('.') else {
            continue;
        };
        let requires = match val.as_str() {
            "" => continue,
            "any" => None,
            code => Permission::parse(code),
        };
        transitions.push(Transition {
            from: from.to_owned(),
            to: to.to_owned(),
            requires,
        });
    }
    // Transitions from or to removed statuses go with them.
    transitions.retain(|t| {
        statuses.iter().any(|s| s.key == t.from) && statuses.iter().any(|s| s.key == t.to)
    });
    match workflow::save_workflow(
        &s.app,
        &v.actor,
        Workflow {
            statuses,
            transitions,
        },
    )
    .await
    {
        Ok(_) => workflow_page(&s, &v, true).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// The teams page (also shown after a policy change).
pub(super) async fn teams_page_for(s: &AppState, v: &Viewer) -> Response {
    teams_page(s, v).await
}

async fn teams_page(s: &AppState, v: &Viewer) -> Response {
    let r = async {
        let list = teams::list_teams(&s.app, &v.actor).await?;
        let staff = kefu_app::users::staff_directory(&s.app, &v.actor).await?;
        let mut policies = std::collections::BTreeMap::new();
        for t in &list {
            policies.insert(
                t.id.to_string(),
                kefu_app::dispatch::get_team_policy(&s.app, &v.actor, t.id).await?,
            );
        }
        Ok::<_, kefu_app::AppError>(
            ctx!(base(v); teams => list, staff, policies, section => "admin",
            strategies => ["round_robin", "least_open", "manual"]),
        )
    }
    .await;
    match r {
        Ok(ctx) => render("admin/teams.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /admin/teams`.
pub async fn teams_list(State(s): State<AppState>, Staff(v): Staff) -> Response {
    if let Some(r) = refuse_non_admin(&v) {
        return r;
    }
    teams_page(&s, &v).await
}

fn team_input(p: &Pairs) -> teams::TeamInput {
    teams::TeamInput {
        name: get(p, "name").to_owned(),
        member_ids: p
            .iter()
            .filter(|(k, _)| k == "member_ids")
            .filter_map(|(_, x)| Uuid::parse_str(x).ok())
            .collect(),
    }
}

/// `POST /admin/teams`: a new team.
pub async fn teams_create(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    match teams::save_team(&s.app, &v.actor, None, team_input(&form.data)).await {
        Ok(_) => teams_page(&s, &v).await,
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /admin/teams/{id}`: rename and set members.
pub async fn teams_update(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    match teams::save_team(&s.app, &v.actor, Some(id), team_input(&form.data)).await {
        Ok(_) => teams_page(&s, &v).await,
        Err(e) => page_error(e, v.locale()),
    }
}
