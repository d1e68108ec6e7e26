//! The console's hands: the tasks that talk to the stack, the API,
//! Prometheus and the load generator, and report back as [`Msg`]s on one
//! channel. Nothing here is awaited by the render loop; effects are spawned.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::cases::model::{Action as CaseAction, ContainerAction};
use crate::cases::runner::Captures;
use crate::client::ApiClient;
use crate::loadgen::{self, LoadHandle, LoadPlan};
use crate::stack::task::{StackCommand, StackHandle};
use crate::stack::{Choice, Runtime, ServiceAction, StackSettings};
use crate::telemetry::scrape::ScrapeWindow;
use crate::telemetry::{Prometheus, Source};

use super::msg::{Effect, Msg};
use super::sensing::{observe_poll, read_once};

/// How often the telemetry task reads: often enough for a live chart, rare
/// enough that an idle console costs next to nothing.
pub const TELEMETRY_EVERY: Duration = Duration::from_secs(2);
const STATUS_EVERY: Duration = Duration::from_secs(3);

/// What every task shares.
#[derive(Clone)]
pub struct Shared {
    pub tx: UnboundedSender<Msg>,
    pub api: ApiClient,
    pub http: reqwest::Client,
    pub prometheus: Option<Prometheus>,
    /// False once the stack said it has no Prometheus (local, none on PATH).
    pub prometheus_wanted: Arc<AtomicBool>,
    pub prometheus_up: Arc<AtomicBool>,
    pub window: Arc<Mutex<ScrapeWindow>>,
    pub stack: Arc<Mutex<Option<StackHandle>>>,
    pub started: Instant,
}

impl Shared {
    pub(super) fn send(&self, msg: Msg) {
        let _ = self.tx.send(msg);
    }

    pub(super) fn source(&self) -> Source {
        match &self.prometheus {
            Some(p) if self.prometheus_up.load(Ordering::Relaxed) => Source::Prometheus(p.clone()),
            _ => Source::Scrape(self.window.clone()),
        }
    }

    fn stack(&self) -> Option<StackHandle> {
        self.stack.lock().ok().and_then(|s| s.clone())
    }
}

/// The effects in flight, so quitting can wait for a rollback to land.
pub struct Driver {
    pub shared: Shared,
    load: Option<LoadHandle>,
    pending: Vec<JoinHandle<()>>,
}

impl Driver {
    pub fn new(shared: Shared) -> Self {
        Self {
            shared,
            load: None,
            pending: Vec::new(),
        }
    }

