//! The contact behind a sender address: an existing contact with that address; else a new
//! contact of the customer whose contacts or own address share the sender's (non-public)
//! domain; else a new person-customer with the sender as its contact.

use chrono::{DateTime, Utc};
use kefu_domain::customer::{CustomerKind, Lifecycle, Tier};
use kefu_store::entity::{contact, customer};
use kefu_store::sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::AppError;

/// Customer and contact of a sender.
pub(crate) struct Party {
    pub customer_id: Uuid,
    pub contact_id: Uuid,
}

/// Finds or creates the contact for `email` inside `tx`.
pub(crate) async fn contact_for(
    tx: &kefu_store::Tx,
    email: &str,
    name: Option<&str>,
    free_domains: &[String],
    now: DateTime<Utc>,
) -> Result<Party, AppError> {
    let email = email.to_lowercase();
    if let Some(c) = contact::Entity::find()
        // Addresses are stored lower-cased, so the plain index on `email` serves this.
        .filter(contact::Column::Email.eq(&email))
        .order_by_asc(contact::Column::CreatedAt)
        .one(tx)
        .await?
    {
        return Ok(Party {
            customer_id: c.customer_id,
            contact_id: c.id,
        });
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or("");
    let public = domain.is_empty() || free_domains.iter().any(|d| d.eq_ignore_ascii_case(domain));
    let mut customer_id = None;
    if !public {
        let suffix = format!("@{domain}");
        customer_id = contact::Entity::find()
            .filter(kefu_store::ends_with_ci(contact::Column::Email, &suffix))
            .order_by_asc(contact::Column::CreatedAt)
            .one(tx)
            .await?
            .map(|c| c.customer_id);
        if customer_id.is_none() {
            customer_id = customer::Entity::find()
                .filter(kefu_store::ends_with_ci(customer::Column::Email, &suffix))
                .order_by_asc(customer::Column::CreatedAt)
                .one(tx)
                .await?
                .map(|c| c.id);
        }
    }
    let display = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&email)
        .chars()
        .take(100)
        .collect::<String>();
    let note = "由邮件自动创建 / created from an inbound mail";
    match customer_id {
        Some(customer_id) => {
            let contact_id =
                insert_contact(tx, customer_id, &display, Some(&email), None, false, now).await?;
            Ok(Party {
                customer_id,
                contact_id,
            })
        }
        None => new_person(tx, &display, Some(&email), None, note, now).await,
    }
}

/// A new person-customer (standard tier, lead) with one primary contact: a sender nobody
/// knows yet, by mail address or WeChat OpenID.
pub(crate) async fn new_person(
    tx: &kefu_store::Tx,
    name: &str,
    email: Option<&str>,
    wechat_openid: Option<&str>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<Party, AppError> {
    let customer_id = Uuid::now_v7();
    customer::Entity::insert(customer::ActiveModel {
        id: Set(customer_id),
        kind: Set(CustomerKind::Person.as_str().into()),
        name: Set(name.to_owned()),
        code: Set(None),
        tier: Set(Tier::default().as_str().into()),
        lifecycle: Set(Lifecycle::default().as_str().into()),
        owner_id: Set(None),
        region: Set(None),
        address: Set(None),
        phone: Set(None),
        email: Set(email.map(str::to_owned)),
        tags: Set(serde_json::json!([])),
        custom_fields: Set(serde_json::json!({})),
        notes: Set(Some(note.to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(tx)
    .await?;
    let contact_id = insert_contact(tx, customer_id, name, email, wechat_openid, true, now).await?;
    Ok(Party {
        customer_id,
        contact_id,
    })
}

async fn insert_contact(
    tx: &kefu_store::Tx,
    customer_id: Uuid,
    name: &str,
    email: Option<&str>,
    wechat_openid: Option<&str>,
    is_primary: bool,
    now: DateTime<Utc>,
) -> Result<Uuid, AppError> {
    let contact_id = Uuid::now_v7();
    contact::Entity::insert(contact::ActiveModel {
        id: Set(contact_id),
        customer_id: Set(customer_id),
        name: Set(name.to_owned()),
        email: Set(email.map(str::to_owned)),
        phone: Set(None),
        wechat_openid: Set(wechat_openid.map(str::to_owned)),
        title: Set(None),
        is_primary: Set(is_primary),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(contact_id)
}
