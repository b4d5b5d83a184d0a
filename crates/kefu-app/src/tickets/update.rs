//! Changing a ticket's fields; each changed field becomes a `field_changed` event.

use kefu_domain::access::{Actor, Permission};
use kefu_domain::ticket::Priority;
use kefu_store::entity::sla_policy;
use kefu_store::sea_orm::EntityTrait;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::open::check_links;
use super::save::{check_not_merged, check_version, save_and_commit};
use super::{TicketView, events, kinds, ticket_for_update};
use crate::customers::check_tags;
use crate::{App, AppError, FieldError, require};

/// Changes to a ticket; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    /// Expected version (or send `If-Match`).
    pub version: Option<i32>,
    /// Subject.
    pub subject: Option<String>,
    /// Type code.
    pub kind: Option<String>,
    /// `P1`–`P4`; the SLA due times are recomputed.
    pub priority: Option<String>,
    /// Customer.
    pub customer_id: Option<Uuid>,
    /// Contact.
    pub contact_id: Option<Uuid>,
    /// Asset.
    pub asset_id: Option<Uuid>,
    /// Order.
    pub order_id: Option<Uuid>,
    /// SLA policy; the SLA due times are recomputed.
    pub sla_policy_id: Option<Uuid>,
    /// Tags (replaces the list).
    pub tags: Option<Vec<String>>,
    /// Custom fields (replaces the map).
    #[schema(value_type = Option<Object>)]
    pub custom_fields: Option<Map<String, Value>>,
}

/// Applies a patch in one transaction.
pub async fn update_ticket(
    app: &App,
    actor: &Actor,
    id: Uuid,
    p: TicketPatch,
) -> Result<TicketView, AppError> {
    require(actor, Permission::TicketUpdate)?;
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden(
            "customers cannot edit ticket fields".into(),
        ));
    }
    let tx = app.store.begin().await?;
    let before = ticket_for_update(&tx, actor, id).await?;
    check_version(&before, p.version)?;
    check_not_merged(&before)?;
    let mut t = before.clone();
    let mut errors = Vec::new();
    let mut changes: Vec<(&str, Value, Value)> = Vec::new();
    if let Some(s) = &p.subject {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > 200 {
            errors.push(FieldError::new("subject", "invalid", "1 to 200 characters"));
        }
        t.subject = s.to_owned();
    }
    if let Some(pr) = &p.priority {
        match Priority::parse(pr) {
            Some(pr) => t.priority = pr.as_str().into(),
            None => errors.push(FieldError::new("priority", "invalid", "P1, P2, P3 or P4")),
        }
    }
    if let Some(k) = &p.kind {
        t.kind = k.clone();
    }
    let kind_changed = t.kind != before.kind;
    if kind_changed || p.custom_fields.is_some() {
        match kinds::fields_of(app, &tx, &t.kind).await {
            Ok(defs) => {
                let values = p.custom_fields.clone().unwrap_or_else(|| {
                    before
                        .custom_fields
                        .as_object()
                        .cloned()
                        .unwrap_or_default()
                });
                match kefu_domain::fields::validate(&defs, &values) {
                    Ok(v) => t.custom_fields = Value::Object(v),
                    Err(v) => errors.extend(v.into_iter().map(|x| {
                        FieldError::new(format!("custom_fields.{}", x.field), x.code, x.message)
                    })),
                }
            }
            Err(AppError::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    if let Some(tags) = &p.tags {
        check_tags("tags", tags, &mut errors);
        t.tags = json!(tags);
    }
    if p.customer_id.is_some()
        || p.contact_id.is_some()
        || p.asset_id.is_some()
        || p.order_id.is_some()
    {
        t.customer_id = p.customer_id.or(before.customer_id);
        t.contact_id = p.contact_id.or(before.contact_id);
        t.asset_id = p.asset_id.or(before.asset_id);
        t.order_id = p.order_id.or(before.order_id);
        if p.customer_id.is_some_and(|c| Some(c) != before.customer_id) {
            // A new customer drops links that belonged to the old one unless given anew.
            t.contact_id = p.contact_id;
            t.asset_id = p.asset_id;
            t.order_id = p.order_id;
        }
        check_links(
            &tx,
            &mut t.customer_id,
            t.contact_id,
            t.asset_id,
            t.order_id,
            &mut errors,
        )
        .await?;
    }
    if let Some(pid) = p.sla_policy_id {
        if sla_policy::Entity::find_by_id(pid)
            .one(&tx)
            .await?
            .is_none()
        {
            errors.push(FieldError::new(
                "sla_policy_id",
                "not_found",
                "no such SLA policy",
            ));
        }
        t.sla_policy_id = Some(pid);
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let pairs: [(&str, Value, Value); 11] = [
        ("subject", json!(before.subject), json!(t.subject)),
        ("kind", json!(before.kind), json!(t.kind)),
        ("priority", json!(before.priority), json!(t.priority)),
        (
            "customer_id",
            json!(before.customer_id),
            json!(t.customer_id),
        ),
        ("contact_id", json!(before.contact_id), json!(t.contact_id)),
        ("asset_id", json!(before.asset_id), json!(t.asset_id)),
        ("order_id", json!(before.order_id), json!(t.order_id)),
        (
            "sla_policy_id",
            json!(before.sla_policy_id),
            json!(t.sla_policy_id),
        ),
        ("tags", before.tags.clone(), t.tags.clone()),
        (
            "custom_fields",
            before.custom_fields.clone(),
            t.custom_fields.clone(),
        ),
        ("status", json!(before.status), json!(t.status)),
    ];
    changes.extend(pairs.into_iter().filter(|(_, a, b)| a != b));
    let now = app.now();
    if changes.is_empty() {
        return super::view::full_view(app, &tx, before).await;
    }
    for (field, from, to) in changes {
        events::append(
            &tx,
            id,
            "field_changed",
            Some(actor.user_id),
            false,
            json!({"field": field, "from": from, "to": to}),
            now,
        )
        .await?;
    }
    save_and_commit(app, tx, &before, t, now).await
}
