//! What a run reports as it goes: typed events, stamped with the time since
//! the run started, printed by the CLI, kept as the JSON journal, and logged by the console.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    CaseStarted {
        case: String,
        title: String,
    },
    Phase {
        case: String,
        phase: &'static str,
    },
    LoadStarted {
        rps: f64,
        mix: String,
    },
    Captured {
        name: String,
        value: f64,
    },
    /// The baseline could not be measured: nothing will be injected
    /// (unless an instructor forces it in the console).
    BaselineFailed {
        reason: String,
    },
    Action {
        action: String,
    },
    CheckPassed {
        phase: &'static str,
        id: String,
        value: Option<f64>,
        after_s: f64,
    },
    CheckFailed {
        phase: &'static str,
        id: String,
        value: Option<f64>,
        after_s: f64,
        message: String,
    },
    AlertFired {
        name: String,
        after_s: f64,
        within_s: f64,
    },
    AlertMissed {
        name: String,
        within_s: f64,
    },
    /// An expected alert was active before the fault went in: it does not
    /// count, and the baseline was not clean. `message` is in the case's
    /// language.
    AlertBeforeInjection {
        name: String,
        before_s: f64,
        message: String,
    },
    Hint {
        text: String,
    },
    Prompt {
        text: String,
    },
    Question {
        id: String,
        ask: String,
        live: Option<f64>,
        unit: Option<String>,
    },
    Aborted {
        reason: String,
    },
    CaseFinished {
        case: String,
        passed: bool,
    },
}

/// An event with when it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Stamped {
    pub at: DateTime<Utc>,
    /// Seconds since the run started.
    pub t: f64,
    #[serde(flatten)]
    pub event: RunEvent,
}

pub(crate) fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

fn value(v: &Option<f64>) -> String {
    v.map(|v| format!(" ({})", super::probe::show(v)))
        .unwrap_or_default()
}

impl RunEvent {
    /// The event as one line of text, without its time.
    pub fn text(&self) -> String {
        match self {
            RunEvent::CaseStarted { case, title } => format!("━━ case {case}: {title}"),
            RunEvent::Phase { phase, .. } => format!("── {phase}"),
            RunEvent::LoadStarted { rps, mix } => format!("load {rps} req/s ({mix})"),
            RunEvent::Captured { name, value } => format!("captured {name} = {value:.4}"),
            RunEvent::BaselineFailed { reason } => format!("✘ baseline: {reason}"),
            RunEvent::Action { action } => format!("action: {action}"),
            RunEvent::CheckPassed {
                phase,
                id,
                value: v,
                after_s,
            } => {
                format!("✔ {phase}/{id}{} after {after_s}s", value(v))
            }
            RunEvent::CheckFailed {
                phase,
                id,
                value: v,
                after_s,
                message,
            } => {
                format!("✘ {phase}/{id}{} after {after_s}s — {message}", value(v))
            }
            RunEvent::AlertFired {
                name,
                after_s,
                within_s,
            } => {
                format!("🔔 {name} fired {after_s}s after injection (expected within {within_s}s)")
            }
            RunEvent::AlertMissed { name, within_s } => {
                format!("✘ {name} did not fire within {within_s}s")
            }
            RunEvent::AlertBeforeInjection { message, .. } => format!("✘ {message}"),
            RunEvent::Hint { text } => format!("hint: {text}"),
            RunEvent::Prompt { text } => format!("runbook: {text}"),
            RunEvent::Question {
                ask, live, unit, ..
            } => format!(
                "question: {ask} — live value {}{}",
                live.map(|v| format!("{v:.3}"))
                    .unwrap_or_else(|| "n/a".into()),
                unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
            ),
            RunEvent::Aborted { reason } => format!("aborted: {reason}"),
            RunEvent::CaseFinished { case, passed } => {
                format!(
                    "━━ case {case}: {}",
                    if *passed { "PASSED" } else { "FAILED" }
                )
            }
        }
    }
}

impl Stamped {
    /// One line for a terminal.
    pub(crate) fn line(&self) -> String {
        format!("[{:>6.1}s] {}", self.t, self.event.text())
    }
}
