use super::*;
use crate::cases::CaseSet;
use crate::cases::Probe;
use crate::cases::runner::Observation::{Fails, Holds, NoData};
use crate::telemetry::AlertStatus;

fn latency_case() -> Case {
    let set = CaseSet::shipped().expect("the shipped cases load");
    set.get("latency").expect("case 1 is shipped").clone()
}

/// Answers every due poll with `answer` at `now`, returning the events.
fn answer_all(s: &mut CaseSession, now: f64, answer: impl Fn(&Poll) -> Seen) -> Vec<RunEvent> {
    let mut events = s.tick(now);
    for p in s.due(now) {
        events.extend(s.seen(answer(&p), now));
    }
    events
}

fn healthy(p: &Poll) -> Seen {
    match p {
        Poll::Capture { name, .. } => Seen::Captured {
            name: name.clone(),
            value: Some(if name.starts_with("p95") { 0.05 } else { 10.0 }),
        },
        Poll::Check { index, .. } => Seen::Check {
            index: *index,
            seen: Holds(Some(0.05)),
        },
        Poll::Alert { index, .. } => Seen::Alert {
            index: *index,
            status: Some(AlertStatus::Inactive),
        },
        Poll::Question { index, .. } => Seen::Question {
            index: *index,
            live: Some(2.0),
        },
    }
}

fn run_baseline(s: &mut CaseSession) -> f64 {
    let mut t = 0.0;
    while s.stage != Stage::Ready && t < 200.0 {
        answer_all(s, t, healthy);
        t += 5.0;
    }
    t
}

#[test]
fn injection_waits_for_a_healthy_baseline() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    assert!(s.inject(1.0, false).is_none(), "still settling");
    assert_eq!(s.due(1.0), vec![], "nothing to observe while settling");
    let t = run_baseline(&mut s);
    assert_eq!(s.stage, Stage::Ready);
    assert!(
        t >= 45.0 + 15.0,
        "settle 45 s then hold 15 s, got ready at {t}"
    );
    assert_eq!(s.captures.get("p95_base"), Some(&0.05));
    let (actions, _) = s.inject(t, false).expect("ready to inject");
    assert_eq!(actions.len(), 1);
}

#[test]
fn an_unhealthy_baseline_blocks_injection_unless_forced() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let mut t = 0.0;
    while s.stage != Stage::BaselineFailed && t < 400.0 {
        answer_all(&mut s, t, |p| match p {
            Poll::Check { index, .. } => Seen::Check {
                index: *index,
                seen: Fails(Some(0.9)),
            },
            other => healthy(other),
        });
        t += 5.0;
    }
    assert_eq!(s.stage, Stage::BaselineFailed);
    assert!(s.inject(t, false).is_none());
    assert!(s.inject(t, true).is_some());
    assert_eq!(s.stage, Stage::Detect);
}

#[test]
fn detect_checks_run_in_order_and_time_to_detect_counts_from_injection() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let detect: Vec<usize> = (0..s.checks.len())
        .filter(|&i| s.checks[i].phase == "detect")
        .collect();
    assert_eq!(s.checks[detect[0]].status, CheckStatus::Pending);
    assert_eq!(s.checks[detect[1]].status, CheckStatus::Waiting);
    // p95 goes up 10 s after the injection, and the alert fires at 50 s.
    let mut t = t0;
    let mut fired = false;
    while t < t0 + 120.0 {
        let since = t - t0;
        let events = answer_all(&mut s, t, |p| match p {
            Poll::Check { index, .. } => Seen::Check {
                index: *index,
                seen: if since >= 10.0 {
                    Holds(Some(2.1))
                } else {
                    Fails(Some(0.05))
                },
            },
            Poll::Alert { index, .. } => Seen::Alert {
                index: *index,
                status: Some(if since >= 50.0 {
                    AlertStatus::Firing
                } else {
                    AlertStatus::Pending
                }),
            },
            other => healthy(other),
        });
        fired |= events
            .iter()
            .any(|e| matches!(e, RunEvent::AlertFired { .. }));
        t += 1.0;
    }
    assert!(fired);
    let ttd = s.time_to_detect.expect("detected");
    assert!(
        (15.0..=18.0).contains(&ttd),
        "10 s to rise + hold_for 5 s + polling every 2 s: {ttd}"
    );
    assert_eq!(s.time_to_alert(), Some(50.0));
    assert_eq!(s.checks[detect[0]].value, Some(2.1));
}

#[test]
fn recovery_is_timed_and_the_outcome_reads_like_the_headless_runners() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let mut t = t0;
    while t < t0 + 100.0 {
        answer_all(&mut s, t, |p| match p {
            Poll::Check { index, .. } => Seen::Check {
                index: *index,
                seen: Holds(Some(2.0)),
            },
            Poll::Alert { index, .. } => Seen::Alert {
                index: *index,
                status: Some(AlertStatus::Firing),
            },
            other => healthy(other),
        });
        t += 1.0;
    }
    assert!(s.recover(t,).is_some());
    let r0 = t;
    while s.stage != Stage::Done && t < r0 + 300.0 {
        answer_all(&mut s, t, |p| match p {
            Poll::Check { index, probe } => Seen::Check {
                index: *index,
                seen: match probe {
                    Probe::Alert(_) => Holds(None),
                    _ if t - r0 < 30.0 => NoData,
                    _ => Holds(Some(0.06)),
                },
            },
            other => healthy(other),
        });
        t += 1.0;
    }
    assert_eq!(s.stage, Stage::Done);
    let ttr = s.time_to_recover.expect("recovered");
    assert!(
        (45.0..=50.0).contains(&ttr),
        "30 s of no data + hold 15 s: {ttr}"
    );
    assert!(s.passed());
    let o = s.outcome("Slow payments");
    assert!(o.passed);
    assert_eq!(o.checks.len(), s.checks.len());
    assert!(o.time_to_alert.is_some());
}

#[test]
fn a_pending_check_releases_its_hint_and_hints_on_request_come_one_by_one() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let mut hints = Vec::new();
    let mut t = t0;
    while t < t0 + 85.0 {
        for e in answer_all(&mut s, t, |p| match p {
            Poll::Check { index, .. } => Seen::Check {
                index: *index,
                seen: Holds(Some(2.0)),
            },
            Poll::Alert { index, .. } => Seen::Alert {
                index: *index,
                status: Some(AlertStatus::Pending),
            },
            other => healthy(other),
        }) {
            if let RunEvent::Hint { text } = e {
                hints.push((t - t0, text));
            }
        }
        t += 1.0;
    }
    assert_eq!(hints.len(), 1, "{hints:?}");
    assert!(
        (60.0..61.0).contains(&hints[0].0),
        "the 60 s hint: {hints:?}"
    );
    assert!(s.request_hint().is_some());
    assert!(s.request_hint().is_none(), "case 1 has one hint on request");
}

#[test]
fn a_question_is_judged_against_the_live_value_within_tolerance() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let poll = s.answer(0, 2.2).expect("question 0 exists");
    assert!(matches!(poll, Poll::Question { index: 0, .. }));
    s.seen(
        Seen::Question {
            index: 0,
            live: Some(2.0),
        },
        1.0,
    );
    assert_eq!(s.questions[0].correct, Some(true), "25% of 2.0 allows 2.2");
    s.answer(0, 3.0);
    s.seen(
        Seen::Question {
            index: 0,
            live: Some(2.0),
        },
        2.0,
    );
    assert_eq!(s.questions[0].correct, Some(false));
}
