//! The coach's HTTP surface. Handlers are thin: read the body, call the
//! [`Class`], shape the answer.
//!
//! Every route under a class URL takes its class code first, in one layer
//! (`class_code`), so no handler can forget it. A wrong code
//! answers 404 on a page (a guess learns nothing) and 403 with a JSON
//! refusal on the API (a student's console can say "wrong class code"
//! instead of "not found"); past the limit of wrong codes from one address,
//! 429 with `Retry-After` on both. The client's address is read for that
//! count alone (`guesses`: a minute at most, never shown); nothing here
//! keeps its host name or user agent.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::check::Refused;
use super::class::{Class, CodeRefused};
use super::page;
use super::stream;
use crate::coach::wire;

/// The whole router of one class.
pub(crate) fn router(class: Arc<Class>) -> Router {
    let pages = Router::new()
        .route("/class/{code}", get(board_page))
        .route("/class/{code}/", get(board_page))
        .route_layer(middleware::from_fn_with_state(
            (class.clone(), Reader::Person),
            class_code,
        ));
    let api = Router::new()
        .route("/class/{code}/board.json", get(board_json))
        .route("/class/{code}/stream", get(stream::board))
        .route("/class/{code}/students/{name}", get(timeline))
        .route("/class/{code}/events", post(events))
        .route("/class/{code}/messages", post(messages))
        .route_layer(middleware::from_fn_with_state(
            (class.clone(), Reader::Api),
            class_code,
        ));
    Router::new()
        .route("/", get(index))
        .route("/livez", get(|| async { "ok" }))
        .merge(pages)
        .merge(api)
        .fallback(|| async {
            Refused::new(
                StatusCode::NOT_FOUND,
                "no such path; the board is at the class URL the coach gave you",
            )
        })
        .layer(DefaultBodyLimit::max(wire::MAX_BODY))
        .with_state(class)
}

/// Who a route under a class URL answers: a wrong class code gets a
/// refusal the console can read, or a page that says nothing.
#[derive(Debug, Clone, Copy)]
enum Reader {
    Api,
    Person,
}

/// The route's class code, taken or refused by the class before the
/// handler runs; the address it came from when the server knows it
/// (`serve` provides it; a request made in-process has none).
async fn class_code(
    State((class, reader)): State<(Arc<Class>, Reader)>,
    Path(params): Path<HashMap<String, String>>,
    request: Request,
    next: Next,
) -> Response {
    let code = params.get("code").map_or("", String::as_str);
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match (class.admit(code, peer), reader) {
        (Ok(()), _) => next.run(request).await,
        (Err(CodeRefused::Wrong), Reader::Person) => {
            (StatusCode::NOT_FOUND, Html(page::NOT_FOUND)).into_response()
        }
        (Err(refused), _) => Refused::from(refused).into_response(),
    }
}

async fn index() -> Html<&'static str> {
    Html(page::INDEX)
}

async fn board_page(State(class): State<Arc<Class>>) -> Response {
    let mut response = Html(page::board(class.lang, &class.snapshot_json())).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(page::POLICY),
    );
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

fn json(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

async fn board_json(State(class): State<Arc<Class>>) -> Response {
    json(StatusCode::OK, class.snapshot_json().to_string())
}

async fn timeline(
    State(class): State<Arc<Class>>,
    Path((_code, name)): Path<(String, String)>,
) -> Response {
    match class.timeline_json(&name) {
        Some(body) => json(StatusCode::OK, body),
        None => Refused::of(
            StatusCode::NOT_FOUND,
            "name",
            "name: no student of that name on this board",
        )
        .into_response(),
    }
}

/// Reads a JSON body: 415 for another content type, 413 over the limit,
/// 400 naming the JSON path of what does not fit (in the message, and as
/// the `field`).
fn read<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Refused> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(Refused::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type: send the body as application/json",
        ));
    }
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refused::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "body: larger than {} bytes; send fewer events per batch",
                    wire::MAX_BODY
                ),
            )
        } else {
            Refused::new(
                StatusCode::BAD_REQUEST,
                format!("body: cannot be read: {e}"),
            )
        }
    })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let what = e.inner().to_string();
        if path == "." {
            Refused::new(StatusCode::BAD_REQUEST, format!("body: {what}"))
        } else {
            let error = format!("{path}: {what}");
            Refused::of(StatusCode::BAD_REQUEST, path, error)
        }
    })?;
    de.end().map_err(|e| {
        Refused::new(
            StatusCode::BAD_REQUEST,
            format!("body: more after the JSON value: {e}"),
        )
    })?;
    Ok(value)
}

async fn events(
    State(class): State<Arc<Class>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let answer = read::<wire::Batch>(&headers, body).and_then(|batch| class.post(&batch));
    match answer {
        Ok(ack) => axum::Json(ack).into_response(),
        Err(refused) => refused.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageBody {
    text: String,
}

async fn messages(
    State(class): State<Arc<Class>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let auth = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    if !class.authorizes(auth) {
        return Refused::new(
            StatusCode::UNAUTHORIZED,
            "Authorization: send `Bearer <token>` with the coach token `workshop coach` printed",
        )
        .into_response();
    }
    let answer = read::<MessageBody>(&headers, body).and_then(|m| class.broadcast(&m.text));
    match answer {
        Ok(id) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": id })),
        )
            .into_response(),
        Err(refused) => refused.into_response(),
    }
}
