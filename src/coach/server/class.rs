//! One class: its code, the coach's token, the board, the coach's messages
//! and the version counter the stream waits on. What the routes call; it
//! knows nothing of HTTP beyond the status of a refusal.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::board::{Board, ClassFull, Entry, MAX_STUDENTS};
use super::check::{self, Refused};
use super::snapshot::{Column, Snapshot};
use crate::coach::wire::{self, Ack, Batch, Message};

/// The coach messages kept (and sent to a console that joins).
pub(crate) const MAX_MESSAGES: usize = 20;

/// Where "now" comes from: the system clock, or a fixed time in tests.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How a class is set up.
pub(crate) struct ClassOptions {
    pub(crate) code: String,
    pub(crate) token: String,
    pub(crate) columns: Vec<Column>,
    pub(crate) stuck_after: TimeDelta,
    pub(crate) lang: crate::cases::Lang,
    pub(crate) clock: Clock,
    /// Cancelled on shutdown: open streams end so the server can stop.
    pub(crate) stop: CancellationToken,
}

struct State {
    board: Board,
    messages: VecDeque<Message>,
    next_id: u64,
}

pub(crate) struct Class {
    code: String,
    token: String,
    /// Random per start: message ids count from 1 in it.
    epoch: String,
    columns: Vec<Column>,
    stuck_after: TimeDelta,
    pub(crate) lang: crate::cases::Lang,
    clock: Clock,
    pub(crate) stop: CancellationToken,
    state: Mutex<State>,
    version: watch::Sender<u64>,
}

/// Equal, in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

impl Class {
    pub(crate) fn new(opts: ClassOptions) -> Arc<Class> {
        let epoch = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        Arc::new(Class {
            code: opts.code,
            token: opts.token,
            epoch,
            columns: opts.columns,
            stuck_after: opts.stuck_after,
            lang: opts.lang,
            clock: opts.clock,
            stop: opts.stop,
            state: Mutex::new(State {
                board: Board::default(),
                messages: VecDeque::new(),
                next_id: 1,
            }),
            version: watch::channel(0).0,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves a whole board (every
        // change is checked before it is made), so keep serving it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn changed(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    pub(crate) fn code_is(&self, code: &str) -> bool {
        same(code, &self.code)
    }

    /// Whether an `Authorization` header carries the coach's token.
    pub(crate) fn authorizes(&self, header: Option<&str>) -> bool {
        header
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|t| same(t.trim(), &self.token))
    }

    /// A change counter: it moves after every change of the board.
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Checks and applies a student's batch.
    pub(crate) fn post(&self, batch: &Batch) -> Result<Ack, Refused> {
        let known: Vec<&str> = self.columns.iter().map(|c| c.id.as_str()).collect();
        let name = check::batch(batch, &known)?;
        let now = (self.clock)();
        let mut state = self.state();
        let have = state.board.apply(&name, batch, now).map_err(|ClassFull| {
            Refused::of(
                StatusCode::TOO_MANY_REQUESTS,
                "name",
                format!(
                    "name: the class is full ({MAX_STUDENTS} students); ask the coach to start a board for your group"
                ),
            )
        })?;
        let messages = state
            .messages
            .iter()
            .filter(|m| batch.epoch != self.epoch || m.id > batch.messages_after)
            .cloned()
            .collect();
        drop(state);
        self.changed();
        Ok(Ack {
            have,
            epoch: self.epoch.clone(),
            messages,
        })
    }

    /// Keeps a coach message for every console; returns its id.
    pub(crate) fn broadcast(&self, text: &str) -> Result<u64, Refused> {
        let text = check::message(text)?;
        let at = (self.clock)();
        let mut state = self.state();
        let id = state.next_id;
        state.next_id += 1;
        state.messages.push_back(Message { id, at, text });
        while state.messages.len() > MAX_MESSAGES {
            state.messages.pop_front();
        }
        drop(state);
        self.changed();
        Ok(id)
    }

    /// The board as JSON at the clock's "now".
    pub(crate) fn snapshot_json(&self) -> String {
        let now = (self.clock)();
        let state = self.state();
        let snapshot = Snapshot::build(
            &state.board,
            &self.columns,
            state.messages.iter(),
            self.stuck_after,
            now,
        );
        serde_json::to_string(&snapshot).unwrap_or_else(|_| "{}".into())
    }

    /// The timeline of the student `name`, as JSON; `None` for no such student.
    pub(crate) fn timeline_json(&self, name: &str) -> Option<String> {
        #[derive(Serialize)]
        struct Timeline<'a> {
            name: &'a str,
            events: &'a VecDeque<Entry>,
        }
        let name = wire::check_name(name).ok()?;
        let state = self.state();
        let student = state.board.student(&name)?;
        serde_json::to_string(&Timeline {
            name: &student.name,
            events: &student.timeline,
        })
        .ok()
    }
}
