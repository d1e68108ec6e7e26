//! What a student's console or run sends the coach's board, and what it
//! gets back. JSON over HTTP: `POST {class URL}/events` with a [`Batch`],
//! answered by an [`Ack`].
//!
//! Only structured facts travel: case ids, phase names, check ids, numbers.
//! No free text (an error message can hold a path, a hostname or an IP
//! address), so the board can show nothing but the name a student chose.
//!
//! A retry is harmless: every event carries its sender's `run` and a `seq`
//! that only grows; the coach applies an event once and answers with the
//! highest `seq` it holds for that run (`have`). A coach that restarted
//! answers `have: 0`, and the sender sends again what it kept.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::cases::engine::RunEvent;

/// The largest request body the coach reads.
pub(crate) const MAX_BODY: usize = 64 * 1024;
/// The most events in one batch.
pub(crate) const MAX_EVENTS: usize = 200;
/// The longest name, in characters.
pub(crate) const MAX_NAME: usize = 32;
/// The longest id (case, check, alert, question, run), in bytes.
pub(crate) const MAX_ID: usize = 64;
/// The longest coach message, in characters.
pub(crate) const MAX_MESSAGE: usize = 200;

/// One post from a student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Batch {
    /// The name the student chose: what the board shows, and what keeps a
    /// student who restarts the console on one row.
    pub name: String,
    /// One id per console or run process (letters, digits, `-`).
    pub run: String,
    /// The sender's clock when it sent: the coach corrects a laptop's
    /// clock by the difference to its own.
    pub sent: DateTime<Utc>,
    /// The id of the last coach message the sender has shown, in the
    /// coach's `epoch`; 0 for none.
    #[serde(default)]
    pub messages_after: u64,
    /// The coach `epoch` that `messages_after` counts in.
    #[serde(default)]
    pub epoch: String,
    /// In `seq` order; may be empty (a heartbeat).
    pub events: Vec<Sent>,
}

/// One event with its place in the sender's sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Sent {
    /// 1, 2, 3, … per `run`.
    pub seq: u64,
    /// When it happened, on the sender's clock.
    pub at: DateTime<Utc>,
    pub event: CoachEvent,
}

/// A case's phase, as the board shows it: the engine's own, written as
/// the case files write it.
pub(crate) use crate::cases::Phase;

/// What happened, in facts the board can count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum CoachEvent {
    /// The student opened (or a run started) a case.
    CaseStarted {
        case: String,
    },
    Phase {
        case: String,
        phase: Phase,
    },
    /// A check ended, passed or not; `after_s` since its phase began.
    Check {
        case: String,
        phase: Phase,
        id: String,
        passed: bool,
        after_s: f64,
    },
    /// An expected alert fired (`after_s` since the injection) or was missed.
    Alert {
        case: String,
        name: String,
        fired: bool,
        after_s: Option<f64>,
    },
    /// The baseline could not be measured: nothing will be injected.
    BaselineFailed {
        case: String,
    },
    /// A hint was shown (asked for, or given when a check was slow).
    Hint {
        case: String,
    },
    /// A question was answered; `correct` is `None` when it cannot be judged.
    Answer {
        case: String,
        question: String,
        correct: Option<bool>,
    },
    /// The app's OOM kills and restarts since the case started.
    AppCounts {
        case: String,
        oom_kills: u32,
        restarts: u32,
    },
    /// Whether any fault is injected in the student's API right now.
    Faults {
        active: bool,
    },
    /// The case ended: every check passed or not; `aborted` when it stopped
    /// early (Ctrl-C, a failed action).
    CaseFinished {
        case: String,
        passed: bool,
        aborted: bool,
    },
    /// The student left the case before it ended.
    CaseLeft {
        case: String,
    },
}

impl CoachEvent {
    /// The case this event is about, if any.
    pub(crate) fn case(&self) -> Option<&str> {
        match self {
            CoachEvent::CaseStarted { case }
            | CoachEvent::Phase { case, .. }
            | CoachEvent::Check { case, .. }
            | CoachEvent::Alert { case, .. }
            | CoachEvent::BaselineFailed { case }
            | CoachEvent::Hint { case }
            | CoachEvent::Answer { case, .. }
            | CoachEvent::AppCounts { case, .. }
            | CoachEvent::CaseFinished { case, .. }
            | CoachEvent::CaseLeft { case } => Some(case),
            CoachEvent::Faults { .. } => None,
        }
    }

    /// The board's view of an engine event of case `case`; `None` for what
    /// the board does not show (texts, captures, load).
    ///
    /// `Aborted` is folded into the `CaseFinished` that follows it by the
    /// sender (see [`aborted`](CoachEvent::CaseFinished)); here it maps to
    /// nothing.
    pub(crate) fn from_run(case: &str, event: &RunEvent) -> Option<CoachEvent> {
        let case = case.to_string();
        Some(match event {
            RunEvent::CaseStarted { case: id, .. } => CoachEvent::CaseStarted { case: id.clone() },
            RunEvent::Phase { case: id, phase: p } => CoachEvent::Phase {
                case: id.clone(),
                phase: *p,
            },
            RunEvent::CheckPassed {
                phase: p,
                id,
                after_s,
                ..
            }
            | RunEvent::CheckFailed {
                phase: p,
                id,
                after_s,
                ..
            } => CoachEvent::Check {
                case,
                phase: *p,
                id: id.clone(),
                passed: matches!(event, RunEvent::CheckPassed { .. }),
                after_s: *after_s,
            },
            RunEvent::AlertFired { name, after_s, .. } => CoachEvent::Alert {
                case,
                name: name.clone(),
                fired: true,
                after_s: Some(*after_s),
            },
            RunEvent::AlertMissed { name, .. } => CoachEvent::Alert {
                case,
                name: name.clone(),
                fired: false,
                after_s: None,
            },
            RunEvent::BaselineFailed { .. } => CoachEvent::BaselineFailed { case },
            RunEvent::Hint { .. } => CoachEvent::Hint { case },
            RunEvent::CaseFinished { case: id, passed } => CoachEvent::CaseFinished {
                case: id.clone(),
                passed: *passed,
                aborted: false,
            },
            RunEvent::LoadStarted { .. }
            | RunEvent::Captured { .. }
            | RunEvent::Action { .. }
            | RunEvent::AlertBeforeInjection { .. }
            | RunEvent::Prompt { .. }
            | RunEvent::Question { .. }
            | RunEvent::Aborted { .. } => return None,
        })
    }
}

