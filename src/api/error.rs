//! The one error type of the HTTP API, and how each kind maps to a status.
//!
//! Every error body is JSON, `{"error": …}` plus, where it helps, the
//! `field` at fault and the `accepted` values. Database errors are logged
//! with their detail and answered with a generic message: a client never
//! sees SQL, and never a stack trace.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::faults::{FaultError, OutOfRange};
use crate::ledger::LedgerError;

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
    #[error("{0}")]
    Conflict(String),
    #[error("injected failure")]
    Injected { status: StatusCode },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
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
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Injected { status } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (field, accepted) = match &self {
            ApiError::Unprocessable {
                field, accepted, ..
            } => (field.clone(), accepted.clone()),
            _ => (None, None),
        };
        let body = ErrorBody {
            error: self.to_string(),
            field,
            accepted,
        };
        (status, Json(body)).into_response()
    }
}

impl From<OutOfRange> for ApiError {
    fn from(e: OutOfRange) -> Self {
        ApiError::Unprocessable {
            message: e.to_string(),
            field: Some(e.field.to_string()),
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
        }
    }
}

impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::UnknownAccount(_) => ApiError::NotFound(e.to_string()),
            LedgerError::InsufficientFunds { .. } => {
                ApiError::unprocessable("amount", e.to_string())
            }
            LedgerError::InvalidTransfer(ref m) => {
                let field = if m.contains("to_account") {
                    "to_account"
                } else {
                    "amount"
                };
                ApiError::unprocessable(field, m.clone())
            }
            LedgerError::IdempotencyConflict => ApiError::Conflict(e.to_string()),
            LedgerError::InjectedFailure => ApiError::Unavailable(e.to_string()),
            LedgerError::Database(err) => {
                tracing::error!(error = %err, "database error");
                ApiError::Unavailable("the database is unavailable; retry shortly".into())
            }
        }
    }
}
