//! The one error body of the workshop's two HTTP servers, the API
//! (`workshop serve`) and the coach's board (`workshop coach`): what went
//! wrong and how to fix it, the request field at fault where one is named,
//! and the extras only the API answers (the accepted values, the original
//! workshop's words on an injected failure). One shape, so a client, a
//! script or a student reads a refusal of either server the same way.
//! Here, outside both, so neither server imports the other.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The JSON body of every error response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// What went wrong, and how to fix it when the request was at fault. On
    /// an injected failure, the original workshop's words: "Transfer failed"
    /// on `POST /api/transfer`, "Simulated random failure" elsewhere.
    pub error: String,
    /// The request field at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The values that field accepts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<String>,
    /// `"error"`, on an injected failure of `GET /health` (the original's field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `"Simulated random failure"`, on an injected failure of
    /// `POST /api/transfer` (the original's field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// `"injected failure"` when the failure was injected (`error_rate`), so
    /// a client can tell it from a real one; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "injected failure")]
    pub fault: Option<String>,
}