/// The coach's answer to a [`Batch`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Ack {
    /// The highest `seq` the coach holds for the batch's `run`.
    pub have: u64,
    /// Changes each time the coach starts: message ids count from 1 in it.
    pub epoch: String,
    /// Messages from the coach after the batch's `messages_after` (all of
    /// them when the epoch changed), oldest first.
    pub messages: Vec<Message>,
}

/// A short message from the coach to every console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Message {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// The coach's refusal: 4xx with the workshop's one error body, the API's
/// too (`error`, and the `field` at fault where one is named).
pub(crate) type Refusal = crate::http_error::ErrorBody;

/// A name the board can show: 1 to [`MAX_NAME`] characters of letters,
/// digits, spaces, `-`, `_`, `.`, `'`; trimmed. The key that keeps one row
/// per student is its lowercase form.
pub(crate) fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("name: empty; give the name the board should show, e.g. --name Ana".into());
    }
    if name.chars().count() > MAX_NAME {
        return Err(format!(
            "name: longer than {MAX_NAME} characters; a first name or a nickname is enough"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '\'')))
    {
        return Err(format!(
            "name: {c:?} is not allowed; use letters, digits, spaces, '-', '_', '.' or '''"
        ));
    }
    Ok(name.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// An id (run, case, check, alert, question): 1 to [`MAX_ID`] bytes of
/// ASCII letters, digits, `-`, `_`, `.`.
pub(crate) fn check_id(field: &str, id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > MAX_ID {
        return Err(format!("{field}: must be 1 to {MAX_ID} characters"));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!(
            "{field}: {id:?} has a character other than letters, digits, '-', '_', '.'"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_reads_back_as_it_was_written() {
        let batch = Batch {
            name: "Ana".into(),
            run: "r-1".into(),
            sent: Utc::now(),
            messages_after: 0,
            epoch: String::new(),
            events: vec![Sent {
                seq: 1,
                at: Utc::now(),
                event: CoachEvent::Phase {
                    case: "latency".into(),
                    phase: Phase::Detect,
                },
            }],
        };
        let json = serde_json::to_string(&batch).expect("json");
        assert!(json.contains(r#""kind":"phase""#), "{json}");
        assert!(json.contains(r#""phase":"detect""#), "{json}");
        let back: Batch = serde_json::from_str(&json).expect("reads");
        assert_eq!(back, batch);
    }

    #[test]
    fn unknown_kinds_phases_and_fields_are_refused() {
        let at = r#""at":"2026-12-02T10:00:00Z""#;
        for bad in [
            format!(r#"{{"seq":1,{at},"event":{{"kind":"explode","case":"latency"}}}}"#),
            format!(
                r#"{{"seq":1,{at},"event":{{"kind":"phase","case":"latency","phase":"panic"}}}}"#
            ),
            format!(
                r#"{{"seq":1,{at},"event":{{"kind":"hint","case":"latency","host":"pc-17"}}}}"#
            ),
            format!(
                r#"{{"seq":1,{at},"ip":"10.0.0.5","event":{{"kind":"hint","case":"latency"}}}}"#
            ),
        ] {
            assert!(serde_json::from_str::<Sent>(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_name("  Ana   Lima ").as_deref(), Ok("Ana Lima"));
        assert_eq!(check_name("Аня").as_deref(), Ok("Аня"));
        assert!(check_name("").is_err());
        assert!(check_name(&"a".repeat(MAX_NAME + 1)).is_err());
        let html = check_name("<b>x</b>").expect_err("markup");
        assert!(html.starts_with("name:"), "{html}");
        assert!(check_name("a\u{7}b").is_err());
    }

    #[test]
    fn ids_are_plain() {
        assert!(check_id("case", "memory-leak").is_ok());
        assert!(check_id("case", "").is_err());
        assert!(check_id("case", "../etc").is_err());
        assert!(check_id("case", &"x".repeat(MAX_ID + 1)).is_err());
    }

    #[test]
    fn engine_events_become_facts_without_text() {
        let e = RunEvent::CheckFailed {
            phase: Phase::Detect,
            id: "p95-above-objective".into(),
            value: Some(0.2),
            after_s: 12.0,
            message: "http://10.0.0.5:5000 refused".into(),
        };
        let c = CoachEvent::from_run("latency", &e).expect("kept");
        let json = serde_json::to_string(&c).expect("json");
        assert!(!json.contains("10.0.0.5"), "{json}");
        assert_eq!(c.case(), Some("latency"));
        let said = RunEvent::Prompt {
            text: "what changed?".into(),
        };
        assert_eq!(CoachEvent::from_run("latency", &said), None);
    }
}
