//! Record-by-record upserts for the ERP's integration, keyed by the ERP's own keys: customers
//! by customer code, installed equipment by serial number, parts by part code. A known key is
//! updated (fields left out keep their values), an unknown one created; the answer says which.
//! Products (by code) and price-list entries (by `external_id`) upsert through their own POST.

use chrono::NaiveDate;
use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{asset, customer, part, product};
use kefu_store::sea_orm::sea_query::Expr;
use kefu_store::sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use crate::customers::{
    AssetView, CustomerPatch, CustomerView, NewAsset, NewCustomer, asset_view, create_asset,
    create_customer, update_customer,
};
use crate::parts::{PartInput, PartView, create_part, list_parts};
use crate::{App, AppError, FieldError, require};

/// Creates or updates the customer with ERP code `code` (the body's `code`, if any, must
/// agree). Returns the customer and whether it was created.
pub async fn upsert_customer(
    app: &App,
    actor: &Actor,
    code: &str,
    mut req: NewCustomer,
) -> Result<(CustomerView, bool), AppError> {
    require(actor, Permission::CustomerWrite)?;
    if req.code.as_deref().is_some_and(|c| c != code) {
        return Err(AppError::invalid(
            "code",
            "mismatch",
            "the body's code differs from the path's",
        ));
    }
    let found = customer::Entity::find()
        .filter(customer::Column::Code.eq(code))
        .one(app.store.conn())
        .await?;
    match found {
        Some(c) => {
            let patch = CustomerPatch {
                version: None,
                name: Some(req.name),
                tier: req.tier,
                lifecycle: req.lifecycle,
                owner_id: req.owner_id,
                region: req.region,
                address: req.address,
                phone: req.phone,
                email: req.email,
                tags: (!req.tags.is_empty()).then_some(req.tags),
                custom_fields: (!req.custom_fields.is_empty()).then_some(req.custom_fields),
                notes: req.notes,
            };
            Ok((update_customer(app, actor, c.id, patch).await?, false))
        }
        None => {
            req.code = Some(code.to_owned());
            Ok((create_customer(app, actor, req).await?, true))
        }
    }
}

/// An asset as the ERP sends it: its customer by code, its product by code.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetUpsert {
    /// The customer's ERP code.
    pub customer_code: String,
    /// Product code in the catalogue (names the product when `product_name` is left out).
    #[serde(default)]
    pub product_code: Option<String>,
    /// Model name as the customer knows it.
    #[serde(default)]
    pub product_name: Option<String>,
    /// Installed on.
    #[serde(default)]
    pub install_date: Option<NaiveDate>,
    /// Warranty ends on.
    #[serde(default)]
    pub warranty_end: Option<NaiveDate>,
    /// Service contract ends on.
    #[serde(default)]
    pub contract_end: Option<NaiveDate>,
    /// Where it stands.
    #[serde(default)]
    pub site_address: Option<String>,
}

