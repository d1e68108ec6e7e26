//! A case walked step by step, for the console: the student decides when to
//! inject and when to recover, the checks are polled in between.
//!
//! This is a pure state machine. It says what it wants observed next
//! ([`CaseSession::due`]), takes what was seen ([`CaseSession::seen`]) and
//! the passing of time ([`CaseSession::tick`]), and answers with the same
//! [`RunEvent`]s the headless runner prints. The caller owns every I/O, so
//! a render loop never waits on it and a test drives it with made-up values.
//! Times are seconds on the caller's clock.
use crate::cases::hint::Release;
use crate::cases::{Case, Lang, Phase, Probe};

use super::actions::{ActionsOutcome, PhaseActions};
use super::probe::Captures;
use super::{RunEvent, secs};

mod flow;
pub(crate) mod model;
mod observe;
mod outcome;

pub(crate) use model::{
    AlertWatch, CheckState, CheckStatus, Poll, Progress, QuestionState, Sample, Seen,
};

/// How often an expected alert's state is asked.
const ALERT_POLL_S: f64 = 2.0;
/// How often the case's signals are sampled (its peaks are taken while
/// the fault is in).
const PEAKS_POLL_S: f64 = 5.0;
/// How often the `look_at` figures on screen are read.
const FIGURES_POLL_S: f64 = 5.0;
/// Samples kept for a case's chart: over two hours at one per 5 s.
const SAMPLES_KEPT: usize = 1600;
/// A baseline capture that finds no data is asked again this often, this
/// many times in all, before the baseline is declared failed.
const CAPTURE_RETRY_S: f64 = 5.0;
const CAPTURE_TRIES: u32 = 3;

/// The baseline captures being asked for.
#[derive(Debug, Clone, Default)]
struct CaptureRound {
    tries: u32,
    next_at: f64,
    awaiting: usize,
    missing: Vec<(String, String)>,
}

pub struct CaseSession {
    pub case: Case,
    pub lang: Lang,
    pub progress: Progress,
    pub started_at: f64,
    pub settle_until: f64,
    pub captures: Captures,
    capture_round: CaptureRound,
    /// Why the baseline failed when no check did (a capture found no data).
    pub baseline_problem: Option<String>,
    /// Why the case stopped ([`Progress::Stopped`]): the action that failed.
    pub stopped: Option<String>,
    pub checks: Vec<CheckState>,
    pub alerts: Vec<AlertWatch>,
    /// The stack has no Prometheus, so no alert is evaluated: alert checks
    /// and expected alerts are not available ([`Self::without_alerts`]).
    pub no_alerts: bool,
    pub hints_shown: Vec<bool>,
    pub questions: Vec<QuestionState>,
    /// The live value of each `look_at` with a query (`None`: no query, or
    /// no data yet), read every [`FIGURES_POLL_S`].
    pub figures: Vec<Option<f64>>,
    figures_next: f64,
    figures_in_flight: usize,
    pub injected_at: Option<f64>,
    pub recovering_at: Option<f64>,
    pub time_to_detect: Option<f64>,
    pub time_to_recover: Option<f64>,
    /// The worst p95 and error ratio seen while the fault was in.
    pub peak_p95: Option<f64>,
    pub peak_error_ratio: Option<f64>,
    /// The signals every [`PEAKS_POLL_S`] from the start to the end.
    pub samples: Vec<Sample>,
    peaks_next: f64,
    peaks_in_flight: bool,
}

