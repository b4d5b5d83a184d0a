//! Tickets: priorities, types, channels, the status workflow and ticket numbers.

mod approval;
mod kind;
mod number;
mod priority;
mod workflow;

pub use approval::{ApprovalRule, required_steps};
pub use kind::{Channel, TicketKind};
pub use number::TicketNumber;
pub use priority::Priority;
pub use workflow::{StatusCategory, StatusDef, Transition, TransitionError, Workflow};
