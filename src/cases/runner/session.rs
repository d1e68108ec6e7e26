//! A case walked step by step, for the console: the student decides when to
//! inject and when to recover, the checks are polled in between.
//!
//! This is a pure state machine. It says what it wants observed next
//! ([`CaseSession::due`]), takes what was seen ([`CaseSession::seen`]) and
//! the passing of time ([`CaseSession::tick`]), and answers with the same
//! [`RunEvent`]s the headless runner prints. The caller owns every I/O, so
//! a render loop never waits on it and a test drives it with made-up values.
//! Times are seconds on the caller's clock.

use crate::cases::check::{Check, Probe, Reduce};
use crate::cases::hint::Release;
use crate::cases::model::Action;
use crate::cases::{Case, Lang};
use crate::telemetry::AlertStatus;

use super::probe::{Captures, CheckResult, Observation, reduce};
use super::{AlertResult, CaseOutcome, RunEvent, secs};

/// Where the student is in the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Load runs; waiting for it to settle before measuring the baseline.
    Settling,
    /// Baseline checks running: nothing may be injected yet.
    Baseline,
    /// Baseline healthy: the student may inject.
    Ready,
    /// A baseline check failed: the system was unhealthy before any fault.
    BaselineFailed,
    /// Fault in: detect checks, expected alerts, hints, questions.
    Detect,
    /// Recover actions done: recover checks running.
    Recover,
    Done,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Settling | Stage::Baseline | Stage::Ready | Stage::BaselineFailed => "baseline",
            Stage::Detect => "detect",
            Stage::Recover => "recover",
            Stage::Done => "done",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CheckStatus {
    /// Not started: its phase has not come, or an earlier check runs.
    Waiting,
    Pending,
    Passed,
    Failed,
}

/// One check as the student sees it.
#[derive(Debug, Clone)]
pub struct CheckState {
    pub phase: &'static str,
    pub check: Check,
    pub status: CheckStatus,
    /// The last value observed.
    pub value: Option<f64>,
    /// When it started, and (when finished) how long it took.
    pub started: Option<f64>,
    pub after: Option<f64>,
    holding_since: Option<f64>,
    next_poll: f64,
    in_flight: bool,
}

/// An expected alert, counted down from the injection.
#[derive(Debug, Clone)]
pub struct AlertWatch {
    pub name: String,
    pub within: f64,
    pub status: Option<AlertStatus>,
    pub fired_after: Option<f64>,
    pub missed: bool,
    next_poll: f64,
    in_flight: bool,
}

#[derive(Debug, Clone)]
pub struct QuestionState {
    pub answer: Option<f64>,
    pub live: Option<f64>,
    pub correct: Option<bool>,
}

/// Something to observe, asked by [`CaseSession::due`].
#[derive(Debug, Clone, PartialEq)]
pub enum Poll {
    Capture {
        name: String,
        promql: String,
        reduce: Reduce,
    },
    Check {
        index: usize,
        probe: Probe,
    },
    Alert {
        index: usize,
        name: String,
    },
    Question {
        index: usize,
        promql: String,
        reduce: Reduce,
    },
}

/// What an observation found, given back to [`CaseSession::seen`].
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    Captured {
        name: String,
        value: Option<f64>,
    },
    Check {
        index: usize,
        seen: Observation,
    },
    Alert {
        index: usize,
        status: Option<AlertStatus>,
    },
    Question {
        index: usize,
        live: Option<f64>,
    },
}

/// How often an expected alert's state is asked.
const ALERT_POLL_S: f64 = 2.0;