impl CaseSession {
    /// Starts the case at `now`: the caller starts its load.
    pub fn start(case: Case, lang: Lang, now: f64) -> Self {
        let p = &case.phases;
        let checks = case
            .checks()
            .into_iter()
            .map(|(phase, _, c)| CheckState {
                phase,
                check: c.clone(),
                status: CheckStatus::Waiting,
                value: None,
                started: None,
                phase_started: None,
                after: None,
                holding_since: None,
                next_poll: 0.0,
                in_flight: false,
            })
            .collect();
        let alerts = p
            .detect
            .expected_alerts
            .iter()
            .map(|a| AlertWatch {
                name: a.name.clone(),
                within: a.within.get().as_secs_f64(),
                status: None,
                fired_after: None,
                missed: false,
                active_before_injection: false,
                reported_before: false,
                next_poll: 0.0,
                in_flight: false,
            })
            .collect();
        let settle_until = now + p.baseline.settle.get().as_secs_f64();
        let figures = vec![None; case.look_at.len()];
        let questions = p
            .detect
            .questions
            .iter()
            .map(|_| QuestionState::default())
            .collect();
        Self {
            hints_shown: vec![false; p.detect.hints.len()],
            lang,
            progress: Progress::Settling,
            started_at: now,
            settle_until,
            captures: Captures::new(),
            capture_round: CaptureRound {
                next_at: settle_until,
                ..CaptureRound::default()
            },
            baseline_problem: None,
            stopped: None,
            checks,
            alerts,
            no_alerts: false,
            questions,
            figures,
            figures_next: now,
            figures_in_flight: 0,
            injected_at: None,
            recovering_at: None,
            time_to_detect: None,
            time_to_recover: None,
            peak_p95: None,
            peak_error_ratio: None,
            samples: Vec::new(),
            peaks_next: now,
            peaks_in_flight: false,
            case,
        }
    }

    fn phase_event(&self, phase: Phase) -> RunEvent {
        RunEvent::Phase {
            case: self.case.id.clone(),
            phase,
        }
    }

    /// The stack has no Prometheus: its alert checks become
    /// [`CheckStatus::Unavailable`] and its expected alerts are not waited
    /// for, so the case passes or fails on what can be seen without them.
    pub fn without_alerts(&mut self) {
        self.no_alerts = true;
        for c in &mut self.checks {
            if matches!(c.check.probe, Probe::Alert(_)) && !c.status.is_over() {
                c.status = CheckStatus::Unavailable;
                c.in_flight = false;
            }
        }
    }

    /// Whether the case has anything only Prometheus's alert rules answer.
    pub fn needs_alerts(&self) -> bool {
        !self.alerts.is_empty()
            || self
                .checks
                .iter()
                .any(|c| matches!(c.check.probe, Probe::Alert(_)))
    }

    /// Whether the fault may go in now.
    pub fn can_inject(&self) -> bool {
        self.progress == Progress::Ready
    }

    /// Moves to Detect and returns the case's inject actions for the caller
    /// to run (with [`run_actions`](super::actions::run_actions), whose
    /// outcome goes to [`Self::actions_done`]), with the phases they begin:
    /// `inject` to say before them, `detect` after. `force` injects even before the baseline has passed
    /// (an instructor short of time); the report then shows the baseline as
    /// not passed.
    pub fn inject(&mut self, now: f64, force: bool) -> Option<(PhaseActions, [RunEvent; 2])> {
        let allowed = self.can_inject()
            || (force
                && matches!(
                    self.progress,
                    Progress::Settling | Progress::Baseline | Progress::BaselineFailed
                ));
        if !allowed {
            return None;
        }
        self.progress = Progress::Detect;
        self.injected_at = Some(now);
        self.peaks_next = now;
        for a in &mut self.alerts {
            a.next_poll = now;
        }
        self.activate(Phase::Detect, now);
        Some((
            PhaseActions::of(&self.case, Phase::Inject),
            [
                self.phase_event(Phase::Inject),
                self.phase_event(Phase::Detect),
            ],
        ))
    }

    /// Moves to Recover and returns the case's recover actions.
    pub fn recover(&mut self, now: f64) -> Option<(PhaseActions, RunEvent)> {
        if self.progress != Progress::Detect {
            return None;
        }
        self.end_detect(now);
        self.progress = Progress::Recover;
        self.recovering_at = Some(now);
        self.activate(Phase::Recover, now);
        Some((
            PhaseActions::of(&self.case, Phase::Recover),
            self.phase_event(Phase::Recover),
        ))
    }

    /// How the actions it handed out went. An inject or recover that a
    /// failed action stopped stops the case ([`Progress::Stopped`]); the
    /// reason is returned, in the session's language, for the driver to say:
    /// the same reason `workshop run` aborts with. `None`: the case goes on.
    pub fn actions_done(&mut self, outcome: &ActionsOutcome) -> Option<String> {
        let ours = outcome.case == self.case.id
            && matches!(
                (outcome.phase, self.progress),
                (Phase::Inject, Progress::Detect) | (Phase::Recover, Progress::Recover)
            );
        if !ours {
            return None;
        }
        let reason = outcome.stopped_by()?.reason(outcome.phase, self.lang);
        self.progress = Progress::Stopped;
        self.stopped = Some(reason.clone());
        Some(reason)
    }

