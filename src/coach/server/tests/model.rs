//! The board model through [`Class`]: events in, snapshot out.

use chrono::TimeDelta;

use super::*;
use crate::coach::server::board::{MAX_RUNS, MAX_TIMELINE};

fn heartbeat(name: &str, run: &str) -> Batch {
    batch(name, run, t0(), vec![])
}

#[test]
fn a_latency_walk_moves_the_cell_and_fills_the_stats() {
    let (class, now) = class();
    let walk = latency_walk(t0(), 1);
    advance(&now, 20);
    let first = batch(
        "Ana",
        "r1",
        t0() + TimeDelta::seconds(20),
        walk[..7].to_vec(),
    );
    assert_eq!(class.post(&first).expect("ack").have, 7);
    let s = snapshot(&class);
    let ana = &s["students"][0];
    assert_eq!(ana["name"], "Ana");
    assert_eq!(ana["current"], "latency");
    assert_eq!(ana["cases"]["latency"]["phase"], "detect");
    assert_eq!(ana["cases"]["latency"]["ttd_s"], 12.0);
    assert_eq!(ana["cases"]["latency"]["checks_failed"], 1);
    // The detect phase began at t0+4s: 16 s ago.
    assert_eq!(ana["cases"]["latency"]["in_phase_s"], 16.0);
    assert_eq!(ana["seq"], 7);

    let rest = batch(
        "Ana",
        "r1",
        t0() + TimeDelta::seconds(20),
        walk[7..].to_vec(),
    );
    assert_eq!(class.post(&rest).expect("ack").have, 16);
    let s = snapshot(&class);
    let cell = &s["students"][0]["cases"]["latency"];
    assert_eq!(cell["phase"], "passed");
    assert_eq!(cell["tta_s"], 30.0);
    assert_eq!(cell["ttr_s"], 25.0);
    assert_eq!(
        (
            cell["hints"].clone(),
            cell["answers"].clone(),
            cell["right"].clone()
        ),
        (1.into(), 1.into(), 1.into())
    );
    assert_eq!(s["students"][0]["current"], serde_json::Value::Null);
    let stats = &s["stats"]["latency"];
    assert_eq!(stats["ttd_s"], serde_json::json!([12.0]));
    assert_eq!(stats["ttr_s"], serde_json::json!([25.0]));
    assert_eq!(
        (
            stats["started"].clone(),
            stats["passed"].clone(),
            stats["hints"].clone()
        ),
        (1.into(), 1.into(), 1.into())
    );
    assert_eq!(s["stats"]["error-rate"]["started"], 0);
    assert_eq!(s["cases"][0]["id"], "latency");
}

#[test]
fn a_retry_changes_nothing_and_a_new_run_stays_one_row() {
    let (class, _now) = class();
    assert_eq!(class.post(&heartbeat("Ana", "r1")).expect("ack").have, 0);
    let walk = batch("Ana", "r1", t0(), latency_walk(t0(), 1));
    class.post(&walk).expect("ack");
    let before = class.snapshot_json();
    assert_eq!(class.post(&walk).expect("retry").have, 16);
    assert_eq!(class.snapshot_json(), before);
    let json = class.timeline_json(" ana ").expect("timeline");
    let timeline: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(timeline["events"].as_array().map(Vec::len), Some(16));

    // The console restarted: a new run id, another spelling, another case.
    let again = batch(
        "ANA",
        "r2",
        t0(),
        vec![(
            1,
            t0(),
            CoachEvent::CaseStarted {
                case: "error-rate".into(),
            },
        )],
    );
    assert_eq!(class.post(&again).expect("ack").have, 1);
    let s = snapshot(&class);
    assert_eq!(s["students"].as_array().map(Vec::len), Some(1));
    let row = &s["students"][0];
    assert_eq!(row["name"], "ANA");
    assert_eq!(row["seq"], 1);
    assert_eq!(row["current"], "error-rate");
    assert_eq!(row["cases"]["latency"]["phase"], "passed");
    assert_eq!(row["cases"]["error-rate"]["phase"], "baseline");
}

