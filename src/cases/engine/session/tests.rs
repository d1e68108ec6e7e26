use super::*;
use crate::cases::CaseSet;
use crate::cases::Probe;
use crate::cases::engine::Captures;
use crate::cases::engine::probe::Observation::{Fails, Holds, NoData, Refuted};
use crate::telemetry::AlertStatus;

/// The shipped case `id`.
pub(super) fn shipped_case(id: &str) -> Case {
    let set = CaseSet::shipped().expect("the shipped cases load");
    set.get(id)
        .unwrap_or_else(|| panic!("case {id} is shipped"))
        .clone()
}

pub(super) fn latency_case() -> Case {
    shipped_case("latency")
}

/// Answers every due poll with `answer` at `now`, returning the events.
fn answer_all(s: &mut CaseSession, now: f64, answer: impl Fn(&Poll) -> Seen) -> Vec<RunEvent> {
    let mut events = s.tick(now);
    for p in s.due(now) {
        events.extend(s.seen(answer(&p), now));
    }
    events
}

pub(super) fn healthy(p: &Poll) -> Seen {
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
            active_for_s: None,
        },
        Poll::Question { index, .. } => Seen::Question {
            index: *index,
            live: Some(2.0),
        },
        Poll::Figure { index, .. } => Seen::Figure {
            index: *index,
            live: Some(1.0),
        },
        Poll::Peaks => Seen::Peaks {
            p95: Some(0.05),
            error_ratio: Some(0.0),
            memory_bytes: Some(40.0 * 1024.0 * 1024.0),
            memory_limit_bytes: Some(256.0 * 1024.0 * 1024.0),
        },
    }
}

pub(super) fn run_baseline(s: &mut CaseSession) -> f64 {
    let mut t = 0.0;
    while s.progress != Progress::Ready && t < 200.0 {
        answer_all(s, t, healthy);
        t += 5.0;
    }
    t
}

#[test]
fn injection_waits_for_a_healthy_baseline() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    assert!(s.inject(1.0, false).is_none(), "still settling");
    let due: Vec<Poll> = s
        .due(1.0)
        .into_iter()
        .filter(|p| !matches!(p, Poll::Figure { .. }))
        .collect();
    assert_eq!(
        due,
        vec![Poll::Peaks],
        "while settling only the chart's sample (and the live figures) are taken"
    );
    let t = run_baseline(&mut s);
    assert_eq!(s.progress, Progress::Ready);
    assert!(
        t >= 45.0 + 15.0,
        "settle 45 s then hold 15 s, got ready at {t}"
    );
    assert_eq!(s.captures.get("p95_base"), Some(&0.05));
    let (actions, _) = s.inject(t, false).expect("ready to inject");
    assert_eq!(actions.actions.len(), 1);
}

#[test]
fn an_unhealthy_baseline_blocks_injection_unless_forced() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let mut t = 0.0;
    while s.progress != Progress::BaselineFailed && t < 400.0 {
        answer_all(&mut s, t, |p| match p {
            Poll::Check { index, .. } => Seen::Check {
                index: *index,
                seen: Fails(Some(0.9)),
            },
            other => healthy(other),
        });
        t += 5.0;
    }
    assert_eq!(s.progress, Progress::BaselineFailed);
    assert!(s.inject(t, false).is_none());
    assert!(s.inject(t, true).is_some());
    assert_eq!(s.progress, Progress::Detect);
}

