//! Customers and what belongs to them: contacts, installed assets and orders.

mod assets;
mod card;
mod contacts;
mod invitations;
mod lookup;
mod orders;
mod party;

pub(crate) use assets::view as asset_view;
pub use assets::{AssetView, NewAsset, create_asset, list_assets};
pub use card::{CustomerCard, customer_card};
pub use contacts::{ContactView, NewContact, create_contact, list_contacts};
pub use invitations::{
    CreatedInvitation, PendingInvitation, accept_invitation, invite_portal_user, pending_invitation,
};
pub use lookup::{LookupHit, lookup};
pub use orders::{NewOrder, NewOrderLine, OrderView, create_order, list_orders};
pub use party::{
    CustomerPatch, CustomerView, NewCustomer, create_customer, get_customer, list_customers,
    update_customer,
};

use kefu_domain::access::Actor;
use kefu_store::entity::customer;
use kefu_store::sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::AppError;

/// Loads a customer the actor may see, or NotFound (never Forbidden: a portal user must not
/// learn that another customer exists).
pub(crate) async fn visible_customer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> Result<customer::Model, AppError> {
    if !actor.can_see_customer(Some(id)) {
        return Err(AppError::NotFound("customer"));
    }
    customer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("customer"))
}

/// Checks a list of tags: 1–40 characters each, at most 20, no duplicates.
pub(crate) fn check_tags(field: &str, tags: &[String], errors: &mut Vec<crate::FieldError>) {
    if tags.len() > 20 {
        errors.push(crate::FieldError::new(field, "too_many", "at most 20 tags"));
    }
    for (i, t) in tags.iter().enumerate() {
        if t.trim().is_empty() || t.chars().count() > 40 {
            errors.push(crate::FieldError::new(
                format!("{field}[{i}]"),
                "invalid",
                "1 to 40 characters",
            ));
        }
        if tags[..i].contains(t) {
            errors.push(crate::FieldError::new(
                format!("{field}[{i}]"),
                "duplicate",
                "duplicate tag",
            ));
        }
    }
}

/// Tiers of several customers: one query per 5,000 distinct ids (bound-parameter limits).
pub(crate) async fn tiers_of(
    db: &impl ConnectionTrait,
    mut ids: Vec<Uuid>,
) -> Result<std::collections::HashMap<Uuid, kefu_domain::customer::Tier>, AppError> {
    use kefu_store::sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    ids.sort_unstable();
    ids.dedup();
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(5_000) {
        let rows: Vec<(Uuid, String)> = customer::Entity::find()
            .select_only()
            .column(customer::Column::Id)
            .column(customer::Column::Tier)
            .filter(customer::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().map(|(id, tier)| {
            (
                id,
                kefu_domain::customer::Tier::parse(&tier).unwrap_or_default(),
            )
        }));
    }
    Ok(out)
}
