//! Search-as-you-type for the new-ticket form: customers by name or code, contacts by name,
//! phone or email, assets by serial number. Staff only.

use kefu_domain::access::{Actor, Permission};
use kefu_store::contains_ci as contains;
use kefu_store::entity::{asset, contact, customer};
use kefu_store::sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use crate::{App, AppError, require};

/// One hit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LookupHit {
    /// `customer`, `contact` or `asset`.
    pub kind: &'static str,
    /// Id of the hit.
    pub id: Uuid,
    /// The customer it belongs to (itself for customers).
    pub customer_id: Uuid,
    /// Main text (name or serial number).
    pub label: String,
    /// Second line (code, phone, product).
    pub detail: String,
    /// The customer's name.
    pub customer_name: String,
}

/// Up to `limit` hits of each kind for `q` (at least 1 character).
pub async fn lookup(
    app: &App,
    actor: &Actor,
    q: &str,
    limit: u64,
) -> Result<Vec<LookupHit>, AppError> {
    require(actor, Permission::CustomerRead)?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let db = app.store.conn();
    let limit = limit.clamp(1, 20);
    let customers = customer::Entity::find()
        .filter(
            Condition::any()
                .add(contains(customer::Column::Name, q))
                .add(contains(customer::Column::Code, q))
                .add(contains(customer::Column::Phone, q)),
        )
        .limit(limit)
        .all(db)
        .await?;
    let contacts = contact::Entity::find()
        .filter(
            Condition::any()
                .add(contains(contact::Column::Name, q))
                .add(contains(contact::Column::Phone, q))
                .add(contains(contact::Column::Email, q)),
        )
        .limit(limit)
        .all(db)
        .await?;
    let assets = asset::Entity::find()
        .filter(
            Condition::any()
                .add(contains(asset::Column::SerialNumber, q))
                .add(contains(asset::Column::ProductName, q)),
        )
        .limit(limit)
        .all(db)
        .await?;
    let mut owner_ids: Vec<Uuid> = contacts
        .iter()
        .map(|c| c.customer_id)
        .chain(assets.iter().map(|a| a.customer_id))
        .collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owners: std::collections::HashMap<Uuid, String> = customer::Entity::find()
        .filter(customer::Column::Id.is_in(owner_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let name_of = |id: &Uuid| owners.get(id).cloned().unwrap_or_default();
    let mut hits: Vec<LookupHit> = customers
        .into_iter()
        .map(|c| LookupHit {
            kind: "customer",
            id: c.id,
            customer_id: c.id,
            detail: [c.code.unwrap_or_default(), c.tier].join(" · "),
            customer_name: c.name.clone(),
            label: c.name,
        })
        .collect();
    hits.extend(contacts.into_iter().map(|c| LookupHit {
        kind: "contact",
        id: c.id,
        customer_id: c.customer_id,
        detail: c.phone.or(c.email).unwrap_or_default(),
        customer_name: name_of(&c.customer_id),
        label: c.name,
    }));
    hits.extend(assets.into_iter().map(|a| LookupHit {
        kind: "asset",
        id: a.id,
        customer_id: a.customer_id,
        detail: a.product_name,
        customer_name: name_of(&a.customer_id),
        label: a.serial_number,
    }));
    Ok(hits)
}
