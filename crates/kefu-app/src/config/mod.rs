//! Zero-code configuration that admins change at run time: ticket types and their forms,
//! the status workflow, teams, the role × permission matrix, and the Chinese holiday import.
//! Every change is validated, audited, and takes effect on the next request.

pub mod holidays;
pub(crate) mod list_setting;
pub mod roles;
pub mod teams;
pub mod ticket_types;
pub mod workflow;
