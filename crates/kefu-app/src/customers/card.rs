//! A customer with their contacts, equipment and orders (the ticket page's customer card), read
//! after one permission and visibility check instead of one per part.

use kefu_domain::access::Actor;
use serde::Serialize;
use uuid::Uuid;

use super::{AssetView, ContactView, CustomerView, OrderView, get_customer};
use crate::{App, AppError};

/// A customer and what belongs to them.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerCard {
    /// The customer.
    pub customer: CustomerView,
    /// Contacts, primary first.
    pub contacts: Vec<ContactView>,
    /// Installed equipment.
    pub assets: Vec<AssetView>,
    /// Orders, newest first.
    pub orders: Vec<OrderView>,
}

/// The card of customer `id`, as `get_customer`, `list_contacts`, `list_assets` and
/// `list_orders` would give it to `actor`.
pub async fn customer_card(app: &App, actor: &Actor, id: Uuid) -> Result<CustomerCard, AppError> {
    let customer = get_customer(app, actor, id).await?;
    Ok(CustomerCard {
        customer,
        contacts: super::contacts::contacts_of(app, id).await?,
        assets: super::assets::assets_of(app, id).await?,
        orders: super::orders::orders_of(app, id).await?,
    })
}
