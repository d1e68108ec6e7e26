//! What the coach refuses, checked before anything is applied: a batch is
//! taken whole or not at all, so bad input leaves the board as it was.

use axum::Json;
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::coach::wire::{self, Batch, CoachEvent, Refusal};

/// A 4xx answer with a [`Refusal`] body: the fix, and the field at fault
/// when the refusal is about one (a header, the body's size, are not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) status: StatusCode,
    pub(crate) error: String,
    /// The request's field at fault, named as the message names it: a JSON
    /// path (`events[0].event.kind`), a part of the route (`code`, `name`).
    pub(crate) field: Option<String>,
    /// Seconds to wait before asking again, sent as `Retry-After`.
    pub(crate) retry_after_s: Option<u64>,
}

impl Refused {
    /// A refusal about no one field.
    pub(crate) fn new(status: StatusCode, error: impl Into<String>) -> Refused {
        Refused {
            status,
            error: error.into(),
            field: None,
            retry_after_s: None,
        }
    }

    /// A refusal of `field`.
    pub(crate) fn of(
        status: StatusCode,
        field: impl Into<String>,
        error: impl Into<String>,
    ) -> Refused {
        Refused {
            field: Some(field.into()),
            ..Refused::new(status, error)
        }
    }

    /// The answer to a wrong class code on the API (a page answers 404).
    pub(crate) fn wrong_code() -> Refused {
        Refused::of(
            StatusCode::FORBIDDEN,
            "code",
            "class code: not this board's; copy the class URL the coach shows (…/class/CODE)",
        )
    }

    /// The answer to a wrong class code from a source that sent too many:
    /// 429, and when to try again.
    pub(crate) fn too_many_wrong_codes(retry_after_s: u64) -> Refused {
        Refused {
            retry_after_s: Some(retry_after_s),
            ..Refused::of(
                StatusCode::TOO_MANY_REQUESTS,
                "code",
                format!(
                    "class code: too many wrong codes from this address; wait {retry_after_s} s, then copy the class URL the coach shows (…/class/CODE)"
                ),
            )
        }
    }

    /// A field the rules of the wire or of this board refuse: 422.
    fn field(field: impl Into<String>, error: impl Into<String>) -> Refused {
        Refused::of(StatusCode::UNPROCESSABLE_ENTITY, field, error)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let body = Refusal {
            error: self.error,
            field: self.field,
            ..Refusal::default()
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

/// Checks every field of `batch` against the rules of the wire and the
/// cases of this board (`known`, their ids); returns the name to show.
pub(crate) fn batch(batch: &Batch, known: &[&str]) -> Result<String, Refused> {
    let name = wire::check_name(&batch.name).map_err(|e| Refused::field("name", e))?;
    wire::check_id("run", &batch.run).map_err(|e| Refused::field("run", e))?;
    if batch.epoch.len() > wire::MAX_ID {
        let why = format!(
            "epoch: longer than {} characters; send the epoch of the coach's last answer",
            wire::MAX_ID
        );
        return Err(Refused::field("epoch", why));
    }
    if batch.events.len() > wire::MAX_EVENTS {
        let why = format!(
            "events: {} events in one batch; send at most {}",
            batch.events.len(),
            wire::MAX_EVENTS
        );
        return Err(Refused::field("events", why));
    }
    let mut previous = 0;
    for (i, sent) in batch.events.iter().enumerate() {
        let at = format!("events[{i}]");
        let seq = format!("{at}.seq");
        if sent.seq == 0 {
            let why = format!("{seq}: 0; seq counts from 1");
            return Err(Refused::field(seq, why));
        }
        if sent.seq <= previous {
            let why = format!(
                "{seq}: {} is not above the event before it ({previous}); seq must grow within a batch",
                sent.seq
            );
            return Err(Refused::field(seq, why));
        }
        previous = sent.seq;
        event(&sent.event, &format!("{at}.event"), known)?;
    }
    Ok(name)
}

/// The ids and numbers of one event, found at the JSON path `at`.
fn event(e: &CoachEvent, at: &str, known: &[&str]) -> Result<(), Refused> {
    let id = |field: &str, v: &str| {
        let path = format!("{at}.{field}");
        wire::check_id(&path, v).map_err(|why| Refused::field(path, why))
    };
    if let Some(case) = e.case() {
        id("case", case)?;
        if !known.contains(&case) {
            let why = format!(
                "{at}.case: no case `{case}` on this board; the cases are: {}",
                known.join(", ")
            );
            return Err(Refused::field(format!("{at}.case"), why));
        }
    }
    let seconds = |field: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            return Ok(());
        }
        let path = format!("{at}.{field}");
        let why = format!("{path}: {v} is not a number of seconds (finite, 0 or more)");
        Err(Refused::field(path, why))
    };
    match e {
        CoachEvent::Check {
            id: check, after_s, ..
        } => {
            id("id", check)?;
            seconds("after_s", *after_s)
        }
        CoachEvent::Alert { name, after_s, .. } => {
            id("name", name)?;
            after_s.map_or(Ok(()), |v| seconds("after_s", v))
        }
        CoachEvent::Answer { question, .. } => id("question", question),
        _ => Ok(()),
    }
}

/// A coach message as it will be shown: trimmed, 1 to
/// [`wire::MAX_MESSAGE`] characters, no control characters.
pub(crate) fn message(text: &str) -> Result<String, Refused> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Refused::field(
            "text",
            "text: empty; write the message the students should see",
        ));
    }
    let n = text.chars().count();
    if n > wire::MAX_MESSAGE {
        let why = format!(
            "text: {n} characters; keep it to {} (one line on a console)",
            wire::MAX_MESSAGE
        );
        return Err(Refused::field("text", why));
    }
    if text.chars().any(char::is_control) {
        return Err(Refused::field(
            "text",
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

    /// The field the message starts with is the refusal's `field`, as the
    /// API answers it: a client reads it without parsing the message.
    #[test]
    fn each_refusal_of_a_field_carries_the_field_its_message_names() {
        let known = ["latency"];
        let check = CoachEvent::Check {
            case: "latency".into(),
            phase: Phase::Detect,
            id: "p 95".into(),
            passed: true,
            after_s: 1.0,
        };
        let mut bad_name = with(vec![]);
        bad_name.name = String::new();
        for (b, field) in [
            (with(vec![sent(0, phase("latency"))]), "events[0].seq"),
            (with(vec![sent(1, phase("nope"))]), "events[0].event.case"),
            (with(vec![sent(1, check)]), "events[0].event.id"),
            (bad_name, "name"),
        ] {
            let refused = batch(&b, &known).expect_err("refused");
            assert_eq!(refused.field.as_deref(), Some(field), "{}", refused.error);
            assert!(
                refused.error.starts_with(&format!("{field}: ")),
                "{}",
                refused.error
            );
        }
        let text = message("").expect_err("empty");
        assert_eq!(text.field.as_deref(), Some("text"));
        assert_eq!(Refused::wrong_code().field.as_deref(), Some("code"));
        let limited = Refused::too_many_wrong_codes(30);
        assert_eq!(limited.field.as_deref(), Some("code"));
        assert!(
            limited.error.starts_with("class code: "),
            "{}",
            limited.error
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
