//! The one error type of the HTTP API, and how each kind maps to a status.
//!
//! Every error body is JSON, the [`ErrorBody`] the coach's server answers
//! with too: `{"error": …}` plus, where it helps, the `field` at fault and
//! the `accepted` values. Database errors are logged
//! with their detail and answered with a generic message: a client never
//! sees SQL, and never a stack trace.
//!
//! An injected failure answers in the original workshop's words, so its
//! curl scripts and checkers keep reading what they were written for, and
//! adds `"fault": "injected failure"`, so a client can tell an injected
//! failure from a real one (see [`Injected`]).

use crate::faults::{FaultError, OutOfRange};
pub(crate) use crate::http_error::ErrorBody;
use crate::ledger::LedgerError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { message: String },
    #[error("{message}")]
    UnsupportedMediaType { message: String },
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{message}")]
    Unprocessable {
        message: String,
        field: Option<String>,
        accepted: Option<String>,
    },
    #[error(
        "changing the faults needs the admin token: send `Authorization: Bearer <token>` \
         (the CLI and console send WORKSHOP_ADMIN_TOKEN)"
    )]
    Unauthorized,
    #[error("{0}")]
    NotFound(String),
    /// A well-formed request the ledger's current state refuses (funds, a
    /// reused key): 409, so that 422 always means "the document said no".
    #[error("{message}")]
    Conflict {
        message: String,
        field: Option<String>,
    },
    #[error("{FAULT_INJECTED}")]
    Injected { status: StatusCode, on: Injected },
    #[error("{0}")]
    Unavailable(String),
}

/// What our `fault` field says on every injected failure.
const FAULT_INJECTED: &str = "injected failure";
/// The original workshop's words for an injected failure.
const SIMULATED: &str = "Simulated random failure";

/// Where an injected failure happened, which decides its words: the
/// original answered `/health` with `{"status":"error","error":…}`, a
/// transfer with `{"error":"Transfer failed","details":…}` and its other
/// routes with `{"error":…}`, the message always "Simulated random failure".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    Health,
    Transfer,
    Other,
}

impl Injected {
    /// The words for the route template `endpoint` (as axum matched it).
    pub(crate) fn on(endpoint: &str) -> Self {
        match endpoint {
            "/health" => Injected::Health,
            "/api/transfer" => Injected::Transfer,
            _ => Injected::Other,
        }
    }

    fn body(self) -> ErrorBody {
        let (error, status, details) = match self {
            Injected::Health => (SIMULATED, Some("error"), None),
            Injected::Transfer => ("Transfer failed", None, Some(SIMULATED)),
            Injected::Other => (SIMULATED, None, None),
        };
        ErrorBody {
            error: error.into(),
            status: status.map(String::from),
            details: details.map(String::from),
            fault: Some(FAULT_INJECTED.into()),
            ..ErrorBody::default()
        }
    }
}

impl ApiError {
    pub fn unprocessable(field: &str, message: impl Into<String>) -> Self {
        ApiError::Unprocessable {
            message: message.into(),
            field: Some(field.to_string()),
            accepted: None,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::Injected { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = match &self {
            ApiError::Injected {
                on: Injected::Health,
                ..
            } => {
                // `/health`'s own failure body (`HealthFailure::Injected`
                // is this very body, untagged).
                return (status, Json(Injected::Health.body())).into_response();
            }
            ApiError::Injected { on, .. } => on.body(),
            ApiError::Unprocessable {
                field, accepted, ..
            } => ErrorBody {
                error: self.to_string(),
                field: field.clone(),
                accepted: accepted.clone(),
                ..ErrorBody::default()
            },
            ApiError::Conflict { field, .. } => ErrorBody {
                error: self.to_string(),
                field: field.clone(),
                ..ErrorBody::default()
            },
            _ => ErrorBody {
                error: self.to_string(),
                ..ErrorBody::default()
            },
        };
        (status, Json(body)).into_response()
    }
}

impl From<OutOfRange> for ApiError {
    fn from(e: OutOfRange) -> Self {
        ApiError::Unprocessable {
            message: e.to_string(),
            field: Some(e.field().to_string()),
            accepted: Some(e.accepted),
        }
    }
}

impl From<FaultError> for ApiError {
    fn from(e: FaultError) -> Self {
        match e {
            FaultError::OutOfRange(e) => e.into(),
            FaultError::Shared(e) => {
                tracing::error!(error = %e, "shared fault state not written");
                ApiError::Unavailable(
                    "the fault state could not be saved: the database is unreachable".into(),
                )
            }
            FaultError::Stored { file, error } => {
                tracing::error!(error = %error, file = %file.display(), "fault state not saved");
                ApiError::Unavailable(format!(
                    "the fault state could not be saved to {}: {error}; nothing changed",
                    file.display()
                ))
            }
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::UnknownAccount(_) => ApiError::NotFound(e.to_string()),
            LedgerError::InsufficientFunds { .. } => ApiError::Conflict {
                message: e.to_string(),
                field: Some("amount".into()),
            },
            LedgerError::InvalidTransfer(ref m) => {
                let field = if m.contains("to_account") {
                    "to_account"
                } else {
                    "amount"
                };
                ApiError::unprocessable(field, m.clone())
            }
            LedgerError::IdempotencyConflict => ApiError::Conflict {
                message: e.to_string(),
                field: None,
            },
            LedgerError::InjectedFailure => ApiError::Unavailable(e.to_string()),
            LedgerError::Database(err) if refused_for_content(&err) => {
                // SQLSTATE class 22, "data exception": the database is up
                // and refused what this request asked it to store or compare.
                tracing::info!(error = %err, "the database refused a request's value");
                ApiError::Unprocessable {
                    message: format!(
                        "the database refused a value of this request ({}); check the fields' \
                         lengths and characters",
                        err.as_database_error().map_or("", |d| d.message())
                    ),
                    field: None,
                    accepted: None,
                }
            }
            LedgerError::Database(err) => {
                tracing::error!(error = %err, "database error");
                ApiError::Unavailable("the database is unavailable; retry shortly".into())
            }
        }
    }
}

/// Whether the database refused a value for what it is (SQLSTATE class 22:
/// a NUL in text, a string too long for its column, a number out of range),
/// which no retry fixes.
fn refused_for_content(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code.starts_with("22"))
}
