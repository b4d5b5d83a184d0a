//! The application error: what went wrong in terms a front door can render.
//!
//! Every variant carries a stable machine code; the web layer alone picks HTTP statuses.

use kefu_store::StoreError;
use serde::Serialize;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field, as named in the request (dotted for nested fields).
    pub field: String,
    /// Stable machine code (`required`, `invalid`, `too_long`, `unknown`, `taken`, `not_found`…).
    pub code: String,
    /// Human-readable detail.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing does not exist, or the actor may not know it exists.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// No valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// Valid credentials, insufficient rights.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Input was refused; every field problem is listed.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The change conflicts with the current state (stale version, duplicate key).
    #[error("conflict: {message}")]
    Conflict {
        /// Stable code (`stale_version`, `duplicate`, `idempotency_mismatch`).
        code: &'static str,
        /// Detail.
        message: String,
    },
    /// A business rule refused the change (e.g. a transition the workflow does not allow).
    #[error("{message}")]
    Rule {
        /// Stable code (`transition_not_allowed`…).
        code: &'static str,
        /// Detail.
        message: String,
    },
    /// The thing existed but is no longer usable (an expired survey link).
    #[error("{message}")]
    Gone {
        /// Stable code (`survey_expired`).
        code: &'static str,
        /// Detail.
        message: String,
    },
    /// Too many attempts.
    #[error("too many requests")]
    RateLimited {
        /// Seconds until another attempt is allowed.
        retry_after_secs: u64,
    },
    /// A fault that is not the caller's; logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// A single-field validation error.
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError::new(field, code, message)])
    }

    /// `instead` when this is a NotFound (a missing record reported as something the caller
    /// names); any other error, a database fault among them, stays what it is.
    pub fn when_not_found(self, instead: AppError) -> Self {
        match self {
            AppError::NotFound(_) => instead,
            e => e,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound("record"),
            StoreError::Conflict { constraint } if constraint == "version" => AppError::Conflict {
                code: "stale_version",
                message: "the record was changed by someone else; reload and try again".into(),
            },
            StoreError::Conflict { constraint } => {
                let field = constraint
                    .rsplit('.')
                    .next()
                    .unwrap_or(&constraint)
                    .to_owned();
                AppError::Invalid(vec![FieldError::new(
                    field,
                    "taken",
                    format!("already in use ({constraint})"),
                )])
            }
            StoreError::ForeignKey(msg) => AppError::Rule {
                code: "missing_reference",
                message: format!("a referenced record does not exist or is still in use: {msg}"),
            },
            StoreError::Backend(e) => AppError::Internal(anyhow::Error::new(e)),
        }
    }
}

impl From<kefu_store::sea_orm::DbErr> for AppError {
    fn from(e: kefu_store::sea_orm::DbErr) -> Self {
        StoreError::from(e).into()
    }
}
