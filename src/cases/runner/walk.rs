//! `workshop run`'s driver for the one case engine ([`CaseSession`]): it
//! does what the session asks, at the pace of a clock, and takes the
//! student's decisions itself. It injects as soon as the baseline holds,
//! recovers as soon as the detect phase has nothing left to wait for, and
//! prints the questions' live values and the runbook prompts in between.
//! The console drives the same session from its update loop, with the same
//! [`CaseIo`], and lets the student decide.

use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio_util::sync::CancellationToken;

use crate::cases::{Case, Lang};
use crate::words::{E, t, tf};

use super::io::{CaseIo, Clock};
use super::probe::{CheckResult, Observation};
use super::session::{CaseSession, Poll, Seen, Stage};
use super::{CaseOutcome, RunEvent, secs};

/// How often the session is ticked between observations.
const TICK: Duration = Duration::from_millis(250);

/// How a walk goes besides the case itself.
pub(crate) struct WalkOptions<'a> {
    pub lang: Lang,
    /// `workshop cases check`: before injecting, prove that no detect check
    /// already holds at baseline (a check that passes without the fault
    /// teaches nothing).
    pub prove_teachable: bool,
    pub stop: &'a CancellationToken,
}

/// Walks `case` from its baseline to the end of its recovery (the caller
/// runs the load around it, and the rollback after it). Every event goes to
/// `emit`, except the session's `CaseFinished`: the caller says that last,
/// once the rollback is done.
pub(crate) async fn walk(
    case: &Case,
    opts: WalkOptions<'_>,
    io: &dyn CaseIo,
    clock: &dyn Clock,
    emit: &(dyn Fn(RunEvent) + Sync),
) -> CaseOutcome {
    let title = case.title.get(opts.lang).to_string();
    let mut s = CaseSession::start(case.clone(), opts.lang, clock.now());
    emit(RunEvent::Phase {
        case: case.id.clone(),
        phase: "baseline",
    });
    let say = |events: Vec<RunEvent>| {
        for e in events {
            if !matches!(e, RunEvent::CaseFinished { .. }) {
                emit(e);
            }
        }
    };
    let mut teachable: Vec<CheckResult> = Vec::new();
    let mut inflight = FuturesUnordered::new();
    let aborted = 'walk: loop {
        let now = clock.now();
        say(s.tick(now));
        for poll in s.due(now) {
            inflight.push(io.observe(poll, s.captures.clone()));
        }
        match s.stage {
            Stage::Ready => {
                if opts.prove_teachable {
                    let (results, ok) = prove_teachable(&s, io).await;
                    for r in &results {
                        emit(check_event(r));
                    }
                    teachable = results;
                    if !ok {
                        break 'walk Some(t(opts.lang, E::NotTeachableCase).to_string());
                    }
                }
                if let Some((actions, [inject, detect])) = s.inject(clock.now(), false) {
                    emit(inject);
                    for action in &actions {
                        let said = action.text(opts.lang);
                        emit(RunEvent::Action {
                            action: said.clone(),
                        });
                        if let Err(e) = io.act(action).await {
                            break 'walk Some(tf(
                                opts.lang,
                                E::ActionFailed,
                                &[&said, &e.text(opts.lang)],
                            ));
                        }
                    }
                    emit(detect);
                }
            }
            Stage::BaselineFailed => {
                break 'walk Some(
                    s.baseline_problem
                        .clone()
                        .unwrap_or_else(|| t(opts.lang, E::BaselineUnhealthy).to_string()),
                );
            }
            Stage::Detect if s.detect_finished() => {
                ask_questions(&mut s, io, clock, emit).await;
                emit(RunEvent::Phase {
                    case: case.id.clone(),
                    phase: "respond",
                });
                for prompt in &case.phases.respond.prompts {
                    emit(RunEvent::Prompt {
                        text: prompt.get(opts.lang).to_string(),
                    });
                }
                if let Some((actions, event)) = s.recover(clock.now()) {
                    emit(event);
                    for action in &actions {
                        let said = action.text(opts.lang);
                        emit(RunEvent::Action {
                            action: said.clone(),
                        });
                        if let Err(e) = io.act(action).await {
                            break 'walk Some(tf(
                                opts.lang,
                                E::ActionFailed,
                                &[&said, &e.text(opts.lang)],
                            ));
                        }
                    }
                }
            }
            Stage::Done => break 'walk None,
            _ => {}
        }
        tokio::select! {
            biased;
            _ = opts.stop.cancelled() => break 'walk Some("interrupted".into()),
            Some(seen) = inflight.next(), if !inflight.is_empty() => say(s.seen(seen, clock.now())),
            _ = clock.sleep(TICK) => {}
        }
    };
    // Observations still in flight are dropped with the walk: nothing it
    // started outlives it.
    drop(inflight);
    let mut outcome = s.outcome(&title, &|t| clock.utc(t));
    outcome.checks.splice(0..0, teachable);
    outcome.aborted = aborted;
    outcome.passed = outcome.aborted.is_none() && s.passed();
    outcome
}

/// Reads each question's live value and prints it: headless, nobody answers.
async fn ask_questions(
    s: &mut CaseSession,
    io: &dyn CaseIo,
    clock: &dyn Clock,
    emit: &(dyn Fn(RunEvent) + Sync),
) {
    for (index, q) in s.case.phases.detect.questions.clone().iter().enumerate() {
        let poll = Poll::Question {
            index,
            promql: q.promql.clone(),
            reduce: q.reduce,
        };
        let seen = io.observe(poll, s.captures.clone()).await;
        let live = match &seen {
            Seen::Question { live, .. } => *live,
            _ => None,
        };
        s.seen(seen, clock.now());
        emit(RunEvent::Question {
            id: q.id.clone(),
            ask: q.ask.get(s.lang).to_string(),
            live,
            unit: q.unit.clone(),
        });
    }
}

/// Observes every detect check once, before the fault: each must not hold,
/// except those marked `steady` (they show what stays the same).
async fn prove_teachable(s: &CaseSession, io: &dyn CaseIo) -> (Vec<CheckResult>, bool) {
    let mut results = Vec::new();
    for (index, c) in s.checks.iter().enumerate() {
        if c.phase != "detect" || c.check.steady {
            continue;
        }
        let poll = Poll::Check {
            index,
            probe: c.check.probe.clone(),
        };
        let seen = match io.observe(poll, s.captures.clone()).await {
            Seen::Check { seen, .. } => seen,
            _ => Observation::NoData,
        };
        let value = match seen {
            Observation::Holds(v) | Observation::Fails(v) => v,
            Observation::NoData | Observation::Refuted => None,
        };
        results.push(CheckResult {
            phase: "teachable",
            id: c.check.id.clone(),
            passed: !matches!(seen, Observation::Holds(_)),
            value,
            after: Duration::ZERO,
            message: tf(s.lang, E::NotTeachable, &[&c.check.id]),
        });
    }
    let ok = results.iter().all(|r| r.passed);
    (results, ok)
}

/// A check's result as the event the run prints.
pub(crate) fn check_event(r: &CheckResult) -> RunEvent {
    if r.passed {
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
    }
}
