//! Everything the console shows, as plain data. Only `update` changes it;
//! the panels only read it.

use std::collections::VecDeque;

use crate::cases::runner::session::CaseSession;
use crate::cases::{Case, Lang};
use crate::faults::{FIELDS, FaultConfig, FaultField, Num, OutOfRange};
use crate::loadgen::LoadReport;
use crate::stack::{Backend, StackStatus};
use crate::telemetry::Series;

use super::msg::{Blocked, SourceKind};
use super::progress::{CaseRecord, Progress};

/// The five-minute window of the charts.
pub const CHART_WINDOW_S: f64 = 300.0;
/// Lines kept in the event log.
pub const LOG_LINES: usize = 200;

/// How the console got its stack.
#[derive(Debug, Clone, PartialEq)]
pub enum StackPhase {
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
    pub phase: StackPhase,
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
    /// No such thing configured (no Prometheus in local mode without the binary).
    Absent,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub source: SourceKind,
    pub api: Link,
    pub prometheus: Link,
    pub p95: Series,
    pub error_ratio: Series,
    pub rps: Series,
    pub active: Series,
    pub memory: Series,
    /// Where a fault went in (true) or was reset (false), on the charts' clock.
    pub markers: Vec<(f64, bool)>,
}

impl Signals {
    pub fn new() -> Self {
        let s = || Series::new(CHART_WINDOW_S);
        Self {
            source: SourceKind::None,
            api: Link::Unknown,
            prometheus: Link::Unknown,
            p95: s(),
            error_ratio: s(),
            rps: s(),
            active: s(),
            memory: s(),
            markers: Vec::new(),
        }
    }
}

impl Default for Signals {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Debug, Clone)]
pub struct LoadView {
    pub on: bool,
    pub target: f64,
    pub report: Option<LoadReport>,
}

/// The values the fault keys inject, edited in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultValues {
    pub latency_ms: u64,
    pub error_rate: f64,
    pub leak_mb: u64,
    pub db_slow_ms: u64,
}

impl Default for FaultValues {
    fn default() -> Self {
        Self {
            latency_ms: 2000,
            error_rate: 20.0,
            leak_mb: 5,
            db_slow_ms: 2000,
        }
    }
}

/// One line of the fault form: the field of the one fault table (label,
/// bounds, parsing), and where its value lives in [`FaultValues`].
pub struct FormField {
    pub field: &'static FaultField,
    pub get: fn(&FaultValues) -> Num,
    pub set: fn(&mut FaultValues, Num),
}

impl FormField {
    /// The text as typed, read as this field's value. The text itself is
    /// never changed; a decimal comma reads as a point in the one field
    /// that takes fractions (the error rate), as a Russian keyboard types it.
    pub fn read(&self, text: &str) -> Result<Num, OutOfRange> {
        if self.field.whole {
            self.field.parse(text)
        } else {
            self.field.parse(&text.replace(',', "."))
        }
    }
}

fn whole(n: Num) -> u64 {
    match n {
        Num::Whole(n) => n,
        Num::Real(x) => x as u64,
    }
}

fn real(n: Num) -> f64 {
    n.as_f64()
}

/// The fault form, top to bottom: every place that shows, edits or applies
/// it reads this list, so a line and its value cannot drift apart.
pub static FORM: [FormField; 4] = [
    FormField {
        field: &FIELDS[0],
        get: |v| Num::Whole(v.latency_ms),
        set: |v, n| v.latency_ms = whole(n),
    },
    FormField {
        field: &FIELDS[2],
        get: |v| Num::Real(v.error_rate),
        set: |v, n| v.error_rate = real(n),
    },
    FormField {
        field: &FIELDS[4],
        get: |v| Num::Whole(v.leak_mb),
        set: |v, n| v.leak_mb = whole(n),
    },
    FormField {
        field: &FIELDS[5],
        get: |v| Num::Whole(v.db_slow_ms),
        set: |v, n| v.db_slow_ms = whole(n),
    },
];

/// What sits on top of the main view and takes the keys.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Info,
    Good,
    Bad,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub t: f64,
    pub kind: LogKind,
    pub text: String,
}

/// The case being walked, with what the report needs beyond the session.
pub struct ActiveCase {
    pub session: CaseSession,
    pub title: String,
    pub restarts_at_start: u64,
    pub saved: bool,
}

pub struct App {
    pub lang: Lang,
    /// Seconds since the console started (the clock of everything shown).
    pub now: f64,
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
            api_url,
            prometheus_url,
            stack: StackView {
                phase: StackPhase::Opening,
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
        }
    }

    pub fn log(&mut self, kind: LogKind, text: impl Into<String>) {
        self.log.push_back(LogLine {
            t: self.now,
            kind,
            text: text.into(),
        });
        while self.log.len() > LOG_LINES {
            self.log.pop_front();
        }
    }

    /// Stores the active case's result in the progress (a finished result
    /// is never replaced by an unfinished one); false when no case is open.
    pub fn record_case(&mut self) -> bool {
        let restarts = self.app_restarts();
        let Some(a) = self.active.as_mut() else {
            return false;
        };
        let outcome = a.session.outcome(&a.title);
        let rec = CaseRecord::from_outcome(&outcome, restarts.saturating_sub(a.restarts_at_start));
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

    /// The API as the header shows it. The stack's view of the app wins
    /// when it has one: `/metrics` keeps answering while `/health` fails,
    /// and the header must not say ✔ beside a stack panel that says
    /// unhealthy.
    pub fn api_link(&self) -> Link {
        use crate::stack::{Health, ServiceState};
        let apps: Vec<_> = self
            .stack
            .status
            .iter()
            .flat_map(|s| &s.services)
            .filter(|s| s.name.starts_with("app"))
            .collect();
        let down = apps.iter().find(|s| {
            let stopped = s.state != ServiceState::Running
                && !matches!(s.state, ServiceState::Missing | ServiceState::ImageMissing);
            stopped || s.health == Health::Unhealthy
        });
        match down {
            Some(s) if s.health == Health::Unhealthy => Link::Down(format!("{} unhealthy", s.name)),
            Some(s) => Link::Down(format!("{} {}", s.name, s.state)),
            None if apps.iter().any(|s| s.health == Health::Starting)
                && self.signals.api == Link::Up =>
            {
                Link::Unknown
            }
            None => self.signals.api.clone(),
        }
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

    /// Restarts of every app replica so far.
    pub fn app_restarts(&self) -> u64 {
        self.stack
            .status
            .as_ref()
            .map(|s| {
                s.services
                    .iter()
                    .filter(|x| x.name.starts_with("app"))
                    .map(|x| x.restarts)
                    .sum()
            })
            .unwrap_or(0)
    }
}
