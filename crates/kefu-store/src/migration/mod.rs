//! Schema migrations: one sequence for SQLite and PostgreSQL, embedded in the binary.

use sea_orm_migration::prelude::*;

mod helpers;
mod m20261123_000001_initial;
mod m20261124_000001_jobs;
mod m20261125_000001_portal_invitations;
mod m20261126_000001_approvals;
mod m20261127_000001_ticket_scale_indexes;
mod m20261128_000001_mail_messages;
mod m20261129_000001_channels;
mod m20261130_000001_wechat;
mod m20261201_000001_chat;
mod m20261202_000001_knowledge;
mod m20261203_000001_parts;
mod m20261203_000002_webhooks;
mod m20261203_000003_rmas;
mod m20261204_000001_charges;
mod m20261204_000002_maintenance;
mod m20261205_000001_care;
mod m20261205_000002_sla_check;
mod m20261206_000001_sla_warn;
mod m20261206_000002_ticket_listing_index;
mod m20261207_000001_ticket_autovacuum;
mod m20261207_000002_ticket_priority_index;

/// The ordered list of migrations.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_initial::Migration),
            Box::new(m20261124_000001_jobs::Migration),
            Box::new(m20261125_000001_portal_invitations::Migration),
            Box::new(m20261126_000001_approvals::Migration),
            Box::new(m20261127_000001_ticket_scale_indexes::Migration),
            Box::new(m20261128_000001_mail_messages::Migration),
            Box::new(m20261129_000001_channels::Migration),
            Box::new(m20261130_000001_wechat::Migration),
            Box::new(m20261201_000001_chat::Migration),
            Box::new(m20261202_000001_knowledge::Migration),
            Box::new(m20261203_000001_parts::Migration),
            Box::new(m20261203_000002_webhooks::Migration),
            Box::new(m20261203_000003_rmas::Migration),
            Box::new(m20261204_000001_charges::Migration),
            Box::new(m20261204_000002_maintenance::Migration),
            Box::new(m20261205_000001_care::Migration),
            Box::new(m20261205_000002_sla_check::Migration),
            Box::new(m20261206_000001_sla_warn::Migration),
            Box::new(m20261206_000002_ticket_listing_index::Migration),
            Box::new(m20261207_000001_ticket_autovacuum::Migration),
            Box::new(m20261207_000002_ticket_priority_index::Migration),
        ]
    }
}
