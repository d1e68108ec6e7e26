//! What a walked case comes to: pass or fail by the headless runner's rule,
//! and the outcome its report is written from.

use chrono::{DateTime, Utc};

use super::super::probe::CheckResult;
use super::super::{AlertResult, AnswerLine, CaseOutcome, ChartPoint, Timeline};
use super::{CaseSession, CheckStatus, Progress};
use crate::words::{E, t};

/// Bytes in a MiB, the unit of the report's memory chart.
const MIB: f64 = 1024.0 * 1024.0;

impl CaseSession {
    /// Injection → first alert firing.
    pub fn time_to_alert(&self) -> Option<f64> {
        self.alerts
            .iter()
            .filter_map(|a| a.fired_after)
            .reduce(f64::min)
    }

    /// The same rule as the headless runner: every check and alert, and a
    /// recovery within the case's limit.
    pub fn passed(&self) -> bool {
        let limit = self.case.phases.recover.time_limit.get().as_secs_f64();
        self.checks.iter().all(|c| c.status.counts_as_passed())
            && (self.no_alerts || self.alerts.iter().all(|a| a.fired_after.is_some()))
            && self.time_to_recover.is_some_and(|t| t <= limit)
    }

    /// For the report: what happened, as the headless runner records it.
    /// `utc` turns a time on the session's clock into the wall clock.
    pub fn outcome(&self, title: &str, utc: &dyn Fn(f64) -> DateTime<Utc>) -> CaseOutcome {
        let dur = |s: f64| std::time::Duration::from_secs_f64(s.max(0.0));
        let after = |from: Option<f64>, d: Option<f64>| Some(utc(from? + d?));
        let origin = self.injected_at.unwrap_or(self.started_at);
        CaseOutcome {
            timeline: Timeline {
                started: Some(utc(self.started_at)),
                injected: self.injected_at.map(utc),
                first_signal: after(self.injected_at, self.time_to_detect),
                alert: after(self.injected_at, self.time_to_alert()),
                recover_action: self.recovering_at.map(utc),
                recovered: after(self.recovering_at, self.time_to_recover),
            },
            answers: self
                .case
                .phases
                .detect
                .questions
                .iter()
                .zip(&self.questions)
                .map(|(q, a)| AnswerLine {
                    ask: q.ask.get(self.lang).to_string(),
                    unit: q.unit.clone(),
                    answer: a.answer,
                    live: a.live,
                    correct: a.correct,
                    tries: a.wrong + u32::from(a.correct == Some(true)),
                })
                .collect(),
            prompts: self
                .case
                .phases
                .respond
                .prompts
                .iter()
                .map(|p| p.get(self.lang).to_string())
                .collect(),
            samples: self
                .samples
                .iter()
                .map(|p| ChartPoint {
                    s: p.t - origin,
                    p95_s: p.p95,
                    error_ratio: p.error_ratio,
                    memory_mib: p.memory_bytes.map(|b| b / MIB),
                    memory_limit_mib: p.memory_limit_bytes.map(|b| b / MIB),
                })
                .collect(),
            id: self.case.id.clone(),
            title: title.to_string(),
            passed: self.passed(),
            aborted: match self.progress {
                Progress::Done => None,
                Progress::Stopped => self.stopped.clone(),
                _ => Some(t(self.lang, E::LeftBeforeEnd).to_string()),
            },
            checks: self
                .checks
                .iter()
                .filter(|c| matches!(c.status, CheckStatus::Passed | CheckStatus::Failed))
                .map(|c| CheckResult {
                    phase: c.phase,
                    id: c.check.id.clone(),
                    passed: c.status == CheckStatus::Passed,
                    value: c.value,
                    after: dur(c.after.unwrap_or_default()),
                    message: c.check.message.get(self.lang).to_string(),
                })
                .collect(),
            alerts: self
                .alerts
                .iter()
                .map(|a| AlertResult {
                    name: a.name.clone(),
                    within: dur(a.within),
                    fired_after: a.fired_after.map(dur),
                })
                .collect(),
            time_to_detect: self.time_to_detect.map(dur),
            time_to_alert: self.time_to_alert().map(dur),
            time_to_recover: self.time_to_recover.map(dur),
            recover_limit: self.case.phases.recover.time_limit.get(),
            peak_p95: self.peak_p95,
            peak_error_ratio: self.peak_error_ratio,
            ..CaseOutcome::default()
        }
    }
}
