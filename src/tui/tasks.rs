//! The console's long-lived tasks (the stack, telemetry, the forwarders of
//! the stack's events, the load's reports and the coach's link), owned in
//! one place. Each stops on one [`CancellationToken`], a child of the
//! signal's (`crate::shutdown`): a signal or the console's leaving reaches
//! all of them at once, rather than each noticing a closed channel some
//! time later, or never when it waits on something else. Leaving joins them
//! within a bound and aborts what is left, saying so in the log file: the
//! terminal is the student's again by then.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::task::{AbortHandle, JoinHandle, JoinSet};
use tokio_util::sync::CancellationToken;

/// How long leaving waits for the tasks once told to stop. They stop at
/// their next await, so this is only reached by a task stuck in a call
/// that does not yield.
pub(crate) const STOP_WITHIN: Duration = Duration::from_secs(3);

/// The console's tasks and the token that stops them. Cloned into a task
/// that starts another (the stack's starts its events' forwarder).
#[derive(Clone)]
pub(crate) struct Tasks {
    stop: CancellationToken,
    set: Arc<Mutex<JoinSet<()>>>,
}

/// How a join went: how many tasks stopped when told, how many had to be
/// aborted after [`STOP_WITHIN`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Joined {
    pub(crate) stopped: usize,
    pub(crate) aborted: usize,
}

impl Tasks {
    /// Tasks that stop when `stop` is cancelled (or when [`Tasks::join`] is).
    pub(crate) fn new(stop: CancellationToken) -> Self {
        Self {
            stop,
            set: Arc::new(Mutex::new(JoinSet::new())),
        }
    }

    /// Runs `task` until it ends or the token is cancelled. Once the token
    /// is cancelled nothing new starts: a task started then would outlive
    /// the join.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut set = self.set.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock `join` takes after cancelling: a spawn
        // either lands in the set it joins or sees the token cancelled.
        if self.stop.is_cancelled() {
            return;
        }
        let stop = self.stop.clone();
        set.spawn(async move {
            stop.run_until_cancelled(task).await;
        });
    }

    /// Stops every task without waiting (a dropped console).
    pub(crate) fn cancel(&self) {
        self.stop.cancel();
    }

    /// Cancels the token and waits up to `within` for every task to stop;
    /// aborts the ones left and writes to the log how many there were.
    pub(crate) async fn join(&self, within: Duration) -> Joined {
        self.stop.cancel();
        let mut set = std::mem::take(&mut *self.set.lock().unwrap_or_else(PoisonError::into_inner));
        let mut stopped = 0;
        let all = async {
            while let Some(done) = set.join_next().await {
                if let Err(e) = done
                    && e.is_panic()
                {
                    tracing::warn!("a console task panicked: {e}");
                }
                stopped += 1;
            }
        };
        let _ = tokio::time::timeout(within, all).await;
        let aborted = set.len();
        if aborted > 0 {
            tracing::warn!(
                "{aborted} console task(s) did not stop within {within:?} of leaving: aborted"
            );
        }
        set.shutdown().await;
        Joined { stopped, aborted }
    }
}

/// Waits up to `within` for the one-shot effects (a fault change, a
/// rollback), which do not stop on the token: leaving waits for them to
/// land. Aborts the ones left, writes so to the log, and says how many.
pub(crate) async fn land(effects: Vec<JoinHandle<()>>, within: Duration) -> usize {
    let aborts: Vec<AbortHandle> = effects.iter().map(JoinHandle::abort_handle).collect();
    let landed = tokio::time::timeout(within, futures::future::join_all(effects)).await;
    if landed.is_ok() {
        return 0;
    }
    let left = aborts.iter().filter(|a| !a.is_finished()).count();
    aborts.iter().for_each(AbortHandle::abort);
    tracing::warn!(
        "{left} console effect(s) (a fault change, a rollback) still running {within:?} after leaving: aborted"
    );
    left
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cancelling_stops_a_task_that_waits_forever_and_the_join_counts_it() {
        let tasks = Tasks::new(CancellationToken::new());
        tasks.spawn(std::future::pending());
        tasks.spawn(async {});
        let joined = tasks.join(STOP_WITHIN).await;
        assert_eq!(
            joined,
            Joined {
                stopped: 2,
                aborted: 0
            }
        );
    }

    #[tokio::test]
    async fn the_parent_token_reaches_the_tasks() {
        let signal = CancellationToken::new();
        let tasks = Tasks::new(signal.child_token());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tasks.spawn(async move {
            std::future::pending::<()>().await;
            let _ = tx.send(());
        });
        signal.cancel();
        // The task was dropped at its await: the sender with it.
        assert!(rx.await.is_err());
        assert_eq!(tasks.join(STOP_WITHIN).await.aborted, 0);
    }

    #[tokio::test]
    async fn nothing_starts_once_the_token_is_cancelled() {
        let tasks = Tasks::new(CancellationToken::new());
        tasks.cancel();
        tasks.spawn(async {});
        assert_eq!(tasks.join(STOP_WITHIN).await.stopped, 0);
    }
}
