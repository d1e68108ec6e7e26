//! `workshop run`: a case end to end, headless. Starts the case's load,
//! holds the baseline gate, injects, waits for every detect check and
//! expected alert (timing them from the injection), recovers, verifies the
//! recovery, and always rolls back — on success, on failure, on Ctrl-C.

mod events;
mod probe;
pub mod report;
pub mod session;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures::future::join_all;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub use events::{RunEvent, Stamped, secs};
pub use probe::{Captures, CheckResult, Observation, Senses, compare, observe, reduce};

use crate::cases::hint::Release;
use crate::cases::model::{Action, ExpectedAlert};
use crate::cases::{Case, Lang};
use crate::client::ApiClient;
use crate::loadgen::{self, Endpoint, LoadPlan, LoadReport, Mix};
use crate::telemetry::{AlertStatus, Prometheus, Source, queries};

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
}

/// Acts on a service of the stack (restart, kill); provided by the stack
/// runtime when one is in use.
pub trait ServiceControl: Send + Sync {
    fn act(
        &self,
        step: &crate::cases::model::ContainerStep,
    ) -> futures::future::BoxFuture<'_, Result<(), String>>;
}

pub struct Runner {
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
    source: Source,
    started: Instant,
    http: reqwest::Client,
}

/// The case's endpoint mix as the load generator takes it.
pub fn load_mix(case: &Case) -> Mix {
    let by_name = |name: &str| Endpoint::ALL.into_iter().find(|e| e.name() == name);
    Mix(case
        .load
        .mix
        .weights()
        .into_iter()
        .filter_map(|(name, w)| by_name(name).map(|e| (e, w)))
        .collect())
}

struct Aborted(String);

