//! `workshop coach`: the class board.
//!
//! - `board`    — the class as data: one row per student, one cell per case,
//!   applying the events students send (pure, "now" passed in).
//! - `snapshot` — the board as the JSON the page, tests and benches read;
//!   time in phase, "online" and the stuck rules are computed there.
//! - `check`    — what is refused, checked whole before anything changes.
//! - `class`    — one class's state behind a lock, with its code, token,
//!   messages, the change counter the stream waits on, and the board's
//!   JSON built once for every viewer.
//! - `guesses`  — wrong class codes counted per address, bounded.
//! - `kept`     — the messages kept in `--state-dir` across a restart.
//! - `routes`, `stream`, `page` — HTTP: JSON, server-sent events, the page.

mod board;
mod check;
mod class;
mod guesses;
mod kept;
mod page;
mod routes;
mod snapshot;
mod stream;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub(crate) use class::{Class, ClassOptions, MAX_MESSAGES};
pub(crate) use kept::{Kept, StateDir};
pub(crate) use routes::router;
pub(crate) use snapshot::Column;

/// Serves `class` on `listener` until `stop` is cancelled; open streams end
/// then (see `stream`), so the server stops at once.
pub(crate) async fn serve(
    listener: TcpListener,
    class: Arc<Class>,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router(class).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(stop.cancelled_owned())
    .await
    .context("the coach's HTTP server failed")
}
