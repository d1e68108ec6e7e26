//! The link's bookkeeping, with no I/O and no clock: the events kept for a
//! coach that restarts, what to post next, what an answer (an `Ack`, a
//! refusal, no answer at all) changes, and how long to wait before the
//! next post. The task in [`super`] only carries it out.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::coach::wire::{self, Ack, Batch, CoachEvent, Message, Sent};

/// Events kept after they were sent: a coach that restarts (and answers
/// `have: 0`) gets them again, so its board catches up.
pub(crate) const HISTORY: usize = 2000;
/// Between posts while something is unsent.
pub(crate) const EVERY: Duration = Duration::from_millis(500);
/// Between heartbeats while nothing is: the board keeps the student online.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(5);
/// Before asking a coach that refused the class (wrong code, class full)
/// again: the coach may fix it, but it will not be in a second.
pub(crate) const REFUSED_RETRY: Duration = Duration::from_secs(30);
/// The longest wait after an error (1, 2, 4, 8 s, then 8 s).
const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// A batch is cut below the coach's body limit, with room for the rest of
/// the batch (name, run, epoch).
const BATCH_BYTES: usize = wire::MAX_BODY - 4 * 1024;

/// The link as the student sees it, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkState {
    /// No answer yet.
    Connecting,
    /// The last post was taken.
    Live,
    /// The coach did not answer (down, unreachable, too slow, 5xx): trying
    /// again, sooner than later.
    Retrying,
    /// The coach answered no (wrong class code, class full, events it
    /// cannot take): until the next post it takes.
    Refused,
}

/// What decides the wait before the next post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wait {
    /// Every [`EVERY`] while something is unsent, else every [`HEARTBEAT`].
    Cadence,
    /// After this many errors in a row.
    Backoff(u32),
    /// [`REFUSED_RETRY`].
    Refused,
}

/// One post's worth: the batch, and the highest `seq` in it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Post {
    pub batch: Batch,
    pub upto: u64,
}

/// Everything the link knows of what it sent and what the coach holds.
#[derive(Debug)]
pub(crate) struct Outbox {
    name: String,
    run: String,
    /// The `seq` the next event gets (from 1).
    next_seq: u64,
    /// The last [`HISTORY`] events, by `seq` (consecutive).
    history: VecDeque<Sent>,
    /// The highest `seq` the coach holds, or that will never be sent again
    /// (refused as malformed).
    acked: u64,
    epoch: String,
    messages_after: u64,
    /// Events that never reached the coach: pushed out of the history
    /// before they were sent, or refused by it.
    lost: u64,
    /// The next post carries no events: the coach's `have` and epoch are
    /// not known (the link just started, or the coach did not answer, and
    /// may have restarted meanwhile). A coach that restarted answers
    /// `have: 0` to it, and the history goes again from its start.
    probe: bool,
    state: LinkState,
    wait: Wait,
}

impl Outbox {
    pub(crate) fn new(name: String, run: String) -> Self {
        Outbox {
            name,
            run,
            next_seq: 1,
            history: VecDeque::new(),
            acked: 0,
            epoch: String::new(),
            messages_after: 0,
            lost: 0,
            probe: true,
            state: LinkState::Connecting,
            wait: Wait::Cadence,
        }
    }

    pub(crate) fn state(&self) -> LinkState {
        self.state
    }

    #[cfg(test)]
    pub(crate) fn run(&self) -> &str {
        &self.run
    }

