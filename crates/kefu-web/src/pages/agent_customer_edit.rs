//! Creating and editing customers, and adding their contacts and installed equipment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use kefu_app::customers::{self, CustomerPatch, NewAsset, NewContact, NewCustomer};
use serde_json::Map;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::form::{Pairs, get, has, list, opt};
use super::render::render;
use super::session::{PageForm, Staff};
use crate::AppState;
use crate::extract::Path;

fn date(p: &Pairs, key: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(get(p, key), "%Y-%m-%d").ok()
}

fn to_customer(id: Uuid) -> Response {
    let mut r = Redirect::to(&format!("/customers/{id}")).into_response();
    *r.status_mut() = StatusCode::SEE_OTHER;
    r
}

/// `GET /customers/new` and `GET /customers/{id}/edit`.
async fn form_page(s: &AppState, v: &super::session::Viewer, id: Option<Uuid>) -> Response {
    let r = async {
        let customer = match id {
            Some(id) => Some(customers::get_customer(&s.app, &v.actor, id).await?),
            None => None,
        };
        let staff = kefu_app::users::staff_directory(&s.app, &v.actor).await?;
        Ok::<_, kefu_app::AppError>(ctx!(base(v);
            customer, staff, section => "customers",
            tiers => ["standard", "vip", "strategic"],
            lifecycles => ["prospect", "active", "at_risk", "churned"],
        ))
    }
    .await;
    match r {
        Ok(ctx) => render("agent/customer_form.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /customers/new`.
pub async fn new_form(State(s): State<AppState>, Staff(v): Staff) -> Response {
    form_page(&s, &v, None).await
}

/// `GET /customers/{id}/edit`.
pub async fn edit_form(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    form_page(&s, &v, Some(id)).await
}

/// `POST /customers/new`.
pub async fn create(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let req = NewCustomer {
        kind: opt(&p, "kind"),
        name: opt(&p, "name").unwrap_or_default(),
        code: opt(&p, "code"),
        tier: opt(&p, "tier"),
        lifecycle: opt(&p, "lifecycle"),
        owner_id: opt(&p, "owner_id").and_then(|x| Uuid::parse_str(&x).ok()),
        region: opt(&p, "region"),
        address: opt(&p, "address"),
        phone: opt(&p, "phone"),
        email: opt(&p, "email"),
        tags: list(get(&p, "tags")),
        custom_fields: Map::new(),
        notes: opt(&p, "notes"),
    };
    match customers::create_customer(&s.app, &v.actor, req).await {
        Ok(c) => to_customer(c.id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /customers/{id}/edit`.
pub async fn update(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let patch = CustomerPatch {
        version: opt(&p, "version").and_then(|x| x.parse().ok()),
        name: opt(&p, "name"),
        tier: opt(&p, "tier"),
        lifecycle: opt(&p, "lifecycle"),
        owner_id: opt(&p, "owner_id").and_then(|x| Uuid::parse_str(&x).ok()),
        region: Some(opt(&p, "region").unwrap_or_default()),
        address: Some(opt(&p, "address").unwrap_or_default()),
        phone: Some(opt(&p, "phone").unwrap_or_default()),
        email: opt(&p, "email"),
        tags: Some(list(get(&p, "tags"))),
        notes: Some(opt(&p, "notes").unwrap_or_default()),
        ..Default::default()
    };
    match customers::update_customer(&s.app, &v.actor, id, patch).await {
        Ok(_) => to_customer(id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /customers/{id}/contacts`.
pub async fn add_contact(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let req = NewContact {
        name: opt(&p, "name").unwrap_or_default(),
        email: opt(&p, "email"),
        phone: opt(&p, "phone"),
        title: opt(&p, "title"),
        is_primary: has(&p, "is_primary"),
    };
    match customers::create_contact(&s.app, &v.actor, id, req).await {
        Ok(_) => to_customer(id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /customers/{id}/assets`.
pub async fn add_asset(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let req = NewAsset {
        product_name: opt(&p, "product_name").unwrap_or_default(),
        serial_number: opt(&p, "serial_number").unwrap_or_default(),
        install_date: date(&p, "install_date"),
        warranty_end: date(&p, "warranty_end"),
        contract_end: date(&p, "contract_end"),
        site_address: opt(&p, "site_address"),
        product_id: None,
    };
    match customers::create_asset(&s.app, &v.actor, id, req).await {
        Ok(_) => to_customer(id),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `POST /customers/{id}/maintenance-plans`: a preventive-maintenance plan on one of the
/// customer's assets.
pub async fn add_plan(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let Some(asset_id) = super::form::uuid(&p, "asset_id") else {
        return page_error(
            kefu_app::AppError::invalid("asset_id", "required", "pick an asset"),
            v.locale(),
        );
    };
    let Some(next_due) = date(&p, "next_due") else {
        return page_error(
            kefu_app::AppError::invalid("next_due", "required", "a date is needed"),
            v.locale(),
        );
    };
    let req = kefu_app::maintenance::PlanInput {
        name: get(&p, "name").to_owned(),
        interval_months: get(&p, "interval_months").parse().unwrap_or(0),
        next_due,
        lead_days: get(&p, "lead_days").parse().ok(),
        kind: opt(&p, "kind"),
        priority: None,
        team_id: None,
        assignee_id: None,
        active: None,
    };
    match kefu_app::maintenance::create_plan(&s.app, &v.actor, asset_id, req).await {
        Ok(_) => to_customer(id),
        Err(e) => page_error(e, v.locale()),
    }
}
