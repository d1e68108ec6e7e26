//! Shutdown, designed once: SIGINT, SIGTERM and SIGHUP become one
//! [`CancellationToken`], made in `cli::main` and passed down to whatever
//! runs. A server stops accepting and gives what is in flight a bounded
//! time (see `serving`), a runner rolls back, the console quits the way `q`
//! does, `up --local` stops its children and removes their cgroup.
//!
//! A second signal means "now": the process exits at once, with 130, after
//! the one thing that must never be skipped (the console puts the terminal
//! back; see [`before_forced_exit`]). Nothing else listens for signals.

use std::sync::OnceLock;

use tokio_util::sync::CancellationToken;

/// The exit status of a process stopped by a second signal (128 + SIGINT,
/// what a shell shows for an interrupted command).
pub(crate) const FORCED_EXIT: i32 = 130;

static BEFORE_FORCED_EXIT: OnceLock<fn()> = OnceLock::new();

/// Runs `last` before a forced exit (the console's terminal restore).
pub(crate) fn before_forced_exit(last: fn()) {
    let _ = BEFORE_FORCED_EXIT.set(last);
}

/// A token cancelled by the first SIGINT, SIGTERM or SIGHUP (Ctrl-C
/// elsewhere); the second exits the process. Spawns its listener on the
/// current runtime.
pub(crate) fn on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        let mut signals = Signals::new();
        signals.next().await;
        tracing::info!("signal received: shutting down (a second signal stops at once)");
        cancel.cancel();
        signals.next().await;
        if let Some(last) = BEFORE_FORCED_EXIT.get() {
            last();
        }
        eprintln!("second signal: stopping now, without waiting for what is in flight");
        std::process::exit(FORCED_EXIT);
    });
    token
}

/// The signals that stop the process, registered once so none is missed
/// between the first and the second.
#[cfg(unix)]
struct Signals {
    streams: Vec<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = [
            SignalKind::interrupt(),
            SignalKind::terminate(),
            SignalKind::hangup(),
        ]
        .into_iter()
        .filter_map(|kind| signal(kind).ok())
        .collect();
        Signals { streams }
    }

    async fn next(&mut self) {
        if self.streams.is_empty() {
            // No handler could be installed: wait forever rather than stop.
            return std::future::pending().await;
        }
        let waits = self.streams.iter_mut().map(|s| Box::pin(s.recv()));
        futures::future::select_all(waits).await;
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Signals {
        Signals
    }

    async fn next(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
