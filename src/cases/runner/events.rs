//! What a run reports as it goes: typed events, stamped with the time since
//! the run started, printed by the CLI, kept as the JSON journal, and logged by the console.

use std::fmt::Display;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cases::Lang;
use crate::words::{self, E, t, tf};

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

/// A phase's name in `lang`; a phase the catalogue does not know is shown
/// as the case file names it.
pub(crate) fn phase_name(lang: Lang, phase: &str) -> &str {
    let word = match phase {
        "baseline" => E::PhaseBaseline,
        "inject" => E::PhaseInject,
        "detect" => E::PhaseDetect,
        "respond" => E::PhaseRespond,
        "recover" => E::PhaseRecover,
        "rollback" => E::PhaseRollback,
        "teachable" => E::PhaseTeachable,
        _ => return phase,
    };
    t(lang, word)
}

impl RunEvent {
    /// The event as one line of text in `lang`, without its time.
    pub fn text(&self, lang: Lang) -> String {
        let say = |w: E, args: &[&dyn Display]| tf(lang, w, args);
        match self {
            RunEvent::CaseStarted { case, title } => say(E::CaseStarted, &[case, title]),
            RunEvent::Phase { phase, .. } => format!("── {}", phase_name(lang, phase)),
            RunEvent::LoadStarted { rps, mix } => say(E::LoadStarted, &[rps, mix]),
            RunEvent::Captured { name, value } => say(E::Captured, &[name, &format!("{value:.4}")]),
            RunEvent::BaselineFailed { reason } => say(E::BaselineFailed, &[reason]),
            RunEvent::Action { action } => say(E::Action, &[action]),
            RunEvent::CheckPassed {
                phase,
                id,
                value: v,
                after_s,
            } => say(
                E::CheckPassed,
                &[&format!("{phase}/{id}"), &value(v), after_s],
            ),
            RunEvent::CheckFailed {
                phase,
                id,
                value: v,
                after_s,
                message,
            } => say(
                E::CheckFailed,
                &[&format!("{phase}/{id}"), &value(v), after_s, message],
            ),
            RunEvent::AlertFired {
                name,
                after_s,
                within_s,
            } => say(E::AlertFired, &[name, after_s, within_s]),
            RunEvent::AlertMissed { name, within_s } => say(E::AlertMissed, &[name, within_s]),
            RunEvent::AlertBeforeInjection { message, .. } => format!("✘ {message}"),
            RunEvent::Hint { text } => say(E::Hint, &[text]),
            RunEvent::Prompt { text } => say(E::Prompt, &[text]),
            RunEvent::Question {
                ask, live, unit, ..
            } => {
                let live = live
                    .map(|v| format!("{v:.3}"))
                    .unwrap_or_else(|| t(lang, E::NoValue).to_string());
                let unit = unit
                    .as_deref()
                    .map(|u| format!(" {}", words::unit(lang, u)))
                    .unwrap_or_default();
                say(E::Question, &[ask, &live, &unit])
            }
            RunEvent::Aborted { reason } => say(E::Aborted, &[reason]),
            RunEvent::CaseFinished { case, passed } => {
                let verdict = t(lang, if *passed { E::Passed } else { E::Failed });
                say(E::CaseFinished, &[case, &verdict])
            }
        }
    }
}

impl Stamped {
    /// One line for a terminal, in `lang`.
    pub(crate) fn line(&self, lang: Lang) -> String {
        let s = words::unit(lang, "s");
        format!("[{:>6.1}{s}] {}", self.t, self.event.text(lang))
    }
}
