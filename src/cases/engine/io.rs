//! The case engine's hands and senses: what a [`Poll`] finds, what an
//! [`Action`] does, and the clock. One live implementation serves both the
//! console and `workshop run`; tests put recorded telemetry and a fake clock
//! in its place.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::BoxFuture;

use crate::cases::bilingual::Lang;
use crate::cases::check::{AlertProbe, AlertState, HttpProbe, NoData, Probe, QueryProbe};
use crate::cases::model::{Action, ContainerStep};
use crate::client::{ApiClient, ClientError};
use crate::faults::FaultConfig;
use crate::telemetry::{AlertStatus, MEMORY_LIMIT_QUERY, Signal, Source, TelemetryError};
use crate::words::{E, tf};

use super::probe::{Captures, Observation, compare, reduce};
use super::session::model::{Poll, Seen};

/// What an action left behind: the fault state the API answered with, for
/// the actions that change it.
pub(crate) type Acted = Result<Option<FaultConfig>, ActError>;

/// Why an action did not happen.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ActError {
    /// The API refused the fault change or did not answer.
    #[error(transparent)]
    Api(#[from] ClientError),
    /// The stack could not act on the service; in the stack's own words.
    #[error("{0}")]
    Service(String),
    /// A container action with no Docker stack to act on.
    #[error("{}", no_stack(Lang::En, .action))]
    NoStack { action: Action },
}

fn no_stack(lang: Lang, action: &Action) -> String {
    tf(lang, E::NoStack, &[&action.text(lang)])
}

impl ActError {
    /// Why, in `lang`: the API's and the stack's own words pass as they
    /// come; the workshop's own are in the catalogue.
    pub(crate) fn text(&self, lang: Lang) -> String {
        match self {
            ActError::NoStack { action } => no_stack(lang, action),
            other => other.to_string(),
        }
    }
}

/// Observes what the case engine asks and does what the case says.
pub(crate) trait CaseIo: Send + Sync {
    fn observe(&self, poll: Poll, captures: Captures) -> BoxFuture<'_, Seen>;
    /// The values of every series `promql` returns, for `cases check`'s
    /// table; `None` where this source cannot tell.
    fn series<'a>(&'a self, _promql: &'a str) -> BoxFuture<'a, Option<Vec<f64>>> {
        async { None }.boxed()
    }
    fn act<'a>(&'a self, action: &'a Action) -> BoxFuture<'a, Acted>;
}

/// The engine's clock, in seconds from an origin of its own.
pub(crate) trait Clock: Send + Sync {
    fn now(&self) -> f64;
    fn sleep(&self, d: Duration) -> BoxFuture<'_, ()>;
    /// The wall-clock time (UTC) of `t` on this clock, for a report.
    fn utc(&self, t: f64) -> DateTime<Utc>;
}

/// The wall clock.
pub(crate) struct WallClock {
    origin: tokio::time::Instant,
    origin_utc: DateTime<Utc>,
}

impl WallClock {
    pub(crate) fn start() -> Self {
        Self {
            origin: tokio::time::Instant::now(),
            origin_utc: Utc::now(),
        }
    }
}

/// `origin` moved on by `t` seconds (a time before it stays at it).
pub(crate) fn utc_after(origin: DateTime<Utc>, t: f64) -> DateTime<Utc> {
    let d = chrono::TimeDelta::from_std(Duration::from_secs_f64(t.max(0.0))).unwrap_or_default();
    origin + d
}

impl Clock for WallClock {
    fn now(&self) -> f64 {
        self.origin.elapsed().as_secs_f64()
    }
    fn utc(&self, t: f64) -> DateTime<Utc> {
        utc_after(self.origin_utc, t)
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'_, ()> {
        tokio::time::sleep(d).boxed()
    }
}

/// Acts on a service of the stack (restart, kill); provided by the stack
/// runtime when one is in use.
pub(crate) trait ServiceControl: Send + Sync {
    fn act<'a>(&'a self, step: &'a ContainerStep) -> BoxFuture<'a, Result<(), ActError>>;

    /// The app's restarts and OOM kills so far; `None` when they cannot be
    /// seen (no stack, or the app is not running in it).
    fn app_counts(&self) -> BoxFuture<'_, Option<AppCounts>> {
        futures::future::ready(None).boxed()
    }
}

/// Restarts and OOM kills of the app's replicas, summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppCounts {
    pub restarts: u64,
    pub oom_kills: u64,
}

impl AppCounts {
    /// Every app replica's counts in a stack status, whatever its state.
    pub(crate) fn sum(status: &crate::stack::StackStatus) -> Self {
        status.apps().fold(Self::default(), |c, s| Self {
            restarts: c.restarts + s.restarts,
            oom_kills: c.oom_kills + s.oom_kills,
        })
    }

    /// What a stack status says, when an app replica runs in it.
    pub(crate) fn of(status: &crate::stack::StackStatus) -> Option<Self> {
        status
            .apps()
            .any(|s| s.state == crate::stack::ServiceState::Running)
            .then(|| Self::sum(status))
    }

    /// The counts since `before`.
    pub fn since(self, before: Self) -> Self {
        Self {
            restarts: self.restarts.saturating_sub(before.restarts),
            oom_kills: self.oom_kills.saturating_sub(before.oom_kills),
        }
    }
}

/// The real thing: Prometheus (or the API's own `/metrics` standing in),
/// the API, and the stack when there is one.
pub(crate) struct LiveIo {
    pub source: Source,
    pub http: reqwest::Client,
    pub api: ApiClient,
    pub services: Option<Arc<dyn ServiceControl>>,
}

impl LiveIo {
    /// The app's restarts and OOM kills, when the stack can be seen.
    pub(crate) async fn app_counts(&self) -> Option<AppCounts> {
        self.services.as_ref()?.app_counts().await
    }

