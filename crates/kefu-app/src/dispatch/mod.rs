//! Dispatch: routing rules and team assignment policies (stored as configuration data, cached),
//! and their application when a ticket is opened. Every automatic decision becomes an event
//! on the ticket naming the rule or strategy that made it.

mod apply;
mod config;
mod time_rules;
pub(crate) mod triggers;

pub use apply::{Routed, route_new_ticket};
pub use config::{
    DispatchConfig, RuleTest, get_team_policy, list_rules, save_rules, set_team_policy, test_rules,
};
pub use time_rules::{TimeScan, save_time_rules, scan_time_rules, time_rules};
pub use triggers::{list_triggers, save_triggers};
