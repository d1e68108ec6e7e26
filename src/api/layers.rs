//! Middleware: request metrics around every route, fault injection around
//! the routes a student's failures apply to.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiContext;
use super::error::{ApiError, Injected};

/// Counts and times every request by its route template (`/api/accounts/{number}`,
/// never the raw path, so label cardinality stays bounded).
pub(super) async fn record_metrics(
    State(ctx): State<ApiContext>,
    req: Request,
    next: Next,
) -> Response {
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    ctx.metrics.observe_request(
        &method,
        &endpoint,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Applies the current faults to one request: leak, then delay (an async
/// sleep, so a worker thread is never blocked), then maybe fail.
pub(super) async fn inject_faults(
    State(ctx): State<ApiContext>,
    req: Request,
    next: Next,
) -> Response {
    let fault = ctx.faults.current().decide(&mut rand::rng());
    if fault.leak_mb > 0 {
        ctx.faults.leak(fault.leak_mb).await;
    }
    if !fault.delay.is_zero() {
        tokio::time::sleep(fault.delay).await;
    }
    if let Some(code) = fault.fail_with {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let on = req
            .extensions()
            .get::<MatchedPath>()
            .map_or(Injected::Other, |p| Injected::on(p.as_str()));
        return ApiError::Injected { status, on }.into_response();
    }
    next.run(req).await
}

/// The most of a JSON answer read to end it with a newline; the API's are
/// a few hundred bytes, the OpenAPI document a few tens of kilobytes.
const LINE_LIMIT: usize = 1024 * 1024;

/// Ends every JSON answer with a newline, as the original workshop's did:
/// its scripts print answers back to back, and a shell prompt after
/// `curl` lands on a line of its own.
pub(super) async fn end_json_with_newline(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LINE_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut text = bytes.to_vec();
    if text.last() != Some(&b'\n') {
        text.push(b'\n');
    }
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(text))
}