    /// A case's query, which must read the app only: `Ok(None)` is no
    /// answer (keep polling), `Err` why it reads another process.
    async fn app_values(&self, promql: &str) -> Result<Option<Vec<f64>>, String> {
        match self.source.app_values(promql).await {
            Ok(values) => Ok(Some(values)),
            Err(e @ TelemetryError::OtherJob { .. }) => Err(e.to_string()),
            Err(_) => Ok(None),
        }
    }

    async fn probe(&self, probe: &Probe, captures: &Captures) -> Result<Observation, String> {
        Ok(match probe {
            Probe::Query(q) => match self.app_values(&q.promql).await? {
                Some(values) => judge_query(&values, q, captures),
                None => Observation::NoData,
            },
            Probe::Alert(a) => match self.source.alert(&a.name).await {
                Ok(status) => judge_alert(status, a),
                Err(_) => Observation::NoData,
            },
            Probe::Http(h) => {
                let url = format!("{}{}", self.api.base(), h.get);
                match self.http.get(url).send().await {
                    Ok(r) => judge_http(r.status().as_u16(), h),
                    Err(_) => Observation::NoData,
                }
            }
        })
    }

    async fn value(
        &self,
        promql: &str,
        how: crate::cases::check::Reduce,
    ) -> Result<Option<f64>, String> {
        Ok(self
            .app_values(promql)
            .await?
            .and_then(|values| reduce(&values, how)))
    }
}

impl CaseIo for LiveIo {
    fn series<'a>(&'a self, promql: &'a str) -> BoxFuture<'a, Option<Vec<f64>>> {
        async move { self.app_values(promql).await.ok().flatten() }.boxed()
    }

    fn observe(&self, poll: Poll, captures: Captures) -> BoxFuture<'_, Seen> {
        async move {
            let asked = poll.clone();
            let misread = |reason| Seen::Misread {
                poll: asked,
                reason,
            };
            match poll {
                Poll::Capture {
                    name,
                    promql,
                    reduce,
                } => match self.value(&promql, reduce).await {
                    Ok(value) => Seen::Captured { value, name },
                    Err(reason) => misread(reason),
                },
                Poll::Check { index, probe } => match self.probe(&probe, &captures).await {
                    Ok(seen) => Seen::Check { index, seen },
                    Err(reason) => misread(reason),
                },
                Poll::Alert { index, name } => {
                    let found = self.source.alert_since(&name).await.ok();
                    Seen::Alert {
                        index,
                        status: found.map(|(status, _)| status),
                        active_for_s: found
                            .and_then(|(_, since)| since)
                            .map(|since| (Utc::now() - since).as_seconds_f64()),
                    }
                }
                Poll::Question {
                    index,
                    promql,
                    reduce,
                } => match self.value(&promql, reduce).await {
                    Ok(live) => Seen::Question { index, live },
                    Err(reason) => misread(reason),
                },
                // A figure is one number: a query of several series shows none.
                Poll::Figure { index, promql } => match self.app_values(&promql).await {
                    Ok(values) => Seen::Figure {
                        index,
                        live: values
                            .filter(|v| v.len() == 1)
                            .and_then(|v| v.first().copied()),
                    },
                    Err(reason) => misread(reason),
                },
                Poll::Peaks => {
                    let (p95, error_ratio, memory_bytes, limit) = tokio::join!(
                        self.source.signal(Signal::P95),
                        self.source.signal(Signal::ErrorRatio),
                        self.source.signal(Signal::Memory),
                        self.app_values(MEMORY_LIMIT_QUERY)
                    );
                    Seen::Peaks {
                        p95,
                        error_ratio,
                        memory_bytes,
                        memory_limit_bytes: limit
                            .ok()
                            .flatten()
                            .and_then(|v| v.first().copied())
                            .filter(|l| *l > 0.0),
                    }
                }
            }
        }
        .boxed()
    }

    fn act<'a>(&'a self, action: &'a Action) -> BoxFuture<'a, Acted> {
        async move {
            match action {
                Action::SetFailures(update) => Ok(Some(self.api.inject(update).await?)),
                Action::Reset => Ok(Some(self.api.reset().await?)),
                Action::Container(step) => match &self.services {
                    Some(s) => s.act(step).await.map(|()| None),
                    None => Err(ActError::NoStack {
                        action: action.clone(),
                    }),
                },
            }
        }
        .boxed()
    }
}

/// What a query's values say about a check.
pub(crate) fn judge_query(values: &[f64], q: &QueryProbe, captures: &Captures) -> Observation {
    match reduce(values, q.reduce) {
        None => match q.on_no_data {
            NoData::Pass => Observation::Holds(None),
            NoData::Fail => Observation::Refuted,
            NoData::Pending => Observation::NoData,
        },
        Some(v) => match compare(v, &q.expect, captures) {
            Some(true) => Observation::Holds(Some(v)),
            Some(false) | None => Observation::Fails(Some(v)),
        },
    }
}

/// What an alert's state says about a check.
pub(crate) fn judge_alert(status: AlertStatus, a: &AlertProbe) -> Observation {
    let wanted = match a.state {
        AlertState::Firing => status == AlertStatus::Firing,
        AlertState::Pending => status == AlertStatus::Pending,
        AlertState::Inactive => status == AlertStatus::Inactive,
    };
    if wanted {
        Observation::Holds(None)
    } else {
        Observation::Fails(None)
    }
}

/// What an HTTP status says about a check.
pub(crate) fn judge_http(status: u16, h: &HttpProbe) -> Observation {
    if status == h.status {
        Observation::Holds(None)
    } else {
        Observation::Fails(Some(f64::from(status)))
    }
}
