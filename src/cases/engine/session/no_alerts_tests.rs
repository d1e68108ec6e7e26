//! A stack without Prometheus evaluates no alert: the case's alert checks
//! and expected alerts are not available, never failed, and the case
//! passes or fails on what the scrape can show.

use super::tests::{healthy, latency_case, run_baseline};
use super::*;
use crate::cases::engine::probe::Observation::Holds;

/// Case 1 walked with every query check holding and no alert ever asked.
#[test]
fn without_prometheus_alert_checks_are_not_available_and_the_case_still_passes() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    assert!(s.needs_alerts(), "case 1 expects HighLatency");
    s.without_alerts();
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let mut t = t0;
    let mut events = Vec::new();
    let mut walk = |s: &mut CaseSession, t: &mut f64, until: &dyn Fn(&CaseSession) -> bool| {
        while !until(s) && *t < t0 + 900.0 {
            events.extend(s.tick(*t));
            for p in s.due(*t) {
                assert!(!matches!(p, Poll::Alert { .. }), "no alert is asked: {p:?}");
                let seen = match &p {
                    Poll::Check { index, probe } => {
                        assert!(!matches!(probe, Probe::Alert(_)), "{probe:?}");
                        Seen::Check {
                            index: *index,
                            seen: Holds(Some(2.3)),
                        }
                    }
                    other => healthy(other),
                };
                events.extend(s.seen(seen, *t));
            }
            *t += 1.0;
        }
    };
    walk(&mut s, &mut t, &|s| s.detect_finished());
    assert!(s.detect_finished(), "detect ends without its alerts");
    let alert_checks: Vec<_> = s
        .checks
        .iter()
        .filter(|c| matches!(c.check.probe, Probe::Alert(_)))
        .collect();
    assert!(!alert_checks.is_empty(), "case 1 has alert checks");
    assert!(
        alert_checks
            .iter()
            .all(|c| c.status == CheckStatus::Unavailable),
        "{:?}",
        alert_checks.iter().map(|c| c.status).collect::<Vec<_>>()
    );
    s.recover(t);
    walk(&mut s, &mut t, &|s| s.progress == Progress::Done);
    assert_eq!(s.progress, Progress::Done);
    assert!(
        !events.iter().any(|e| matches!(
            e,
            RunEvent::AlertMissed { .. } | RunEvent::CheckFailed { .. }
        )),
        "nothing is the student's failure: {events:?}"
    );
    assert!(s.passed(), "the case passes on what can be seen");
}
