//! The link against the real coach server (`crate::coach::server`) on
//! 127.0.0.1, with the shipped cases as its columns: what reaches the
//! board, and what the link does when the coach is away, restarts, or
//! refuses. Each test asserts on what the coach holds (its snapshot and
//! the student's timeline), not on what was posted.
//!
//! Not repeated here, because `outbox_tests.rs` holds the logic without a
//! socket: the backoff after a 5xx (`errors_back_off_1_2_4_8_then_stay_at_8_s`)
//! and a restarted coach that took a post before the history went again
//! (`a_coach_that_restarted_between_two_posts_gets_everything_under_a_new_run`).

use std::net::SocketAddr;

use chrono::TimeDelta;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::*;
use crate::cases::{CaseSet, Lang};
use crate::coach::server::{self, Class, ClassOptions, Column, Kept, StateDir};
use crate::coach::wire::Phase;

const CODE: &str = "K7P2QX";
const TOKEN: &str = "coach-token-0123456789";

/// A coach server on 127.0.0.1 that the test can stop.
struct Coach {
    /// The class URL a student joins with.
    url: String,
    addr: SocketAddr,
    class: Arc<Class>,
    stop: CancellationToken,
    /// Where it keeps its messages, if anywhere (`--state-dir`).
    state_dir: Option<StateDir>,
}

/// The shipped cases, as `workshop coach` shows them.
fn columns() -> Vec<Column> {
    let set = CaseSet::load(None).expect("the shipped cases load");
    Column::of(set.cases(), Lang::En)
}

/// A fresh class (an empty board; a new epoch, or the messages kept in
/// `state_dir`) served on `listener`.
fn serve_on(listener: TcpListener, state_dir: Option<StateDir>) -> Coach {
    let addr = listener.local_addr().expect("an address");
    let stop = CancellationToken::new();
    let kept = state_dir
        .as_ref()
        .and_then(|d| d.load(server::MAX_MESSAGES).expect("readable"))
        .unwrap_or_else(Kept::fresh);
    let class = Class::new(ClassOptions {
        code: CODE.into(),
        token: TOKEN.into(),
        columns: columns(),
        stuck_after: TimeDelta::minutes(5),
        lang: Lang::En,
        clock: Arc::new(Utc::now),
        stop: stop.clone(),
        kept,
        state_dir: state_dir.clone(),
    });
    tokio::spawn(server::serve(
        listener,
        class.clone(),
        format!("http://{addr}"),
        stop.clone(),
    ));
    Coach {
        url: format!("http://{addr}/class/{CODE}"),
        addr,
        class,
        stop,
        state_dir,
    }
}

/// A coach on a free port.
async fn coach() -> Coach {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    serve_on(listener, None)
}

