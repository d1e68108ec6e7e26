//! How a case moves on: a phase's checks start one after another (baseline
//! all at once), the detect phase ends, a phase's end moves the progress on.

use crate::cases::Phase;

use super::{CaseSession, CheckStatus, Progress, RunEvent, finish};

impl CaseSession {
    /// Ends the detect phase where it stands: a check still pending has
    /// failed, and so has one that never started.
    pub(super) fn end_detect(&mut self, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        let lang = self.lang;
        for c in self.checks.iter_mut().filter(|c| c.phase == Phase::Detect) {
            match c.status {
                CheckStatus::Pending => events.push(finish(c, false, now, lang)),
                CheckStatus::Waiting => {
                    c.status = CheckStatus::Failed;
                    c.phase_started = self.injected_at;
                    c.after = Some(self.injected_at.map_or(0.0, |inj| now - inj));
                }
                _ => {}
            }
        }
        events
    }

    /// Whether the detect phase has nothing left to wait for: every detect
    /// check finished and every expected alert fired or missed.
    pub fn detect_finished(&self) -> bool {
        self.progress == Progress::Detect
            && self
                .checks
                .iter()
                .filter(|c| c.phase == Phase::Detect)
                .all(|c| c.status.is_over())
            && (self.no_alerts
                || self
                    .alerts
                    .iter()
                    .all(|a| a.fired_after.is_some() || a.missed))
    }

    /// When `phase` began: the injection for detect, the recover action
    /// for recover; the baseline began when its checks did.
    pub fn phase_started(&self, phase: Phase) -> Option<f64> {
        match phase {
            Phase::Detect => self.injected_at,
            Phase::Recover => self.recovering_at,
            _ => self
                .checks
                .iter()
                .filter(|c| c.phase == phase)
                .find_map(|c| c.phase_started),
        }
    }

    /// Starts the first waiting check of `phase`. Baseline and recover
    /// checks all start together (each says how the system is, so each is
    /// timed from when it first held); detect ones each after the one
    /// before, since they tell the fault's story in order (the leak grows,
    /// then the kill, then the restart).
    pub(super) fn activate(&mut self, phase: Phase, now: f64) {
        let all_at_once = phase != Phase::Detect;
        let phase_started = self.phase_started(phase).unwrap_or(now);
        for c in self.checks.iter_mut().filter(|c| c.phase == phase) {
            match c.status {
                CheckStatus::Waiting => {
                    c.status = CheckStatus::Pending;
                    c.started = Some(now);
                    c.phase_started = Some(phase_started);
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

    /// Follows the checks: the next check of a phase starts, a phase ends.
    pub(super) fn advance(&mut self, now: f64) -> Vec<RunEvent> {
        let mut events = Vec::new();
        let finished = |s: &Self, phase: Phase| {
            s.checks
                .iter()
                .filter(|c| c.phase == phase)
                .all(|c| c.status.is_over())
        };
        let all_passed = |s: &Self, phase: Phase| {
            s.checks
                .iter()
                .filter(|c| c.phase == phase)
                .all(|c| c.status.counts_as_passed())
        };
        match self.progress {
            // The inject phase begins when the student injects, not here.
            Progress::Baseline if finished(self, Phase::Baseline) => {
                self.progress = if all_passed(self, Phase::Baseline) {
                    Progress::Ready
                } else {
                    Progress::BaselineFailed
                };
            }
            Progress::Detect => {
                // A detect check's time already counts from the injection.
                if self.time_to_detect.is_none() {
                    self.time_to_detect = self
                        .checks
                        .iter()
                        .filter(|c| c.phase == Phase::Detect && c.status == CheckStatus::Passed)
                        .filter_map(|c| c.after)
                        .reduce(f64::min);
                }
                self.activate(Phase::Detect, now);
            }
            Progress::Recover => {
                self.activate(Phase::Recover, now);
                if finished(self, Phase::Recover) {
                    // Recovered when the last recover check first held.
                    if all_passed(self, Phase::Recover) {
                        self.time_to_recover = self
                            .checks
                            .iter()
                            .filter(|c| c.phase == Phase::Recover)
                            .filter_map(|c| c.after)
                            .reduce(f64::max)
                            .or(self.recovering_at.map(|r| now - r));
                    }
                    self.progress = Progress::Done;
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
}
