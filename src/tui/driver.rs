//! The console's hands: the tasks that talk to the stack, the API,
//! Prometheus and the load generator, and report back as [`Msg`]s on one
//! channel. Nothing here is awaited by the render loop; effects are spawned.
//! The long-lived tasks stop on the shutdown token ([`Tasks`]); the
//! one-shot effects (a fault set, a rollback) run to their end, since
//! leaving waits for a rollback to land.

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cases::engine::actions::{Acting, PhaseActions, run_actions};
use crate::cases::engine::io::ActError;
use crate::cases::engine::{Captures, CaseIo, start_case_load};
use crate::cases::model::Action as CaseAction;
use crate::coach::link::LinkState;
use crate::coach::wire::Message;
use crate::loadgen::LoadHandle;
use crate::stack::task::StackCommand;
use crate::stack::{Choice, StackSettings};

use super::coach::{CoachNews, News};
pub use super::context::TaskContext;
use super::msg::{Effect, Msg};
use super::sensing::read_once;
use super::stack_life::{StackCtl, stack_task};
use super::tasks::{STOP_WITHIN, Tasks, land};

/// How often the telemetry task reads: often enough for a live chart, rare
/// enough that an idle console costs next to nothing.
pub const TELEMETRY_EVERY: Duration = Duration::from_secs(2);

/// The effects in flight, so quitting can wait for a rollback to land,
/// and the tasks that run until the console leaves.
pub struct Driver {
    pub shared: TaskContext,
    load: Option<LoadHandle>,
    pending: Vec<JoinHandle<()>>,
    tasks: Tasks,
    /// The stack task's ears for the student's choice when it is blocked.
    stack_ctl: Option<UnboundedSender<StackCtl>>,
}

impl Driver {
    /// A driver whose tasks stop when it is dropped or finished.
    pub fn new(shared: TaskContext) -> Self {
        Self::stopping_on(shared, CancellationToken::new())
    }

    /// A driver whose tasks also stop when `stop` is cancelled: a child of
    /// the signal's token, so a signal reaches them at once.
    pub(crate) fn stopping_on(shared: TaskContext, stop: CancellationToken) -> Self {
        Self {
            shared,
            load: None,
            pending: Vec::new(),
            tasks: Tasks::new(stop),
            stack_ctl: None,
        }
    }

    /// Opens the stack, brings it up, and keeps its events and status
    /// flowing. While it cannot come up it says why ([`Msg::StackOpenFailed`],
    /// [`Msg::StackUp`]) and tries again by itself, or at once on
    /// [`Effect::StackRetry`]; [`Effect::StackLocal`] gives up on Docker
    /// for the local stack.
    pub fn start_stack(&mut self, choice: Choice, settings: StackSettings) {
        let (ctl_tx, ctl) = unbounded_channel();
        self.stack_ctl = Some(ctl_tx);
        let tasks = self.tasks.clone();
        self.tasks.spawn(stack_task(
            self.shared.clone(),
            choice,
            settings,
            ctl,
            tasks,
        ));
    }

    /// Reads the API's `/metrics`, Prometheus' readiness and the five
    /// signals, and the fault state, every [`TELEMETRY_EVERY`].
    pub fn start_telemetry(&self) {
        let sh = self.shared.clone();
        self.tasks.spawn(async move {
            let mut every = tokio::time::interval(TELEMETRY_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                if sh.tx.is_closed() {
                    break;
                }
                let reading = read_once(&sh).await;
                sh.send(Msg::Telemetry(reading));
            }
        });
    }

    /// The coach's link, into the console's channel: each change of its
    /// state, each message of the coach.
    pub(crate) fn follow_coach(
        &self,
        mut state: watch::Receiver<LinkState>,
        mut messages: UnboundedReceiver<Message>,
    ) {
        let tx = self.shared.tx.clone();
        self.tasks.spawn(async move {
            let mut said = true;
            loop {
                let news = tokio::select! {
                    changed = state.changed() => match changed {
                        Ok(()) => News::Link(*state.borrow_and_update()),
                        Err(_) => break,
                    },
                    m = messages.recv(), if said => match m {
                        Some(m) => News::Said(m.text),
                        None => {
                            said = false;
                            continue;
                        }
                    },
                };
                if tx.send(Msg::Coach(CoachNews(news))).is_err() {
                    break;
                }
            }
        });
    }

