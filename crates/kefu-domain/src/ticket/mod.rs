//! Tickets: priorities, types, channels, the status workflow and ticket numbers.

mod actions;
mod approval;
mod canned;
mod kind;
mod number;
mod priority;
mod workflow;

pub use actions::{AssigneeAction, Macro, TicketActions, macro_problems};
pub use approval::{ApprovalRule, required_steps};
pub use canned::{CannedReply, VARIABLES, fill, unknown_variables};
pub use kind::{Channel, TicketKind};
pub use number::TicketNumber;
pub use priority::Priority;
pub use workflow::{StatusCategory, StatusDef, Transition, TransitionError, Workflow};
