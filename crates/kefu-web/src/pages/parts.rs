//! Spare parts in the workspace: `/parts` (stock per warehouse, purchase requests; managers
//! receive stock and add parts and warehouses) and the parts panel of a ticket (reserve,
//! consume, release; htmx fragment).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::AppError;
use kefu_app::parts::{self, PartInput, ReceiveInput, ReserveInput, WarehouseInput};
use kefu_domain::access::Permission;
use uuid::Uuid;

use super::base;
use super::errors::{describe, page_error};
use super::form::{Pairs, get, opt, uuid};
use super::render::render;
use super::session::{PageForm, Staff, Viewer};
use crate::AppState;
use crate::extract::Path;

/// A message for the page (success or not) as the template's two values.
pub(super) fn split_flash(flash: Option<(bool, String)>) -> (bool, Option<String>) {
    match flash {
        Some((ok, text)) => (ok, Some(text)),
        None => (true, None),
    }
}

fn zh_en(v: &Viewer, zh: String, en: String) -> String {
    if v.locale() == "en" { en } else { zh }
}

async fn page(s: &AppState, v: &Viewer, flash: Option<(bool, String)>) -> Response {
    let r = async {
        Ok::<_, AppError>((
            parts::stock_levels(&s.app, &v.actor, None, None).await?,
            parts::list_purchase_requests(&s.app, &v.actor, None).await?,
            parts::list_parts(&s.app, &v.actor, None).await?,
            parts::list_warehouses(&s.app, &v.actor).await?,
        ))
    }
    .await;
    let (flash_ok, flash) = split_flash(flash);
    match r {
        Ok((stock, requests, parts, warehouses)) => render(
            "agent/parts.html",
            ctx!(base(v); section => "parts", stock, requests, parts, warehouses, flash, flash_ok,
                manager => v.actor.has(Permission::PartsManage)),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /parts`.
pub async fn show(State(s): State<AppState>, Staff(v): Staff) -> Response {
    page(&s, &v, None).await
}

/// `POST /parts/receive`.
pub async fn receive(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let input = ReceiveInput {
        part_id: uuid(&p, "part_id").unwrap_or_default(),
        warehouse_id: uuid(&p, "warehouse_id").unwrap_or_default(),
        quantity: get(&p, "quantity").parse().unwrap_or(0),
        purchase_request_id: None,
        reason: opt(&p, "reason"),
    };
    let flash = match parts::receive_stock(&s.app, &v.actor, input).await {
        Ok(out) => (
            true,
            zh_en(
                &v,
                format!(
                    "已入库，现有 {}，已预留 {}；分配给 {} 张等待中的工单。",
                    out.on_hand,
                    out.reserved,
                    out.allocated.len()
                ),
                format!(
                    "Received: {} on hand, {} reserved; allocated to {} waiting ticket(s).",
                    out.on_hand,
                    out.reserved,
                    out.allocated.len()
                ),
            ),
        ),
        Err(e) => (false, describe(e, v.locale()).1),
    };
    page(&s, &v, Some(flash)).await
}

/// `POST /parts/new`.
pub async fn create_part(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let input = PartInput {
        code: get(&p, "code").to_owned(),
        name: get(&p, "name").to_owned(),
        unit: opt(&p, "unit"),
        unit_price_cents: 0,
        external_id: None,
    };
    match parts::create_part(&s.app, &v.actor, input).await {
        Ok(_) => Redirect::to("/parts").into_response(),
        Err(e) => {
            let text = describe(e, v.locale()).1;
            page(&s, &v, Some((false, text))).await
        }
    }
}

/// `POST /parts/warehouses`.
pub async fn create_warehouse(State(s): State<AppState>, form: PageForm<Pairs>) -> Response {
    let v = form.viewer;
    let p = form.data;
    let input = WarehouseInput {
        code: get(&p, "code").to_owned(),
        name: get(&p, "name").to_owned(),
        kind: None,
        engineer_id: None,
    };
    match parts::create_warehouse(&s.app, &v.actor, input).await {
        Ok(_) => Redirect::to("/parts").into_response(),
        Err(e) => {
            let text = describe(e, v.locale()).1;
            page(&s, &v, Some((false, text))).await
        }
    }
}

async fn panel(
    s: &AppState,
    v: &Viewer,
    ticket_id: Uuid,
    flash: Option<(bool, String)>,
) -> Response {
    let r = async {
        let lines = parts::ticket_part_lines(&s.app, &v.actor, ticket_id).await?;
        let can_edit = v.actor.role.is_staff() && v.actor.has(Permission::TicketUpdate);
        let (list, warehouses) = if can_edit {
            (
                parts::list_parts(&s.app, &v.actor, None).await?,
                parts::list_warehouses(&s.app, &v.actor).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Ok::<_, AppError>((lines, list, warehouses, can_edit))
    }
    .await;
    let (flash_ok, flash) = split_flash(flash);
    match r {
        Ok((lines, list, warehouses, can_edit)) => render(
            "agent/ticket_parts.html",
            ctx!(base(v); ticket_id, lines, parts => list, warehouses, can_edit, flash, flash_ok),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /tickets/{id}/parts`: the panel.
pub async fn ticket_panel(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    panel(&s, &v, id, None).await
}

/// `POST /tickets/{id}/parts`: reserve; the panel again with what happened.
pub async fn reserve(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let input = ReserveInput {
        part_id: uuid(&p, "part_id").unwrap_or_default(),
        warehouse_id: uuid(&p, "warehouse_id").unwrap_or_default(),
        quantity: get(&p, "quantity").parse().unwrap_or(0),
        needed_by: None,
    };
    let flash = match parts::reserve_for_ticket(&s.app, &v.actor, id, input).await {
        Ok(out) => {
            let got = out.reserved.as_ref().map_or(0, |l| l.quantity);
            let text = match (&out.waiting, &out.purchase_request) {
                (Some(w), Some(pr)) => zh_en(
                    &v,
                    format!(
                        "已预留 {got}，缺 {} 已加入采购申请 {}，工单等待备件。",
                        w.quantity, pr.number
                    ),
                    format!(
                        "Reserved {got}; {} short, added to purchase request {}; the ticket waits for parts.",
                        w.quantity, pr.number
                    ),
                ),
                _ => zh_en(&v, format!("已预留 {got}。"), format!("Reserved {got}.")),
            };
            (true, text)
        }
        Err(e) => (false, describe(e, v.locale()).1),
    };
    panel(&s, &v, id, Some(flash)).await
}

/// `POST /tickets/{id}/parts/{line}/consume`.
pub async fn consume(
    State(s): State<AppState>,
    Path((id, line)): Path<(Uuid, Uuid)>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let flash = match parts::consume_line(&s.app, &v.actor, id, line).await {
        Ok(_) => None,
        Err(e) => Some((false, describe(e, v.locale()).1)),
    };
    panel(&s, &v, id, flash).await
}

/// `POST /tickets/{id}/parts/{line}/release`.
pub async fn release(
    State(s): State<AppState>,
    Path((id, line)): Path<(Uuid, Uuid)>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let flash = match parts::release_line(&s.app, &v.actor, id, line).await {
        Ok(_) => None,
        Err(e) => Some((false, describe(e, v.locale()).1)),
    };
    panel(&s, &v, id, flash).await
}

async fn rma_panel(
    s: &AppState,
    v: &Viewer,
    ticket_id: Uuid,
    flash: Option<(bool, String)>,
) -> Response {
    let r = async {
        let rmas = kefu_app::rma::ticket_rmas(&s.app, &v.actor, ticket_id).await?;
        let can_edit = v.actor.role.is_staff() && v.actor.has(Permission::TicketUpdate);
        let warehouses = if can_edit {
            parts::list_warehouses(&s.app, &v.actor).await?
        } else {
            Vec::new()
        };
        Ok::<_, AppError>((rmas, warehouses, can_edit))
    }
    .await;
    let (flash_ok, flash) = split_flash(flash);
    match r {
        Ok((rmas, warehouses, can_edit)) => render(
            "agent/ticket_rmas.html",
            ctx!(base(v); ticket_id, rmas, warehouses, can_edit, flash, flash_ok),
        ),
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /tickets/{id}/rmas`: the returns panel of a return/exchange ticket.
pub async fn rmas_panel(
    State(s): State<AppState>,
    Staff(v): Staff,
    Path(id): Path<Uuid>,
) -> Response {
    rma_panel(&s, &v, id, None).await
}

/// `POST /tickets/{id}/rmas`: issue an RMA (or file the approvals it waits for).
pub async fn issue_rma(
    State(s): State<AppState>,
    Path(id): Path<Uuid>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let input = kefu_app::rma::RmaInput {
        kind: if get(&p, "kind") == "exchange" {
            kefu_domain::rma::RmaKind::Exchange
        } else {
            kefu_domain::rma::RmaKind::Return
        },
        serial_number: opt(&p, "serial_number"),
        order_line_id: None,
        part_id: uuid(&p, "part_id"),
        quantity: get(&p, "quantity").parse().ok(),
        reason: get(&p, "reason").to_owned(),
    };
    let flash = match kefu_app::rma::issue_rma(&s.app, &v.actor, id, input).await {
        Ok(r) => (true, r.number),
        Err(e) => (false, describe(e, v.locale()).1),
    };
    rma_panel(&s, &v, id, Some(flash)).await
}

/// `POST /tickets/{id}/rmas/{rma}/steps`: receive, inspect or ship.
pub async fn rma_step(
    State(s): State<AppState>,
    Path((id, rma)): Path<(Uuid, Uuid)>,
    form: PageForm<Pairs>,
) -> Response {
    let v = form.viewer;
    let p = form.data;
    let action = match get(&p, "step") {
        "receive" => kefu_app::rma::RmaAction::Receive,
        "inspect" => kefu_app::rma::RmaAction::Inspect {
            restock: get(&p, "restock") == "true",
            warehouse_id: uuid(&p, "warehouse_id"),
            note: opt(&p, "note"),
        },
        _ => kefu_app::rma::RmaAction::Ship {
            serial_number: opt(&p, "serial_number"),
            tracking: opt(&p, "tracking"),
        },
    };
    let flash = match kefu_app::rma::rma_step(&s.app, &v.actor, rma, action).await {
        Ok(_) => None,
        Err(e) => Some((false, describe(e, v.locale()).1)),
    };
    rma_panel(&s, &v, id, flash).await
}
