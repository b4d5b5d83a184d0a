//! Spare parts: the catalogue and warehouses (an engineer's van is one), stock levels and
//! moves, parts reserved on tickets and consumed or released, shortages raising purchase
//! requests that move the ticket to pending parts, and received stock allocated to waiting
//! tickets in priority and SLA order.

mod catalog;
mod lines;
mod purchasing;
pub(crate) mod stock;

pub use catalog::{
    PartInput, PartView, StockView, WarehouseInput, WarehouseView, create_part, create_warehouse,
    list_parts, list_warehouses, stock_levels,
};
pub(crate) use lines::close_out;
pub use lines::{
    PartLineView, ReserveInput, ReserveOutcome, consume_line, release_line, reserve_for_ticket,
    ticket_part_lines,
};
pub(crate) use purchasing::restock_return;
pub use purchasing::{
    PurchaseRequestView, ReceiveInput, ReceiveOutcome, list_purchase_requests, receive_stock,
    set_purchase_status,
};

use kefu_domain::access::Actor;
use kefu_domain::parts::QuantityError;

use crate::{AppError, FieldError};

/// Parts on tickets are staff work (agents, engineers); customers see them on the ticket only.
fn require_staff(actor: &Actor) -> Result<(), AppError> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::Forbidden("staff only".into()))
    }
}

/// A quantity field, checked.
fn quantity(field: &str, q: i64) -> Result<i64, AppError> {
    kefu_domain::parts::check_quantity(q).map_err(|e| {
        AppError::Invalid(vec![FieldError::new(
            field,
            match e {
                QuantityError::NotPositive => "not_positive",
                QuantityError::TooLarge => "too_large",
            },
            match e {
                QuantityError::NotPositive => "at least 1".to_owned(),
                QuantityError::TooLarge => {
                    format!("at most {}", kefu_domain::parts::MAX_QUANTITY)
                }
            },
        )])
    })
}