#[test]
fn a_restarted_coach_asks_for_what_it_lost_once() {
    let (class, _now) = class();
    let walk = latency_walk(t0(), 1);
    // The coach was down while events 1..=10 were sent: it sees 11.. first.
    let late = batch("Ana", "r1", t0(), walk[10..].to_vec());
    assert_eq!(class.post(&late).expect("ack").have, 0);
    assert_eq!(
        snapshot(&class)["students"][0]["cases"],
        serde_json::json!({})
    );
    // The sender sends again from 1: everything applies.
    let all = batch("Ana", "r1", t0(), walk.clone());
    assert_eq!(class.post(&all).expect("ack").have, 16);
    assert_eq!(
        snapshot(&class)["students"][0]["cases"]["latency"]["phase"],
        "passed"
    );
    // A sender that no longer holds seq 1 is taken as it comes.
    let (class, _now) = class_pair();
    assert_eq!(class.post(&late).expect("ack").have, 0);
    assert_eq!(class.post(&late).expect("ack").have, 16);
}

fn class_pair() -> (
    std::sync::Arc<Class>,
    std::sync::Arc<std::sync::Mutex<chrono::DateTime<chrono::Utc>>>,
) {
    class()
}

#[test]
fn a_laptop_clock_an_hour_behind_is_corrected() {
    let (class, _now) = class();
    let behind = t0() - TimeDelta::hours(1);
    let b = batch(
        "Ana",
        "r1",
        behind,
        vec![(
            1,
            behind - TimeDelta::seconds(30),
            CoachEvent::CaseStarted {
                case: "latency".into(),
            },
        )],
    );
    class.post(&b).expect("ack");
    let s = snapshot(&class);
    assert_eq!(s["students"][0]["cases"]["latency"]["in_phase_s"], 30.0);
}

