//! A student's link to the coach's board: the events of a console or a run
//! go to `POST {class URL}/events`, the coach's messages come back.
//!
//! Losing the coach never slows the student: [`CoachLink::send`] only puts
//! the event on a bounded channel (a full one drops it and counts it); one
//! task posts batches, keeps the last [`outbox::HISTORY`] events for a
//! coach that restarts, and retries with a backoff. [`outbox`] is its
//! bookkeeping, without I/O; [`join`] reads which coach and which name;
//! [`run_feed`] turns `workshop run`'s events into the board's.

pub(crate) mod join;
pub(crate) mod outbox;
pub(crate) mod run_feed;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::wire::{self, Ack, CoachEvent, Message};
pub(crate) use join::Join;
pub(crate) use outbox::LinkState;
use outbox::{Outbox, Post};

/// Events waiting for the link's task; more are dropped, not waited for.
pub(crate) const QUEUE: usize = 1024;
/// The longest a post may take before it counts as no answer.
const POST_TIMEOUT: Duration = Duration::from_secs(3);
/// The most of a coach's answer the link reads.
const ANSWER_BYTES: usize = 4 * wire::MAX_BODY;

/// The sending end, held by the console or the run.
pub(crate) struct CoachLink {
    tx: mpsc::Sender<(DateTime<Utc>, CoachEvent)>,
    state: watch::Receiver<LinkState>,
    /// Events the queue had no room for.
    dropped: AtomicU64,
    /// What the task has not delivered (kept up to date by it).
    undelivered: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl CoachLink {
    /// Starts the link's task (on the current tokio runtime). The receiver
    /// gets the coach's messages, each once.
    pub(crate) fn start(join: Join) -> (CoachLink, mpsc::UnboundedReceiver<Message>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (messages, messages_rx) = mpsc::unbounded_channel();
        let (state_tx, state) = watch::channel(LinkState::Connecting);
        let undelivered = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(link_task(
            Outbox::new(join.name, outbox::new_run()),
            format!("{}/events", join.url),
            rx,
            messages,
            state_tx,
            undelivered.clone(),
        ));
        let link = CoachLink {
            tx,
            state,
            dropped: AtomicU64::new(0),
            undelivered,
            task,
        };
        (link, messages_rx)
    }

    /// Queues an event that happened now. Never waits, never fails.
    pub(crate) fn send(&self, event: CoachEvent) {
        self.send_at(Utc::now(), event);
    }

    /// Queues an event that happened `at`. Never waits, never fails: with
    /// the queue full (the task far behind) the event is dropped and counted.
    pub(crate) fn send_at(&self, at: DateTime<Utc>, event: CoachEvent) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send((at, event)) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn state(&self) -> LinkState {
        *self.state.borrow()
    }

    /// The state as it changes, for a console that shows it.
    pub(crate) fn watch_state(&self) -> watch::Receiver<LinkState> {
        self.state.clone()
    }

    /// Delivers what is unsent, for at most `within`, then stops the task.
    /// Returns how many events never reached the coach.
    pub(crate) async fn finish(self, within: Duration) -> u64 {
        let CoachLink {
            tx,
            dropped,
            undelivered,
            mut task,
            ..
        } = self;
        // A closed queue tells the task to flush and stop.
        drop(tx);
        if tokio::time::timeout(within, &mut task).await.is_err() {
            task.abort();
        }
        dropped.load(Ordering::Relaxed) + undelivered.load(Ordering::Relaxed)
    }
}

/// Why a post did not end in an `Ack`.
#[derive(Debug)]
enum Failed {
    /// The coach answered with this status.
    Status(u16),
    /// No answer, or not one the link can read.
    NoAnswer,
}

/// Posts until the queue closes and nothing is left unsent (or the caller
/// of [`CoachLink::finish`] stops waiting).
async fn link_task(
    mut out: Outbox,
    url: String,
    mut rx: mpsc::Receiver<(DateTime<Utc>, CoachEvent)>,
    messages: mpsc::UnboundedSender<Message>,
    state: watch::Sender<LinkState>,
    undelivered: Arc<AtomicU64>,
) {
    let client = reqwest::Client::builder()
        .timeout(POST_TIMEOUT)
        .build()
        .unwrap_or_default();
    let mut closing = false;
    // The first post goes at once: the student's row appears on the board
    // before anything happens.
    let mut last_post: Option<Instant> = None;
    loop {
        let due = last_post.map_or_else(Instant::now, |t| t + out.delay());
        tokio::select! {
            ev = rx.recv(), if !closing => {
                match ev {
                    Some((at, e)) => out.push(at, e),
                    None => closing = true,
                }
                if closing && !out.has_unsent() {
                    break;
                }
                undelivered.store(out.undelivered(), Ordering::Relaxed);
                continue;
            }
            _ = tokio::time::sleep_until(due) => {}
        }
        let post = out.next_post(Utc::now());
        last_post = Some(Instant::now());
        let answer = post_batch(&client, &url, &post);
        tokio::pin!(answer);
        // Keep taking events while the post is in flight.
        let answer = loop {
            tokio::select! {
                a = &mut answer => break a,
                ev = rx.recv(), if !closing => match ev {
                    Some((at, e)) => out.push(at, e),
                    None => closing = true,
                },
            }
        };
        match answer {
            Ok(ack) => {
                for m in out.on_ack(ack) {
                    let _ = messages.send(m);
                }
            }
            Err(Failed::Status(s)) => out.on_refusal(s, post.upto),
            Err(Failed::NoAnswer) => out.on_error(),
        }
        undelivered.store(out.undelivered(), Ordering::Relaxed);
        state.send_if_modified(|s| {
            let changed = *s != out.state();
            *s = out.state();
            changed
        });
        if closing && !out.has_unsent() {
            break;
        }
    }
}

/// One post and its answer, read up to [`ANSWER_BYTES`].
async fn post_batch(client: &reqwest::Client, url: &str, post: &Post) -> Result<Ack, Failed> {
    let mut resp = client
        .post(url)
        .json(&post.batch)
        .send()
        .await
        .map_err(|_| Failed::NoAnswer)?;
    let status = resp.status();
    if !status.is_success() {
        return Err(Failed::Status(status.as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|_| Failed::NoAnswer)? {
        if body.len() + chunk.len() > ANSWER_BYTES {
            return Err(Failed::NoAnswer);
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).map_err(|_| Failed::NoAnswer)
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
