//! Service charges on tickets: labour, parts, travel and fees priced from the price list (tier
//! prices for VIP and strategic customers), zeroed by the charge rules when the equipment's
//! warranty or service contract runs on the day the fault was reported; quotations the
//! customer accepts or declines in the portal; and finance exports that take each line once.

mod exports;
mod lines;
mod prices;
mod quotes;

pub use exports::{
    ExportView, UnexportedSummary, create_export, export_file, list_exports, unexported_summary,
};
pub(crate) use lines::bill_part_line;
pub use lines::{
    ChargeInput, ChargeView, TicketCharges, add_charge, remove_charge, ticket_charges,
};
pub use prices::{
    PriceItemInput, PriceItemView, charge_rules, list_price_items, save_charge_rules,
    save_price_item,
};
pub use quotes::{
    QuoteDecision, QuoteInput, QuoteLine, QuoteView, decide_quote, send_quote, ticket_quotes,
};

use chrono::{DateTime, NaiveDate, Utc};
use kefu_domain::access::{Actor, Permission};
use kefu_domain::charges::AmountError;
use kefu_store::entity::ticket;
use kefu_store::sea_orm::ConnectionTrait;
use serde_json::json;

use crate::{AppError, FieldError, require};

/// Charges are staff work; customers see quotations only.
fn staff(actor: &Actor) -> Result<(), AppError> {
    require(actor, Permission::TicketUpdate)?;
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

/// An amount problem as a field error.
fn amount_error(field: &str, e: AmountError) -> FieldError {
    let (code, msg) = match e {
        AmountError::NotPositive => ("not_positive", "more than 0"),
        AmountError::TooLarge => ("too_large", "too large"),
        AmountError::TooPrecise => ("too_precise", "at most 3 decimals"),
    };
    FieldError::new(field, code, msg)
}

/// The service date of a ticket: the day (China time) the fault was reported. Warranty and
/// contract are judged on that day, so a repair that drags past the warranty's end stays free.
fn service_day(t: &ticket::Model) -> NaiveDate {
    t.created_at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// Announces a change of a ticket's charges (`charge.updated`) for webhooks.
async fn announce(
    db: &impl ConnectionTrait,
    t: &ticket::Model,
    change: &str,
    totals: kefu_domain::charges::Totals,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    crate::outbox::announce(
        db,
        "charge.updated",
        t.id,
        json!({"ticket_id": t.id, "number": t.number, "change": change,
            "list_cents": totals.list, "covered_cents": totals.covered, "due_cents": totals.due}),
        now,
    )
    .await
}
