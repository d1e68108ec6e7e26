//! `workshop run`'s events as the board's: which case they belong to, an
//! abort folded into the case's end, and what a run knows only once a case
//! is over (the app's restarts and OOM kills, the faults rolled back).

use crate::cases::Phase;
use crate::cases::engine::{AppCounts, RunEvent};
use crate::coach::wire::CoachEvent;

/// Follows one run's events, case after case.
#[derive(Debug, Default)]
pub(crate) struct RunFeed {
    case: Option<String>,
    /// An `Aborted` came in this case: its `CaseFinished` says so.
    aborted: bool,
    in_rollback: bool,
    /// `Aborted`s since the rollback began: failed rollback steps, and the
    /// walk's own reason (said after the rollback, when there is one).
    aborted_in_rollback: usize,
}

impl RunFeed {
    /// The board's view of `event`, if it shows it.
    pub(crate) fn event(&mut self, event: &RunEvent) -> Option<CoachEvent> {
        match event {
            RunEvent::CaseStarted { case, .. } => {
                *self = RunFeed {
                    case: Some(case.clone()),
                    ..RunFeed::default()
                };
            }
            RunEvent::Phase {
                phase: Phase::Rollback,
                ..
            } => self.in_rollback = true,
            RunEvent::Aborted { .. } => {
                self.aborted = true;
                if self.in_rollback {
                    self.aborted_in_rollback += 1;
                }
            }
            _ => {}
        }
        let mut coach = CoachEvent::from_run(self.case.as_deref()?, event)?;
        if let CoachEvent::CaseFinished { aborted, .. } = &mut coach {
            *aborted = self.aborted;
        }
        Some(coach)
    }

    /// What follows a case's end: the app's counts over the case when the
    /// stack could be seen, and no fault left once every rollback step
    /// went through (`walk_aborted`: the case's outcome was an abort, whose
    /// reason is the one `Aborted` after the rollback that is no step's).
    pub(crate) fn case_done(
        &mut self,
        app_counts: Option<AppCounts>,
        walk_aborted: bool,
    ) -> Vec<CoachEvent> {
        let Some(case) = self.case.clone() else {
            return vec![];
        };
        let mut out = Vec::new();
        if let Some(c) = app_counts {
            let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
            out.push(CoachEvent::AppCounts {
                case,
                oom_kills: small(c.oom_kills),
                restarts: small(c.restarts),
            });
        }
        let failed_steps = self
            .aborted_in_rollback
            .saturating_sub(usize::from(walk_aborted));
        if self.in_rollback && failed_steps == 0 {
            out.push(CoachEvent::Faults { active: false });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(feed: &mut RunFeed, events: &[RunEvent]) -> Vec<CoachEvent> {
        events.iter().filter_map(|e| feed.event(e)).collect()
    }

    fn phase(p: Phase) -> RunEvent {
        RunEvent::Phase {
            case: "latency".into(),
            phase: p,
        }
    }

    fn start() -> RunEvent {
        RunEvent::CaseStarted {
            case: "latency".into(),
            title: "Latency".into(),
        }
    }

    fn finished(passed: bool) -> RunEvent {
        RunEvent::CaseFinished {
            case: "latency".into(),
            passed,
        }
    }

    fn aborted() -> RunEvent {
        RunEvent::Aborted {
            reason: "stopped".into(),
        }
    }

    #[test]
    fn a_passed_case_goes_through_with_its_checks_counts_and_no_fault_left() {
        let mut feed = RunFeed::default();
        let sent = walk(
            &mut feed,
            &[
                RunEvent::LoadStarted {
                    rps: 10.0,
                    mix: "transfer=1".into(),
                },
                start(),
                phase(Phase::Detect),
                RunEvent::CheckPassed {
                    phase: Phase::Detect,
                    id: "p95".into(),
                    value: Some(2.0),
                    after_s: 12.0,
                },
                phase(Phase::Rollback),
                finished(true),
            ],
        );
        assert_eq!(
            sent,
            [
                CoachEvent::CaseStarted {
                    case: "latency".into()
                },
                CoachEvent::Phase {
                    case: "latency".into(),
                    phase: Phase::Detect
                },
                CoachEvent::Check {
                    case: "latency".into(),
                    phase: Phase::Detect,
                    id: "p95".into(),
                    passed: true,
                    after_s: 12.0
                },
                CoachEvent::Phase {
                    case: "latency".into(),
                    phase: Phase::Rollback
                },
                CoachEvent::CaseFinished {
                    case: "latency".into(),
                    passed: true,
                    aborted: false
                },
            ]
        );
        let after = feed.case_done(
            Some(AppCounts {
                restarts: 1,
                oom_kills: 3,
            }),
            false,
        );
        assert_eq!(
            after,
            [
                CoachEvent::AppCounts {
                    case: "latency".into(),
                    oom_kills: 3,
                    restarts: 1
                },
                CoachEvent::Faults { active: false },
            ]
        );
    }

    #[test]
    fn an_abort_marks_the_end_and_a_failed_rollback_step_claims_no_clean_api() {
        let mut feed = RunFeed::default();
        // Interrupted: the rollback went through, the walk's reason after it.
        let sent = walk(
            &mut feed,
            &[start(), phase(Phase::Rollback), aborted(), finished(false)],
        );
        assert!(sent.contains(&CoachEvent::CaseFinished {
            case: "latency".into(),
            passed: false,
            aborted: true
        }));
        assert_eq!(
            feed.case_done(None, true),
            [CoachEvent::Faults { active: false }]
        );
        // A rollback step failed.
        walk(
            &mut feed,
            &[start(), phase(Phase::Rollback), aborted(), finished(false)],
        );
        assert_eq!(feed.case_done(None, false), []);
        // The next case starts clean.
        let next = walk(
            &mut feed,
            &[start(), phase(Phase::Rollback), finished(true)],
        );
        assert!(next.contains(&CoachEvent::CaseFinished {
            case: "latency".into(),
            passed: true,
            aborted: false
        }));
    }
}
