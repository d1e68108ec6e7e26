//! The session's senses: what it wants observed next, and what it makes of
//! each observation given back.

use crate::cases::check::{AlertState, Probe};
use crate::cases::{Lang, Phase};
use crate::telemetry::AlertStatus;
use crate::words::{E, t, tf};

use super::super::RunEvent;
use super::super::probe::Observation;
use super::{
    ALERT_POLL_S, CAPTURE_RETRY_S, CAPTURE_TRIES, CaseSession, CheckStatus, FIGURES_POLL_S,
    PEAKS_POLL_S, Poll, Progress, SAMPLES_KEPT, Sample, Seen, finish, higher, secs_f,
};

impl CaseSession {
    /// What should be observed now; each is asked once until its answer comes.
    pub fn due(&mut self, now: f64) -> Vec<Poll> {
        let mut out = Vec::new();
        if self.progress == Progress::Stopped {
            return out;
        }
        let round = &mut self.capture_round;
        if self.progress == Progress::Settling && round.awaiting == 0 && now >= round.next_at {
            for (name, cap) in &self.case.phases.baseline.captures {
                if !self.captures.contains_key(name) {
                    round.awaiting += 1;
                    out.push(Poll::Capture {
                        name: name.clone(),
                        promql: cap.promql.clone(),
                        reduce: cap.reduce,
                    });
                }
            }
        }
        if self.progress != Progress::Done
            && self.figures_in_flight == 0
            && now >= self.figures_next
        {
            self.figures_next = now + FIGURES_POLL_S;
            for (index, l) in self.case.look_at.iter().enumerate() {
                if let Some(promql) = &l.promql {
                    self.figures_in_flight += 1;
                    out.push(Poll::Figure {
                        index,
                        promql: promql.clone(),
                    });
                }
            }
        }
        if self.progress != Progress::Done && !self.peaks_in_flight && now >= self.peaks_next {
            self.peaks_in_flight = true;
            out.push(Poll::Peaks);
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
        if self.progress == Progress::Detect && !self.no_alerts {
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

    /// Reads question `index`'s figure now, as the answer box opens: its
    /// answer is judged against this reading.
    pub fn question_opened(&self, index: usize) -> Option<Poll> {
        let q = self.case.phases.detect.questions.get(index)?;
        self.questions.get(index).filter(|s| !s.settled())?;
        Some(Poll::Question {
            index,
            promql: q.promql.clone(),
            reduce: q.reduce,
        })
    }

    /// The student's answer to question `index`; the caller observes the
    /// returned poll and the answer is judged against the live value.
    /// `None` when there is no such question or it is settled (answered
    /// right, or out of tries): a settled verdict is not overwritten.
    pub fn answer(&mut self, index: usize, value: f64) -> Option<Poll> {
        let poll = self.question_opened(index)?;
        let state = self.questions.get_mut(index)?;
        state.answer = Some(value);
        state.correct = None;
        Some(poll)
    }

    /// Takes an observation in.
    pub fn seen(&mut self, seen: Seen, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        // What was asked before the case stopped changes nothing now.
        if self.progress == Progress::Stopped {
            return events;
        }
        match seen {
            Seen::Captured { name, value } => events.extend(self.captured(name, value, now)),
            Seen::Peaks {
                p95,
                error_ratio,
                memory_bytes,
                memory_limit_bytes,
            } => {
                self.peaks_in_flight = false;
                self.peaks_next = now + PEAKS_POLL_S;
                if matches!(self.progress, Progress::Detect | Progress::Recover) {
                    self.peak_p95 = higher(self.peak_p95, p95);
                    self.peak_error_ratio = higher(self.peak_error_ratio, error_ratio);
                }
                if self.samples.len() >= SAMPLES_KEPT {
                    self.samples.remove(0);
                }
                self.samples.push(Sample {
                    t: now,
                    p95,
                    error_ratio,
                    memory_bytes,
                    memory_limit_bytes,
                });
            }
            Seen::Check { index, seen } => events.extend(self.check_seen(index, seen, now)),
            Seen::Misread { poll, reason } => self.misread(&poll, &reason),
            Seen::Figure { index, live } => {
                self.figures_in_flight = self.figures_in_flight.saturating_sub(1);
                if let Some(f) = self.figures.get_mut(index) {
                    *f = live;
                }
            }
            Seen::Alert {
                index,
                status,
                active_for_s,
            } => {
                let injected = self.injected_at.unwrap_or(now);
                let lang = self.lang;
                if let Some(a) = self.alerts.get_mut(index) {
                    a.in_flight = false;
                    a.status = status;
                    a.next_poll = now + ALERT_POLL_S;
                    let active = matches!(status, Some(AlertStatus::Pending | AlertStatus::Firing));
                    let became = active_for_s.map(|d| now - d);
                    a.active_before_injection =
                        active && became.is_some_and(|b| b < injected - ACTIVE_AT_SLACK_S);
                    if a.active_before_injection && !a.reported_before && a.fired_after.is_none() {
                        a.reported_before = true;
                        let before_s = secs_f(injected - became.unwrap_or(injected));
                        events.push(RunEvent::AlertBeforeInjection {
                            name: a.name.clone(),
                            before_s,
                            message: before_injection(lang, &a.name, before_s),
                        });
                    }
                    if status == Some(AlertStatus::Firing)
                        && !a.active_before_injection
                        && a.fired_after.is_none()
                    {
                        a.fired_after = Some(now - injected);
                        events.push(RunEvent::AlertFired {
                            name: a.name.clone(),
                            after_s: secs_f(now - injected),
                            within_s: secs_f(a.within),
                        });
                    }
                }
            }
            Seen::Question { index, live } => self.question_seen(index, live),
        }
        events.extend(self.advance(now));
        events
    }

    /// A baseline capture came back. Once the round is in: every capture
    /// found means the baseline checks start; a missing one is asked again,
    /// and after [`CAPTURE_TRIES`] rounds the baseline has failed (its
    /// relative thresholds would have nothing to compare with).
    fn captured(&mut self, name: String, value: Option<f64>, now: f64) -> Option<RunEvent> {
        if self.progress != Progress::Settling {
            return None;
        }
        let round = &mut self.capture_round;
        round.awaiting = round.awaiting.saturating_sub(1);
        let mut event = None;
        match value {
            Some(v) => {
                self.captures.insert(name.clone(), v);
                event = Some(RunEvent::Captured { name, value: v });
            }
            None => {
                let promql = self
                    .case
                    .phases
                    .baseline
                    .captures
                    .get(&name)
                    .map(|c| c.promql.clone())
                    .unwrap_or_default();
                round.missing.push((name, promql));
            }
        }
        if round.awaiting > 0 {
            return event;
        }
        if self.captures.len() == self.case.phases.baseline.captures.len() {
            self.begin_baseline(now);
            return event;
        }
        round.tries += 1;
        round.next_at = now + CAPTURE_RETRY_S;
        let missing = std::mem::take(&mut round.missing);
        if round.tries >= CAPTURE_TRIES
            && let Some((name, promql)) = missing.into_iter().next()
        {
            let reason = tf(self.lang, E::CaptureNoData, &[&name, &promql]);
            self.baseline_problem = Some(reason.clone());
            self.progress = Progress::BaselineFailed;
            return Some(RunEvent::BaselineFailed { reason });
        }
        event
    }

    /// A query read another process: the case stops where it is, naming
    /// itself, the phase and what asked (as a failed action stops it); the
    /// driver says why, from [`CaseSession::stopped`].
    fn misread(&mut self, poll: &Poll, reason: &str) {
        let (phase, what) = match poll {
            Poll::Capture { name, .. } => (Phase::Baseline, name.clone()),
            Poll::Check { index, .. } => match self.checks.get(*index) {
                Some(c) => (c.phase, c.check.id.clone()),
                None => (Phase::Detect, String::new()),
            },
            Poll::Question { index, .. } => {
                let id = self.case.phases.detect.questions.get(*index);
                (Phase::Detect, id.map(|q| q.id.clone()).unwrap_or_default())
            }
            Poll::Figure { index, .. } => (self.phase_now(), format!("look_at[{index}]")),
            Poll::Alert { name, .. } => (Phase::Detect, name.clone()),
            Poll::Peaks => (Phase::Detect, String::new()),
        };
        let lang = self.lang;
        let reason = tf(
            lang,
            E::ReadsOtherJob,
            &[&self.case.id, &t(lang, phase), &what, &reason],
        );
        self.progress = Progress::Stopped;
        self.stopped = Some(reason);
    }

    /// A question's figure read: when the box opened, or to judge the
    /// answer given.
    fn question_seen(&mut self, index: usize, live: Option<f64>) {
        let tol = self
            .case
            .phases
            .detect
            .questions
            .get(index)
            .map(|q| q.tolerance);
        // Judged once per answer: a second reading of the same
        // answer (or one after the verdict settled) changes nothing.
        if let (Some(q), Some(tol)) = (self.questions.get_mut(index), tol)
            && !q.settled()
        {
            if q.answer.is_none() || q.correct.is_some() {
                // No answer waits: the box just opened, and this is
                // the figure its answer will be judged against.
                q.at_open = live;
                q.live = live;
            } else {
                let live = q.at_open.take().or(live);
                q.live = live;
                q.correct = match (q.answer, live) {
                    (Some(a), Some(l)) => Some(tol.accepts(a, l)),
                    _ => None,
                };
                if q.correct == Some(false) {
                    q.wrong += 1;
                }
            }
        }
    }

    /// The phase the student is in, as the case file names phases.
    fn phase_now(&self) -> Phase {
        match self.progress {
            Progress::Settling
            | Progress::Baseline
            | Progress::Ready
            | Progress::BaselineFailed => Phase::Baseline,
            Progress::Detect => Phase::Detect,
            Progress::Recover | Progress::Done | Progress::Stopped => Phase::Recover,
        }
    }

    pub(super) fn begin_baseline(&mut self, now: f64) {
        if self.progress == Progress::Settling {
            self.progress = Progress::Baseline;
            self.activate(Phase::Baseline, now);
        }
    }

    fn check_seen(&mut self, index: usize, seen: Observation, now: f64) -> Option<RunEvent> {
        let lang = self.lang;
        let left_over = self.left_over_alert(index);
        let c = self.checks.get_mut(index)?;
        // An alert still active from before the injection says nothing
        // about this fault: a check that it fires waits for a fresh one.
        let seen = match seen {
            Observation::Holds(v) if left_over => Observation::Fails(v),
            other => other,
        };
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
                    return Some(finish(c, true, now, lang));
                }
            }
            Observation::Fails(v) => {
                c.value = v.or(c.value);
                c.holding_since = None;
            }
            Observation::NoData => c.holding_since = None,
            Observation::Refuted => return Some(finish(c, false, now, lang)),
        }
        None
    }

    /// Whether check `index` waits for an alert to fire that is still
    /// active from before the injection.
    fn left_over_alert(&self, index: usize) -> bool {
        let Some(Probe::Alert(probe)) = self.checks.get(index).map(|c| &c.check.probe) else {
            return false;
        };
        probe.state == AlertState::Firing
            && self
                .alerts
                .iter()
                .any(|a| a.name == probe.name && a.active_before_injection)
    }
}

/// Prometheus stamps `activeAt` at a rule evaluation, on its own clock: an
/// alert counts as older than the injection only beyond this slack.
const ACTIVE_AT_SLACK_S: f64 = 1.0;

/// Why an expected alert does not count, in the case's language.
fn before_injection(lang: Lang, name: &str, before_s: f64) -> String {
    tf(lang, E::AlertBeforeInjection, &[&name, &before_s])
}
