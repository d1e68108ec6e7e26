//! `GET /class/{code}/stream`: the board as server-sent events. One
//! `board` event right on connect, then one after each change, coalesced
//! to at most one every [`COALESCE`] (200 students posting twice a second
//! would otherwise send a projector 400 boards a second), and one every
//! [`REFRESH`] without changes, so "online" and "stuck" move with time.
//!
//! Every viewer sends the board the class built for all of them
//! ([`Class::snapshot_json`]): a hundred viewers cost one build, not a
//! hundred.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};

use super::class::{COALESCE, Class};

/// The longest time between two boards sent.
pub(crate) const REFRESH: Duration = Duration::from_secs(5);

/// The class code was checked before (see `routes`).
pub(crate) async fn board(State(class): State<Arc<Class>>) -> Response {
    let mut version = class.subscribe();
    version.mark_unchanged();
    let boards = futures::stream::unfold(
        (class, version, true),
        |(class, mut version, first)| async move {
            if !first {
                // Wait out the coalescing gap, then for a change or the refresh.
                tokio::select! {
                    _ = class.stop.cancelled() => return None,
                    _ = tokio::time::sleep(COALESCE) => {}
                }
                tokio::select! {
                    _ = class.stop.cancelled() => return None,
                    changed = version.changed() => changed.ok()?,
                    _ = tokio::time::sleep(REFRESH) => {}
                }
            }
            let event = Event::default()
                .event("board")
                .data(&*class.snapshot_json());
            Some((Ok::<_, Infallible>(event), (class, version, false)))
        },
    );
    let mut response = Sse::new(boards)
        .keep_alive(KeepAlive::default())
        .into_response();
    // nginx buffers a proxied response unless told not to; a buffered
    // stream would reach a remote class's board in lumps.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