    /// Takes an event in: it gets the next `seq`.
    pub(crate) fn push(&mut self, at: DateTime<Utc>, event: CoachEvent) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.history.push_back(Sent { seq, at, event });
        while self.history.len() > HISTORY {
            if let Some(old) = self.history.pop_front()
                && old.seq > self.acked
            {
                self.lost += 1;
            }
        }
    }

    /// The events not yet held by the coach, oldest first.
    fn unsent(&self) -> impl Iterator<Item = &Sent> {
        let from = self.history.partition_point(|s| s.seq <= self.acked);
        self.history.range(from..)
    }

    pub(crate) fn has_unsent(&self) -> bool {
        self.unsent().next().is_some()
    }

    /// Events that have not reached the coach, and never will or not yet.
    pub(crate) fn undelivered(&self) -> u64 {
        self.lost + self.unsent().count() as u64
    }

    /// The next post, `sent` now: up to [`wire::MAX_EVENTS`] unsent events,
    /// well under the coach's body limit; none is a heartbeat.
    pub(crate) fn next_post(&self, sent: DateTime<Utc>) -> Post {
        let mut events = Vec::new();
        let mut bytes = 0;
        let take = if self.probe { 0 } else { wire::MAX_EVENTS };
        for s in self.unsent().take(take) {
            let size = serde_json::to_vec(s).map_or(0, |v| v.len() + 1);
            if !events.is_empty() && bytes + size > BATCH_BYTES {
                break;
            }
            bytes += size;
            events.push(s.clone());
        }
        let upto = events.last().map_or(self.acked, |s: &Sent| s.seq);
        Post {
            batch: Batch {
                name: self.name.clone(),
                run: self.run.clone(),
                sent,
                messages_after: self.messages_after,
                epoch: self.epoch.clone(),
                events,
            },
            upto,
        }
    }

    /// The coach took a post: it holds up to `have`. Lower than before means
    /// it restarted and forgot: what the history keeps after `have` goes
    /// again. Returns its messages not shown yet.
    ///
    /// A new epoch is a coach that restarted. When it also holds events of
    /// this run, it took the post that just went, but not the ones before
    /// it, and it would ignore them now (their `seq` is lower): the link
    /// goes on under a new `run` id, from the history's start.
    ///
    /// The first answer of a link passes on only the newest message (a
    /// console that restarts shows where the class is, not twenty old
    /// lines); a new epoch later (the coach restarted) passes on all.
    pub(crate) fn on_ack(&mut self, ack: Ack) -> Vec<Message> {
        let first = self.epoch.is_empty();
        let restarted = !first && ack.epoch != self.epoch;
        if restarted && ack.have > 0 {
            self.run = new_run();
        }
        self.acked = if restarted {
            0
        } else {
            ack.have.min(self.next_seq - 1)
        };
        self.probe = false;
        self.state = LinkState::Live;
        self.wait = Wait::Cadence;
        let after = if ack.epoch == self.epoch {
            self.messages_after
        } else {
            0
        };
        let mut new: Vec<Message> = ack
            .messages
            .into_iter()
            .filter(|m| m.id > after)
            .filter_map(|mut m| {
                m.text = clean(&m.text);
                (!m.text.is_empty()).then_some(m)
            })
            .collect();
        new.sort_by_key(|m| m.id);
        self.messages_after = new.iter().map(|m| m.id).fold(after, u64::max);
        self.epoch = ack.epoch;
        if first && new.len() > 1 {
            new.drain(..new.len() - 1);
        }
        new
    }

    /// The coach answered `status` (not 2xx) to the post that went up to
    /// `upto`.
    pub(crate) fn on_refusal(&mut self, status: u16, upto: u64) {
        match status {
            // These events can never be taken as they are: sending them
            // again would only block the ones after them.
            400 | 413 | 415 | 422 => {
                let refused = self.unsent().take_while(|s| s.seq <= upto).count();
                self.lost += refused as u64;
                self.acked = self.acked.max(upto);
                self.state = LinkState::Refused;
                self.wait = Wait::Cadence;
            }
            // Wrong class code or path, class full, anything else it
            // refuses: nothing to drop, ask again later.
            400..=499 => {
                self.state = LinkState::Refused;
                self.wait = Wait::Refused;
                self.probe = true;
            }
            _ => self.on_error(),
        }
    }

    /// No answer: connection refused, timeout, a 5xx, a body that is not an
    /// `Ack`.
    pub(crate) fn on_error(&mut self) {
        self.state = LinkState::Retrying;
        self.probe = true;
        self.wait = match self.wait {
            Wait::Backoff(n) => Wait::Backoff(n.saturating_add(1)),
            _ => Wait::Backoff(1),
        };
    }

    /// How long after the last post the next one goes.
    pub(crate) fn delay(&self) -> Duration {
        match self.wait {
            Wait::Cadence if self.has_unsent() => EVERY,
            Wait::Cadence => HEARTBEAT,
            Wait::Backoff(n) => {
                let doubled = Duration::from_secs(1u64 << n.saturating_sub(1).min(4));
                doubled.min(BACKOFF_CAP)
            }
            Wait::Refused => REFUSED_RETRY,
        }
    }
}

/// A run id: one per console or run process, and a new one when a coach
/// that restarted must take the history again.
pub(crate) fn new_run() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A coach message as a terminal may show it: control characters (escape
/// sequences among them) become spaces, at most [`wire::MAX_MESSAGE`]
/// characters, trimmed.
fn clean(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(wire::MAX_MESSAGE)
        .collect();
    text.trim().to_string()
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