/// Stops `old`, waits `down`, and starts a fresh class on the same port:
/// the coach restarted, and remembers nothing but what it kept in its
/// state dir.
async fn restart(old: Coach, down: Duration) -> Coach {
    old.stop.cancel();
    tokio::time::sleep(down).await;
    // The old server lets go of the port once its connections closed.
    for _ in 0..100 {
        if let Ok(listener) = TcpListener::bind(old.addr).await {
            return serve_on(listener, old.state_dir);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("port {} never came free", old.addr);
}

fn join(url: &str) -> Join {
    Join {
        url: url.into(),
        name: "Ana".into(),
    }
}

fn phase(p: Phase) -> CoachEvent {
    CoachEvent::Phase {
        case: "latency".into(),
        phase: p,
    }
}

/// The start of a latency case: four events the board counts.
fn walk() -> Vec<CoachEvent> {
    vec![
        CoachEvent::CaseStarted {
            case: "latency".into(),
        },
        phase(Phase::Baseline),
        phase(Phase::Detect),
        CoachEvent::Hint {
            case: "latency".into(),
        },
    ]
}

/// Ana's row on the coach's board, if she has one; also checks she is
/// the only row (a student appears once).
fn row(class: &Class) -> Option<Value> {
    let snapshot: Value = serde_json::from_str(&class.snapshot_json()).expect("snapshot json");
    let students = snapshot["students"].as_array().expect("students");
    assert!(students.len() <= 1, "one row per student: {students:?}");
    students.iter().find(|r| r["name"] == "Ana").cloned()
}

/// The highest seq the coach holds of Ana's run (0 for no row).
fn seq(class: &Class) -> u64 {
    row(class).and_then(|r| r["seq"].as_u64()).unwrap_or(0)
}

/// Ana's timeline on the coach: each event's seq and the event.
fn timeline(class: &Class) -> Vec<(u64, Value)> {
    let Some(json) = class.timeline_json("Ana") else {
        return Vec::new();
    };
    let t: Value = serde_json::from_str(&json).expect("timeline json");
    t["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["seq"].as_u64().expect("a seq"), e["event"].clone()))
        .collect()
}

/// `events` as the coach's timeline holds them, numbered from 1.
fn numbered(events: &[CoachEvent]) -> Vec<(u64, Value)> {
    events
        .iter()
        .enumerate()
        .map(|(i, e)| (i as u64 + 1, serde_json::to_value(e).expect("json")))
        .collect()
}

/// Waits (up to 10 s) for `done`.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

/// Waits (up to 10 s) for the link to show `state`.
async fn state(link: &CoachLink, state: LinkState) {
    let mut states = link.watch_state();
    tokio::time::timeout(Duration::from_secs(10), states.wait_for(|s| *s == state))
        .await
        .unwrap_or_else(|_| panic!("never {state:?}"))
        .expect("the link's state");
}

async fn message(messages: &mut mpsc::UnboundedReceiver<Message>) -> String {
    tokio::time::timeout(Duration::from_secs(10), messages.recv())
        .await
        .expect("a message in time")
        .expect("a message")
        .text
}

#[tokio::test]
async fn events_reach_the_coach_in_order_and_its_message_comes_back() {
    let coach = coach().await;
    coach
        .class
        .broadcast("5 minutes left on case 2")
        .expect("a message");
    let (link, mut messages) = CoachLink::start(join(&coach.url));
    for e in walk() {
        link.send(e);
    }
    assert_eq!(message(&mut messages).await, "5 minutes left on case 2");
    until("four events held", || seq(&coach.class) == 4).await;
    assert_eq!(timeline(&coach.class), numbered(&walk()));
    let ana = row(&coach.class).expect("Ana's row");
    assert_eq!(ana["current"], "latency");
    assert_eq!(ana["cases"]["latency"]["phase"], "detect");
    assert_eq!(ana["cases"]["latency"]["hints"], 1);
    assert_eq!(link.state(), LinkState::Live);

    // A message sent while the student works comes with the next answer.
    coach.class.broadcast("case 3 next").expect("a message");
    link.send(phase(Phase::Respond));
    assert_eq!(message(&mut messages).await, "case 3 next");
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
    assert_eq!(seq(&coach.class), 5);
    assert!(messages.try_recv().is_err(), "each message once");
}

#[tokio::test]
async fn no_coach_never_blocks_the_sender_and_finish_is_bounded() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    let (link, _messages) = CoachLink::start(join(&format!("http://{addr}/class/{CODE}")));
    let started = std::time::Instant::now();
    for _ in 0..(QUEUE * 3) {
        link.send(phase(Phase::Detect));
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "sending waited"
    );
    state(&link, LinkState::Retrying).await;
    let started = std::time::Instant::now();
    let lost = link.finish(Duration::from_millis(300)).await;
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(lost >= 1, "{lost}");
}

#[tokio::test]
async fn a_coach_that_restarted_at_once_catches_up() {
    let coach = coach().await;
    let (link, _messages) = CoachLink::start(join(&coach.url));
    let events = walk();
    link.send(events[0].clone());
    link.send(events[1].clone());
    until("two held", || seq(&coach.class) == 2).await;
    let coach = restart(coach, Duration::ZERO).await;
    assert!(row(&coach.class).is_none(), "the new coach starts empty");
    link.send(events[2].clone());
    until("all three held by the new coach", || seq(&coach.class) == 3).await;
    assert_eq!(timeline(&coach.class), numbered(&events[..3]));
    let ana = row(&coach.class).expect("Ana's row");
    assert_eq!(ana["cases"]["latency"]["phase"], "detect");
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
}

#[tokio::test]
async fn a_coach_that_was_down_and_came_back_catches_up() {
    let coach = coach().await;
    let (link, _messages) = CoachLink::start(join(&coach.url));
    let events = walk();
    link.send(events[0].clone());
    link.send(events[1].clone());
    until("two held", || seq(&coach.class) == 2).await;
    let addr = coach.addr;
    coach.stop.cancel();
    // Sent while the coach is down: the student is not slowed, and the
    // link, finding no coach, says so.
    let started = std::time::Instant::now();
    link.send(events[2].clone());
    link.send(events[3].clone());
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "sending waited"
    );
    state(&link, LinkState::Retrying).await;
    let coach = restart(coach, Duration::from_millis(1500)).await;
    assert_eq!(coach.addr, addr);
    until("all four held by the new coach", || seq(&coach.class) == 4).await;
    // Every event once, under one row: nothing counted twice.
    assert_eq!(timeline(&coach.class), numbered(&events));
    let ana = row(&coach.class).expect("Ana's row");
    assert_eq!(ana["cases"]["latency"]["hints"], 1);
    state(&link, LinkState::Live).await;
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
}

#[tokio::test]
async fn a_wrong_class_code_shows_as_refused_and_changes_nothing() {
    let coach = coach().await;
    let wrong = coach.url.replace(CODE, "WRONG1");
    let (link, _messages) = CoachLink::start(join(&wrong));
    state(&link, LinkState::Refused).await;
    link.send(phase(Phase::Detect));
    assert_eq!(link.finish(Duration::from_millis(200)).await, 1);
    assert!(row(&coach.class).is_none(), "no row for a wrong code");
}

#[tokio::test]
async fn an_unknown_case_is_dropped_and_the_next_good_event_goes() {
    let coach = coach().await;
    let (link, _messages) = CoachLink::start(join(&coach.url));
    link.send(phase(Phase::Detect));
    until("the first event held", || seq(&coach.class) == 1).await;
    state(&link, LinkState::Live).await;
    // Not a case of the coach's set: the coach answers 422.
    link.send(CoachEvent::Phase {
        case: "no-such-case".into(),
        phase: Phase::Detect,
    });
    state(&link, LinkState::Refused).await;
    assert_eq!(seq(&coach.class), 1, "the refused batch changed nothing");
    link.send(phase(Phase::Recover));
    state(&link, LinkState::Live).await;
    until("the good event after it held", || seq(&coach.class) == 3).await;
    let held: Vec<u64> = timeline(&coach.class).iter().map(|(s, _)| *s).collect();
    assert_eq!(held, [1, 3], "the unknown case never reached the board");
    let ana = row(&coach.class).expect("Ana's row");
    assert_eq!(ana["cases"]["latency"]["phase"], "recover");
    assert!(ana["cases"].get("no-such-case").is_none());
    assert_eq!(
        link.finish(Duration::from_secs(3)).await,
        1,
        "the refused one"
    );
}

#[tokio::test]
async fn a_coach_that_kept_its_messages_restarts_without_repeating_them() {
    let kept = tempfile::tempdir().expect("temp dir");
    let dir = StateDir::create(kept.path()).expect("a state dir");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let coach = serve_on(listener, Some(dir));
    for text in ["one", "two", "three"] {
        coach.class.broadcast(text).expect("a message");
    }
    let (link, mut messages) = CoachLink::start(join(&coach.url));
    let events = walk();
    link.send(events[0].clone());
    link.send(events[1].clone());
    assert_eq!(
        message(&mut messages).await,
        "three",
        "a new console: the newest"
    );
    until("two held", || seq(&coach.class) == 2).await;

    let coach = restart(coach, Duration::ZERO).await;
    assert!(row(&coach.class).is_none(), "the board is not kept");
    link.send(events[2].clone());
    // The same epoch: the link learns of the restart from `have` alone.
    until("all three held by the new coach", || seq(&coach.class) == 3).await;
    assert_eq!(timeline(&coach.class), numbered(&events[..3]));
    let board: Value = serde_json::from_str(&coach.class.snapshot_json()).expect("json");
    assert_eq!(board["messages"].as_array().map(Vec::len), Some(3));
    assert_eq!(coach.class.broadcast("four"), Ok(4), "ids go on");
    link.send(events[3].clone());
    assert_eq!(message(&mut messages).await, "four");
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
    assert!(messages.try_recv().is_err(), "none of the kept ones again");
}
