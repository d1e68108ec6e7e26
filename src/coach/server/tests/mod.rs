//! Tests of the coach server: the model on its own (`model`), the routes
//! called in-process (`http`, and the class code under guessing: `codes`),
//! and a real socket (`serve`). Time is a fixed clock moved by hand.

mod codes;
mod http;
mod model;
mod serve;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use tokio_util::sync::CancellationToken;

use super::class::{Class, ClassOptions};
use super::kept::Kept;
use super::snapshot::Column;
use crate::cases::Lang;
use crate::coach::wire::{Batch, CoachEvent, Phase, Sent};

pub(super) const CODE: &str = "K7P2QX";
pub(super) const TOKEN: &str = "coach-token-0123456789";

pub(super) fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

pub(super) fn columns() -> Vec<Column> {
    ["latency", "error-rate", "memory-leak"]
        .into_iter()
        .map(|id| Column {
            id: id.into(),
            title: format!("The {id} case"),
        })
        .collect()
}

/// A class on a clock the test moves.
pub(super) fn class() -> (Arc<Class>, Arc<Mutex<DateTime<Utc>>>) {
    let now = Arc::new(Mutex::new(t0()));
    let clock = now.clone();
    let class = Class::new(ClassOptions {
        code: CODE.into(),
        token: TOKEN.into(),
        columns: columns(),
        stuck_after: TimeDelta::minutes(5),
        lang: Lang::En,
        clock: Arc::new(move || *clock.lock().expect("clock")),
        stop: CancellationToken::new(),
        kept: Kept::fresh(),
        state_dir: None,
    });
    (class, now)
}

pub(super) fn advance(now: &Mutex<DateTime<Utc>>, seconds: i64) {
    let mut t = now.lock().expect("clock");
    *t += TimeDelta::seconds(seconds);
}

/// A batch of `name`'s `run`, sent at `sent`, its events `(seq, at, event)`.
pub(super) fn batch(
    name: &str,
    run: &str,
    sent: DateTime<Utc>,
    events: Vec<(u64, DateTime<Utc>, CoachEvent)>,
) -> Batch {
    Batch {
        name: name.into(),
        run: run.into(),
        sent,
        messages_after: 0,
        epoch: String::new(),
        events: events
            .into_iter()
            .map(|(seq, at, event)| Sent { seq, at, event })
            .collect(),
    }
}

/// The events of a whole latency case that passed, one a second from
/// `start`, numbered from `first`.
pub(super) fn latency_walk(
    start: DateTime<Utc>,
    first: u64,
) -> Vec<(u64, DateTime<Utc>, CoachEvent)> {
    let case = || "latency".to_string();
    let phase = |p| CoachEvent::Phase {
        case: case(),
        phase: p,
    };
    let check = |p, passed, after_s| CoachEvent::Check {
        case: case(),
        phase: p,
        id: "p95".into(),
        passed,
        after_s,
    };
    let events = vec![
        CoachEvent::CaseStarted { case: case() },
        phase(Phase::Baseline),
        check(Phase::Baseline, true, 3.0),
        phase(Phase::Inject),
        phase(Phase::Detect),
        check(Phase::Detect, false, 5.0),
        check(Phase::Detect, true, 12.0),
        CoachEvent::Alert {
            case: case(),
            name: "HighLatency".into(),
            fired: true,
            after_s: Some(30.0),
        },
        CoachEvent::Hint { case: case() },
        CoachEvent::Answer {
            case: case(),
            question: "q1".into(),
            correct: Some(true),
        },
        phase(Phase::Respond),
        phase(Phase::Recover),
        check(Phase::Recover, true, 20.0),
        check(Phase::Recover, true, 25.0),
        phase(Phase::Rollback),
        CoachEvent::CaseFinished {
            case: case(),
            passed: true,
            aborted: false,
        },
    ];
    events
        .into_iter()
        .enumerate()
        .map(|(i, e)| (first + i as u64, start + TimeDelta::seconds(i as i64), e))
        .collect()
}

/// The snapshot, parsed.
pub(super) fn snapshot(class: &Class) -> serde_json::Value {
    serde_json::from_str(&class.snapshot_json()).expect("snapshot json")
}
