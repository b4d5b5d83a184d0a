//! Installed equipment: product, serial number, install date, warranty and contract ends.

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{asset, product};
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::visible_customer;
use crate::{App, AppError, FieldError, require};

/// Request to register an installed asset.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAsset {
    /// Product model name.
    pub product_name: String,
    /// Serial number (unique).
    pub serial_number: String,
    /// Install date.
    #[serde(default)]
    pub install_date: Option<NaiveDate>,
    /// Warranty end date.
    #[serde(default)]
    pub warranty_end: Option<NaiveDate>,
    /// Service contract end date.
    #[serde(default)]
    pub contract_end: Option<NaiveDate>,
    /// Where it is installed.
    #[serde(default)]
    pub site_address: Option<String>,
    /// The catalogue product (its service BOM is suggested on maintenance visits).
    #[serde(default)]
    pub product_id: Option<Uuid>,
}

/// An asset, with its warranty status as of today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AssetView {
    /// Id.
    pub id: Uuid,
    /// Customer.
    pub customer_id: Uuid,
    /// Product model name.
    pub product_name: String,
    /// Serial number.
    pub serial_number: String,
    /// Install date.
    pub install_date: Option<NaiveDate>,
    /// Warranty end.
    pub warranty_end: Option<NaiveDate>,
    /// Contract end.
    pub contract_end: Option<NaiveDate>,
    /// Site.
    pub site_address: Option<String>,
    /// `in_warranty`, `in_contract`, `expired` or `unknown`.
    pub entitlement: String,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// Entitlement of an asset on `today`.
pub fn entitlement(a: &asset::Model, today: NaiveDate) -> &'static str {
    kefu_domain::charges::Entitlement::on(a.warranty_end, a.contract_end, today).as_str()
}

/// The view of a stored asset on `today`.
pub(crate) fn view(a: asset::Model, today: NaiveDate) -> AssetView {
    AssetView {
        entitlement: entitlement(&a, today).into(),
        id: a.id,
        customer_id: a.customer_id,
        product_name: a.product_name,
        serial_number: a.serial_number,
        install_date: a.install_date,
        warranty_end: a.warranty_end,
        contract_end: a.contract_end,
        site_address: a.site_address,
        created_at: a.created_at,
    }
}

/// Registers an asset for a customer.
pub async fn create_asset(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
    req: NewAsset,
) -> Result<AssetView, AppError> {
    require(actor, Permission::CustomerWrite)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let mut errors = Vec::new();
    if req.product_name.trim().is_empty() {
        errors.push(FieldError::new(
            "product_name",
            "required",
            "a product is required",
        ));
    }
    let sn = req.serial_number.trim().to_owned();
    if sn.is_empty() || sn.len() > 100 {
        errors.push(FieldError::new(
            "serial_number",
            "invalid",
            "1 to 100 characters",
        ));
    }
    if let (Some(i), Some(w)) = (req.install_date, req.warranty_end)
        && w < i
    {
        errors.push(FieldError::new(
            "warranty_end",
            "before_install",
            "warranty cannot end before installation",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let tx = app.store.begin().await?;
    visible_customer(&tx, actor, customer_id).await?;
    if let Some(p) = req.product_id
        && product::Entity::find_by_id(p).one(&tx).await?.is_none()
    {
        return Err(AppError::invalid(
            "product_id",
            "not_found",
            "no such product",
        ));
    }
    let now = app.now();
    let m = asset::Model {
        id: Uuid::now_v7(),
        customer_id,
        product_id: req.product_id,
        product_name: req.product_name.trim().into(),
        serial_number: sn,
        install_date: req.install_date,
        warranty_end: req.warranty_end,
        contract_end: req.contract_end,
        site_address: req.site_address,
        created_at: now,
        updated_at: now,
    };
    asset::Entity::insert(asset::ActiveModel::from(m.clone()))
        .exec_without_returning(&tx)
        .await?;
    tx.commit().await?;
    Ok(view(m, now.date_naive()))
}

/// A customer's assets.
pub async fn list_assets(
    app: &App,
    actor: &Actor,
    customer_id: Uuid,
) -> Result<Vec<AssetView>, AppError> {
    visible_customer(app.store.conn(), actor, customer_id).await?;
    assets_of(app, customer_id).await
}

/// The installed equipment of a customer the caller has already checked.
pub(super) async fn assets_of(app: &App, customer_id: Uuid) -> Result<Vec<AssetView>, AppError> {
    let today = app.now().date_naive();
    Ok(asset::Entity::find()
        .filter(asset::Column::CustomerId.eq(customer_id))
        .order_by_asc(asset::Column::SerialNumber)
        .all(app.store.conn())
        .await?
        .into_iter()
        .map(|a| view(a, today))
        .collect())
}
