//! Service endpoints: index, health (injected, as in the original), liveness
//! and readiness (for orchestrators: no injected latency or error reaches
//! them, but readiness, like health, reports the database as the ledger
//! reaches it, an injected outage included), metrics, the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::LazyLock;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use super::ApiContext;
use super::error::ErrorBody;
use super::reach::Reach;
use crate::metrics::Snapshot;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every route as `METHOD /path`, read from the OpenAPI document (the
/// handlers' own annotations), so the index cannot list a route that is not
/// documented, or miss one that is. A test sends each of them to the router.
pub fn endpoints() -> &'static [String] {
    static ENDPOINTS: LazyLock<Vec<String>> = LazyLock::new(|| {
        let doc = super::ApiDoc::openapi();
        let mut all = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, there) in methods {
                if there {
                    all.push(format!("{method} {path}"));
                }
            }
        }
        all
    });
    &ENDPOINTS
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct IndexReply {
    pub service: String,
    pub version: String,
    pub database: String,
    pub endpoints: Vec<String>,
}

#[utoipa::path(get, path = "/", tag = "service", responses((status = 200, body = IndexReply)))]
pub(super) async fn index(State(ctx): State<ApiContext>) -> Json<IndexReply> {
    Json(IndexReply {
        service: "fintech-api".into(),
        version: VERSION.into(),
        database: ctx.ledger.backend().into(),
        endpoints: endpoints().to_vec(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct HealthReply {
    pub status: String,
    pub database: String,
    pub timestamp: String,
}

/// A failed `/health`: the report that the database is down (503), or an
/// injected failure (any 5xx, `error_status`) in the original's words,
/// `{"status":"error","error":"Simulated random failure",…}`. The two are
/// told apart by `database` and `error`; each has a field the other lacks.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub(super) enum HealthFailure {
    Unhealthy(HealthReply),
    #[expect(
        dead_code,
        reason = "documents the body ApiError writes for an injected /health failure"
    )]
    Injected(ErrorBody),
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[utoipa::path(get, path = "/health", tag = "service",
    responses((status = 200, body = HealthReply),
              (status = "5XX", body = HealthFailure,
               description = "503 with `\"status\":\"unhealthy\"` when the database is down; \
                              an injected failure answers `error_status` with \
                              `{\"status\":\"error\",\"error\":\"Simulated random failure\",\"fault\":\"injected failure\"}`")))]
pub(super) async fn health(State(ctx): State<ApiContext>) -> Response {
    if let Reach::Reachable = ctx.database_reach(None).await {
        return Json(HealthReply {
            status: "healthy".into(),
            database: "connected".into(),
            timestamp: now(),
        })
        .into_response();
    }
    let report = HealthReply {
        status: "unhealthy".into(),
        database: "disconnected".into(),
        timestamp: now(),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(HealthFailure::Unhealthy(report)),
    )
        .into_response()
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ProbeReply {
    pub status: String,
}

#[utoipa::path(get, path = "/livez", tag = "service", responses((status = 200, body = ProbeReply)))]
pub(super) async fn livez() -> Json<ProbeReply> {
    Json(ProbeReply {
        status: "alive".into(),
    })
}

#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, body = ProbeReply), (status = 503, body = ProbeReply)))]
pub(super) async fn readyz(State(ctx): State<ApiContext>) -> impl IntoResponse {
    let reach = ctx.database_reach(None).await;
    let (code, status) = match &reach {
        Reach::Reachable => (StatusCode::OK, "ready"),
        // An injected outage is said as a real one: a client cannot tell them apart.
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    };
    if let Reach::Failed(e) = &reach {
        tracing::warn!(error = %e, "readiness: database unreachable");
    }
    (
        code,
        Json(ProbeReply {
            status: status.into(),
        }),
    )
}

/// How long a scrape waits for its ping of the database: a ping takes
/// milliseconds; one queued behind a slow database's transactions must not
/// hold the scrape (Prometheus gives up after its 5 s interval).
const SCRAPE_PING_WAIT: Duration = Duration::from_secs(1);

#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text exposition", content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8")))]
pub(super) async fn metrics(State(ctx): State<ApiContext>) -> impl IntoResponse {
    // The pool as the requests left it, read before the scrape's own ping
    // borrows a connection (SQLite's pool takes it back a moment later).
    let pool = ctx.ledger.pool_stats();
    let database_up = ctx.database_reach(Some(SCRAPE_PING_WAIT)).await.up();
    let faults = ctx.faults.current();
    let body = ctx.metrics.render(Snapshot {
        faults: &faults,
        leaked_bytes: ctx.faults.leaked_bytes(),
        pool,
        database_up,
    });
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "service",
    responses((status = 200, description = "This document", content_type = "application/json")))]
pub(super) async fn openapi() -> impl IntoResponse {
    Json(super::ApiDoc::openapi())
}
