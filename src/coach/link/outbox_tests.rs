use chrono::{TimeZone, Utc};

use super::*;
use crate::coach::wire::Phase;

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0)
        .single()
        .expect("a time")
}

fn phase(p: Phase) -> CoachEvent {
    CoachEvent::Phase {
        case: "latency".into(),
        phase: p,
    }
}

/// A link whose first post (a probe) the coach of epoch `e1` answered,
/// with `events` pushed since.
fn outbox(events: usize) -> Outbox {
    let mut o = Outbox::new("Ana".into(), "r1".into());
    o.on_ack(ack(0, "e1", &[]));
    for _ in 0..events {
        o.push(at(), phase(Phase::Detect));
    }
    o
}

fn ack(have: u64, epoch: &str, ids: &[u64]) -> Ack {
    Ack {
        have,
        epoch: epoch.into(),
        messages: ids
            .iter()
            .map(|&id| Message {
                id,
                at: at(),
                text: format!("message {id}"),
            })
            .collect(),
    }
}

fn seqs(post: &Post) -> Vec<u64> {
    post.batch.events.iter().map(|s| s.seq).collect()
}

#[test]
fn events_are_numbered_from_1_and_posted_in_batches_of_at_most_max_events() {
    let mut o = outbox(250);
    let first = o.next_post(at());
    assert_eq!(first.batch.events.len(), wire::MAX_EVENTS);
    assert_eq!(first.batch.events[0].seq, 1);
    assert_eq!(first.upto, 200);
    assert_eq!(o.delay(), EVERY, "more to send");
    o.on_ack(ack(200, "e1", &[]));
    let second = o.next_post(at());
    assert_eq!(seqs(&second), (201..=250).collect::<Vec<_>>());
    o.on_ack(ack(250, "e1", &[]));
    assert!(!o.has_unsent());
    assert_eq!(o.delay(), HEARTBEAT, "nothing to send: a heartbeat");
    let heartbeat = o.next_post(at());
    assert!(heartbeat.batch.events.is_empty());
    assert_eq!(heartbeat.upto, 250);
    assert_eq!(o.state(), LinkState::Live);
    assert_eq!(o.undelivered(), 0);
}

#[test]
fn a_batch_stays_under_the_coachs_body_limit() {
    let mut o = outbox(0);
    for _ in 0..wire::MAX_EVENTS {
        o.push(
            at(),
            CoachEvent::Check {
                case: "c".repeat(wire::MAX_ID),
                phase: Phase::Recover,
                id: "i".repeat(wire::MAX_ID),
                passed: true,
                after_s: 123.456,
            },
        );
    }
    let post = o.next_post(at());
    let body = serde_json::to_vec(&post.batch).expect("json");
    assert!(body.len() < wire::MAX_BODY, "{}", body.len());
    assert_eq!(post.upto, post.batch.events.len() as u64);
}

#[test]
fn the_first_post_and_the_first_after_no_answer_carry_no_events() {
    let mut o = Outbox::new("Ana".into(), "r1".into());
    o.push(at(), phase(Phase::Detect));
    assert!(
        o.next_post(at()).batch.events.is_empty(),
        "the first is a probe"
    );
    assert_eq!(o.state(), LinkState::Connecting);
    o.on_ack(ack(0, "e1", &[]));
    assert_eq!(seqs(&o.next_post(at())), [1]);
    o.on_error();
    assert!(o.next_post(at()).batch.events.is_empty());
    o.on_refusal(429, 0);
    assert!(o.next_post(at()).batch.events.is_empty());
    o.on_ack(ack(0, "e1", &[]));
    assert_eq!(seqs(&o.next_post(at())), [1]);
}

#[test]
fn a_coach_that_restarted_gets_the_kept_events_again() {
    let mut o = outbox(30);
    o.on_ack(ack(30, "e1", &[]));
    assert!(!o.has_unsent());
    // It came back with no memory of this run.
    o.on_ack(ack(0, "e2", &[]));
    assert_eq!(seqs(&o.next_post(at())), (1..=30).collect::<Vec<_>>());
    assert_eq!(o.run(), "r1");
}

#[test]
fn a_coach_that_restarted_between_two_posts_gets_everything_under_a_new_run() {
    let mut o = outbox(30);
    o.on_ack(ack(30, "e1", &[]));
    o.push(at(), phase(Phase::Recover));
    // The restarted coach took event 31, and would ignore 1..=30 now.
    o.on_ack(ack(31, "e2", &[]));
    assert_ne!(o.run(), "r1");
    let post = o.next_post(at());
    assert_eq!(post.batch.run, o.run());
    assert_eq!(seqs(&post), (1..=31).collect::<Vec<_>>());
}

