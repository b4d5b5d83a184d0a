//! Dispatch rules, pure: routing rules that pick a team, priority, tags and SLA policy from a
//! ticket's facts, and assignment strategies that pick a person from a team. The app layer
//! loads the facts, the rules and the candidates, calls these, and records each decision with
//! the rule or strategy that made it.

mod assign;
mod condition;
mod rule;
mod time_rule;
mod trigger;

pub use assign::{
    AssignError, AssignPolicy, Candidate, Pick, Strategy, load_weight, pick_assignee,
};
pub use condition::{Condition, Field, Op};
pub use rule::{Decision, RoutingRule, RuleActions, TicketFacts, evaluate, rule_problems};
pub use time_rule::{TimeAction, TimeRule};
pub use trigger::{
    MAX_CHAIN, MailAction, NotifyTarget, TaskAction, Trigger, TriggerActions, TriggerEvent,
    trigger_problems,
};
