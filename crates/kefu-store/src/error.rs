//! The store's error type: what callers can act on (not found, conflict) versus backend faults.

use sea_orm::{DbErr, SqlErr};

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row does not exist.
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated, or an optimistic update lost the race.
    #[error("conflict: {constraint}")]
    Conflict {
        /// The constraint or condition that failed (e.g. `users.email`, `version`).
        constraint: String,
    },
    /// A referenced row does not exist.
    #[error("missing reference: {0}")]
    ForeignKey(String),
    /// Anything else the database reported.
    #[error("database error: {0}")]
    Backend(DbErr),
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) => StoreError::Conflict {
                constraint: constraint_name(&msg),
            },
            Some(SqlErr::ForeignKeyConstraintViolation(msg)) => StoreError::ForeignKey(msg),
            _ => match e {
                DbErr::RecordNotFound(_) => StoreError::NotFound,
                // SQLite reports a RESTRICT violation as SQLITE_CONSTRAINT_TRIGGER (1811), which
                // SeaORM does not classify; the message is the same as for 787.
                other if other.to_string().contains("FOREIGN KEY constraint failed") => {
                    StoreError::ForeignKey(other.to_string())
                }
                other => StoreError::Backend(other),
            },
        }
    }
}

/// Extracts `table.column` from SQLite's "UNIQUE constraint failed: users.email" or the key name
/// from PostgreSQL's "duplicate key value violates unique constraint \"users_email_key\"".
fn constraint_name(msg: &str) -> String {
    if let Some(rest) = msg.split("UNIQUE constraint failed: ").nth(1) {
        return rest
            .split([',', ' '])
            .next()
            .unwrap_or(rest)
            .trim()
            .to_owned();
    }
    if let Some(rest) = msg.split("unique constraint \"").nth(1) {
        let name = rest.split('"').next().unwrap_or(rest);
        // PostgreSQL names inline unique keys `<table>_<column>_key`.
        if let Some((table, col)) = name
            .strip_suffix("_key")
            .and_then(|stem| stem.split_once('_'))
        {
            return format!("{table}.{col}");
        }
        return name.to_owned();
    }
    msg.to_owned()
}

#[cfg(test)]
mod tests {
    use super::constraint_name;

    #[test]
    fn names_constraints_from_both_backends() {
        assert_eq!(
            constraint_name("UNIQUE constraint failed: users.email"),
            "users.email"
        );
        assert_eq!(
            constraint_name("duplicate key value violates unique constraint \"users_email_key\""),
            "users.email"
        );
    }
}
