//! Integration tests of the job queue, each run on SQLite and on PostgreSQL.

mod common;
mod concurrency;
mod queue;
mod schedule;
mod worker;