fn stuck(class: &Class) -> Vec<String> {
    snapshot(class)["students"][0]["stuck"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s["why"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn no_progress_for_the_stuck_time_highlights_the_row() {
    let (class, now) = class();
    let open = latency_walk(t0(), 1)[..5].to_vec();
    advance(&now, 4);
    let sent = t0() + TimeDelta::seconds(4);
    class.post(&batch("Ana", "r1", sent, open)).expect("ack");
    advance(&now, 4 * 60);
    assert!(stuck(&class).is_empty());
    advance(&now, 60);
    assert_eq!(stuck(&class), ["no_progress"]);
    let s = snapshot(&class);
    assert_eq!(s["students"][0]["stuck"][0]["case"], "latency");
    // Progress was the detect phase, at t0+4s.
    assert_eq!(s["students"][0]["stuck"][0]["for_s"], 300.0);
    assert_eq!(s["students"][0]["online"], false);
    assert_eq!(s["students"][0]["seen_s"], 300.0);
}

#[test]
fn a_failed_baseline_and_an_oom_loop_are_stuck_while_the_case_is_open() {
    let (class, now) = class();
    let case = || "memory-leak".to_string();
    let events = vec![
        (1, t0(), CoachEvent::CaseStarted { case: case() }),
        (2, t0(), CoachEvent::BaselineFailed { case: case() }),
        (
            3,
            t0(),
            CoachEvent::AppCounts {
                case: case(),
                oom_kills: 2,
                restarts: 2,
            },
        ),
    ];
    class.post(&batch("Ana", "r1", t0(), events)).expect("ack");
    assert_eq!(stuck(&class), ["baseline"]);
    advance(&now, 10);
    let third = vec![(
        4,
        t0(),
        CoachEvent::AppCounts {
            case: case(),
            oom_kills: 3,
            restarts: 3,
        },
    )];
    class.post(&batch("Ana", "r1", t0(), third)).expect("ack");
    assert_eq!(stuck(&class), ["baseline", "oom_loop"]);
    let finished = vec![(
        5,
        t0(),
        CoachEvent::CaseFinished {
            case: case(),
            passed: false,
            aborted: true,
        },
    )];
    class
        .post(&batch("Ana", "r1", t0(), finished))
        .expect("ack");
    assert!(stuck(&class).is_empty());
    let cell = &snapshot(&class)["students"][0]["cases"]["memory-leak"];
    assert_eq!(
        (cell["phase"].clone(), cell["aborted"].clone()),
        ("failed".into(), true.into())
    );
}

#[test]
fn a_fault_left_after_the_case_is_flagged_after_a_grace() {
    let (class, now) = class();
    let events = vec![
        (
            1,
            t0(),
            CoachEvent::CaseStarted {
                case: "latency".into(),
            },
        ),
        (2, t0(), CoachEvent::Faults { active: true }),
        (
            3,
            t0(),
            CoachEvent::CaseLeft {
                case: "latency".into(),
            },
        ),
    ];
    class.post(&batch("Ana", "r1", t0(), events)).expect("ack");
    assert!(stuck(&class).is_empty());
    assert_eq!(
        snapshot(&class)["students"][0]["cases"]["latency"]["phase"],
        "left"
    );
    advance(&now, 11);
    assert_eq!(stuck(&class), ["fault_left"]);
    let off = vec![(
        4,
        t0() + TimeDelta::seconds(11),
        CoachEvent::Faults { active: false },
    )];
    class
        .post(&batch("Ana", "r1", t0() + TimeDelta::seconds(11), off))
        .expect("ack");
    assert!(stuck(&class).is_empty());
}

#[test]
fn the_timeline_and_the_runs_are_bounded() {
    let (class, _now) = class();
    let hints: Vec<_> = (1..=200)
        .map(|i| {
            (
                i,
                t0(),
                CoachEvent::Hint {
                    case: "latency".into(),
                },
            )
        })
        .collect();
    for run in 0..6 {
        let b = batch("Ana", &format!("r{run}"), t0(), hints.clone());
        class.post(&b).expect("ack");
    }
    let json = class.timeline_json("Ana").expect("timeline");
    let timeline: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        timeline["events"].as_array().map(Vec::len),
        Some(MAX_TIMELINE)
    );
    for run in 0..(MAX_RUNS + 4) {
        class
            .post(&heartbeat("Ana", &format!("h{run}")))
            .expect("ack");
    }
    // r0 was forgotten: its old events are taken as new ones.
    let retried = batch("Ana", "r0", t0(), hints[..1].to_vec());
    assert_eq!(class.post(&retried).expect("ack").have, 1);
    assert!(class.timeline_json("Bob").is_none());
}

/// 200 viewers on a stream ask for the board 4 times a second each: they
/// share one build while the class is unchanged and the board is younger
/// than the stream's coalescing gap.
#[test]
fn one_board_is_built_for_every_viewer_until_a_change_or_the_gap_is_over() {
    let (class, now) = class();
    let later = |ms| {
        let mut t = now.lock().expect("clock");
        *t += TimeDelta::milliseconds(ms);
    };
    class.post(&heartbeat("Ana", "r1")).expect("ack");
    let built = snapshot(&class)["now"].clone();
    later(200);
    assert_eq!(snapshot(&class)["now"], built, "shared within the gap");
    class.post(&heartbeat("Bob", "r1")).expect("ack");
    let changed = snapshot(&class);
    assert_ne!(changed["now"], built, "a change builds at once");
    assert_eq!(changed["students"].as_array().map(Vec::len), Some(2));
    later(249);
    assert_eq!(snapshot(&class)["now"], changed["now"]);
    later(1);
    assert_ne!(snapshot(&class)["now"], changed["now"], "the gap is over");
}

#[test]
fn messages_reach_each_console_once_per_epoch() {
    let (class, _now) = class();
    assert_eq!(class.broadcast("5 minutes left on case 2"), Ok(1));
    assert_eq!(class.broadcast("break"), Ok(2));
    let ack = class.post(&heartbeat("Ana", "r1")).expect("ack");
    assert_eq!(ack.messages.len(), 2, "a new epoch gets all");
    let mut next = heartbeat("Ana", "r1");
    next.epoch = ack.epoch.clone();
    next.messages_after = 1;
    let ack = class.post(&next).expect("ack");
    assert_eq!(ack.messages.iter().map(|m| m.id).collect::<Vec<_>>(), [2]);
    for i in 0..30 {
        class.broadcast(&format!("m{i}")).expect("sent");
    }
    assert_eq!(
        snapshot(&class)["messages"].as_array().map(Vec::len),
        Some(20)
    );
}

#[test]
fn two_hundred_students_through_a_case_make_a_board_a_projector_can_take() {
    let (class, _now) = class();
    let started = std::time::Instant::now();
    for i in 0..200 {
        let walk = latency_walk(t0(), 1);
        for (n, chunk) in walk.chunks(4).enumerate() {
            let b = batch(&format!("Student {i}"), "r1", t0(), chunk.to_vec());
            assert_eq!(class.post(&b).expect("ack").have, 4 * (n as u64 + 1));
        }
    }
    let posted = started.elapsed();
    let started = std::time::Instant::now();
    let json = class.snapshot_json();
    let built = started.elapsed();
    eprintln!(
        "800 posts in {posted:?}; a board of {} bytes built in {built:?}",
        json.len()
    );
    // About 600 bytes a student with one case: 4 boards a second stay
    // well under a megabyte a second per projector.
    assert!(json.len() < 200 * 1024, "{} bytes", json.len());
    assert_eq!(snapshot(&class)["stats"]["latency"]["passed"], 200);
}