/// Creates or updates the asset with serial number `serial`.
pub async fn upsert_asset(
    app: &App,
    actor: &Actor,
    serial: &str,
    req: AssetUpsert,
) -> Result<(AssetView, bool), AppError> {
    require(actor, Permission::CustomerWrite)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let cust = customer::Entity::find()
        .filter(customer::Column::Code.eq(req.customer_code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::invalid("customer_code", "not_found", "no customer with that code")
        })?;
    let prod = match &req.product_code {
        Some(code) => Some(
            product::Entity::find()
                .filter(product::Column::Code.eq(code.as_str()))
                .one(db)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("product_code", "not_found", "no product with that code")
                })?,
        ),
        None => None,
    };
    let name = req
        .product_name
        .clone()
        .or_else(|| prod.as_ref().map(|p| p.name.clone()));
    let found = asset::Entity::find()
        .filter(asset::Column::SerialNumber.eq(serial))
        .one(db)
        .await?;
    match found {
        Some(a) => {
            if let (Some(i), Some(w)) = (req.install_date.or(a.install_date), req.warranty_end)
                && w < i
            {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "warranty_end",
                    "before_install",
                    "the warranty cannot end before installation",
                )]));
            }
            let mut q = asset::Entity::update_many()
                .col_expr(asset::Column::CustomerId, Expr::value(cust.id))
                .col_expr(asset::Column::UpdatedAt, Expr::value(app.now()));
            if let Some(p) = &prod {
                q = q.col_expr(asset::Column::ProductId, Expr::value(p.id));
            }
            if let Some(n) = &name {
                q = q.col_expr(asset::Column::ProductName, Expr::value(n.clone()));
            }
            for (col, v) in [
                (asset::Column::InstallDate, req.install_date),
                (asset::Column::WarrantyEnd, req.warranty_end),
                (asset::Column::ContractEnd, req.contract_end),
            ] {
                if let Some(v) = v {
                    q = q.col_expr(col, Expr::value(v));
                }
            }
            if let Some(s) = &req.site_address {
                q = q.col_expr(asset::Column::SiteAddress, Expr::value(s.clone()));
            }
            q.filter(asset::Column::Id.eq(a.id)).exec(db).await?;
            let saved = asset::Entity::find_by_id(a.id)
                .one(db)
                .await?
                .ok_or(AppError::NotFound("asset"))?;
            Ok((asset_view(saved, app.now().date_naive()), false))
        }
        None => {
            // One transaction: the asset and its product link together.
            let v = create_asset(
                app,
                actor,
                cust.id,
                NewAsset {
                    product_name: name.unwrap_or_default(),
                    serial_number: serial.to_owned(),
                    install_date: req.install_date,
                    warranty_end: req.warranty_end,
                    contract_end: req.contract_end,
                    site_address: req.site_address.clone(),
                    product_id: prod.map(|p| p.id),
                },
            )
            .await?;
            Ok((v, true))
        }
    }
}

/// Creates or updates the part with code `code` (`parts.manage`).
pub async fn upsert_part(
    app: &App,
    actor: &Actor,
    code: &str,
    mut req: PartInput,
) -> Result<(PartView, bool), AppError> {
    require(actor, Permission::PartsManage)?;
    if !req.code.trim().is_empty() && req.code.trim() != code {
        return Err(AppError::invalid(
            "code",
            "mismatch",
            "the body's code differs from the path's",
        ));
    }
    let found = part::Entity::find()
        .filter(part::Column::Code.eq(code))
        .one(app.store.conn())
        .await?;
    match found {
        Some(p) => {
            if req.name.trim().is_empty() || req.unit_price_cents < 0 {
                return Err(AppError::invalid(
                    "name",
                    "invalid",
                    "a name and a price ≥ 0",
                ));
            }
            let mut q = part::Entity::update_many()
                .col_expr(part::Column::Name, Expr::value(req.name.trim().to_owned()))
                .col_expr(
                    part::Column::UnitPriceCents,
                    Expr::value(req.unit_price_cents),
                )
                .col_expr(part::Column::UpdatedAt, Expr::value(app.now()));
            if let Some(u) = req.unit.filter(|u| !u.trim().is_empty()) {
                q = q.col_expr(part::Column::Unit, Expr::value(u.trim().to_owned()));
            }
            if let Some(x) = req.external_id.filter(|x| !x.trim().is_empty()) {
                q = q.col_expr(part::Column::ExternalId, Expr::value(x));
            }
            q.filter(part::Column::Id.eq(p.id))
                .exec(app.store.conn())
                .await?;
            let v = list_parts(app, actor, Some(p.id)).await?;
            Ok((
                v.into_iter().next().ok_or(AppError::NotFound("part"))?,
                false,
            ))
        }
        None => {
            req.code = code.to_owned();
            Ok((create_part(app, actor, req).await?, true))
        }
    }
}
