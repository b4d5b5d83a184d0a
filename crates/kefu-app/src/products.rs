//! Products (models): code (the ERP's material number, the key of upserts), name, category,
//! warranty months, and the service BOM: the spare parts (and how many) its service needs,
//! suggested on maintenance visits.

use std::collections::HashMap;

use kefu_domain::access::{Actor, Permission};
use kefu_store::entity::{part, product, product_part};
use kefu_store::sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{App, AppError, FieldError, audit, require};

/// One BOM line to save: the part by id or by code.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BomInput {
    /// The part.
    #[serde(default)]
    pub part_id: Option<Uuid>,
    /// Or its code.
    #[serde(default)]
    pub part_code: Option<String>,
    /// How many per service.
    pub quantity: i64,
    /// Note (where it goes, when to change it).
    #[serde(default)]
    pub note: Option<String>,
}

/// A product to add or update (by code).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    /// Model code, unique: a known code updates that product.
    pub code: String,
    /// Name.
    pub name: String,
    /// Category.
    #[serde(default)]
    pub category: Option<String>,
    /// Standard warranty in months (default 12).
    #[serde(default)]
    pub warranty_months: Option<i32>,
    /// The service BOM; when given, it replaces the stored one.
    #[serde(default)]
    pub bom: Option<Vec<BomInput>>,
}

/// One BOM line.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BomLine {
    /// Part.
    pub part_id: Uuid,
    /// Its code.
    pub part_code: String,
    /// Its name.
    pub part_name: String,
    /// Its unit.
    pub unit: String,
    /// How many per service.
    pub quantity: i64,
    /// Note.
    pub note: Option<String>,
}

/// A product with its service BOM.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    /// Id.
    pub id: Uuid,
    /// Model code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Option<String>,
    /// Standard warranty in months.
    pub warranty_months: i32,
    /// Service BOM, by part code.
    pub bom: Vec<BomLine>,
}

/// The service BOMs of `products`, by product.
pub(crate) async fn boms(
    db: &impl ConnectionTrait,
    products: &[Uuid],
) -> Result<HashMap<Uuid, Vec<BomLine>>, AppError> {
    let rows = product_part::Entity::find()
        .filter(product_part::Column::ProductId.is_in(products.to_vec()))
        .all(db)
        .await?;
    let part_ids: Vec<Uuid> = rows.iter().map(|r| r.part_id).collect();
    let parts: HashMap<Uuid, part::Model> = part::Entity::find()
        .filter(part::Column::Id.is_in(part_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut out: HashMap<Uuid, Vec<BomLine>> = HashMap::new();
    for r in rows {
        let Some(p) = parts.get(&r.part_id) else {
            continue;
        };
        out.entry(r.product_id).or_default().push(BomLine {
            part_id: p.id,
            part_code: p.code.clone(),
            part_name: p.name.clone(),
            unit: p.unit.clone(),
            quantity: r.quantity,
            note: r.note,
        });
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| a.part_code.cmp(&b.part_code));
    }
    Ok(out)
}

async fn views(
    db: &impl ConnectionTrait,
    list: Vec<product::Model>,
) -> Result<Vec<ProductView>, AppError> {
    let ids: Vec<Uuid> = list.iter().map(|p| p.id).collect();
    let mut b = boms(db, &ids).await?;
    Ok(list
        .into_iter()
        .map(|p| ProductView {
            bom: b.remove(&p.id).unwrap_or_default(),
            id: p.id,
            code: p.code,
            name: p.name,
            category: p.category,
            warranty_months: p.warranty_months,
        })
        .collect())
}

/// Every product by code, with BOMs (staff).
pub async fn list_products(app: &App, actor: &Actor) -> Result<Vec<ProductView>, AppError> {
    require(actor, Permission::CustomerRead)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("staff only".into()));
    }
    let db = app.store.conn();
    let list = product::Entity::find()
        .order_by_asc(product::Column::Code)
        .all(db)
        .await?;
    views(db, list).await
}

