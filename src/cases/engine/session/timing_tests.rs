//! Every time a case shows counts from its phase's start: a detect check
//! from the injection, a recover check from the recover action.

use super::tests::{healthy, latency_case, run_baseline};
use super::*;
use crate::cases::engine::probe::Observation::{Fails, Holds};
use crate::telemetry::AlertStatus;

/// Checks answered by id, by the seconds since the injection and since
/// the recover action: when each starts to hold.
fn timed(s: &CaseSession, p: &Poll, since_inj: f64, since_rec: Option<f64>) -> Seen {
    let Poll::Check { index, .. } = p else {
        return healthy(p);
    };
    let from = |at: f64, since: f64| {
        if since >= at {
            Holds(Some(2.2))
        } else {
            Fails(Some(0.05))
        }
    };
    let seen = match (s.checks[*index].check.id.as_str(), since_rec) {
        ("p95-above-objective", _) => from(6.0, since_inj),
        ("p95-times-baseline", _) => from(15.0, since_inj),
        ("p95-back-to-normal", Some(r)) => from(5.0, r),
        ("high-latency-cleared", Some(r)) => from(30.0, r),
        _ => Holds(Some(2.2)),
    };
    Seen::Check {
        index: *index,
        seen,
    }
}

#[test]
fn a_check_shows_its_time_since_the_injection_and_a_recover_check_since_the_recover_action() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let mut events = Vec::new();
    let mut t = t0;
    while !s.detect_finished() && t < t0 + 200.0 {
        events.extend(s.tick(t));
        for p in s.due(t) {
            let seen = match &p {
                Poll::Alert { index, .. } => Seen::Alert {
                    index: *index,
                    status: Some(AlertStatus::Firing),
                    active_for_s: None,
                },
                p => timed(&s, p, t - t0, None),
            };
            events.extend(s.seen(seen, t));
        }
        t += 1.0;
    }
    let after = |events: &[RunEvent], want: &str| {
        events.iter().find_map(|e| match e {
            RunEvent::CheckPassed { id, after_s, .. } if id == want => Some(*after_s),
            _ => None,
        })
    };
    assert_eq!(
        after(&events, "p95-above-objective"),
        Some(6.0),
        "p95 up at 6 s (seen on the 2 s poll): its time is when it first held, \
         not the end of its 5 s hold"
    );
    // It starts when the first check passes (12 s), is polled at 13 s and
    // then 5 s later: it passes 18 s after the injection, 6 s after it began.
    assert_eq!(
        after(&events, "p95-times-baseline"),
        Some(18.0),
        "a check that follows another still counts from the injection: {events:#?}"
    );
    let shown = s.checks.iter().find(|c| c.check.id == "p95-times-baseline");
    assert_eq!(shown.and_then(|c| c.after), Some(18.0));
    assert_eq!(s.time_to_detect, Some(6.0));

    let r0 = t + 100.0;
    s.recover(r0);
    let mut t = r0;
    while s.progress != Progress::Done && t < r0 + 300.0 {
        events.extend(s.tick(t));
        for p in s.due(t) {
            let seen = timed(&s, &p, t - t0, Some(t - r0));
            events.extend(s.seen(seen, t));
        }
        t += 1.0;
    }
    assert_eq!(s.progress, Progress::Done);
    let back = after(&events, "p95-back-to-normal").expect("back to normal");
    assert_eq!(
        back, 5.0,
        "down at 5 s (then held 15 s): counted from the recover action"
    );
    // Recover checks start together with the recover action: this one is
    // polled every 5 s from it, and clears at 30 s.
    assert_eq!(
        after(&events, "high-latency-cleared"),
        Some(30.0),
        "counted from the recover action, not from the check before it"
    );
    assert_eq!(
        s.time_to_recover,
        Some(30.0),
        "when the last one first held"
    );
}

/// The session injected at `t0`, its expected alert seen firing at `t`,
/// active for `active_for_s`.
fn alert_seen_at(lang: Lang, active_for_s: Option<f64>) -> (CaseSession, Vec<RunEvent>, f64) {
    let mut s = CaseSession::start(latency_case(), lang, 0.0);
    let t0 = run_baseline(&mut s);
    s.inject(t0, false);
    let seen = Seen::Alert {
        index: 0,
        status: Some(AlertStatus::Firing),
        active_for_s,
    };
    let events = s.seen(seen, t0 + 20.0);
    (s, events, t0)
}

#[test]
fn an_expected_alert_counts_only_if_it_became_active_after_the_injection() {
    let (s, events, _) = alert_seen_at(Lang::En, Some(12.0));
    assert_eq!(
        s.time_to_alert(),
        Some(20.0),
        "active 8 s after: {events:?}"
    );

    let (s, events, t0) = alert_seen_at(Lang::En, Some(20.0 + 90.0));
    assert_eq!(s.time_to_alert(), None, "active 90 s before the injection");
    assert!(s.alerts[0].active_before_injection);
    let text: Vec<String> = events.iter().map(|e| e.text(Lang::En)).collect();
    assert_eq!(
        text,
        [
            "✘ HighLatency was already active 90 s before the injection, so it does not count: \
          the baseline is not clean. Let it resolve, then start the case again."
        ],
        "at {t0}"
    );

    let (_, events, _) = alert_seen_at(Lang::Ru, Some(200.0));
    assert!(
        events
            .iter()
            .any(|e| e.text(Lang::Ru).contains("базовая линия не чистая")),
        "{events:?}"
    );
}

#[test]
fn the_case_is_sampled_from_start_to_end_and_its_peaks_come_from_the_fault_alone() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let mut t = 0.0;
    let answer = |s: &mut CaseSession, t: f64, p95: f64| {
        s.tick(t);
        for p in s.due(t) {
            let seen = match &p {
                Poll::Peaks => Seen::Peaks {
                    p95: Some(p95),
                    error_ratio: Some(0.0),
                    memory_bytes: Some(64.0 * 1024.0 * 1024.0),
                    memory_limit_bytes: Some(256.0 * 1024.0 * 1024.0),
                },
                other => healthy(other),
            };
            s.seen(seen, t);
        }
    };
    // A p95 of 9 s before the injection (a left-over from free play) is
    // drawn, but is not the case's peak.
    while s.progress != Progress::Ready && t < 200.0 {
        answer(&mut s, t, 9.0);
        t += 5.0;
    }
    let before = s.samples.len();
    assert!(
        before >= 10,
        "sampled while settling and at baseline: {before}"
    );
    s.inject(t, false).expect("ready");
    for _ in 0..6 {
        answer(&mut s, t, 2.5);
        t += 5.0;
    }
    assert_eq!(s.peak_p95, Some(2.5), "the peak is the fault's");
    assert!(s.samples.len() >= before + 6);
    let o = s.outcome("x", &|t| {
        crate::cases::engine::io::utc_after(chrono::DateTime::UNIX_EPOCH, t)
    });
    let first = o.samples.first().map(|p| p.s).unwrap_or_default();
    assert!(
        first < 0.0,
        "samples before the injection count negative: {first}"
    );
    assert_eq!(o.samples.last().and_then(|p| p.memory_mib), Some(64.0));
}
