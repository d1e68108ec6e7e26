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

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::serving::{self, Limits, Policy};

pub(crate) use class::{Class, ClassOptions, MAX_MESSAGES};
pub(crate) use kept::{Kept, StateDir};
pub(crate) use routes::router;
pub(crate) use snapshot::Column;

/// Serves `class` on `listener` until `stop` is cancelled; open streams end
/// then (see `stream`), so the server stops at once. `public_url`: where
/// students and the coach reach the board, when a proxy stands in between.
pub(crate) async fn serve(
    listener: TcpListener,
    class: Arc<Class>,
    public_url: String,
    stop: CancellationToken,
) {
    let limits = Limits::for_this_process(0);
    let policy = Policy {
        content_security: page::POLICY,
        origins: vec![public_url],
    };
    let app = serving::guarded(router(class), policy, &limits);
    serving::run(listener, app, stop, limits, "coach").await;
}
