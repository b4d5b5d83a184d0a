//! Service charges in the workspace: the charges panel of a ticket (add from the price list
//! or the parts catalogue, remove, send a quotation; htmx fragment) and `/charges` for finance
//! (what waits for export, export batches with downloads, the price list and charge rules).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::charges::{self, ChargeInput, PriceItemInput, QuoteInput};
use kefu_domain::access::Permission;
use kefu_domain::charges::{ChargeKind, ChargeRules, parse_yuan};
use uuid::Uuid;

use super::base;
use super::errors::{describe, page_error};
use super::form::{Pairs, all, get, has, opt, uuid};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

async fn panel(
    s: &AppState,
    v: &Viewer,
    ticket_id: Uuid,
    flash: Option<(bool, String)>,
) -> Response {
    let r = async {
        let c = charges::ticket_charges(&s.app, &v.actor, ticket_id).await?;
        let can_edit = v.actor.role.is_staff() && v.actor.has(Permission::TicketUpdate);
        let (items, parts) = if can_edit {
            (
                charges::list_price_items(&s.app, &v.actor, false).await?,
                kefu_app::parts::list_parts(&s.app, &v.actor, None).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Ok::<_, AppError>((c, items, parts, can_edit))
    }
    .await;
    let (flash_ok, flash) = super::parts::split_flash(flash);
    match r {
        Ok((c, items, parts, can_edit)) => render(
            "agent/ticket_charges.html",
            ctx!(base(v); ticket_id, c, items, parts, can_edit, flash, flash_ok,
                manager => v.actor.has(Permission::ChargesManage)),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /tickets/{id}/charges`: the charges panel.
pub async fn ticket_panel(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    panel(&s, &v, id, None).await
}

/// `POST /tickets/{id}/charges`: `source` = `item:<id>` or `part:<id>`, `quantity`,
/// `description`, `goodwill`.
pub async fn add(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let (kind, source) = get(&p, "source").split_once(':').unwrap_or(("", ""));
    let source = Uuid::parse_str(source).ok();
    let quantity = get(&p, "quantity")
        .replace('，', ".")
        .parse::<f64>()
        .unwrap_or(0.0);
    let input = ChargeInput {
        price_item_id: source.filter(|_| kind == "item"),
        part_id: source.filter(|_| kind == "part"),
        quantity,
        description: opt(&p, "description"),
        goodwill: has(&p, "goodwill"),
        ..Default::default()
    };
    let flash = match charges::add_charge(&s.app, &v.actor, id, input).await {
        Ok(_) => None,
        Err(e) => Some((false, describe(e, v.locale()).1)),
    };
    panel(&s, &v, id, flash).await
}

/// `POST /tickets/{id}/charges/{charge}/remove`.
pub async fn remove(
    State(s): State<AppState>,
    Path((id, charge)): Path<(Uuid, Uuid)>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let flash = match charges::remove_charge(&s.app, &v.actor, id, charge).await {
        Ok(()) => None,
        Err(e) => Some((false, describe(e, v.locale()).1)),
    };
    panel(&s, &v, id, flash).await
}

/// `POST /tickets/{id}/quotes`: send a quotation of the current lines.
pub async fn send_quote(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let input = QuoteInput {
        note: opt(&form.data, "note"),
    };
    let flash = match charges::send_quote(&s.app, &v.actor, id, input).await {
        Ok(q) => (true, q.number),
        Err(e) => (false, describe(e, v.locale()).1),
    };
    panel(&s, &v, id, Some(flash)).await
}

async fn page(s: &AppState, v: &Viewer, flash: Option<(bool, String)>) -> Response {
    let r = async {
        Ok::<_, AppError>((
            charges::unexported_summary(&s.app, &v.actor).await?,
            charges::list_exports(&s.app, &v.actor).await?,
            charges::list_price_items(&s.app, &v.actor, true).await?,
            charges::charge_rules(&s.app, &v.actor).await?,
        ))
    }
    .await;
    let (flash_ok, flash) = super::parts::split_flash(flash);
    match r {
        Ok((summary, exports, items, rules)) => {
            let kinds: Vec<&str> = ChargeKind::ALL.iter().map(|k| k.as_str()).collect();
            let warranty: Vec<&str> = rules.warranty.iter().map(|k| k.as_str()).collect();
            let contract: Vec<&str> = rules.contract.iter().map(|k| k.as_str()).collect();
            render(
                "agent/charges.html",
                ctx!(base(v); section => "charges", summary, exports, items, kinds, warranty, contract,
                    flash, flash_ok, manager => v.actor.has(Permission::ChargesManage)),
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /charges` (`finance.read`).
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    page(&s, &v, None).await
}

/// `POST /charges/exports`: a new export batch.
pub async fn export(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let flash = match charges::create_export(&s.app, &v.actor).await {
        Ok(e) => (true, e.number),
        Err(e) => (false, describe(e, v.locale()).1),
    };
    page(&s, &v, Some(flash)).await
}

fn price(p: &Pairs, key: &str) -> Result<Option<i64>, AppError> {
    match opt(p, key) {
        None => Ok(None),
        Some(s) => parse_yuan(&s)
            .map(Some)
            .ok_or_else(|| AppError::invalid(key, "invalid", "a price in yuan, e.g. 120 or 88.50")),
    }
}

/// `POST /charges/prices`: add a price-list entry, or change the one named by `id`.
pub async fn save_item(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let r = async {
        let input = PriceItemInput {
            code: get(&p, "code").to_owned(),
            name: get(&p, "name").to_owned(),
            kind: ChargeKind::parse(get(&p, "kind"))
                .ok_or_else(|| AppError::invalid("kind", "invalid", "labour, travel or fee"))?,
            unit: get(&p, "unit").to_owned(),
            unit_price_cents: price(&p, "price")?
                .ok_or_else(|| AppError::invalid("price", "required", "a price is needed"))?,
            vip_price_cents: price(&p, "vip_price")?,
            strategic_price_cents: price(&p, "strategic_price")?,
            external_id: None,
            active: Some(get(&p, "active") != "false"),
        };
        charges::save_price_item(&s.app, &v.actor, uuid(&p, "id"), input).await
    }
    .await;
    match r {
        Ok(_) => Redirect::to("/charges").into_response(),
        Err(e) => {
            let text = describe(e, v.locale()).1;
            page(&s, &v, Some((false, text))).await
        }
    }
}

/// `POST /charges/rules`: the kinds warranty and contract cover (checkboxes).
pub async fn save_rules(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let rules = ChargeRules {
        warranty: all(&p, "warranty").filter_map(ChargeKind::parse).collect(),
        contract: all(&p, "contract").filter_map(ChargeKind::parse).collect(),
    };
    match charges::save_charge_rules(&s.app, &v.actor, rules).await {
        Ok(_) => Redirect::to("/charges").into_response(),
        Err(e) => {
            let text = describe(e, v.locale()).1;
            page(&s, &v, Some((false, text))).await
        }
    }
}
