//! Recorded telemetry and a fake clock, for tests of the one case engine:
//! what case 1 (latency) looks like on a real stack, as a function of the
//! time since the fault went in and since the recovery began. Both drivers
//! (`workshop run`'s walk and the console's update loop) are fed from it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::cases::check::Probe;
use crate::cases::model::Action;
use crate::faults::FaultConfig;
use crate::telemetry::AlertStatus;

use super::io::{ActError, Acted, CaseIo, Clock, judge_alert, judge_http, judge_query};
use super::probe::{Captures, reduce};
use super::session::{Poll, Seen};

/// The wall-clock time of zero on a [`FakeClock`].
pub(crate) const FAKE_ORIGIN_UTC: chrono::DateTime<chrono::Utc> =
    chrono::DateTime::from_timestamp_nanos(1_740_787_200_000_000_000);

/// A clock that moves only when slept on: a walk of minutes takes no time.
#[derive(Default)]
pub(crate) struct FakeClock(Mutex<f64>);

impl FakeClock {
    pub(crate) fn advance(&self, s: f64) {
        if let Ok(mut t) = self.0.lock() {
            *t += s;
        }
    }
}

impl Clock for FakeClock {
    fn now(&self) -> f64 {
        self.0.lock().map(|t| *t).unwrap_or_default()
    }
    /// Time moves when the sleep is first polled, not when it is made: a
    /// `select!` makes every branch's future before it picks one.
    fn sleep(&self, d: Duration) -> BoxFuture<'_, ()> {
        futures::future::lazy(move |_| self.advance(d.as_secs_f64())).boxed()
    }
    /// Zero on this clock is midnight UTC, 1 March 2025.
    fn utc(&self, t: f64) -> chrono::DateTime<chrono::Utc> {
        super::io::utc_after(FAKE_ORIGIN_UTC, t)
    }
}

/// When the fault went in and when the recovery began, on the clock.
#[derive(Default, Debug, Clone, Copy)]
struct Marks {
    injected: Option<f64>,
    recovered: Option<f64>,
}

/// Case 1's telemetry as recorded: p95 rises 10 s after the injection and
/// falls 20 s after the recovery; HighLatency goes pending 10 s after the
/// injection, fires at 40 s and resolves 30 s after the recovery.
pub(crate) struct Replay {
    pub clock: Arc<FakeClock>,
    marks: Mutex<Marks>,
    /// Every poll asked, with when.
    pub asked: Mutex<Vec<(f64, Poll)>>,
    /// Fails the recover actions, for the test of what a failed recovery
    /// leaves behind.
    pub recover_fails: bool,
    /// HighLatency is left firing from before the case (free play): active
    /// since zero on the clock until 30 s after the recovery.
    pub alert_left_over: bool,
}

impl Replay {
    pub(crate) fn new(clock: Arc<FakeClock>) -> Self {
        Self {
            clock,
            marks: Mutex::new(Marks::default()),
            asked: Mutex::new(Vec::new()),
            recover_fails: false,
            alert_left_over: false,
        }
    }

    fn marks(&self) -> Marks {
        self.marks.lock().map(|m| *m).unwrap_or_default()
    }

    /// (seconds since injection, seconds since recovery)
    fn since(&self) -> (Option<f64>, Option<f64>) {
        let now = self.clock.now();
        let m = self.marks();
        (m.injected.map(|t| now - t), m.recovered.map(|t| now - t))
    }

    fn values(&self, promql: &str) -> Vec<f64> {
        let (inj, rec) = self.since();
        let faulty = inj.is_some_and(|s| s >= 10.0) && !rec.is_some_and(|s| s >= 20.0);
        match promql {
            "job:fintech_p95_latency:5m" => vec![if faulty { 2.1 } else { 0.05 }],
            "job:fintech_request_rate:1m" => vec![10.0],
            "job:fintech_error_rate:5m" => vec![0.0],
            "fintech_failure_latency_ms" => {
                vec![if inj.is_some() && rec.is_none() {
                    2000.0
                } else {
                    0.0
                }]
            }
            _ => vec![],
        }
    }

    fn alert(&self) -> AlertStatus {
        let (inj, rec) = self.since();
        match (inj, rec) {
            (_, Some(r)) if r >= 30.0 => AlertStatus::Inactive,
            _ if self.alert_left_over => AlertStatus::Firing,
            (Some(i), _) if i >= 40.0 => AlertStatus::Firing,
            (Some(i), _) if i >= 10.0 => AlertStatus::Pending,
            _ => AlertStatus::Inactive,
        }
    }

    /// How long HighLatency has been active, as Prometheus's `activeAt`
    /// tells: since zero when left over, else since it went pending.
    fn active_for(&self) -> Option<f64> {
        let (inj, _) = self.since();
        match self.alert() {
            AlertStatus::Inactive => None,
            _ if self.alert_left_over => Some(self.clock.now()),
            _ => inj.map(|i| i - 10.0),
        }
    }

    fn seen(&self, poll: Poll, captures: &Captures) -> Seen {
        match poll {
            Poll::Capture {
                name,
                promql,
                reduce: how,
            } => Seen::Captured {
                value: reduce(&self.values(&promql), how),
                name,
            },
            Poll::Check { index, probe } => Seen::Check {
                index,
                seen: match &probe {
                    Probe::Query(q) => judge_query(&self.values(&q.promql), q, captures),
                    Probe::Alert(a) => judge_alert(self.alert(), a),
                    Probe::Http(h) => judge_http(200, h),
                },
            },
            Poll::Alert { index, .. } => Seen::Alert {
                index,
                status: Some(self.alert()),
                active_for_s: self.active_for(),
            },
            Poll::Question {
                index,
                promql,
                reduce: how,
            } => Seen::Question {
                index,
                live: reduce(&self.values(&promql), how),
            },
            Poll::Figure { index, promql } => Seen::Figure {
                index,
                live: self.values(&promql).first().copied(),
            },
            Poll::Peaks => Seen::Peaks {
                p95: self.values("job:fintech_p95_latency:5m").first().copied(),
                error_ratio: Some(0.0),
                memory_bytes: self.values("fintech_memory_used_bytes").first().copied(),
                memory_limit_bytes: self
                    .values("fintech_memory_limit_bytes")
                    .first()
                    .copied()
                    .filter(|l| *l > 0.0),
            },
        }
    }
}

impl CaseIo for Replay {
    fn observe(&self, poll: Poll, captures: Captures) -> BoxFuture<'_, Seen> {
        if let Ok(mut a) = self.asked.lock() {
            a.push((self.clock.now(), poll.clone()));
        }
        futures::future::ready(self.seen(poll, &captures)).boxed()
    }

    fn act<'a>(&'a self, action: &'a Action) -> BoxFuture<'a, Acted> {
        let now = self.clock.now();
        let mut result = Ok(Some(FaultConfig::default()));
        if let Ok(mut m) = self.marks.lock() {
            match action {
                Action::SetFailures(_) if m.injected.is_none() => m.injected = Some(now),
                Action::SetFailures(_) | Action::Reset => {
                    if self.recover_fails && m.recovered.is_none() {
                        result = Err(ActError::Service("the API answered 503".into()));
                    }
                    m.recovered.get_or_insert(now);
                }
                Action::Container(_) => result = Ok(None),
            }
        }
        futures::future::ready(result).boxed()
    }
}
