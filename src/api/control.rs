//! The failure-injection endpoints. Never injected themselves: a student must
//! always be able to look at and reset the faults, whatever is broken.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::ApiContext;
use super::admin::Admin;
use super::body::ValidJson;
use super::error::{ApiError, ErrorBody};
use crate::faults::{FaultConfig, FaultUpdate};

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FailuresReply {
    pub current_config: FaultConfig,
    /// When the faults revert by themselves (`duration_s`), if they will.
    pub expires_at: Option<DateTime<Utc>>,
    /// Bytes this replica holds for the memory-leak fault.
    pub leaked_bytes: u64,
    /// The most this replica will leak.
    pub leak_cap_bytes: u64,
}

#[utoipa::path(get, path = "/api/failures", tag = "faults",
    responses((status = 200, body = FailuresReply)))]
pub(super) async fn get_failures(State(ctx): State<ApiContext>) -> Json<FailuresReply> {
    let applied = ctx.faults.applied();
    Json(FailuresReply {
        current_config: applied.config,
        expires_at: applied.expires_at,
        leaked_bytes: ctx.faults.leaked_bytes(),
        leak_cap_bytes: ctx.faults.leak_cap(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct UpdatedReply {
    pub status: String,
    pub config: FaultConfig,
}

#[utoipa::path(post, path = "/api/failures", tag = "faults", request_body = FaultUpdate,
    responses((status = 200, body = UpdatedReply), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub(super) async fn post_failures(
    State(ctx): State<ApiContext>,
    _admin: Admin,
    ValidJson(update): ValidJson<FaultUpdate>,
) -> Result<Json<UpdatedReply>, ApiError> {
    let config = ctx.faults.update(&update).await?;
    Ok(Json(UpdatedReply {
        status: "updated".into(),
        config,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ResetReply {
    pub status: String,
    pub config: FaultConfig,
}

#[utoipa::path(post, path = "/api/reset", tag = "faults",
    responses((status = 200, body = ResetReply), (status = 401, body = ErrorBody),
              (status = 503, body = ErrorBody)))]
pub(super) async fn reset(
    State(ctx): State<ApiContext>,
    _admin: Admin,
) -> Result<Json<ResetReply>, ApiError> {
    let config = ctx.faults.reset().await?;
    Ok(Json(ResetReply {
        status: "reset complete".into(),
        config,
    }))
}