impl Runner {
    pub fn new(
        api_url: &str,
        prometheus: Prometheus,
        lang: Lang,
        events: mpsc::UnboundedSender<Stamped>,
        stop: CancellationToken,
    ) -> Self {
        Self {
            api_url: api_url.trim_end_matches('/').to_string(),
            source: Source::Prometheus(prometheus.clone()),
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

    fn senses(&self) -> Senses<'_> {
        Senses {
            source: &self.source,
            http: &self.http,
            api_url: &self.api_url,
        }
    }

    /// Runs one case; the rollback runs whatever happens.
    pub async fn run_case(&self, case: &Case) -> CaseOutcome {
        let title = case.title.get(self.lang).to_string();
        self.emit(RunEvent::CaseStarted {
            case: case.id.clone(),
            title: title.clone(),
        });
        let mix = load_mix(case);
        self.emit(RunEvent::LoadStarted {
            rps: case.load.rate,
            mix: mix.to_string(),
        });
        let load = loadgen::start(LoadPlan {
            api_url: self.api_url.clone(),
            rps: case.load.rate,
            duration: None,
            mix,
            timeout: Duration::from_secs(30),
        });
        let mut outcome = CaseOutcome {
            id: case.id.clone(),
            title,
            recover_limit: case.phases.recover.time_limit.get(),
            ..CaseOutcome::default()
        };
        let result = self.phases(case, &mut outcome).await;
        self.emit(RunEvent::Phase {
            case: case.id.clone(),
            phase: "rollback",
        });
        for action in &case.phases.rollback.actions {
            if let Err(e) = self.act(action).await {
                self.emit(RunEvent::Aborted {
                    reason: format!("rollback step `{action}` failed: {e}"),
                });
            }
        }
        outcome.load = load.stop().await;
        if let Err(Aborted(reason)) = result {
            self.emit(RunEvent::Aborted {
                reason: reason.clone(),
            });
            outcome.aborted = Some(reason);
        }
        let recovered_in_time = outcome
            .time_to_recover
            .is_some_and(|t| t <= outcome.recover_limit);
        outcome.passed = outcome.aborted.is_none()
            && outcome.checks.iter().all(|c| c.passed)
            && outcome.alerts.iter().all(|a| a.fired_after.is_some())
            && recovered_in_time;
        self.emit(RunEvent::CaseFinished {
            case: case.id.clone(),
            passed: outcome.passed,
        });
        outcome
    }

    async fn act(&self, action: &Action) -> Result<(), String> {
        self.emit(RunEvent::Action {
            action: action.to_string(),
        });
        let api = ApiClient::new(&self.api_url);
        match action {
            Action::SetFailures(update) => api
                .inject(update)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Action::Reset => api.reset().await.map(|_| ()).map_err(|e| e.to_string()),
            Action::Container(step) => match &self.services {
                Some(s) => s.act(step).await,
                None => Err(format!(
                    "`{action}` needs the stack runtime: run the case with the stack started by `workshop up`"
                )),
            },
        }
    }

    async fn pause(&self, d: Duration) -> Result<(), Aborted> {
        tokio::select! {
            _ = self.stop.cancelled() => Err(Aborted("interrupted".into())),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    fn record(&self, outcome: &mut CaseOutcome, r: CheckResult) -> bool {
        let passed = r.passed;
        self.emit(if passed {
            RunEvent::CheckPassed {
                phase: r.phase,
                id: r.id.clone(),
                value: r.value,
                after_s: secs(r.after),
            }
        } else {
            RunEvent::CheckFailed {
                phase: r.phase,
                id: r.id.clone(),
                value: r.value,
                after_s: secs(r.after),
                message: r.message.clone(),
            }
        });
        outcome.checks.push(r);
        passed
    }

    async fn phases(&self, case: &Case, outcome: &mut CaseOutcome) -> Result<(), Aborted> {
        let p = &case.phases;
        let phase = |name: &'static str| {
            self.emit(RunEvent::Phase {
                case: case.id.clone(),
                phase: name,
            })
        };

        // Baseline: settle, capture, gate.
        phase("baseline");
        self.pause(p.baseline.settle.get()).await?;
        let mut captures = Captures::new();
        for (name, cap) in &p.baseline.captures {
            let values = self
                .prometheus
                .values(&cap.promql)
                .await
                .map_err(|e| Aborted(format!("capture `{name}`: {e}")))?;
            let value = reduce(&values, cap.reduce).ok_or_else(|| {
                Aborted(format!(
                    "capture `{name}` found no data for `{}`: is Prometheus scraping the API?",
                    cap.promql
                ))
            })?;
            captures.insert(name.clone(), value);
            self.emit(RunEvent::Captured {
                name: name.clone(),
                value,
            });
        }
        let senses = self.senses();
        let gate = join_all(p.baseline.checks.iter().map(|c| {
            probe::watch(
                &senses,
                "baseline",
                c,
                &captures,
                c.message.get(self.lang).to_string(),
                &self.stop,
            )
        }))
        .await;
        let mut healthy = true;
        for r in gate {
            healthy &= self.record(outcome, r);
        }
        if !healthy {
            return Err(Aborted(
                "the baseline is not healthy, so nothing was injected".into(),
            ));
        }
        if self.prove_teachable {
            self.detect_fails_at_baseline(case, &captures, outcome)
                .await?;
        }

        // Inject.
        phase("inject");
        for action in &p.inject.actions {
            self.act(action).await.map_err(Aborted)?;
        }
        let injected = Instant::now();
        let detect_stop = self.stop.child_token();
        if let Some(max) = p.inject.max_duration {
            let stop = detect_stop.clone();
            tokio::spawn(async move {
                tokio::time::sleep(max.get()).await;
                stop.cancel();
            });
        }
        let peaks = Arc::new(Mutex::new((None::<f64>, None::<f64>)));
        let tracking = CancellationToken::new();
        tokio::spawn(track_peaks(
            self.prometheus.clone(),
            peaks.clone(),
            tracking.clone(),
        ));

        // Detect: checks in order, alerts and timed hints alongside.
        phase("detect");
        let alerts = join_all(
            p.detect
                .expected_alerts
                .iter()
                .map(|a| self.expect_alert(a, injected, &detect_stop)),
        );
        let checks = async {
            let mut results = Vec::new();
            for c in &p.detect.checks {
                let pending_hints: Vec<_> = p
                    .detect
                    .hints
                    .iter()
                    .filter_map(|h| match &h.release {
                        Release::Pending { check, longer_than } if *check == c.id => {
                            Some((longer_than.get(), h.text.get(self.lang).to_string()))
                        }
                        _ => None,
                    })
                    .collect();
                let watch = probe::watch(
                    &senses,
                    "detect",
                    c,
                    &captures,
                    c.message.get(self.lang).to_string(),
                    &detect_stop,
                );
                let hints = async {
                    let start = Instant::now();
                    for (after, text) in pending_hints {
                        tokio::time::sleep_until(start + after).await;
                        self.emit(RunEvent::Hint { text });
                    }
                    // Never completes: the check decides when this ends.
                    std::future::pending().await
                };
                let r = tokio::select! { r = watch => r, r = hints => r };
                let at = injected.elapsed();
                results.push((r, at));
            }
            results
        };
        let timed_hints = async {
            let mut hints: Vec<_> = p
                .detect
                .hints
                .iter()
                .filter_map(|h| match h.release {
                    Release::After(d) => Some((d.get(), h.text.get(self.lang).to_string())),
                    _ => None,
                })
                .collect();
            hints.sort_by_key(|(d, _)| *d);
            for (after, text) in hints {
                tokio::time::sleep_until(injected + after).await;
                self.emit(RunEvent::Hint { text });
            }
            std::future::pending().await
        };
        let (check_results, alert_results) = tokio::select! {
            both = async { tokio::join!(checks, alerts) } => both,
            both = timed_hints => both,
        };
        for (r, at) in check_results {
            let passed = self.record(outcome, r);
            if passed && outcome.time_to_detect.is_none() {
                outcome.time_to_detect = Some(at);
            }
        }
        outcome.time_to_alert = alert_results.iter().filter_map(|a| a.fired_after).min();
        outcome.alerts = alert_results;
        for q in &p.detect.questions {
            let live = match self.prometheus.values(&q.promql).await {
                Ok(v) => reduce(&v, q.reduce),
                Err(_) => None,
            };
            self.emit(RunEvent::Question {
                id: q.id.clone(),
                ask: q.ask.get(self.lang).to_string(),
                live,
                unit: q.unit.clone(),
            });
        }
        if self.stop.is_cancelled() {
            tracking.cancel();
            return Err(Aborted("interrupted".into()));
        }

        // Respond: headless, the prompts are printed for the report.
        phase("respond");
        for prompt in &p.respond.prompts {
            self.emit(RunEvent::Prompt {
                text: prompt.get(self.lang).to_string(),
            });
        }

        // Recover.
        phase("recover");
        let recovering = Instant::now();
        for action in &p.recover.actions {
            self.act(action).await.map_err(Aborted)?;
        }
        let mut all = true;
        for c in &p.recover.checks {
            let r = probe::watch(
                &senses,
                "recover",
                c,
                &captures,
                c.message.get(self.lang).to_string(),
                &self.stop,
            )
            .await;
            all &= self.record(outcome, r);
        }
        if all {
            outcome.time_to_recover = Some(recovering.elapsed());
        }
        tracking.cancel();
        if let Ok(p) = peaks.lock() {
            (outcome.peak_p95, outcome.peak_error_ratio) = *p;
        }
        Ok(())
    }

    /// Observes every detect check once, before the fault: each must not
    /// hold, except those marked `steady` (they show what stays the same).
    async fn detect_fails_at_baseline(
        &self,
        case: &Case,
        captures: &Captures,
        outcome: &mut CaseOutcome,
    ) -> Result<(), Aborted> {
        let senses = self.senses();
        let mut teachable = true;
        for c in case.phases.detect.checks.iter().filter(|c| !c.steady) {
            let seen = probe::observe(&senses, &c.probe, captures).await;
            let value = match seen {
                Observation::Holds(v) | Observation::Fails(v) => v,
                Observation::NoData => None,
            };
            let silent = !matches!(seen, Observation::Holds(_));
            teachable &= self.record(
                outcome,
                CheckResult {
                    phase: "teachable",
                    id: c.id.clone(),
                    passed: silent,
                    value,
                    after: Duration::ZERO,
                    message: format!(
                        "detect check `{}` already holds before any fault: it cannot tell the student anything",
                        c.id
                    ),
                },
            );
        }
        if teachable {
            Ok(())
        } else {
            Err(Aborted(
                "a detect check holds at baseline, so the case is not teachable".into(),
            ))
        }
    }

    /// Polls `ALERTS` until the alert fires or its `within` runs out.
    async fn expect_alert(
        &self,
        alert: &ExpectedAlert,
        injected: Instant,
        stop: &CancellationToken,
    ) -> AlertResult {
        let within = alert.within.get();
        let mut fired_after = None;
        while injected.elapsed() <= within && !stop.is_cancelled() {
            if let Ok(AlertStatus::Firing) = self.prometheus.alert(&alert.name).await {
                fired_after = Some(injected.elapsed());
                break;
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        match fired_after {
            Some(t) => self.emit(RunEvent::AlertFired {
                name: alert.name.clone(),
                after_s: secs(t),
                within_s: secs(within),
            }),
            None => self.emit(RunEvent::AlertMissed {
                name: alert.name.clone(),
                within_s: secs(within),
            }),
        }
        AlertResult {
            name: alert.name.clone(),
            within,
            fired_after,
        }
    }
}

/// Keeps the highest p95 and error ratio seen until `stop`.
async fn track_peaks(
    prometheus: Prometheus,
    peaks: Arc<Mutex<(Option<f64>, Option<f64>)>>,
    stop: CancellationToken,
) {
    let higher = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    loop {
        let p95 = prometheus.max(queries::P95_SECONDS).await.ok().flatten();
        let errors = prometheus.max(queries::ERROR_RATIO).await.ok().flatten();
        if let Ok(mut p) = peaks.lock() {
            *p = (higher(p.0, p95), higher(p.1, errors));
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
        }
    }
}
