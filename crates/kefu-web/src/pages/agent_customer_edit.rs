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
use super::render::render;
use super::session::{PageForm, Staff};
use crate::AppState;
use crate::extract::Path;

type Pairs = Vec<(String, String)>;

fn get(p: &Pairs, key: &str) -> Option<String> {
    p.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn tags(p: &Pairs) -> Vec<String> {
    get(p, "tags")
        .unwrap_or_default()
        .split([',', '，'])
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

fn date(p: &Pairs, key: &str) -> Option<NaiveDate> {
    get(p, key).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
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
        kind: get(&p, "kind"),
        name: get(&p, "name").unwrap_or_default(),
        code: get(&p, "code"),
        tier: get(&p, "tier"),
        lifecycle: get(&p, "lifecycle"),
        owner_id: get(&p, "owner_id").and_then(|x| Uuid::parse_str(&x).ok()),
        region: get(&p, "region"),
        address: get(&p, "address"),
        phone: get(&p, "phone"),
        email: get(&p, "email"),
        tags: tags(&p),
        custom_fields: Map::new(),
        notes: get(&p, "notes"),
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
        version: get(&p, "version").and_then(|x| x.parse().ok()),
        name: get(&p, "name"),
        tier: get(&p, "tier"),
        lifecycle: get(&p, "lifecycle"),
        owner_id: get(&p, "owner_id").and_then(|x| Uuid::parse_str(&x).ok()),
        region: Some(get(&p, "region").unwrap_or_default()),
        address: Some(get(&p, "address").unwrap_or_default()),
        phone: Some(get(&p, "phone").unwrap_or_default()),
        email: get(&p, "email"),
        tags: Some(tags(&p)),
        notes: Some(get(&p, "notes").unwrap_or_default()),
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
        name: get(&p, "name").unwrap_or_default(),
        email: get(&p, "email"),
        phone: get(&p, "phone"),
        title: get(&p, "title"),
        is_primary: p.iter().any(|(k, _)| k == "is_primary"),
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
        product_name: get(&p, "product_name").unwrap_or_default(),
        serial_number: get(&p, "serial_number").unwrap_or_default(),
        install_date: date(&p, "install_date"),
        warranty_end: date(&p, "warranty_end"),
        contract_end: date(&p, "contract_end"),
        site_address: get(&p, "site_address"),
    };
    match customers::create_asset(&s.app, &v.actor, id, req).await {
        Ok(_) => to_customer(id),
        Err(e) => page_error(e, v.locale()),
    }
}