#[test]
fn detect_checks_run_in_order_and_time_to_detect_counts_from_injection() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let detect: Vec<usize> = (0..s.checks.len())
        .filter(|&i| s.checks[i].phase == crate::cases::Phase::Detect)
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
                active_for_s: None,
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
    // Timed from when the condition first held (10 s, polled every 2 s),
    // not from when its 5 s hold confirmed it.
    assert!(
        (10.0..=12.0).contains(&ttd),
        "10 s to rise + polling every 2 s: {ttd}"
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
                active_for_s: None,
            },
            other => healthy(other),
        });
        t += 1.0;
    }
    assert!(s.recover(t,).is_some());
    let r0 = t;
    while s.progress != Progress::Done && t < r0 + 300.0 {
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
    assert_eq!(s.progress, Progress::Done);
    let ttr = s.time_to_recover.expect("recovered");
    // Both recover checks start together; the last one's condition first
    // held after 30 s of no data (its 15 s hold confirmed it, uncounted).
    assert!((30.0..=32.0).contains(&ttr), "30 s of no data: {ttr}");
    assert!(s.passed());
    let epoch = chrono::DateTime::UNIX_EPOCH;
    let o = s.outcome("Slow payments", &|t| {
        crate::cases::engine::io::utc_after(epoch, t)
    });
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
                active_for_s: None,
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
fn on_no_data_fail_fails_the_check_at_once() {
    use crate::cases::engine::io::judge_query;
    let case = shipped_case("error-rate");
    let traffic = case
        .phases
        .baseline
        .checks
        .iter()
        .find(|c| c.id == "baseline-traffic")
        .expect("case 2 checks for traffic");
    let Probe::Query(q) = &traffic.probe else {
        panic!("a query check")
    };
    assert_eq!(
        judge_query(&[], q, &Captures::new()),
        Refuted,
        "no series where the check says on_no_data: fail"
    );
    assert_eq!(judge_query(&[f64::NAN], q, &Captures::new()), Refuted);
    let mut s = CaseSession::start(case, Lang::En, 0.0);
    let index = s
        .checks
        .iter()
        .position(|c| c.check.id == "baseline-traffic")
        .expect("listed");
    let mut t = 0.0;
    while s.progress == Progress::Settling && t < 100.0 {
        answer_all(&mut s, t, healthy);
        t += 1.0;
    }
    let events = s.seen(
        Seen::Check {
            index,
            seen: Refuted,
        },
        t,
    );
    assert_eq!(s.checks[index].status, CheckStatus::Failed);
    assert!(
        events.iter().any(|e| matches!(
            e,
            RunEvent::CheckFailed { id, message, .. }
                if id == "baseline-traffic" && message.contains("load generator")
        )),
        "{events:?}"
    );
}

#[test]
fn a_missing_capture_is_asked_again_then_fails_the_baseline_with_its_reason() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let mut asked = 0;
    let mut t = 0.0;
    while s.progress == Progress::Settling && t < 300.0 {
        s.tick(t);
        for p in s.due(t) {
            if let Poll::Capture { name, .. } = &p {
                if name == "p95_base" {
                    asked += 1;
                }
                let value = (name != "p95_base").then_some(10.0);
                s.seen(
                    Seen::Captured {
                        name: name.clone(),
                        value,
                    },
                    t,
                );
            }
        }
        t += 1.0;
    }
    assert_eq!(s.progress, Progress::BaselineFailed, "not settling forever");
    assert_eq!(asked, 3, "asked three times");
    assert!(t <= 45.0 + 12.0, "settle, then 5 s between tries: {t}");
    let why = s.baseline_problem.clone().expect("a reason");
    assert!(why.contains("`p95_base` found no data"), "{why}");
    assert!(
        s.inject(t, true).is_some(),
        "an instructor may still force it"
    );
}

#[test]
fn max_duration_ends_the_detect_phase_by_itself() {
    // Shorter than every detect check's timeout and the alert's `within`.
    let mut case = latency_case();
    case.phases.inject.max_duration = Some(crate::cases::CaseDuration::from_secs(30));
    let mut s = CaseSession::start(case, Lang::En, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let mut t = t0;
    while !s.detect_finished() && t < t0 + 200.0 {
        answer_all(&mut s, t, |p| match p {
            Poll::Check { index, .. } => Seen::Check {
                index: *index,
                seen: NoData,
            },
            Poll::Alert { index, .. } => Seen::Alert {
                index: *index,
                status: Some(AlertStatus::Pending),
                active_for_s: None,
            },
            other => healthy(other),
        });
        t += 5.0;
    }
    assert!(s.detect_finished(), "nothing left to wait for at {t}");
    assert!(t - t0 <= 30.0 + 5.0, "ended at max_duration: {}", t - t0);
    assert!(
        s.checks
            .iter()
            .filter(|c| c.phase == crate::cases::Phase::Detect)
            .all(|c| c.status == CheckStatus::Failed)
    );
    assert!(s.alerts.iter().all(|a| a.missed));
}

#[test]
fn errors_above_threshold_does_not_pass_on_a_ratio_shown_as_the_threshold() {
    use crate::cases::engine::io::judge_query;
    let case = shipped_case("error-rate");
    let check = case
        .phases
        .detect
        .checks
        .iter()
        .find(|c| c.id == "errors-above-threshold");
    let Some(Probe::Query(q)) = check.map(|c| &c.probe) else {
        panic!("case 2 checks the error ratio with a query")
    };
    let none = Captures::new();
    assert_eq!(judge_query(&[0.1], q, &none), Fails(Some(0.1)));
    assert_eq!(
        judge_query(&[0.1004], q, &none),
        Fails(Some(0.1004)),
        "shown 0.100"
    );
    assert_eq!(judge_query(&[0.1006], q, &none), Holds(Some(0.1006)));
}