    /// Time passes: settle ends, checks time out, hints come due, alerts
    /// are missed.
    pub fn tick(&mut self, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        if self.progress == Progress::Stopped {
            return events;
        }
        if self.progress == Progress::Settling
            && now >= self.settle_until
            && self.case.phases.baseline.captures.is_empty()
        {
            self.begin_baseline(now);
        }
        let lang = self.lang;
        for c in &mut self.checks {
            if c.status == CheckStatus::Pending
                && let Some(s) = c.started
                && now - s >= c.check.timeout.get().as_secs_f64()
            {
                events.push(finish(c, false, now, lang));
            }
        }
        if let Some(injected) = self
            .injected_at
            .filter(|_| self.progress == Progress::Detect)
        {
            // Nobody recovered within `max_duration`: the detect phase ends,
            // its open checks failed and its silent alerts missed.
            let expired = self
                .case
                .phases
                .inject
                .max_duration
                .is_some_and(|m| now - injected >= m.get().as_secs_f64());
            if expired {
                events.extend(self.end_detect(now));
            }
            for a in self.alerts.iter_mut().filter(|_| !self.no_alerts) {
                if a.fired_after.is_none() && !a.missed && (expired || now - injected > a.within) {
                    a.missed = true;
                    events.push(RunEvent::AlertMissed {
                        name: a.name.clone(),
                        within_s: secs_f(a.within),
                    });
                }
            }
            for (i, h) in self.case.phases.detect.hints.iter().enumerate() {
                let due = match &h.release {
                    Release::After(d) => now - injected >= d.get().as_secs_f64(),
                    Release::Pending { check, longer_than } => self.checks.iter().any(|c| {
                        c.check.id == *check
                            && c.status == CheckStatus::Pending
                            && c.started
                                .is_some_and(|s| now - s >= longer_than.get().as_secs_f64())
                    }),
                    Release::OnRequest => false,
                };
                if due && !self.hints_shown[i] {
                    self.hints_shown[i] = true;
                    events.push(RunEvent::Hint {
                        text: h.text.get(self.lang).to_string(),
                    });
                }
            }
        }
        events.extend(self.advance(now));
        events
    }

    /// Shows the next hint given on request, if any is left.
    pub fn request_hint(&mut self) -> Option<RunEvent> {
        let hints = &self.case.phases.detect.hints;
        let i = (0..hints.len())
            .find(|&i| !self.hints_shown[i] && matches!(hints[i].release, Release::OnRequest))?;
        self.hints_shown[i] = true;
        Some(RunEvent::Hint {
            text: hints[i].text.get(self.lang).to_string(),
        })
    }
}

fn finish(c: &mut CheckState, passed: bool, now: f64, lang: Lang) -> RunEvent {
    c.status = if passed {
        CheckStatus::Passed
    } else {
        CheckStatus::Failed
    };
    // A pass is timed from when its condition first held (and kept holding
    // for `hold_for`), not from when that was confirmed.
    let at = if passed {
        c.holding_since.unwrap_or(now)
    } else {
        now
    };
    let after = c.phase_started.or(c.started).map_or(0.0, |s| at - s);
    c.after = Some(after);
    if passed {
        RunEvent::CheckPassed {
            phase: c.phase,
            id: c.check.id.clone(),
            value: c.value,
            after_s: secs_f(after),
        }
    } else {
        RunEvent::CheckFailed {
            phase: c.phase,
            id: c.check.id.clone(),
            value: c.value,
            after_s: secs_f(after),
            message: c.check.message.get(lang).to_string(),
        }
    }
}

fn secs_f(s: f64) -> f64 {
    secs(std::time::Duration::from_secs_f64(s.max(0.0)))
}

/// The higher of two readings, either of which may be missing.
pub(crate) fn higher(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod no_alerts_tests;
#[cfg(test)]
mod question_tests;
#[cfg(test)]
mod shipped_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod timing_tests;
