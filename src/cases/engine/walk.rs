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

use crate::cases::{Case, Lang, Phase};
use crate::words::{E, P, t, tf};

use super::actions::{Acting, PhaseActions, run_actions};
use super::examine;
use super::io::{CaseIo, Clock};
use super::probe::{CheckResult, Observation};
use super::session::{CaseSession, Poll, Progress, Seen};
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
        phase: Phase::Baseline,
    });
    let say = |events: Vec<RunEvent>| {
        for e in events {
            if !matches!(e, RunEvent::CaseFinished { .. }) {
                emit(e);
            }
        }
    };
    let mut teachable: Vec<CheckResult> = Vec::new();
    // `cases check`: every check read at each moment, for the author.
    let mut examined = examine::table(case);
    let examine = opts.prove_teachable;
    let mut inflight = FuturesUnordered::new();
    let aborted = 'walk: loop {
        let now = clock.now();
        say(s.tick(now));
        for poll in s.due(now) {
            inflight.push(io.observe(poll, s.captures.clone()));
        }
        let stopped = match s.progress {
            Progress::Ready => {
                if examine {
                    examine::read_all(case, &mut examined, Phase::Baseline, io, &s.captures).await;
                }
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
                inject(&mut s, io, clock, emit).await
            }
            Progress::BaselineFailed => Some(
                s.baseline_problem
                    .clone()
                    .unwrap_or_else(|| t(opts.lang, E::BaselineUnhealthy).to_string()),
            ),
            Progress::Detect if s.detect_finished() => {
                if examine {
                    examine::read_all(case, &mut examined, Phase::Detect, io, &s.captures).await;
                }
                respond_and_recover(&mut s, io, clock, emit).await
            }
            Progress::Done => {
                if examine {
                    examine::read_all(case, &mut examined, Phase::Recover, io, &s.captures).await;
                }
                break 'walk None;
            }
            // A query read another process than the app.
            Progress::Stopped => s.stopped.clone(),
            _ => None,
        };
        if stopped.is_some() {
            break 'walk stopped;
        }
        tokio::select! {
            biased;
            _ = opts.stop.cancelled() => break 'walk Some(t(opts.lang, P::Interrupted).to_string()),
            Some(seen) = inflight.next(), if !inflight.is_empty() => say(s.seen(seen, clock.now())),
            _ = clock.sleep(TICK) => {}
        }
    };
    // Observations still in flight are dropped with the walk: nothing it
    // started outlives it.
    drop(inflight);
    let mut outcome = s.outcome(&title, &|t| clock.utc(t));
    outcome.checks.splice(0..0, teachable);
    if examine {
        outcome.examined = examined;
    }
    outcome.aborted = aborted;
    outcome.passed = outcome.aborted.is_none() && s.passed();
    outcome
}

/// The student's decision, taken at once: the fault goes in. `Some`: why
/// the case stopped (an inject action failed).
async fn inject(
    s: &mut CaseSession,
    io: &dyn CaseIo,
    clock: &dyn Clock,
    emit: &(dyn Fn(RunEvent) + Sync),
) -> Option<String> {
    let (actions, [inject, detect]) = s.inject(clock.now(), false)?;
    emit(inject);
    let stopped = act(s, io, &actions, emit).await;
    if stopped.is_none() {
        emit(detect);
    }
    stopped
}

/// Detect has nothing left to wait for: the questions' live values, the
/// runbook prompts, then the recovery. `Some`: why the case stopped (a
/// recover action failed).
async fn respond_and_recover(
    s: &mut CaseSession,
    io: &dyn CaseIo,
    clock: &dyn Clock,
    emit: &(dyn Fn(RunEvent) + Sync),
) -> Option<String> {
    ask_questions(s, io, clock, emit).await;
    emit(RunEvent::Phase {
        case: s.case.id.clone(),
        phase: Phase::Respond,
    });
    for prompt in &s.case.phases.respond.prompts {
        emit(RunEvent::Prompt {
            text: prompt.get(s.lang).to_string(),
        });
    }
    let (actions, event) = s.recover(clock.now())?;
    emit(event);
    act(s, io, &actions, emit).await
}

/// Runs a phase's actions the one way ([`run_actions`]), saying each before
/// it starts, and tells the session how they went.
async fn act(
    s: &mut CaseSession,
    io: &dyn CaseIo,
    actions: &PhaseActions,
    emit: &(dyn Fn(RunEvent) + Sync),
) -> Option<String> {
    let lang = s.lang;
    let hear = |a: Acting<'_>| {
        if let Acting::Starting(action) = a {
            emit(RunEvent::Action {
                action: action.text(lang),
            });
        }
    };
    let outcome = run_actions(io, actions, &hear).await;
    s.actions_done(&outcome)
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
        if c.phase != Phase::Detect || c.check.steady {
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
            phase: Phase::Teachable,
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