    /// Opens the stack (retrying while no engine answers), brings it up, and
    /// keeps its events and status flowing.
    pub fn start_stack(&self, choice: Choice, settings: StackSettings) {
        let sh = self.shared.clone();
        tokio::spawn(async move {
            let runtime = loop {
                match Runtime::open(choice, settings.clone()).await {
                    Ok(rt) => break rt,
                    Err(e) => {
                        sh.send(Msg::StackOpenFailed(format!("{e}. Retrying every 5 s.")));
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            };
            sh.send(Msg::StackOpened(runtime.backend()));
            let handle = crate::stack::task::spawn(runtime);
            if let Ok(mut slot) = sh.stack.lock() {
                *slot = Some(handle.clone());
            }
            let mut events = handle.subscribe();
            let tx = sh.tx.clone();
            tokio::spawn(async move {
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
            });
            // `up` again until it succeeds: a missing image can be built,
            // a port freed, while the console waits.
            loop {
                let up = handle.call(StackCommand::Up).await;
                if let Ok(skipped) = &up
                    && skipped.iter().any(|s| s == "prometheus")
                {
                    sh.prometheus_wanted.store(false, Ordering::Relaxed);
                }
                let ok = up.is_ok();
                sh.send(Msg::StackUp(
                    up.map_err(|e| format!("{e}. Retrying every 10 s.")),
                ));
                if ok || sh.tx.is_closed() {
                    break;
                }
                if let Ok(status) = handle.call(StackCommand::Status).await {
                    sh.send(Msg::StackStatus(Ok(status)));
                }
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            loop {
                let status = handle.call(StackCommand::Status).await;
                if sh.tx.is_closed() {
                    break;
                }
                sh.send(Msg::StackStatus(status.map_err(|e| e.to_string())));
                tokio::time::sleep(STATUS_EVERY).await;
            }
        });
    }

    /// Reads the API's `/metrics`, Prometheus' readiness and the five
    /// signals, and the fault state, every [`TELEMETRY_EVERY`].
    pub fn start_telemetry(&self) {
        let sh = self.shared.clone();
        tokio::spawn(async move {
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

    pub fn perform(&mut self, effect: Effect, captures: Captures) {
        self.pending.retain(|h| !h.is_finished());
        let sh = self.shared.clone();
        match effect {
            Effect::SetFaults(update) => {
                let t = Instant::now();
                self.pending.push(tokio::spawn(async move {
                    let result = sh.api.inject(&update).await.map_err(|e| e.to_string());
                    sh.send(Msg::FaultsSet {
                        result,
                        took_ms: t.elapsed().as_secs_f64() * 1000.0,
                    });
                }));
            }
            Effect::ResetFaults => {
                let t = Instant::now();
                self.pending.push(tokio::spawn(async move {
                    let result = sh.api.reset().await.map_err(|e| e.to_string());
                    sh.send(Msg::FaultsSet {
                        result,
                        took_ms: t.elapsed().as_secs_f64() * 1000.0,
                    });
                }));
            }
            Effect::RunActions(actions) => {
                self.pending.push(tokio::spawn(run_actions(sh, actions)));
            }
            Effect::StartLoad { rps, mix } => {
                self.stop_load();
                let handle = loadgen::start(LoadPlan {
                    api_url: sh.api.base().to_string(),
                    rps,
                    duration: None,
                    mix,
                    timeout: Duration::from_secs(30),
                });
                let mut reports = handle.subscribe();
                tokio::spawn(async move {
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
                tokio::spawn(async move {
                    let seen = observe_poll(&sh, poll, &captures).await;
                    sh.send(Msg::Observed(seen));
                });
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

    /// Stops the load and waits (bounded) for what is in flight: a rollback
    /// must reach the API before the console exits.
    pub async fn finish(&mut self, within: Duration) {
        self.stop_load();
        let pending = std::mem::take(&mut self.pending);
        let _ = tokio::time::timeout(within, futures::future::join_all(pending)).await;
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

async fn run_actions(sh: Shared, actions: Vec<CaseAction>) {
    for action in actions {
        let t = Instant::now();
        let took = |t: Instant| t.elapsed().as_secs_f64() * 1000.0;
        let result = match &action {
            CaseAction::SetFailures(update) => {
                let r = sh.api.inject(update).await.map_err(|e| e.to_string());
                sh.send(Msg::FaultsSet {
                    result: r.clone(),
                    took_ms: took(t),
                });
                r.map(|_| ())
            }
            CaseAction::Reset => {
                let r = sh.api.reset().await.map_err(|e| e.to_string());
                sh.send(Msg::FaultsSet {
                    result: r.clone(),
                    took_ms: took(t),
                });
                r.map(|_| ())
            }
            CaseAction::Container(step) => match sh.stack() {
                Some(h) => {
                    let service = step.service.clone();
                    let act = match step.action {
                        ContainerAction::Restart => ServiceAction::Restart,
                        ContainerAction::Kill => ServiceAction::Kill,
                    };
                    h.call(|reply| StackCommand::Act {
                        service,
                        action: act,
                        reply,
                    })
                    .await
                    .map_err(|e| e.to_string())
                }
                None => Err("needs the stack runtime; in --attach mode do it by hand".into()),
            },
        };
        sh.send(Msg::ActionDone {
            action: action.to_string(),
            result,
            took_ms: took(t),
        });
    }
}
