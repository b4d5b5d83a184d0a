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
    let customer_id = match customer_id {
        Some(id) => id,
        None => {
            let id = Uuid::now_v7();
            customer::Entity::insert(customer::ActiveModel {
                id: Set(id),
                kind: Set(CustomerKind::Person.as_str().into()),
                name: Set(display.clone()),
                code: Set(None),
                tier: Set(Tier::default().as_str().into()),
                lifecycle: Set(Lifecycle::default().as_str().into()),
                owner_id: Set(None),
                region: Set(None),
                address: Set(None),
                phone: Set(None),
                email: Set(Some(email.clone())),
                tags: Set(serde_json::json!([])),
                custom_fields: Set(serde_json::json!({})),
                notes: Set(Some("由邮件自动创建 / created from an inbound mail".into())),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .exec_without_returning(tx)
            .await?;
            id
        }
    };
    let contact_id = Uuid::now_v7();
    contact::Entity::insert(contact::ActiveModel {
        id: Set(contact_id),
        customer_id: Set(customer_id),
        name: Set(display),
        email: Set(Some(email)),
        phone: Set(None),
        wechat_openid: Set(None),
        title: Set(None),
        is_primary: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(tx)
    .await?;
    Ok(Party {
        customer_id,
        contact_id,
    })
}
