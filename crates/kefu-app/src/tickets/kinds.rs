//! Ticket types: the six built-in ones plus admin-defined types with their custom fields.

use kefu_domain::access::Actor;
use kefu_domain::fields::FieldDef;
use kefu_domain::ticket::TicketKind;
use kefu_store::entity::ticket_type;
use kefu_store::sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde::Serialize;

use crate::{App, AppError};

/// A ticket type.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketTypeView {
    /// Code.
    pub code: String,
    /// Chinese label.
    pub name_zh: String,
    /// English label.
    pub name_en: String,
    /// Custom fields of this type.
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldDef>,
    /// Offered for new tickets.
    pub active: bool,
}

/// All ticket types.
pub async fn list_ticket_types(app: &App, _actor: &Actor) -> Result<Vec<TicketTypeView>, AppError> {
    Ok((*all_types(app, app.store.conn()).await?).clone())
}

/// Every ticket type in display order, through the configuration cache (read with `db` when
/// stale).
async fn all_types(
    app: &App,
    db: &impl ConnectionTrait,
) -> Result<std::sync::Arc<crate::config_cache::TicketTypes>, AppError> {
    if let Some(t) = app.cache.types() {
        return Ok(t);
    }
    let all: crate::config_cache::TicketTypes = ticket_type::Entity::find()
        .order_by_asc(ticket_type::Column::CreatedAt)
        .order_by_asc(ticket_type::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|t| TicketTypeView {
            code: t.code,
            name_zh: t.name_zh,
            name_en: t.name_en,
            fields: serde_json::from_value(t.fields).unwrap_or_default(),
            active: t.active,
        })
        .collect();
    let all = std::sync::Arc::new(all);
    app.cache.put_types(all.clone());
    Ok(all)
}

/// The custom fields of a type for reading a form (none for an unknown or inactive type; the
/// use case that saves the ticket reports those).
pub async fn form_fields(app: &App, code: &str) -> Vec<FieldDef> {
    fields_of(app, app.store.conn(), code)
        .await
        .unwrap_or_default()
}

/// Resolves a type code to its custom field definitions; unknown or inactive types are refused.
pub(crate) async fn fields_of(
    app: &App,
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Vec<FieldDef>, AppError> {
    let Some(kind) = TicketKind::parse(code) else {
        return Err(AppError::invalid(
            "kind",
            "invalid",
            "lowercase letters, digits, _ or -",
        ));
    };
    let types = all_types(app, db).await?;
    match types.iter().find(|t| t.code == kind.as_str()) {
        Some(t) if t.active => Ok(t.fields.clone()),
        Some(_) => Err(AppError::invalid(
            "kind",
            "inactive",
            format!("ticket type `{code}` is not active"),
        )),
        None if kind.is_built_in() => Ok(Vec::new()),
        None => Err(AppError::invalid(
            "kind",
            "unknown",
            format!("no ticket type `{code}`"),
        )),
    }
}
