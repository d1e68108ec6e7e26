//! The one case engine walked headless, on recorded telemetry and a fake
//! clock: a case of minutes takes milliseconds.

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::io::Clock;
use super::replay::{FakeClock, Replay};
use super::session::Poll;
use super::walk::{WalkOptions, walk};
use super::*;
use crate::cases::{CaseSet, Phase};

pub(crate) fn case(id: &str) -> Case {
    let set = CaseSet::shipped().expect("the shipped cases load");
    set.get(id).expect("shipped").clone()
}

/// Walks `case` headless on `replay`, returning its outcome and events.
pub(crate) async fn walk_headless(case: &Case, replay: &Replay) -> (CaseOutcome, Vec<RunEvent>) {
    let events = Mutex::new(Vec::new());
    let emit = |e: RunEvent| {
        if let Ok(mut v) = events.lock() {
            v.push(e);
        }
    };
    let stop = CancellationToken::new();
    let outcome = walk(
        case,
        WalkOptions {
            lang: Lang::En,
            prove_teachable: true,
            stop: &stop,
        },
        replay,
        replay.clock.as_ref(),
        &emit,
    )
    .await;
    (outcome, events.into_inner().unwrap_or_default())
}

#[tokio::test]
async fn case_one_walks_to_a_pass_with_times_counted_on_the_engines_clock() {
    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let (o, events) = walk_headless(&case("latency"), &replay).await;
    assert!(o.passed, "{o:#?}\n{events:#?}");
    assert_eq!(o.aborted, None);
    let ttd = o.time_to_detect.expect("detected").as_secs_f64();
    assert!(
        (10.0..=12.0).contains(&ttd),
        "p95 rises 10 s after the injection, polled every 2 s (then holds 5 s): {ttd}"
    );
    let tta = o.time_to_alert.expect("alerted").as_secs_f64();
    assert!((40.0..=42.5).contains(&tta), "fires at 40 s: {tta}");
    assert_eq!(
        o.peak_p95,
        Some(2.1),
        "the peak is read while the fault is in"
    );
    assert!(
        o.checks
            .iter()
            .any(|c| c.phase == Phase::Teachable && c.passed),
        "cases check proves the detect checks silent at baseline"
    );
    let order: Vec<Phase> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Phase { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            Phase::Baseline,
            Phase::Inject,
            Phase::Detect,
            Phase::Respond,
            Phase::Recover
        ],
        "{events:#?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, RunEvent::Question { live: Some(v), .. } if *v == 2.1)),
        "the questions' live values are printed: {events:#?}"
    );
}

#[tokio::test]
async fn a_recover_action_that_fails_leaves_nothing_polling_after_the_walk() {
    let clock = Arc::new(FakeClock::default());
    let mut replay = Replay::new(clock.clone());
    replay.recover_fails = true;
    let (o, _) = walk_headless(&case("latency"), &replay).await;
    let reason = o.aborted.expect("a failed recover action aborts the case");
    assert!(reason.contains("503"), "{reason}");
    assert!(!o.passed);
    let asked = replay.asked.lock().map(|a| a.len()).unwrap_or_default();
    // Time goes on after the walk: whatever it started would poll now.
    for _ in 0..100 {
        clock.advance(5.0);
        tokio::task::yield_now().await;
    }
    let after = replay.asked.lock().map(|a| a.len()).unwrap_or_default();
    assert_eq!(
        after, asked,
        "nothing polls Prometheus once the case is over"
    );
    assert!(
        replay
            .asked
            .lock()
            .is_ok_and(|a| a.iter().any(|(_, p)| *p == Poll::Peaks)),
        "the peaks were read during the case, by the engine itself"
    );
}

#[tokio::test]
async fn a_capture_without_data_ends_the_walk_with_its_reason_instead_of_settling_forever() {
    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let mut c = case("latency");
    if let Some(cap) = c.phases.baseline.captures.get_mut("p95_base") {
        cap.promql = "nothing_scrapes_this".into();
    }
    let (o, events) = walk_headless(&c, &replay).await;
    let reason = o.aborted.expect("aborted");
    assert!(
        reason.contains("capture `p95_base` found no data"),
        "{reason}"
    );
    assert!(
        clock.now() < 120.0,
        "settle 45 s, then three tries 5 s apart: {}",
        clock.now()
    );
    assert!(
        !events.iter().any(|e| matches!(
            e,
            RunEvent::Phase {
                phase: Phase::Detect,
                ..
            }
        )),
        "nothing was injected"
    );
}

#[tokio::test]
async fn the_report_gives_the_injection_and_the_recover_action_in_utc() {
    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let (o, _) = walk_headless(&case("latency"), &replay).await;
    let injected = o.timeline.injected.expect("injected");
    let recovered = o.timeline.recover_action.expect("recovered");
    let origin = super::replay::FAKE_ORIGIN_UTC;
    let after = |t: chrono::DateTime<chrono::Utc>| (t - origin).as_seconds_f64();
    assert!(
        (60.0..70.0).contains(&after(injected)),
        "settle 45 s and hold 15 s: {injected}"
    );
    assert!(recovered > injected);
    let rec = crate::cases::engine::CaseRecord::from_outcome(&o);
    let none = |_: &str| None;
    let md = report::markdown(
        std::slice::from_ref(&rec),
        report::Kind::Run,
        Lang::En,
        origin,
        &none,
    );
    let clock = injected.format("%H:%M:%S").to_string();
    assert!(clock.starts_with("00:01:0"), "{clock}");
    assert!(
        md.contains(&format!("| {clock} | 0.0 s | fault injected |")),
        "{md}"
    );
    let ru = report::markdown(&[rec], report::Kind::Run, Lang::Ru, origin, &none);
    assert!(
        ru.contains(&format!("| {clock} | 0.0 с | отказ внедрён |")),
        "{ru}"
    );
}

#[tokio::test]
async fn an_alert_left_firing_from_before_the_injection_does_not_count() {
    let clock = Arc::new(FakeClock::default());
    let mut replay = Replay::new(clock.clone());
    replay.alert_left_over = true;
    let events = Mutex::new(Vec::new());
    let emit = |e: RunEvent| {
        if let Ok(mut v) = events.lock() {
            v.push(e);
        }
    };
    let stop = CancellationToken::new();
    // Not proving the case teachable: the left-over alert would stop it
    // before the injection, and this is about what happens after it.
    let opts = WalkOptions {
        lang: Lang::En,
        prove_teachable: false,
        stop: &stop,
    };
    let o = walk(&case("latency"), opts, &replay, clock.as_ref(), &emit).await;
    let events = events.into_inner().unwrap_or_default();
    assert_eq!(o.time_to_alert, None, "no TTA from an old alert: {o:#?}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, RunEvent::AlertFired { .. })),
        "{events:#?}"
    );
    let said = events
        .iter()
        .find_map(|e| match e {
            RunEvent::AlertBeforeInjection { before_s, .. } => Some((*before_s, e.text(Lang::En))),
            _ => None,
        })
        .expect("the case says why the alert does not count");
    assert!(
        (60.0..70.0).contains(&said.0),
        "active since zero: {said:?}"
    );
    assert!(said.1.contains("HighLatency"), "{}", said.1);
    assert!(said.1.contains("the baseline is not clean"), "{}", said.1);
    let firing_check = o.checks.iter().find(|c| c.id == "high-latency-firing");
    assert_eq!(
        firing_check.map(|c| c.passed),
        Some(false),
        "the detect check that the alert fires waits for a fresh one"
    );
    assert!(!o.passed);
}
