//! Creating and editing ticket types with their custom-field forms.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::fields::{FieldDef, check_defs};
use kefu_domain::ticket::TicketKind;
use kefu_store::entity::ticket_type;
use kefu_store::sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde::Deserialize;

use crate::tickets::TicketTypeView;
use crate::{App, AppError, FieldError, audit, require};

/// A ticket type as an admin submits it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketTypeInput {
    /// Code (lowercase letters, digits, `_`, `-`); identifies the type for ever.
    pub code: String,
    /// Chinese label.
    pub name_zh: String,
    /// English label.
    pub name_en: String,
    /// Custom fields of this type's form, in order.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<FieldDef>,
    /// Offered for new tickets.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Creates the type or replaces its labels, form and active flag.
pub async fn save_ticket_type(
    app: &App,
    actor: &Actor,
    input: TicketTypeInput,
) -> Result<TicketTypeView, AppError> {
    require(actor, Permission::ConfigManage)?;
    let mut errors = Vec::new();
    let code = input.code.trim().to_owned();
    if TicketKind::parse(&code).is_none() || code.len() > 40 {
        errors.push(FieldError::new(
            "code",
            "invalid",
            "lowercase letters, digits, _ or -, at most 40",
        ));
    }
    for (field, v) in [("name_zh", &input.name_zh), ("name_en", &input.name_en)] {
        if v.trim().is_empty() || v.chars().count() > 60 {
            errors.push(FieldError::new(field, "invalid", "1 to 60 characters"));
        }
    }
    for (i, def) in input.fields.iter().enumerate() {
        for p in check_defs(std::slice::from_ref(def)) {
            errors.push(FieldError::new(
                format!("fields[{i}].{}", def.key),
                p.code,
                p.message,
            ));
        }
    }
    for p in check_defs(&input.fields)
        .into_iter()
        .filter(|p| p.code == "duplicate_key")
    {
        errors.push(FieldError::new(
            format!("fields.{}", p.field),
            p.code,
            p.message,
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = app.now();
    let tx = app.store.begin().await?;
    let existing = ticket_type::Entity::find_by_id(code.clone())
        .one(&tx)
        .await?;
    let fields = serde_json::to_value(&input.fields).map_err(anyhow::Error::from)?;
    let saved = match existing {
        Some(m) => {
            let mut am: ticket_type::ActiveModel = m.into();
            am.name_zh = Set(input.name_zh.trim().to_owned());
            am.name_en = Set(input.name_en.trim().to_owned());
            am.fields = Set(fields);
            am.active = Set(input.active);
            am.update(&tx).await?
        }
        None => {
            ticket_type::ActiveModel {
                code: Set(code.clone()),
                name_zh: Set(input.name_zh.trim().to_owned()),
                name_en: Set(input.name_en.trim().to_owned()),
                fields: Set(fields),
                active: Set(input.active),
                created_at: Set(now),
            }
            .insert(&tx)
            .await?
        }
    };
    audit::record(
        &tx,
        Some(actor.user_id),
        "config.ticket_type.save",
        "ticket_type",
        Some(code),
        serde_json::json!({"fields": input.fields.len(), "active": input.active}),
        now,
    )
    .await?;
    tx.commit().await?;
    app.cache.clear();
    Ok(TicketTypeView {
        code: saved.code,
        name_zh: saved.name_zh,
        name_en: saved.name_en,
        fields: input.fields,
        active: saved.active,
    })
}
