//! The plain data of a case session: where the student is, each check's
//! and alert's state, and the observations asked for and given back.

use crate::cases::Phase;
use crate::cases::check::{Check, Probe, Reduce};
use crate::telemetry::AlertStatus;

use super::super::probe::Observation;

/// Where the student is in the case: finer than its [`Phase`] (the
/// baseline is settled, measured, then healthy or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Load runs; waiting for it to settle before measuring the baseline.
    Settling,
    /// Baseline checks running: nothing may be injected yet.
    Baseline,
    /// Baseline healthy: the student may inject.
    Ready,
    /// A baseline check failed: the system was unhealthy before any fault.
    BaselineFailed,
    /// Fault in: detect checks, expected alerts, hints, questions.
    Detect,
    /// Recover actions done: recover checks running.
    Recover,
    Done,
    /// An inject or recover action failed (see `engine::actions`): the case
    /// cannot go on as written, so it stops where it is, as `workshop run`
    /// aborts. Nothing is polled any more; leaving runs the rollback.
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CheckStatus {
    /// Not started: its phase has not come, or an earlier check runs.
    Waiting,
    Pending,
    Passed,
    Failed,
    /// An alert check on a stack without Prometheus, which alone evaluates
    /// alert rules: shown as not available, never as the student's failure.
    Unavailable,
}

impl CheckStatus {
    /// Nothing more will happen to it.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Passed | Self::Failed | Self::Unavailable)
    }

    /// It does not stand in the way of a pass.
    pub fn counts_as_passed(self) -> bool {
        matches!(self, Self::Passed | Self::Unavailable)
    }
}

/// One check as the student sees it.
#[derive(Debug, Clone)]
pub struct CheckState {
    pub phase: Phase,
    pub check: Check,
    pub status: CheckStatus,
    /// The last value observed.
    pub value: Option<f64>,
    /// When it started (its timeout counts from here).
    pub started: Option<f64>,
    /// When its phase started: the injection for a detect check, the
    /// recover action for a recover check. Every time shown counts from it.
    pub phase_started: Option<f64>,
    /// When finished: how long after its phase started.
    pub after: Option<f64>,
    pub(super) holding_since: Option<f64>,
    pub(super) next_poll: f64,
    pub(super) in_flight: bool,
}

/// An expected alert, counted down from the injection.
#[derive(Debug, Clone)]
pub struct AlertWatch {
    pub name: String,
    pub within: f64,
    pub status: Option<AlertStatus>,
    pub fired_after: Option<f64>,
    pub missed: bool,
    /// Last seen active since before the injection: left over from earlier
    /// (free play, a case before), so it does not count for this fault.
    pub active_before_injection: bool,
    pub(super) reported_before: bool,
    pub(super) next_poll: f64,
    pub(super) in_flight: bool,
}

/// Answers a question takes: a wrong first answer leaves one retry before
/// the live value (the right answer) is shown.
pub(super) const QUESTION_TRIES: u32 = 2;

#[derive(Debug, Clone, Default)]
pub struct QuestionState {
    pub answer: Option<f64>,
    pub live: Option<f64>,
    /// The figure read when the answer box opened: the answer is judged
    /// against it, not against a value that moved while the student typed.
    pub at_open: Option<f64>,
    pub correct: Option<bool>,
    /// Answers judged wrong so far.
    pub wrong: u32,
}

impl QuestionState {
    /// Right, or out of tries: no more answers are taken, and the live
    /// value may be shown.
    pub fn settled(&self) -> bool {
        self.correct == Some(true) || self.wrong >= QUESTION_TRIES
    }

    /// Tries left before the answer is shown.
    pub fn tries_left(&self) -> u32 {
        QUESTION_TRIES.saturating_sub(self.wrong)
    }
}

/// Something to observe, asked by [`CaseSession::due`].
#[derive(Debug, Clone, PartialEq)]
pub enum Poll {
    Capture {
        name: String,
        promql: String,
        reduce: Reduce,
    },
    Check {
        index: usize,
        probe: Probe,
    },
    Alert {
        index: usize,
        name: String,
    },
    Question {
        index: usize,
        promql: String,
        reduce: Reduce,
    },
    /// A live figure of the case's `look_at[index]`, shown on screen.
    Figure {
        index: usize,
        promql: String,
    },
    /// The case's p95, error ratio and memory now: a sample for its
    /// report's chart, and its worst p95 and error ratio while the fault
    /// is in.
    Peaks,
}

/// What an observation found, given back to [`CaseSession::seen`].
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    Captured {
        name: String,
        value: Option<f64>,
    },
    Check {
        index: usize,
        seen: Observation,
    },
    Alert {
        index: usize,
        status: Option<AlertStatus>,
        /// How long it has been active (pending or firing) when seen, by
        /// Prometheus's `activeAt`; `None` when unknown.
        active_for_s: Option<f64>,
    },
    Question {
        index: usize,
        live: Option<f64>,
    },
    Peaks {
        p95: Option<f64>,
        error_ratio: Option<f64>,
        /// The app's memory as the kernel holds it against its limit, in bytes.
        memory_bytes: Option<f64>,
        /// That limit, in bytes; `None` when the app has none.
        memory_limit_bytes: Option<f64>,
    },
    Figure {
        index: usize,
        live: Option<f64>,
    },
    /// The query of `poll` returned series of another process than the
    /// app (`reason` says which): the case stops, since any number it
    /// showed would be about the wrong process.
    Misread {
        poll: Poll,
        reason: String,
    },
}

/// One reading of the case's signals, for the chart in its report.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    /// On the session's clock.
    pub t: f64,
    pub p95: Option<f64>,
    pub error_ratio: Option<f64>,
    pub memory_bytes: Option<f64>,
    #[serde(default)]
    pub memory_limit_bytes: Option<f64>,
}
