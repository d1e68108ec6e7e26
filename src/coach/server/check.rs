//! What the coach refuses, checked before anything is applied: a batch is
//! taken whole or not at all, so bad input leaves the board as it was.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::coach::wire::{self, Batch, CoachEvent, Refusal};

/// A 4xx answer with a [`Refusal`] body naming the field and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) status: StatusCode,
    pub(crate) error: String,
}

impl Refused {
    pub(crate) fn new(status: StatusCode, error: impl Into<String>) -> Refused {
        Refused {
            status,
            error: error.into(),
        }
    }

    /// The answer to a wrong class code on the API (a page answers 404).
    pub(crate) fn wrong_code() -> Refused {
        Refused::new(
            StatusCode::FORBIDDEN,
            "class code: not this board's; copy the class URL the coach shows (…/class/CODE)",
        )
    }

    fn field(error: impl Into<String>) -> Refused {
        Refused::new(StatusCode::UNPROCESSABLE_ENTITY, error)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        (self.status, Json(Refusal { error: self.error })).into_response()
    }
}

/// Checks every field of `batch` against the rules of the wire and the
/// cases of this board (`known`, their ids); returns the name to show.
pub(crate) fn batch(batch: &Batch, known: &[&str]) -> Result<String, Refused> {
    let name = wire::check_name(&batch.name).map_err(Refused::field)?;
    wire::check_id("run", &batch.run).map_err(Refused::field)?;
    if batch.epoch.len() > wire::MAX_ID {
        return Err(Refused::field(format!(
            "epoch: longer than {} characters; send the epoch of the coach's last answer",
            wire::MAX_ID
        )));
    }
    if batch.events.len() > wire::MAX_EVENTS {
        return Err(Refused::field(format!(
            "events: {} events in one batch; send at most {}",
            batch.events.len(),
            wire::MAX_EVENTS
        )));
    }
    let mut previous = 0;
    for (i, sent) in batch.events.iter().enumerate() {
        let at = format!("events[{i}]");
        if sent.seq == 0 {
            return Err(Refused::field(format!("{at}.seq: 0; seq counts from 1")));
        }
        if sent.seq <= previous {
            return Err(Refused::field(format!(
                "{at}.seq: {} is not above the event before it ({previous}); seq must grow within a batch",
                sent.seq
            )));
        }
        previous = sent.seq;
        event(&sent.event, &format!("{at}.event"), known).map_err(Refused::field)?;
    }
    Ok(name)
}

/// The ids and numbers of one event.
fn event(e: &CoachEvent, at: &str, known: &[&str]) -> Result<(), String> {
    if let Some(case) = e.case() {
        wire::check_id(&format!("{at}.case"), case)?;
        if !known.contains(&case) {
            return Err(format!(
                "{at}.case: no case `{case}` on this board; the cases are: {}",
                known.join(", ")
            ));
        }
    }
    let seconds = |field: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            Err(format!(
                "{at}.{field}: {v} is not a number of seconds (finite, 0 or more)"
            ))
        }
    };
    match e {
        CoachEvent::Check { id, after_s, .. } => {
            wire::check_id(&format!("{at}.id"), id)?;
            seconds("after_s", *after_s)
        }
        CoachEvent::Alert { name, after_s, .. } => {
            wire::check_id(&format!("{at}.name"), name)?;
            after_s.map_or(Ok(()), |v| seconds("after_s", v))
        }
        CoachEvent::Answer { question, .. } => wire::check_id(&format!("{at}.question"), question),
        _ => Ok(()),
    }
}

/// A coach message as it will be shown: trimmed, 1 to
/// [`wire::MAX_MESSAGE`] characters, no control characters.
pub(crate) fn message(text: &str) -> Result<String, Refused> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Refused::field(
            "text: empty; write the message the students should see",
        ));
    }
    let n = text.chars().count();
    if n > wire::MAX_MESSAGE {
        return Err(Refused::field(format!(
            "text: {n} characters; keep it to {} (one line on a console)",
            wire::MAX_MESSAGE
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(Refused::field(
            "text: has a control character (a line break or tab); write one line of plain text",
        ));
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coach::wire::{Phase, Sent};
    use chrono::Utc;

    fn sent(seq: u64, event: CoachEvent) -> Sent {
        Sent {
            seq,
            at: Utc::now(),
            event,
        }
    }

    fn with(events: Vec<Sent>) -> Batch {
        Batch {
            name: "Ana".into(),
            run: "r1".into(),
            sent: Utc::now(),
            messages_after: 0,
            epoch: String::new(),
            events,
        }
    }

    fn phase(case: &str) -> CoachEvent {
        CoachEvent::Phase {
            case: case.into(),
            phase: Phase::Detect,
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        let known = ["latency", "error-rate"];
        let refused = |b: Batch| batch(&b, &known).expect_err("refused").error;
        assert!(refused(with(vec![sent(0, phase("latency"))])).starts_with("events[0].seq"));
        let twice = with(vec![sent(2, phase("latency")), sent(2, phase("latency"))]);
        assert!(refused(twice).starts_with("events[1].seq"));
        let unknown = refused(with(vec![sent(1, phase("nope"))]));
        assert!(unknown.starts_with("events[0].event.case"), "{unknown}");
        assert!(unknown.contains("latency, error-rate"), "{unknown}");
        let nan = with(vec![sent(
            1,
            CoachEvent::Check {
                case: "latency".into(),
                phase: Phase::Detect,
                id: "p95".into(),
                passed: true,
                after_s: f64::NAN,
            },
        )]);
        assert!(refused(nan).starts_with("events[0].event.after_s"));
        let mut bad_name = with(vec![]);
        bad_name.name = "<script>".into();
        assert!(refused(bad_name).starts_with("name:"));
        let mut bad_run = with(vec![]);
        bad_run.run = "a/b".into();
        assert!(refused(bad_run).starts_with("run:"));
        let many = with((1..=201).map(|i| sent(i, phase("latency"))).collect());
        assert!(refused(many).starts_with("events:"));
        assert_eq!(
            batch(&with(vec![sent(1, phase("latency"))]), &known).as_deref(),
            Ok("Ana")
        );
    }

    #[test]
    fn a_message_is_one_short_line() {
        assert_eq!(
            message("  5 minutes left ").as_deref(),
            Ok("5 minutes left")
        );
        assert!(message("").is_err());
        assert!(message("a\nb").is_err());
        assert!(message(&"x".repeat(wire::MAX_MESSAGE + 1)).is_err());
        assert!(message(&"я".repeat(wire::MAX_MESSAGE)).is_ok());
    }
}
