//! kefu's pure domain: the rules of tickets, workflows, SLA calendars and clocks, and access.
//!
//! Nothing here performs I/O, reads the clock or knows about HTTP or SQL. Every function that
//! depends on time takes `now` as an argument.

pub mod access;
pub mod care;
pub mod charges;
pub mod chat;
pub mod customer;
pub mod fields;
pub mod import;
pub mod kb;
pub mod maintenance;
pub mod parts;
pub mod rma;
pub mod routing;
pub mod sla;
pub mod survey;
pub mod ticket;
pub mod webhook;
