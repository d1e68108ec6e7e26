//! The stack's life in the console: open a backend, `up` until it holds
//! or the student picks another way (retry, local mode), then report its
//! status every few seconds; its events forwarded as they come.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::stack::task::{StackCommand, StackHandle};
use crate::stack::{Backend, Choice, Runtime, ServiceRole, StackError, StackSettings};

use super::context::TaskContext;
use super::msg::{Blocked, Msg};
use super::tasks::Tasks;

const STATUS_EVERY: Duration = Duration::from_secs(3);

/// What the student chose when the stack could not come up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StackCtl {
    Retry,
    Local,
}

/// How long a blocked stack waits before it tries again by itself.
const RETRY_OPEN: Duration = Duration::from_secs(5);
const RETRY_UP: Duration = Duration::from_secs(10);

/// Waits `delay` or for the student's choice; `None` when the console is gone.
async fn wait_or_choice(
    ctl: &mut UnboundedReceiver<StackCtl>,
    delay: Duration,
) -> Option<StackCtl> {
    tokio::select! {
        c = ctl.recv() => c,
        _ = tokio::time::sleep(delay) => Some(StackCtl::Retry),
    }
}

/// What the stack task does after an `up`.
enum AfterUp {
    /// The stack holds: report its status.
    Up,
    /// The student chose local mode: open that backend.
    OtherBackend,
    /// The console is gone.
    Gone,
}

/// The stack's life in the console: open a backend, `up` until it holds or
/// the student picks another way, then report its status.
pub(crate) async fn stack_task(
    sh: TaskContext,
    mut choice: Choice,
    settings: StackSettings,
    mut ctl: UnboundedReceiver<StackCtl>,
    tasks: Tasks,
) {
    loop {
        let Some(handle) = open(&sh, &mut choice, &settings, &mut ctl, &tasks).await else {
            return;
        };
        match bring_up(&sh, &handle, &mut choice, &mut ctl).await {
            AfterUp::Up => return report_status(&sh, &handle).await,
            AfterUp::OtherBackend => continue,
            AfterUp::Gone => return,
        }
    }
}

fn blocked(sh: &TaskContext, e: &StackError, choice: Choice, retry: Duration) -> Blocked {
    Blocked {
        trouble: e.trouble_in(sh.lang),
        local_offered: choice != Choice::Local,
        retry_in_s: retry.as_secs(),
    }
}

/// Opens the chosen backend, again after each pause or choice until one
/// answers; points the console at its API and Prometheus. `None` when the
/// console is gone.
async fn open(
    sh: &TaskContext,
    choice: &mut Choice,
    settings: &StackSettings,
    ctl: &mut UnboundedReceiver<StackCtl>,
    tasks: &Tasks,
) -> Option<StackHandle> {
    let runtime = loop {
        match Runtime::open(*choice, settings.clone()).await {
            Ok(rt) => break rt,
            Err(e) => {
                sh.send(Msg::StackOpenFailed(blocked(sh, &e, *choice, RETRY_OPEN)));
                match wait_or_choice(ctl, RETRY_OPEN).await? {
                    StackCtl::Retry => {}
                    StackCtl::Local => *choice = Choice::Local,
                }
            }
        }
    };
    let (api_url, prometheus_url) = runtime.urls();
    sh.set_endpoints(&api_url, &prometheus_url);
    sh.prometheus_wanted.store(true, Ordering::Relaxed);
    let backend = runtime.backend();
    sh.send(Msg::StackOpened {
        backend,
        api_url,
        prometheus_url,
    });
    if backend == Backend::Local {
        *choice = Choice::Local;
    }
    let handle = crate::stack::task::spawn(runtime);
    if let Ok(mut slot) = sh.stack.lock() {
        *slot = Some(handle.clone());
    }
    tasks.spawn(forward_events(sh, &handle));
    Some(handle)
}

/// `up` again until it succeeds: a missing image can be built, a port
/// freed, while the console waits.
async fn bring_up(
    sh: &TaskContext,
    handle: &StackHandle,
    choice: &mut Choice,
    ctl: &mut UnboundedReceiver<StackCtl>,
) -> AfterUp {
    loop {
        match handle.call(StackCommand::Up).await {
            Ok(skipped) => {
                if skipped.iter().any(|s| s.role == ServiceRole::Prometheus) {
                    sh.prometheus_wanted.store(false, Ordering::Relaxed);
                }
                sh.send(Msg::StackUp(Ok(skipped)));
                // A new session begins with no fault injected: faults
                // outlive restarts of the app, so clear what is left. If the
                // API cannot be reached now, the header, which reads the
                // faults in force every second, still shows any left over.
                if let Ok(Some(cleared)) = sh.api().clear_leftover_faults().await {
                    sh.send(Msg::FaultsCleared(cleared));
                }
                return AfterUp::Up;
            }
            Err(e) => sh.send(Msg::StackUp(Err(blocked(sh, &e, *choice, RETRY_UP)))),
        }
        if let Ok(status) = handle.call(StackCommand::Status).await {
            sh.send(Msg::StackStatus(Ok(status)));
        }
        match wait_or_choice(ctl, RETRY_UP).await {
            Some(StackCtl::Local) if *choice != Choice::Local => {
                // What the failed `up` started would hold the ports the
                // local stack needs.
                let _ = handle
                    .call(|reply| StackCommand::Down {
                        volumes: false,
                        reply,
                    })
                    .await;
                if let Ok(mut slot) = sh.stack.lock() {
                    *slot = None;
                }
                *choice = Choice::Local;
                return AfterUp::OtherBackend;
            }
            Some(_) => {}
            None => return AfterUp::Gone,
        }
    }
}

/// The stack's status every few seconds, until the console is gone.
async fn report_status(sh: &TaskContext, handle: &StackHandle) {
    loop {
        let status = handle.call(StackCommand::Status).await;
        if sh.tx.is_closed() {
            return;
        }
        sh.send(Msg::StackStatus(status));
        tokio::time::sleep(STATUS_EVERY).await;
    }
}

/// The stack's events into the console's channel, until either side closes
/// (or the console's tasks are stopped).
fn forward_events(sh: &TaskContext, handle: &StackHandle) -> impl Future<Output = ()> + use<> {
    let mut events = handle.subscribe();
    let tx = sh.tx.clone();
    async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match events.recv().await {
                Ok(e) => {
                    if tx.send(Msg::StackEvent(e)).is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    }
}