/// Adds a product or updates the one with the same code, and replaces its BOM when one is
/// given (`parts.manage`), in one transaction. Returns the product and whether it is new.
pub async fn save_product(
    app: &App,
    actor: &Actor,
    input: ProductInput,
) -> Result<(ProductView, bool), AppError> {
    require(actor, Permission::PartsManage)?;
    let mut errors = Vec::new();
    let code = input.code.trim().to_owned();
    if code.is_empty() || code.chars().count() > 60 {
        errors.push(FieldError::new("code", "invalid", "1 to 60 characters"));
    }
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("name", "invalid", "1 to 200 characters"));
    }
    let months = input.warranty_months.unwrap_or(12);
    if !(0..=240).contains(&months) {
        errors.push(FieldError::new("warranty_months", "invalid", "0 to 240"));
    }
    let tx = app.store.begin().await?;
    let mut bom: Vec<(Uuid, i64, Option<String>)> = Vec::new();
    for (i, l) in input.bom.iter().flatten().enumerate() {
        let field = |f: &str| format!("bom[{i}].{f}");
        let p = match (&l.part_id, l.part_code.as_deref().map(str::trim)) {
            (Some(id), _) => part::Entity::find_by_id(*id).one(&tx).await?,
            (None, Some(c)) if !c.is_empty() => {
                part::Entity::find()
                    .filter(part::Column::Code.eq(c))
                    .one(&tx)
                    .await?
            }
            _ => None,
        };
        match p {
            None => errors.push(FieldError::new(
                field("part_id"),
                "not_found",
                "no such part",
            )),
            Some(p) if bom.iter().any(|(id, _, _)| *id == p.id) => errors.push(FieldError::new(
                field("part_id"),
                "duplicate",
                "the part is listed twice",
            )),
            Some(p) => {
                if kefu_domain::parts::check_quantity(l.quantity).is_err() {
                    errors.push(FieldError::new(field("quantity"), "invalid", "at least 1"));
                }
                bom.push((
                    p.id,
                    l.quantity,
                    l.note.clone().filter(|n| !n.trim().is_empty()),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let existing = product::Entity::find()
        .filter(product::Column::Code.eq(code.as_str()))
        .one(&tx)
        .await?;
    let id = existing.as_ref().map(|p| p.id).unwrap_or_else(Uuid::now_v7);
    match &existing {
        Some(_) => {
            product::Entity::update_many()
                .col_expr(product::Column::Name, name.clone().into())
                .col_expr(product::Column::Category, input.category.clone().into())
                .col_expr(product::Column::WarrantyMonths, months.into())
                .filter(product::Column::Id.eq(id))
                .exec(&tx)
                .await?;
        }
        None => {
            product::Entity::insert(product::ActiveModel {
                id: Set(id),
                code: Set(code.clone()),
                name: Set(name),
                category: Set(input.category.clone()),
                warranty_months: Set(months),
                created_at: Set(now),
            })
            .exec_without_returning(&tx)
            .await?;
        }
    }
    if input.bom.is_some() {
        product_part::Entity::delete_many()
            .filter(product_part::Column::ProductId.eq(id))
            .exec(&tx)
            .await?;
        for (part_id, quantity, note) in &bom {
            product_part::Entity::insert(product_part::ActiveModel {
                product_id: Set(id),
                part_id: Set(*part_id),
                quantity: Set(*quantity),
                note: Set(note.clone()),
            })
            .exec_without_returning(&tx)
            .await?;
        }
    }
    audit::record(
        &tx,
        Some(actor.user_id),
        if existing.is_some() {
            "product.update"
        } else {
            "product.create"
        },
        "product",
        Some(id.to_string()),
        serde_json::json!({"code": code, "bom": input.bom.as_ref().map(|_| bom.len())}),
        now,
    )
    .await?;
    let saved = product::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AppError::NotFound("product"))?;
    let view = views(&tx, vec![saved]).await?.pop();
    tx.commit().await?;
    Ok((
        view.ok_or(AppError::NotFound("product"))?,
        existing.is_none(),
    ))
}