#[test]
fn the_history_keeps_the_last_2000_and_counts_what_it_lost_unsent() {
    let mut o = outbox(HISTORY + 5);
    assert_eq!(o.undelivered(), (HISTORY + 5) as u64);
    assert_eq!(o.next_post(at()).batch.events[0].seq, 6);
    o.on_ack(ack((HISTORY + 5) as u64, "e1", &[]));
    assert_eq!(o.undelivered(), 5, "the five pushed out before they went");
    // Sent ones leaving the history are not lost.
    o.push(at(), phase(Phase::Recover));
    o.on_ack(ack((HISTORY + 6) as u64, "e1", &[]));
    assert_eq!(o.undelivered(), 5);
}

#[test]
fn malformed_events_are_dropped_and_the_ones_after_them_go() {
    let mut o = outbox(250);
    let post = o.next_post(at());
    o.on_refusal(422, post.upto);
    assert_eq!(o.state(), LinkState::Refused);
    assert_eq!(o.delay(), EVERY, "the rest goes at the usual pace");
    assert_eq!(seqs(&o.next_post(at()))[0], 201);
    assert_eq!(o.undelivered(), 250, "200 refused, 50 still to go");
    o.on_ack(ack(250, "e1", &[]));
    assert_eq!(o.state(), LinkState::Live, "refused until the next success");
    assert_eq!(o.undelivered(), 200);
}

#[test]
fn a_wrong_class_code_or_a_full_class_waits_30_s_and_drops_nothing() {
    for status in [403, 404, 429] {
        let mut o = outbox(3);
        o.on_refusal(status, 3);
        assert_eq!(o.state(), LinkState::Refused, "{status}");
        assert_eq!(o.delay(), REFUSED_RETRY, "{status}");
        assert_eq!(o.undelivered(), 3, "{status}");
        o.on_ack(ack(0, "e1", &[]));
        assert_eq!(seqs(&o.next_post(at())), vec![1, 2, 3], "{status}");
    }
}

#[test]
fn errors_back_off_1_2_4_8_then_stay_at_8_s() {
    let mut o = outbox(1);
    let mut waits = Vec::new();
    for _ in 0..6 {
        o.on_error();
        waits.push(o.delay().as_secs());
    }
    assert_eq!(waits, [1, 2, 4, 8, 8, 8]);
    assert_eq!(o.state(), LinkState::Retrying);
    o.on_refusal(503, 1);
    assert_eq!(o.delay().as_secs(), 8, "a 5xx is an error too");
    o.on_ack(ack(1, "e1", &[]));
    o.on_error();
    assert_eq!(o.delay().as_secs(), 1, "a success starts the backoff over");
}

#[test]
fn messages_pass_once_and_a_new_link_starts_at_the_newest() {
    let mut o = Outbox::new("Ana".into(), "r1".into());
    let first = o.on_ack(ack(0, "e1", &[1, 2, 3]));
    assert_eq!(first.iter().map(|m| m.id).collect::<Vec<_>>(), [3]);
    assert_eq!(o.next_post(at()).batch.messages_after, 3);
    assert_eq!(o.next_post(at()).batch.epoch, "e1");
    // The coach sends again what we have: nothing new.
    assert!(o.on_ack(ack(0, "e1", &[2, 3])).is_empty());
    let more = o.on_ack(ack(0, "e1", &[4, 5]));
    assert_eq!(more.iter().map(|m| m.id).collect::<Vec<_>>(), [4, 5]);
    // The coach restarted: its ids count from 1 again, and all are new.
    let after_restart = o.on_ack(ack(0, "e2", &[1, 2]));
    assert_eq!(after_restart.len(), 2);
    assert_eq!(o.next_post(at()).batch.messages_after, 2);
}

#[test]
fn a_message_cannot_drive_the_terminal() {
    let mut o = Outbox::new("Ana".into(), "r1".into());
    let mut a = ack(0, "e1", &[1]);
    a.messages[0].text = format!("\u{1b}[2J5 minutes left\u{7}{}", "x".repeat(500));
    let shown = o.on_ack(a);
    let text = &shown[0].text;
    assert!(text.starts_with("[2J5 minutes left"), "{text}");
    assert!(!text.chars().any(char::is_control), "{text}");
    assert!(text.chars().count() <= wire::MAX_MESSAGE, "{text}");
}
