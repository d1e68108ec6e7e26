//! The link against a fake coach on 127.0.0.1: what it posts, what it does
//! when the coach is away, restarts, or refuses.

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;

use super::*;
use crate::coach::wire::{Batch, Phase};

/// What the fake coach saw, and how it answers.
#[derive(Default)]
struct Fake {
    batches: Vec<Batch>,
    /// The highest seq held, per run.
    have: std::collections::HashMap<String, u64>,
    epoch: String,
    /// Answer this status instead of an `Ack`.
    refuse: Option<u16>,
    messages: Vec<Message>,
}

type Shared = Arc<Mutex<Fake>>;

async fn events(State(fake): State<Shared>, Json(batch): Json<Batch>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut f = fake.lock().expect("fake");
    if let Some(status) = f.refuse {
        let status = StatusCode::from_u16(status).expect("a status");
        return (status, Json(wire::Refusal { error: "no".into() })).into_response();
    }
    let have = f.have.entry(batch.run.clone()).or_default();
    if let Some(last) = batch.events.last() {
        *have = (*have).max(last.seq);
    }
    let have = *have;
    let ack = Ack {
        have,
        epoch: f.epoch.clone(),
        messages: f
            .messages
            .iter()
            .filter(|m| m.id > batch.messages_after)
            .cloned()
            .collect(),
    };
    f.batches.push(batch);
    Json(ack).into_response()
}

/// A fake coach on a free port: its class URL, and what it saw.
async fn coach() -> (String, Shared) {
    let fake = Shared::default();
    fake.lock().expect("fake").epoch = "e1".into();
    let app = axum::Router::new()
        .route("/class/ABC123/events", post(events))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/class/ABC123"), fake)
}

fn join(url: &str) -> Join {
    Join {
        url: url.into(),
        name: "Ana".into(),
    }
}

fn detect() -> CoachEvent {
    CoachEvent::Phase {
        case: "latency".into(),
        phase: Phase::Detect,
    }
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

#[tokio::test]
async fn events_reach_the_coach_in_order_and_its_message_comes_back() {
    let (url, fake) = coach().await;
    fake.lock().expect("fake").messages.push(Message {
        id: 1,
        at: Utc::now(),
        text: "5 minutes left on case 2".into(),
    });
    let (link, mut messages) = CoachLink::start(join(&url));
    for _ in 0..3 {
        link.send(detect());
    }
    let m = tokio::time::timeout(Duration::from_secs(5), messages.recv())
        .await
        .expect("in time")
        .expect("a message");
    assert_eq!(m.text, "5 minutes left on case 2");
    until("three events held", || held(&fake) == 3).await;
    assert_eq!(link.state(), LinkState::Live);
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
    let f = fake.lock().expect("fake");
    let sent: Vec<u64> = f
        .batches
        .iter()
        .flat_map(|b| b.events.iter().map(|s| s.seq))
        .collect();
    assert_eq!(sent, [1, 2, 3]);
    assert!(f.batches.iter().all(|b| b.name == "Ana"));
    assert!(f.batches.iter().all(|b| b.run == f.batches[0].run));
}

#[tokio::test]
async fn no_coach_never_blocks_the_sender_and_finish_is_bounded() {
    // A port nothing listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    let (link, _messages) = CoachLink::start(join(&format!("http://{addr}/class/X")));
    let started = std::time::Instant::now();
    for _ in 0..(QUEUE * 3) {
        link.send(detect());
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "sending waited"
    );
    let mut states = link.watch_state();
    tokio::time::timeout(
        Duration::from_secs(5),
        states.wait_for(|s| *s == LinkState::Retrying),
    )
    .await
    .expect("in time")
    .expect("a state");
    let started = std::time::Instant::now();
    let lost = link.finish(Duration::from_millis(300)).await;
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(lost >= 1, "{lost}");
}

/// The most events the fake holds for one run.
fn held(fake: &Shared) -> u64 {
    let f = fake.lock().expect("fake");
    f.have.values().copied().max().unwrap_or(0)
}

/// The coach restarts: a new epoch, nothing held.
fn restart(fake: &Shared) {
    let mut f = fake.lock().expect("fake");
    f.have.clear();
    f.epoch = "e2".into();
}

#[tokio::test]
async fn a_coach_that_restarted_between_two_posts_gets_every_event_again() {
    let (url, fake) = coach().await;
    let (link, _messages) = CoachLink::start(join(&url));
    link.send(detect());
    link.send(detect());
    until("two held", || held(&fake) == 2).await;
    restart(&fake);
    link.send(detect());
    until("all three held under one run", || held(&fake) == 3).await;
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
}

#[tokio::test]
async fn a_coach_that_was_down_and_came_back_gets_every_event_again() {
    let (url, fake) = coach().await;
    let (link, _messages) = CoachLink::start(join(&url));
    link.send(detect());
    link.send(detect());
    until("two held", || held(&fake) == 2).await;
    fake.lock().expect("fake").refuse = Some(503);
    let mut states = link.watch_state();
    tokio::time::timeout(
        Duration::from_secs(5),
        states.wait_for(|s| *s == LinkState::Retrying),
    )
    .await
    .expect("in time")
    .expect("a state");
    link.send(detect());
    restart(&fake);
    fake.lock().expect("fake").refuse = None;
    until("all three held again", || held(&fake) == 3).await;
    let runs = fake.lock().expect("fake").have.len();
    assert_eq!(runs, 1, "the same run: the probe learnt the coach forgot");
    assert_eq!(link.finish(Duration::from_secs(3)).await, 0);
}

#[tokio::test]
async fn a_wrong_class_code_shows_as_refused() {
    let (url, fake) = coach().await;
    fake.lock().expect("fake").refuse = Some(403);
    let (link, _messages) = CoachLink::start(join(&url));
    let mut states = link.watch_state();
    tokio::time::timeout(
        Duration::from_secs(5),
        states.wait_for(|s| *s == LinkState::Refused),
    )
    .await
    .expect("in time")
    .expect("a state");
    link.send(detect());
    assert_eq!(link.finish(Duration::from_millis(200)).await, 1);
}
