//! A case as the student hands it in: the incident record that both reports
//! are written from (the console's session report and `workshop run
//! --report`), and that the console keeps between runs in its progress
//! file. Every field has a default, so a progress file written by an older
//! version still reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CaseOutcome;
use crate::cases::Phase;

/// One case, whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseRecord {
    pub id: String,
    pub title: String,
    pub finished: bool,
    pub passed: bool,
    /// Why the case stopped before its end.
    pub aborted: Option<String>,
    pub time_to_detect_s: Option<f64>,
    pub time_to_alert_s: Option<f64>,
    pub time_to_recover_s: Option<f64>,
    pub recover_limit_s: Option<f64>,
    pub peak_p95_s: Option<f64>,
    pub peak_error_ratio: Option<f64>,
    /// Restarts and OOM kills of the app during the case; `None` where
    /// they could not be seen (a headless run without the Docker stack).
    pub restarts: Option<u64>,
    pub oom_kills: Option<u64>,
    /// When the record was written.
    pub at: Option<DateTime<Utc>>,
    pub timeline: Timeline,
    pub checks: Vec<CheckLine>,
    pub alerts: Vec<AlertLine>,
    pub answers: Vec<AnswerLine>,
    /// The respond phase's prompts: headings for the student's notes.
    pub prompts: Vec<String>,
    /// The signals over the case, for its chart.
    pub samples: Vec<ChartPoint>,
    /// The load generator's count (a headless run; the console's load runs
    /// across cases, so it has none per case).
    pub load: Option<LoadLine>,
}

/// The wall-clock (UTC) moments of a case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Timeline {
    pub started: Option<DateTime<Utc>>,
    pub injected: Option<DateTime<Utc>>,
    /// The first detect check passed.
    pub first_signal: Option<DateTime<Utc>>,
    /// The first expected alert fired.
    pub alert: Option<DateTime<Utc>>,
    pub recover_action: Option<DateTime<Utc>>,
    /// Every recover check passed.
    pub recovered: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckLine {
    pub phase: Phase,
    pub id: String,
    pub passed: bool,
    pub value: Option<f64>,
    /// Since its phase began: the injection for detect, the recover action
    /// for recover.
    pub after_s: f64,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertLine {
    pub name: String,
    pub within_s: f64,
    /// Since the injection; `None`: it did not fire.
    pub fired_after_s: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerLine {
    pub ask: String,
    pub unit: Option<String>,
    /// The student's last answer; `None` when none was given.
    pub answer: Option<f64>,
    /// The live value it was judged against.
    pub live: Option<f64>,
    pub correct: Option<bool>,
    /// Answers given in all (one retry is allowed).
    pub tries: u32,
}

/// One sample of the case's signals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChartPoint {
    /// Seconds since the injection (negative before it; since the case's
    /// start when nothing was injected).
    pub s: f64,
    pub p95_s: Option<f64>,
    pub error_ratio: Option<f64>,
    pub memory_mib: Option<f64>,
    /// The app's memory limit, drawn as a line over its memory.
    pub memory_limit_mib: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadLine {
    pub target_rps: f64,
    pub sent: u64,
    pub ok: u64,
    pub client_errors: u64,
    pub server_errors: u64,
    pub no_answer: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl CaseRecord {
    /// Each expected alert that fired, with when, in the order they fired.
    pub(crate) fn fired_alerts(&self) -> impl Iterator<Item = (DateTime<Utc>, String)> + '_ {
        let mut fired: Vec<_> = self
            .timeline
            .injected
            .into_iter()
            .flat_map(|inj| {
                self.alerts.iter().filter_map(move |a| {
                    let after = chrono::TimeDelta::milliseconds((a.fired_after_s? * 1000.0) as i64);
                    Some((inj + after, a.name.clone()))
                })
            })
            .collect();
        fired.sort_by_key(|(at, _)| *at);
        fired.into_iter()
    }

    /// The record of a walked case.
    pub fn from_outcome(o: &CaseOutcome) -> Self {
        let s = |d: Option<std::time::Duration>| d.map(|d| d.as_secs_f64());
        let t = &o.load.total;
        let load = (o.load.sent > 0).then(|| LoadLine {
            target_rps: o.load.target_rps,
            sent: o.load.sent,
            ok: t.ok,
            client_errors: t.client_errors,
            server_errors: t.server_errors,
            no_answer: t.no_answer,
            p50_ms: t.quantile(0.5).as_secs_f64() * 1000.0,
            p99_ms: t.quantile(0.99).as_secs_f64() * 1000.0,
        });
        Self {
            id: o.id.clone(),
            title: o.title.clone(),
            finished: o.aborted.is_none(),
            passed: o.passed,
            aborted: o.aborted.clone(),
            time_to_detect_s: s(o.time_to_detect),
            time_to_alert_s: s(o.time_to_alert),
            time_to_recover_s: s(o.time_to_recover),
            recover_limit_s: Some(o.recover_limit.as_secs_f64()),
            peak_p95_s: o.peak_p95,
            peak_error_ratio: o.peak_error_ratio,
            restarts: o.app_counts.map(|c| c.restarts),
            oom_kills: o.app_counts.map(|c| c.oom_kills),
            at: Some(Utc::now()),
            timeline: o.timeline.clone(),
            checks: o
                .checks
                .iter()
                .map(|c| CheckLine {
                    phase: c.phase,
                    id: c.id.clone(),
                    passed: c.passed,
                    value: c.value,
                    after_s: c.after.as_secs_f64(),
                    at: match c.phase {
                        Phase::Detect => o.timeline.injected,
                        Phase::Recover => o.timeline.recover_action,
                        _ => None,
                    }
                    .map(|t| super::io::utc_after(t, c.after.as_secs_f64())),
                })
                .collect(),
            alerts: o
                .alerts
                .iter()
                .map(|a| AlertLine {
                    name: a.name.clone(),
                    within_s: a.within.as_secs_f64(),
                    fired_after_s: s(a.fired_after),
                })
                .collect(),
            answers: o.answers.clone(),
            prompts: o.prompts.clone(),
            samples: o.samples.clone(),
            load,
        }
    }

    /// Restarts and OOM kills seen during the case.
    pub fn with_app_counts(mut self, c: super::AppCounts) -> Self {
        self.restarts = Some(c.restarts);
        self.oom_kills = Some(c.oom_kills);
        self
    }
}
