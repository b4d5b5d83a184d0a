//! Searching with the caller's rights: staff find everything (internal notes included), a
//! customer's user finds their company's tickets and public articles, never by what only staff
//! wrote.

use chrono::{DateTime, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_search::{Audience, SearchQuery, SearchResults};
use serde::Deserialize;
use uuid::Uuid;

use super::run_query;
use crate::{App, AppError, FieldError, require};

fn list(s: &Option<String>) -> Vec<String> {
    s.as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A search request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words, `"phrases"`, codes (`SO2026110501`, `SN-8842X`), `sn:…`, `order:…`, `OR`, `-word`.
    #[serde(default)]
    pub q: String,
    /// `ticket`, `article` (comma-separated); all when absent.
    pub kind: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
    /// Ticket types or article categories, comma-separated.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub doc_type: Option<String>,
    /// Only this customer's tickets (staff).
    pub customer_id: Option<Uuid>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub to: Option<DateTime<Utc>>,
    /// Any word may match (ranked), instead of every word.
    #[serde(default)]
    pub any: bool,
    /// Page size (default 20, at most 100).
    pub limit: Option<usize>,
    /// Hits to skip.
    pub offset: Option<usize>,
}

/// Runs a search for `actor`.
pub async fn search(app: &App, actor: &Actor, p: SearchParams) -> Result<SearchResults, AppError> {
    require(actor, Permission::TicketRead)?;
    let text = p.q.trim().to_owned();
    if text.is_empty() || text.chars().count() > 500 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "q",
            "invalid",
            "1 to 500 characters",
        )]));
    }
    let audience = if actor.role.is_staff() {
        Audience::Staff
    } else {
        match actor.customer_id {
            Some(c) => Audience::Customer(c.to_string()),
            None => Audience::Public,
        }
    };
    let q = SearchQuery {
        text,
        audience,
        kinds: list(&p.kind),
        statuses: list(&p.status),
        types: list(&p.doc_type),
        customer_id: p.customer_id.map(|c| c.to_string()),
        created_from: p.from.map(|t| t.timestamp()),
        created_to: p.to.map(|t| t.timestamp()),
        match_all: !p.any,
        limit: p.limit.unwrap_or(20).clamp(1, 100),
        offset: p.offset.unwrap_or(0).min(10_000),
    };
    run_query(app, q).await
}
