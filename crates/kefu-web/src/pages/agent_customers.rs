//! Customers: a searchable list and the customer page (contacts, assets with warranty, orders,
//! tickets, tier, owner, tags, custom fields).

use axum::extract::State;
use axum::response::Response;
use kefu_app::customers;
use kefu_app::tickets::{self, TicketListQuery};

use serde::Deserialize;
use uuid::Uuid;

use super::base;
use super::errors::page_error;
use super::render::render;
use super::session::Staff;
use crate::AppState;
use crate::extract::{Path, Query};

/// Search and paging of the list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    tier: String,
    after: String,
}

/// `GET /customers`.
pub async fn list(
    State(s): State<AppState>,
    Staff(v): Staff,
    Query(q): Query<ListQuery>,
) -> Response {
    let tier = (!q.tier.is_empty()).then_some(q.tier.as_str());
    let after = Uuid::parse_str(&q.after).ok();
    match customers::list_customers(&s.app, &v.actor, Some(q.q.trim()), tier, after, 50).await {
        Ok(items) => {
            let next = (items.len() == 50)
                .then(|| items.last().map(|c| c.id))
                .flatten();
            render(
                "agent/customers.html",
                ctx!(base(&v); customers => items, q => q.q, tier => q.tier, next, section => "customers"),
            )
        }
        Err(e) => page_error(e, v.locale()),
    }
}

/// `GET /customers/{id}`.
pub async fn page(State(s): State<AppState>, Staff(v): Staff, Path(id): Path<Uuid>) -> Response {
    let r = async {
        let customer = customers::get_customer(&s.app, &v.actor, id).await?;
        let contacts = customers::list_contacts(&s.app, &v.actor, id).await?;
        let assets = customers::list_assets(&s.app, &v.actor, id).await?;
        let orders = customers::list_orders(&s.app, &v.actor, id).await?;
        let plans = kefu_app::maintenance::customer_plans(&s.app, &v.actor, id).await?;
        let tickets = tickets::list_tickets(
            &s.app,
            &v.actor,
            TicketListQuery {
                customer_id: Some(id),
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?
        .items;
        let staff = kefu_app::users::staff_directory(&s.app, &v.actor).await?;
        let owner = customer
            .owner_id
            .and_then(|o| staff.iter().find(|u| u.id == o).map(|u| u.name.clone()));
        Ok::<_, kefu_app::AppError>(ctx!(base(&v); customer, contacts, assets, orders, plans, tickets, owner, section => "customers"))
    }
    .await;
    match r {
        Ok(ctx) => render("agent/customer.html", ctx),
        Err(e) => page_error(e, v.locale()),
    }
}
