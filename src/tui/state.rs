//! Everything the console shows, as plain data. Only `update` changes it;
//! the panels only read it, but for [`Drawn`]: what the last draw measured.

use std::cell::Cell;
use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::cases::engine::AppCounts;
use crate::cases::engine::session::CaseSession;
use crate::cases::{Case, Lang};
use crate::faults::FaultConfig;
use crate::loadgen::LoadReport;
use crate::stack::{Backend, StackStatus};
use crate::telemetry::{BySignal, Series};

pub use super::form::{FORM, FaultValues, FormField};
use super::msg::{Blocked, SourceKind};
use super::progress::{CaseRecord, Progress};
pub use super::timeline::{Fact, LOG_LINES, LogKind, LogLine, LogView, Pinned, Topic};

/// The five-minute window of the charts.
pub const CHART_WINDOW_S: f64 = 300.0;

/// How the console got its stack.
#[derive(Debug, Clone, PartialEq)]
pub enum StackLife {
    /// Looking for a Docker engine (or about to start local processes).
    Opening,
    /// `up` runs; the last progress lines.
    Starting,
    Up,
    /// No engine, or `up` failed: why, the fix, the ways out.
    Failed(Blocked),
    /// `--attach`: the stack is someone else's.
    Attached,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StackView {
    pub phase: StackLife,
    pub backend: Option<Backend>,
    pub status: Option<StackStatus>,
    pub progress: VecDeque<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Link {
    Unknown,
    Up,
    /// Has not answered yet since the console started: nothing went down.
    NotYet(String),
    Down(String),
    /// The stack's health check fails but the API still answers (its
    /// `/metrics` is read): slow or degraded, not down. Holds the words.
    Answers(String),
    /// No such thing configured (no Prometheus in local mode without the binary).
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub source: SourceKind,
    pub api: Link,
    pub prometheus: Link,
    /// The charted samples of each live signal.
    pub series: BySignal<Series>,
    /// Where a fault went in (true) or was reset (false), on the charts' clock.
    pub markers: Vec<(f64, bool)>,
}

impl Signals {
    pub fn new() -> Self {
        Self {
            source: SourceKind::None,
            api: Link::Unknown,
            prometheus: Link::Unknown,
            series: BySignal::from_fn(|_| Series::new(CHART_WINDOW_S)),
            markers: Vec::new(),
        }
    }
}

impl Signals {
    /// Forgets the charted samples and markers, keeping what is known of
    /// the links: a case's charts start on their own window, so the scale
    /// is that case's (an 8 s p95 is not drawn as `▂` under the previous
    /// case's 28 s).
    pub fn new_window(&mut self) {
        self.series = Self::new().series;
        self.markers.clear();
    }
}

impl Default for Signals {
    fn default() -> Self {
        Self::new()
    }
}

/// Below this share of the target the achieved rate is falling short.
pub const LOAD_SHORT_SHARE: f64 = 0.9;
/// ... for this long before the Load panel warns (one slow second is noise).
pub const LOAD_SHORT_WARN_S: f64 = 3.0;

#[derive(Debug, Clone)]
pub struct LoadView {
    pub on: bool,
    pub target: f64,
    pub report: Option<LoadReport>,
    /// Since when the last full second's completions have stayed below
    /// [`LOAD_SHORT_SHARE`] of the target.
    pub short_since: Option<f64>,
}

impl LoadView {
    /// Takes a report in at `now`.
    pub fn observe(&mut self, report: LoadReport, now: f64) {
        let done = report.last_second.completed() as f64;
        // The first seconds ramp up; a rate is judged once it has one.
        let short = report.elapsed.as_secs_f64() >= 2.0 && done < self.target * LOAD_SHORT_SHARE;
        self.short_since = if short {
            self.short_since.or(Some(now))
        } else {
            None
        };
        self.report = Some(report);
    }

    /// Load is on and has fallen short of the target for a few seconds.
    pub fn falling_short(&self, now: f64) -> bool {
        self.on
            && self
                .short_since
                .is_some_and(|t| now - t >= LOAD_SHORT_WARN_S)
    }
}

/// What sits on top of the main view and takes the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    /// The key help, scrolled by this many rows.
    Help(usize),
    /// Editing fault values: which field, and each field's text exactly as
    /// typed. `refused`: Enter was pressed while a field was invalid, so
    /// nothing was applied and the form says so.
    Form {
        field: usize,
        texts: [String; FORM.len()],
        refused: bool,
    },
    /// Answering question `index`; `not_a_number`: Enter was pressed on
    /// text that is not a number, and the box says so.
    Answer {
        index: usize,
        text: String,
        not_a_number: bool,
    },
    /// The stack cannot come up: local mode, retry or quit, on one key.
    Blocked,
    /// The event log over the main view: scrolled, filtered.
    Log(LogView),
}

/// The case being walked, with what the report needs beyond the session.
pub struct ActiveCase {
    pub session: CaseSession,
    pub title: String,
    /// The app's restarts and OOM kills when the case opened.
    pub counts_at_start: AppCounts,
    pub saved: bool,
    /// Its lasting facts (OOM kills, alerts fired, checks passed), kept
    /// from its opening to its close however long the log grows.
    pub facts: Vec<Pinned>,
}

/// What the last draw measured, for the keys that scroll: how far the case
/// panel can scroll before its last line reaches its bottom, and how many
/// lines the log view shows at once. Written by the view, read by `update`.
#[derive(Debug, Default)]
pub struct Drawn {
    pub case_scroll_max: Cell<u16>,
    pub log_page: Cell<usize>,
    /// How far the help scrolls when the terminal is too short for it.
    pub help_scroll_max: Cell<usize>,
}

pub struct App {
    pub lang: Lang,
    /// Seconds since the console started (the clock of everything shown).
    pub now: f64,
    /// The wall-clock time (UTC) at which `now` was 0: the log's times are
    /// this plus `now`, so `update` stays free of clocks and tests fix it.
    pub started_utc: DateTime<Utc>,
    pub api_url: String,
    pub prometheus_url: Option<String>,
    pub stack: StackView,
    pub signals: Signals,
    pub faults: Option<FaultConfig>,
    pub fault_values: FaultValues,
    pub load: LoadView,
    pub cases: Vec<Case>,
    pub selected: usize,
    pub progress: Progress,
    pub active: Option<ActiveCase>,
    pub scroll: u16,
    pub log: VecDeque<LogLine>,
    pub overlay: Overlay,
    pub quitting: bool,
    /// What the console prints after the terminal is restored, when the
    /// student quit because the stack could not come up: the fix.
    pub exit_note: Option<String>,
    pub drawn: Drawn,
    /// The link to the coach's board, when the student joined a class.
    pub coach: Option<super::coach::CoachView>,
}

impl App {
    pub fn new(
        lang: Lang,
        cases: Vec<Case>,
        api_url: String,
        prometheus_url: Option<String>,
    ) -> Self {
        Self {
            lang,
            now: 0.0,
            started_utc: Utc::now(),
            api_url,
            prometheus_url,
            stack: StackView {
                phase: StackLife::Opening,
                backend: None,
                status: None,
                progress: VecDeque::new(),
            },
            signals: Signals::new(),
            faults: None,
            fault_values: FaultValues::default(),
            load: LoadView {
                on: false,
                target: 10.0,
                report: None,
                short_since: None,
            },
            cases,
            selected: 0,
            progress: Progress::default(),
            active: None,
            scroll: 0,
            log: VecDeque::new(),
            overlay: Overlay::None,
            quitting: false,
            exit_note: None,
            drawn: Drawn::default(),
            coach: None,
        }
    }

