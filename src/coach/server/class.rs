//! One class: its code, the coach's token, the board, the coach's messages
//! and the version counter the stream waits on. What the routes call; it
//! knows nothing of HTTP beyond the status of a refusal.
//!
//! The board's JSON is built once for every viewer: the page, `board.json`
//! and each stream read the one built last while the class has not changed
//! and it is younger than [`COALESCE`]. A post only bumps the version; it
//! never builds a board, so students do not wait on viewers.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::board::{Board, ClassFull, Entry, MAX_STUDENTS};
use super::check::{self, Refused};
use super::guesses::{Guesses, Source, TooManyWrong};
use super::kept::{Kept, StateDir};
use super::snapshot::{Column, Snapshot};
use crate::coach::wire::{self, Ack, Batch, Message};

/// The coach messages kept (and sent to a console that joins).
pub(crate) const MAX_MESSAGES: usize = 20;

/// The shortest time between two boards a viewer is sent, and so the
/// longest one built board stands for "now" (who is online or stuck moves
/// with it).
pub(crate) const COALESCE: Duration = Duration::from_millis(250);

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
    /// The messages to start with, and the epoch they count in.
    pub(crate) kept: Kept,
    /// Where each new message is kept for the next start, if anywhere.
    pub(crate) state_dir: Option<StateDir>,
}

struct State {
    board: Board,
    messages: VecDeque<Message>,
    next_id: u64,
}

/// A board built for every viewer: the version of the class it shows, and
/// the "now" it was built at.
struct Built {
    version: u64,
    now: DateTime<Utc>,
    json: Arc<str>,
}

/// Why a request's class code was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeRefused {
    /// Not this board's code.
    Wrong,
    /// Not this board's, from a source that sent too many wrong ones.
    TooManyWrong(TooManyWrong),
}

impl From<CodeRefused> for Refused {
    fn from(refused: CodeRefused) -> Refused {
        match refused {
            CodeRefused::Wrong => Refused::wrong_code(),
            CodeRefused::TooManyWrong(t) => Refused::too_many_wrong_codes(t.retry_after_s),
        }
    }
}

pub(crate) struct Class {
    code: String,
    token: String,
    /// Message ids count from 1 in it: new at each start, or the one kept
    /// in the state dir.
    epoch: String,
    columns: Vec<Column>,
    stuck_after: TimeDelta,
    pub(crate) lang: crate::cases::Lang,
    clock: Clock,
    pub(crate) stop: CancellationToken,
    state: Mutex<State>,
    version: watch::Sender<u64>,
    built: Mutex<Option<Built>>,
    guesses: Mutex<Guesses>,
    state_dir: Option<StateDir>,
    /// Held while the state dir's file is replaced, so the last writer
    /// writes the latest messages.
    saving: Mutex<()>,
}

/// `mutex` locked, even after a panic elsewhere: each value behind these
/// locks is whole between two statements (every change is checked before
/// it is made), so keep serving it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Equal, in a time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |d, (x, y)| d | (x ^ y)) == 0
}

impl Class {
    pub(crate) fn new(opts: ClassOptions) -> Arc<Class> {
        let now = (opts.clock)();
        let mut messages = opts.kept.messages;
        while messages.len() > MAX_MESSAGES {
            messages.pop_front();
        }
        Arc::new(Class {
            code: opts.code,
            token: opts.token,
            epoch: opts.kept.epoch,
            columns: opts.columns,
            stuck_after: opts.stuck_after,
            lang: opts.lang,
            clock: opts.clock,
            stop: opts.stop,
            state: Mutex::new(State {
                board: Board::default(),
                messages,
                next_id: opts.kept.next_id,
            }),
            version: watch::channel(0).0,
            built: Mutex::new(None),
            guesses: Mutex::new(Guesses::new(now)),
            state_dir: opts.state_dir,
            saving: Mutex::new(()),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    fn changed(&self) {
        self.version.send_modify(|v| *v += 1);
    }

    /// Takes `code` when it is this class's. A wrong one counts against
    /// the address it came from (`peer`; `None` when unknown), and past
    /// the limit of `guesses` is refused as such; a right one is never
    /// counted nor refused.
    pub(crate) fn admit(&self, code: &str, peer: Option<IpAddr>) -> Result<(), CodeRefused> {
        if same(code, &self.code) {
            return Ok(());
        }
        let now = (self.clock)();
        lock(&self.guesses)
            .wrong(Source::of(peer), now)
            .map_err(CodeRefused::TooManyWrong)?;
        Err(CodeRefused::Wrong)
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
        self.keep();
        Ok(id)
    }

    /// Writes the messages to the state dir, if there is one, within the
    /// request (a few milliseconds, once per message the coach types). A
    /// failure loses nothing now (the message went out), only after a
    /// restart: the coach's terminal says so.
    fn keep(&self) {
        let Some(dir) = &self.state_dir else {
            return;
        };
        let _saving = lock(&self.saving);
        let kept = {
            let state = self.state();
            Kept {
                epoch: self.epoch.clone(),
                next_id: state.next_id,
                messages: state.messages.clone(),
            }
        };
        if let Err(e) = dir.save(&kept) {
            eprintln!(
                "warning: cannot keep the coach's messages in {} ({e}); a restart would lose them: make the --state-dir folder writable",
                dir.file().display()
            );
        }
    }

    /// The board as JSON at the clock's "now": the one built last when the
    /// class has not changed since and it is younger than [`COALESCE`],
    /// else a new one, built while the others who ask wait to share it.
    pub(crate) fn snapshot_json(&self) -> Arc<str> {
        let mut built = lock(&self.built);
        let now = (self.clock)();
        // Read before the board: a change after it makes a newer version,
        // so a board is never kept under a version later than what it shows.
        let version = *self.version.borrow();
        let reusable = built.as_ref().filter(|b| {
            let age = now.signed_duration_since(b.now);
            // A negative age (the clock set back) fails `to_std`.
            b.version == version && age.to_std().is_ok_and(|a| a < COALESCE)
        });
        if let Some(b) = reusable {
            return b.json.clone();
        }
        let json: Arc<str> = self.build_json(now).into();
        *built = Some(Built {
            version,
            now,
            json: json.clone(),
        });
        json
    }

    fn build_json(&self, now: DateTime<Utc>) -> String {
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
