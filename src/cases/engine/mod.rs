//! The one case engine: a pure state machine that walks a case
//! ([`session::CaseSession`]: phases, checks, captures, alerts, times since
//! the injection), driven by the console and by `workshop run` alike. For
//! `workshop run` it starts the case's load, walks the session with
//! [`walk::walk`] from baseline through injection, detection and recovery,
//! and always rolls back — on success, on failure, on Ctrl-C. A phase's
//! actions run one way for this driver and the console's
//! ([`actions::run_actions`]); [`headless`] runs the cases one after
//! another and hears every event in order.

pub(crate) mod actions;
mod chart;
mod events;
pub(crate) mod examine;
pub(crate) mod headless;
pub(crate) mod io;
pub(crate) mod probe;
pub(crate) mod record;
pub(crate) mod report;
pub(crate) mod session;
pub(crate) mod walk;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub(crate) use events::{RunEvent, Stamped, secs};
pub(crate) use io::{AppCounts, CaseIo, LiveIo, ServiceControl, WallClock};
pub(crate) use probe::{Captures, CheckResult};
pub(crate) use record::{AnswerLine, CaseRecord, ChartPoint, Timeline};

use crate::cases::{Case, Lang, Phase};
use crate::client::ApiClient;
use crate::loadgen::{self, Endpoint, LoadHandle, LoadPlan, LoadReport, Mix};
use crate::telemetry::{Prometheus, Source};

use actions::{Acting, PhaseActions, failure_reason, run_actions};

/// How an expected alert went.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertResult {
    pub name: String,
    pub within: Duration,
    /// From the injection to the first `firing` seen.
    pub fired_after: Option<Duration>,
}

/// Everything a report needs about one case.
#[derive(Debug, Clone, Default)]
pub struct CaseOutcome {
    pub id: String,
    pub title: String,
    pub passed: bool,
    pub aborted: Option<String>,
    pub checks: Vec<CheckResult>,
    pub alerts: Vec<AlertResult>,
    /// Wall-clock times (UTC): start, injection, first signal, alert,
    /// recover action, recovery.
    pub timeline: Timeline,
    /// Injection → first detect check passed.
    pub time_to_detect: Option<Duration>,
    /// Injection → first expected alert firing.
    pub time_to_alert: Option<Duration>,
    /// Start of recovery → every recover check passed.
    pub time_to_recover: Option<Duration>,
    pub recover_limit: Duration,
    pub peak_p95: Option<f64>,
    pub peak_error_ratio: Option<f64>,
    pub load: LoadReport,
    /// The questions, with what was answered (a headless run answers none).
    pub answers: Vec<AnswerLine>,
    /// The respond prompts, in the case's language.
    pub prompts: Vec<String>,
    /// `cases check`: every check read before the fault, with it in, and
    /// after the recovery.
    pub examined: Vec<examine::Examined>,
    /// The signals over the case, seconds since the injection.
    pub samples: Vec<ChartPoint>,
    /// Restarts and OOM kills of the app during the case, where the stack
    /// could be seen.
    pub app_counts: Option<AppCounts>,
}

pub(crate) struct Runner {
    pub api_url: String,
    pub prometheus: Prometheus,
    pub lang: Lang,
    pub events: mpsc::UnboundedSender<Stamped>,
    pub stop: CancellationToken,
    pub services: Option<Arc<dyn ServiceControl>>,
    /// `workshop cases check`: before injecting, prove that no detect check
    /// already holds at baseline (a check that passes without the fault
    /// teaches nothing).
    pub prove_teachable: bool,
    started: Instant,
    http: reqwest::Client,
}

/// The case's endpoint mix as the load generator takes it.
pub(crate) fn load_mix(case: &Case) -> Mix {
    let by_name = |name: &str| Endpoint::ALL.into_iter().find(|e| e.name() == name);
    Mix(case
        .load
        .mix
        .weights()
        .into_iter()
        .filter_map(|(name, w)| by_name(name).map(|e| (e, w)))
        .collect())
}

/// A request of a case's load with no answer after this long counts as
/// "no answer".
const CASE_LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Starts a case's steady load on the API at `api_url`, until stopped: the
/// one plan of `workshop run` and the console.
pub(crate) fn start_case_load(api_url: &str, rps: f64, mix: Mix) -> LoadHandle {
    loadgen::start(LoadPlan {
        api_url: api_url.to_string(),
        rps,
        duration: None,
        mix,
        timeout: CASE_LOAD_TIMEOUT,
    })
}

impl Runner {
    pub(crate) fn new(
        api_url: &str,
        prometheus: Prometheus,
        lang: Lang,
        events: mpsc::UnboundedSender<Stamped>,
        stop: CancellationToken,
    ) -> Self {
        Self {
            api_url: api_url.trim_end_matches('/').to_string(),
            prometheus,
            lang,
            events,
            stop,
            services: None,
            prove_teachable: false,
            started: Instant::now(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    fn emit(&self, event: RunEvent) {
        let _ = self.events.send(Stamped {
            at: Utc::now(),
            t: secs(self.started.elapsed()),
            event,
        });
    }

    fn io(&self) -> LiveIo {
        LiveIo {
            source: Source::Prometheus(self.prometheus.clone()),
            http: self.http.clone(),
            api: ApiClient::new(&self.api_url),
            services: self.services.clone(),
        }
    }

    /// Runs one case; the rollback runs whatever happens.
    pub(crate) async fn run_case(&self, case: &Case) -> CaseOutcome {
        let title = case.title.get(self.lang).to_string();
        self.emit(RunEvent::CaseStarted {
            case: case.id.clone(),
            title,
        });
        let mix = load_mix(case);
        self.emit(RunEvent::LoadStarted {
            rps: case.load.rate,
            mix: mix.to_string(),
        });
        let load = start_case_load(&self.api_url, case.load.rate, mix);
        let io = self.io();
        let counts_before = io.app_counts().await;
        let clock = WallClock::start();
        let emit = |e: RunEvent| self.emit(e);
        let mut outcome = walk::walk(
            case,
            walk::WalkOptions {
                lang: self.lang,
                prove_teachable: self.prove_teachable,
                stop: &self.stop,
            },
            &io,
            &clock,
            &emit,
        )
        .await;
        self.rollback(case, &io).await;
        outcome.load = load.stop().await;
        outcome.app_counts = match (counts_before, io.app_counts().await) {
            (Some(b), Some(a)) => Some(a.since(b)),
            _ => None,
        };
        if let Some(reason) = &outcome.aborted {
            self.emit(RunEvent::Aborted {
                reason: reason.clone(),
            });
        }
        self.emit(RunEvent::CaseFinished {
            case: case.id.clone(),
            passed: outcome.passed,
        });
        outcome
    }

    /// The case's rollback, the one way ([`run_actions`]): each step said
    /// before it runs, each that fails said right after it.
    async fn rollback(&self, case: &Case, io: &LiveIo) {
        self.emit(RunEvent::Phase {
            case: case.id.clone(),
            phase: Phase::Rollback,
        });
        let hear = |a: Acting<'_>| match a {
            Acting::Starting(action) => self.emit(RunEvent::Action {
                action: action.text(self.lang),
            }),
            Acting::Done {
                action,
                acted: Err(e),
                ..
            } => self.emit(RunEvent::Aborted {
                reason: failure_reason(Phase::Rollback, action, e, self.lang),
            }),
            Acting::Done { .. } => {}
        };
        run_actions(io, &PhaseActions::of(case, Phase::Rollback), &hear).await;
    }
}

#[cfg(test)]
pub(crate) mod replay;
#[cfg(test)]
pub(crate) mod walk_tests;