    /// The wall clock now, in UTC.
    pub fn utc(&self) -> DateTime<Utc> {
        crate::cases::engine::io::utc_after(self.started_utc, self.now)
    }

    /// Logs one of the console's own notes.
    pub fn log(&mut self, kind: LogKind, text: impl Into<String>) {
        self.note(Topic::Console, kind, text);
    }

    /// Logs a line about `topic`. A log view scrolled back keeps showing
    /// the same lines while new ones arrive below.
    pub fn note(&mut self, topic: Topic, kind: LogKind, text: impl Into<String>) {
        let line = LogLine {
            at: self.utc(),
            kind,
            topic,
            text: text.into(),
        };
        if let Overlay::Log(v) = &mut self.overlay
            && v.from_end > 0
            && v.shows(&line)
        {
            v.from_end += 1;
        }
        self.log.push_back(line);
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// Pins a lasting fact to the open case; without one there is no case
    /// for it to belong to, and the log line alone says it.
    pub fn pin(&mut self, fact: Fact) {
        let at = self.utc();
        if let Some(a) = self.active.as_mut() {
            a.facts.push(Pinned { at, fact });
        }
    }

    /// Stores the active case's result in the progress (a finished result
    /// is never replaced by an unfinished one); false when no case is open.
    pub fn record_case(&mut self) -> bool {
        let counts = self.app_counts();
        let origin = self.started_utc;
        let Some(a) = self.active.as_mut() else {
            return false;
        };
        let outcome = a.session.outcome(&a.title, &|t| {
            crate::cases::engine::io::utc_after(origin, t)
        });
        let rec =
            CaseRecord::from_outcome(&outcome).with_app_counts(counts.since(a.counts_at_start));
        a.saved = true;
        let keep_old = self
            .progress
            .cases
            .get(&outcome.id)
            .is_some_and(|old| old.finished && !rec.finished);
        if !keep_old {
            self.progress.cases.insert(outcome.id, rec);
        }
        true
    }

    /// The first question of the active case still taking answers.
    pub fn first_open_question(&self) -> Option<usize> {
        let a = self.active.as_ref()?;
        a.session.questions.iter().position(|q| !q.settled())
    }

    /// The next (or previous) question still taking answers after `from`,
    /// going round; `from` itself when it is the only one left.
    pub fn open_question(&self, from: usize, forward: bool) -> Option<usize> {
        let qs = &self.active.as_ref()?.session.questions;
        let n = qs.len();
        (1..=n)
            .map(|d| {
                if forward {
                    (from + d) % n
                } else {
                    (from + n - d % n) % n
                }
            })
            .find(|&i| qs.get(i).is_some_and(|q| !q.settled()))
    }

    /// Restarts and OOM kills of every app replica so far.
    pub fn app_counts(&self) -> AppCounts {
        self.stack
            .status
            .as_ref()
            .map(AppCounts::sum)
            .unwrap_or_default()
    }
}
