//! Shutdown, designed once: SIGINT, SIGTERM and SIGHUP become one
//! [`CancellationToken`], made in `cli::main` and passed down to whatever
//! runs. A server stops accepting and finishes what is in flight, a runner
//! rolls back, the console quits the way `q` does, `up --local` stops its
//! children and removes their cgroup. Nothing else listens for signals.

use tokio_util::sync::CancellationToken;

/// A token cancelled by the first SIGINT, SIGTERM or SIGHUP (Ctrl-C
/// elsewhere). Spawns its listener on the current runtime.
pub(crate) fn on_signals() -> CancellationToken {
    let token = CancellationToken::new();
    let cancel = token.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("signal received: shutting down");
        cancel.cancel();
    });
    token
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hangup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
        _ = hangup.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