pub struct CaseSession {
    pub case: Case,
    pub lang: Lang,
    pub stage: Stage,
    pub started_at: f64,
    pub settle_until: f64,
    pub captures: Captures,
    captures_asked: bool,
    pub checks: Vec<CheckState>,
    pub alerts: Vec<AlertWatch>,
    pub hints_shown: Vec<bool>,
    pub questions: Vec<QuestionState>,
    pub injected_at: Option<f64>,
    pub recovering_at: Option<f64>,
    pub time_to_detect: Option<f64>,
    pub time_to_recover: Option<f64>,
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
                next_poll: 0.0,
                in_flight: false,
            })
            .collect();
        let settle_until = now + p.baseline.settle.get().as_secs_f64();
        let questions = p
            .detect
            .questions
            .iter()
            .map(|_| QuestionState {
                answer: None,
                live: None,
                correct: None,
            })
            .collect();
        Self {
            hints_shown: vec![false; p.detect.hints.len()],
            lang,
            stage: Stage::Settling,
            started_at: now,
            settle_until,
            captures: Captures::new(),
            captures_asked: false,
            checks,
            alerts,
            questions,
            injected_at: None,
            recovering_at: None,
            time_to_detect: None,
            time_to_recover: None,
            case,
        }
    }

    fn phase_event(&self, phase: &'static str) -> RunEvent {
        RunEvent::Phase {
            case: self.case.id.clone(),
            phase,
        }
    }

    /// Whether the fault may go in now.
    pub fn can_inject(&self) -> bool {
        self.stage == Stage::Ready
    }

    /// Moves to Detect and returns the case's inject actions for the caller
    /// to run. `force` injects even before the baseline has passed (an
    /// instructor short of time); the report then shows the baseline as not
    /// passed.
    pub fn inject(&mut self, now: f64, force: bool) -> Option<(Vec<Action>, RunEvent)> {
        let allowed = self.can_inject()
            || (force
                && matches!(
                    self.stage,
                    Stage::Settling | Stage::Baseline | Stage::BaselineFailed
                ));
        if !allowed {
            return None;
        }
        self.stage = Stage::Detect;
        self.injected_at = Some(now);
        for a in &mut self.alerts {
            a.next_poll = now;
        }
        self.activate("detect", now);
        Some((
            self.case.phases.inject.actions.clone(),
            self.phase_event("detect"),
        ))
    }

    /// Moves to Recover and returns the case's recover actions.
    pub fn recover(&mut self, now: f64) -> Option<(Vec<Action>, RunEvent)> {
        if self.stage != Stage::Detect {
            return None;
        }
        for c in self.checks.iter_mut().filter(|c| c.phase == "detect") {
            if c.status == CheckStatus::Pending {
                c.status = CheckStatus::Failed;
                c.after = c.started.map(|s| now - s);
            }
        }
        self.stage = Stage::Recover;
        self.recovering_at = Some(now);
        self.activate("recover", now);
        Some((
            self.case.phases.recover.actions.clone(),
            self.phase_event("recover"),
        ))
    }

    /// Starts the first waiting check of `phase`; baseline checks all start
    /// together, detect and recover ones each after the one before.
    fn activate(&mut self, phase: &str, now: f64) {
        let all_at_once = phase == "baseline";
        for c in self.checks.iter_mut().filter(|c| c.phase == phase) {
            match c.status {
                CheckStatus::Waiting => {
                    c.status = CheckStatus::Pending;
                    c.started = Some(now);
                    c.next_poll = now;
                    if !all_at_once {
                        return;
                    }
                }
                CheckStatus::Pending if !all_at_once => return,
                _ => {}
            }
        }
    }

    /// What should be observed now; each is asked once until its answer comes.
    pub fn due(&mut self, now: f64) -> Vec<Poll> {
        let mut out = Vec::new();
        if self.stage == Stage::Settling && now >= self.settle_until && !self.captures_asked {
            self.captures_asked = true;
            for (name, cap) in &self.case.phases.baseline.captures {
                out.push(Poll::Capture {
                    name: name.clone(),
                    promql: cap.promql.clone(),
                    reduce: cap.reduce,
                });
            }
        }
        for (index, c) in self.checks.iter_mut().enumerate() {
            if c.status == CheckStatus::Pending && !c.in_flight && now >= c.next_poll {
                c.in_flight = true;
                out.push(Poll::Check {
                    index,
                    probe: c.check.probe.clone(),
                });
            }
        }
        if self.stage == Stage::Detect {
            for (index, a) in self.alerts.iter_mut().enumerate() {
                if a.fired_after.is_none() && !a.missed && !a.in_flight && now >= a.next_poll {
                    a.in_flight = true;
                    out.push(Poll::Alert {
                        index,
                        name: a.name.clone(),
                    });
                }
            }
        }
        out
    }

    /// The student's answer to question `index`; the caller observes the
    /// returned poll and the answer is judged against the live value.
    pub fn answer(&mut self, index: usize, value: f64) -> Option<Poll> {
        let q = self.case.phases.detect.questions.get(index)?;
        let state = self.questions.get_mut(index)?;
        state.answer = Some(value);
        state.correct = None;
        Some(Poll::Question {
            index,
            promql: q.promql.clone(),
            reduce: q.reduce,
        })
    }

    /// Takes an observation in.
    pub fn seen(&mut self, seen: Seen, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        match seen {
            Seen::Captured { name, value } => {
                if let Some(v) = value {
                    self.captures.insert(name.clone(), v);
                    events.push(RunEvent::Captured { name, value: v });
                }
                if self.captures.len() == self.case.phases.baseline.captures.len() {
                    self.begin_baseline(now);
                }
            }
            Seen::Check { index, seen } => events.extend(self.check_seen(index, seen, now)),
            Seen::Alert { index, status } => {
                let injected = self.injected_at.unwrap_or(now);
                if let Some(a) = self.alerts.get_mut(index) {
                    a.in_flight = false;
                    a.status = status;
                    a.next_poll = now + ALERT_POLL_S;
                    if status == Some(AlertStatus::Firing) && a.fired_after.is_none() {
                        a.fired_after = Some(now - injected);
                        events.push(RunEvent::AlertFired {
                            name: a.name.clone(),
                            after_s: secs_f(now - injected),
                            within_s: secs_f(a.within),
                        });
                    }
                }
            }
            Seen::Question { index, live } => {
                let tol = self
                    .case
                    .phases
                    .detect
                    .questions
                    .get(index)
                    .map(|q| q.tolerance);
                if let (Some(q), Some(tol)) = (self.questions.get_mut(index), tol) {
                    q.live = live;
                    q.correct = match (q.answer, live) {
                        (Some(a), Some(l)) => Some(tol.accepts(a, l)),
                        _ => None,
                    };
                }
            }
        }
        events.extend(self.advance(now));
        events
    }

    fn begin_baseline(&mut self, now: f64) {
        if self.stage == Stage::Settling {
            self.stage = Stage::Baseline;
            self.activate("baseline", now);
        }
    }

    fn check_seen(&mut self, index: usize, seen: Observation, now: f64) -> Option<RunEvent> {
        let c = self.checks.get_mut(index)?;
        c.in_flight = false;
        if c.status != CheckStatus::Pending {
            return None;
        }
        c.next_poll = now + c.check.poll.get().as_secs_f64();
        match seen {
            Observation::Holds(v) => {
                c.value = v.or(c.value);
                let since = *c.holding_since.get_or_insert(now);
                if now - since >= c.check.hold_for.get().as_secs_f64() {
                    return Some(finish(c, true, now));
                }
            }
            Observation::Fails(v) => {
                c.value = v.or(c.value);
                c.holding_since = None;
            }
            Observation::NoData => c.holding_since = None,
        }
        None
    }

    /// Time passes: settle ends, checks time out, hints come due, alerts
    /// are missed.
    pub fn tick(&mut self, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        if self.stage == Stage::Settling
            && now >= self.settle_until
            && self.case.phases.baseline.captures.is_empty()
        {
            self.begin_baseline(now);
        }
        for c in &mut self.checks {
            if c.status == CheckStatus::Pending
                && let Some(s) = c.started
                && now - s >= c.check.timeout.get().as_secs_f64()
            {
                events.push(finish(c, false, now));
            }
        }
        if let Some(injected) = self.injected_at.filter(|_| self.stage == Stage::Detect) {
            for a in &mut self.alerts {
                if a.fired_after.is_none() && !a.missed && now - injected > a.within {
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

    /// Follows the checks: the next check of a phase starts, a phase ends.
    fn advance(&mut self, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        let finished = |s: &Self, phase: &str| {
            s.checks
                .iter()
                .filter(|c| c.phase == phase)
                .all(|c| matches!(c.status, CheckStatus::Passed | CheckStatus::Failed))
        };
        let all_passed = |s: &Self, phase: &str| {
            s.checks
                .iter()
                .filter(|c| c.phase == phase)
                .all(|c| c.status == CheckStatus::Passed)
        };
        match self.stage {
            Stage::Baseline if finished(self, "baseline") => {
                self.stage = if all_passed(self, "baseline") {
                    Stage::Ready
                } else {
                    Stage::BaselineFailed
                };
                events.push(self.phase_event("inject"));
            }
            Stage::Detect => {
                if self.time_to_detect.is_none()
                    && let (Some(inj), Some(first)) = (
                        self.injected_at,
                        self.checks
                            .iter()
                            .filter(|c| c.phase == "detect" && c.status == CheckStatus::Passed)
                            .filter_map(|c| c.started.zip(c.after).map(|(s, a)| s + a))
                            .reduce(f64::min),
                    )
                {
                    self.time_to_detect = Some(first - inj);
                }
                self.activate("detect", now);
            }
            Stage::Recover => {
                self.activate("recover", now);
                if finished(self, "recover") {
                    if all_passed(self, "recover") {
                        self.time_to_recover = self.recovering_at.map(|r| now - r);
                    }
                    self.stage = Stage::Done;
                    events.push(RunEvent::CaseFinished {
                        case: self.case.id.clone(),
                        passed: self.passed(),
                    });
                }
            }
            _ => {}
        }
        events
    }

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
        self.checks.iter().all(|c| c.status == CheckStatus::Passed)
            && self.alerts.iter().all(|a| a.fired_after.is_some())
            && self.time_to_recover.is_some_and(|t| t <= limit)
    }

    /// For the report: what happened, as the headless runner records it.
    pub fn outcome(&self, title: &str) -> CaseOutcome {
        let dur = |s: f64| std::time::Duration::from_secs_f64(s.max(0.0));
        CaseOutcome {
            id: self.case.id.clone(),
            title: title.to_string(),
            passed: self.passed(),
            aborted: (self.stage != Stage::Done).then(|| "left before the end".to_string()),
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
            ..CaseOutcome::default()
        }
    }
}

fn finish(c: &mut CheckState, passed: bool, now: f64) -> RunEvent {
    c.status = if passed {
        CheckStatus::Passed
    } else {
        CheckStatus::Failed
    };
    let after = c.started.map_or(0.0, |s| now - s);
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
            message: String::new(),
        }
    }
}

fn secs_f(s: f64) -> f64 {
    secs(std::time::Duration::from_secs_f64(s.max(0.0)))
}

/// Reduces a query's values the way a capture or question asks.
pub fn reduced(values: &[f64], how: Reduce) -> Option<f64> {
    reduce(values, how)
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