    pub fn perform(&mut self, effect: Effect, captures: Captures) {
        self.pending.retain(|h| !h.is_finished());
        let sh = self.shared.clone();
        match effect {
            Effect::SetFaults(update) => {
                let t = Instant::now();
                self.pending.push(tokio::spawn(async move {
                    let result = sh.api().inject(&update).await.map_err(ActError::from);
                    sh.send(Msg::FaultsSet {
                        result,
                        took_ms: t.elapsed().as_secs_f64() * 1000.0,
                    });
                }));
            }
            Effect::ResetFaults => {
                let t = Instant::now();
                self.pending.push(tokio::spawn(async move {
                    let result = sh.api().reset().await.map_err(ActError::from);
                    sh.send(Msg::FaultsSet {
                        result,
                        took_ms: t.elapsed().as_secs_f64() * 1000.0,
                    });
                }));
            }
            Effect::RunActions(actions) => {
                self.pending.push(tokio::spawn(async move {
                    let send = |m: Msg| sh.send(m);
                    act_out(&sh.case_io(), &actions, &send).await;
                }));
            }
            Effect::StartLoad { rps, mix } => {
                self.stop_load();
                let handle = start_case_load(sh.api().base(), rps, mix);
                let mut reports = handle.subscribe();
                self.tasks.spawn(async move {
                    while reports.changed().await.is_ok() {
                        let r = reports.borrow_and_update().clone();
                        if sh.tx.send(Msg::Load(r)).is_err() {
                            break;
                        }
                    }
                });
                self.load = Some(handle);
            }
            Effect::SetRate(rps) => {
                if let Some(l) = &self.load {
                    l.set_rate(rps);
                }
            }
            Effect::StopLoad => self.stop_load(),
            Effect::Observe(poll) => {
                self.tasks.spawn(async move {
                    let seen = sh.case_io().observe(poll, captures).await;
                    sh.send(Msg::Observed(seen));
                });
            }
            Effect::StackRetry | Effect::StackLocal => {
                let choice = if effect == Effect::StackLocal {
                    StackCtl::Local
                } else {
                    StackCtl::Retry
                };
                if let Some(ctl) = &self.stack_ctl {
                    let _ = ctl.send(choice);
                }
            }
            Effect::SaveProgress | Effect::Quit => {}
        }
    }

    fn stop_load(&mut self) {
        if let Some(l) = self.load.take() {
            self.pending.push(tokio::spawn(async move {
                l.stop().await;
            }));
        }
    }

    /// Stops the long-lived tasks and the load, and waits (bounded) for
    /// what is in flight: a rollback must reach the API before the console
    /// exits. What is still running after `within` is aborted, and the log
    /// file says so.
    pub async fn finish(&mut self, within: Duration) {
        self.tasks.join(STOP_WITHIN).await;
        self.stop_load();
        land(std::mem::take(&mut self.pending), within).await;
    }

    /// Stops a local stack (its processes are this console's children).
    pub async fn stop_local_stack(&self, within: Duration) {
        if let Some(h) = self.shared.stack() {
            let _ = tokio::time::timeout(
                within,
                h.call(|reply| StackCommand::Down {
                    volumes: false,
                    reply,
                }),
            )
            .await;
        }
    }
}

/// A console that goes away without [`Driver::finish`] (a test, an error)
/// still stops its tasks.
impl Drop for Driver {
    fn drop(&mut self) {
        self.tasks.cancel();
    }
}

/// A phase's actions in the console: run the engine's one way, each said
/// as it lands (the fault state the API answered, the action's line), then
/// how the phase went, for the session to stop on a failed inject or
/// recover as `workshop run` does.
pub(crate) async fn act_out(io: &dyn CaseIo, actions: &PhaseActions, send: &(dyn Fn(Msg) + Sync)) {
    let hear = |a: Acting<'_>| {
        let Acting::Done {
            action,
            acted,
            took,
        } = a
        else {
            return;
        };
        let took_ms = took.as_secs_f64() * 1000.0;
        if !matches!(action, CaseAction::Container(_)) {
            send(Msg::FaultsSet {
                result: acted.clone().map(Option::unwrap_or_default),
                took_ms,
            });
        }
        send(Msg::ActionDone {
            action: action.clone(),
            result: acted.clone().map(|_| ()),
            took_ms,
        });
    };
    let outcome = run_actions(io, actions, &hear).await;
    send(Msg::ActionsDone(outcome));
}

#[cfg(test)]
#[path = "driver_tests.rs"]
mod tests;
