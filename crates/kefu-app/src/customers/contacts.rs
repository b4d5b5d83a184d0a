//! Contacts: the people at a customer who raise and receive service.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::contact;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::visible_customer;
use crate::users::valid_email;
use crate::{App, AppError, FieldError, require};

/// Request to add a contact to a customer.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// Name.
    pub name: String,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Job title.
    #[serde(default)]
    pub title: Option<String>,
    /// Main contact of the customer.
    #[serde(default)]
    pub is_primary: bool,
}

/// A contact.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactView {
    /// Id.
    pub id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Main contact.
    pub is_primary: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl From<contact::Model> for ContactView {
    fn from(c: contact::Model) -> Self {
        ContactView {
            id: c.id,
            customer_id: c.customer_id,
            name: c.name,
            email: c.email,
            phone: c.phone,
            title: c.title,
            is_primary: c.is_primary,
            created_at: c.created_at,
        }
    }
}

/// Adds a contact.
pub async fn create_contact(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    req: NewContact,
) -> Result<ContactView, AppError> {
    require(actor, Permission::CustomerWrite)?;
    let mut errors = Vec::new();
    if req.name.trim().is_empty() || req.name.chars().count() > 100 {
        errors.push(FieldError::new("name", "invalid", "1 to 100 characters"));
    }
    let email = req
        .email
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        errors.push(FieldError::new("email", "invalid", "not an email address"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let tx = app.store.begin().await?;
    visible_customer(&tx, actor, customer_id).await?;
    let now = app.now();
    let m = contact::Model {
        id: Uuid::now_v7(),
        customer_id,
        name: req.name.trim().into(),
        email,
        phone: req.phone,
        wechat_openid: None,
        title: req.title,
        is_primary: req.is_primary,
        created_at: now,
        updated_at: now,
    };
    contact::Entity::insert(contact::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    tx.commit().await?;
    Ok(m.into())
}

/// A customer's contacts.
pub async fn list_contacts(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
) -> Result<Vec<ContactView>, AppError> {
    visible_customer(app.store.conn(), actor, customer_id).await?;
    contacts_of(app, customer_id).await
}

/// The contacts of a customer the caller has already checked.
pub(super) async fn contacts_of(
    app: &App,
    customer_id: Uuid,
) -> Result<Vec<ContactView>, AppError> {
    Ok(contact::Entity::find()
        .filter(contact::Column::CustomerId.eq(customer_id))
        .order_by_desc(contact::Column::IsPrimary)
        .order_by_asc(contact::Column::Name)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
