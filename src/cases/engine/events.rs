//! What a run reports as it goes: typed events, stamped with the time since
//! the run started, printed by the CLI, kept as the JSON journal, and logged by the console.

use std::fmt::Display;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::cases::{Lang, Phase};
use crate::words::{self, E, check_label, t, tf};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    CaseStarted {
        case: String,
        title: String,
    },
    Phase {
        case: String,
        phase: Phase,
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
        phase: Phase,
        id: String,
        value: Option<f64>,
        after_s: f64,
    },
    CheckFailed {
        phase: Phase,
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

fn value(v: &Option<f64>, lang: Lang) -> String {
    v.map(|v| format!(" ({})", super::probe::show_in(v, lang)))
        .unwrap_or_default()
}

impl RunEvent {
    /// The event as one line of text in `lang`, without its time.
    pub fn text(&self, lang: Lang) -> String {
        let say = |w: E, args: &[&dyn Display]| tf(lang, w, args);
        // Numbers as `lang` writes them (a decimal comma in Russian).
        let n = |v: &dyn Display| lang.decimal(v.to_string());
        match self {
            RunEvent::CaseStarted { case, title } => say(E::CaseStarted, &[case, title]),
            RunEvent::Phase { phase, .. } => format!("── {}", t(lang, *phase)),
            RunEvent::LoadStarted { rps, mix } => say(E::LoadStarted, &[rps, mix]),
            RunEvent::Captured { name, value } => {
                say(E::Captured, &[name, &n(&format!("{value:.4}"))])
            }
            RunEvent::BaselineFailed { reason } => say(E::BaselineFailed, &[reason]),
            RunEvent::Action { action } => say(E::Action, &[action]),
            RunEvent::CheckPassed {
                phase,
                id,
                value: v,
                after_s,
            } => say(
                E::CheckPassed,
                &[&check_label(lang, *phase, id), &value(v, lang), &n(after_s)],
            ),
            RunEvent::CheckFailed {
                phase,
                id,
                value: v,
                after_s,
                message,
            } => say(
                E::CheckFailed,
                &[
                    &check_label(lang, *phase, id),
                    &value(v, lang),
                    &n(after_s),
                    message,
                ],
            ),
            RunEvent::AlertFired {
                name,
                after_s,
                within_s,
            } => say(E::AlertFired, &[name, &n(after_s), &n(within_s)]),
            RunEvent::AlertMissed { name, within_s } => say(E::AlertMissed, &[name, &n(within_s)]),
            RunEvent::AlertBeforeInjection { message, .. } => format!("✘ {message}"),
            RunEvent::Hint { text } => say(E::Hint, &[text]),
            RunEvent::Prompt { text } => say(E::Prompt, &[text]),
            RunEvent::Question {
                ask, live, unit, ..
            } => {
                let live = live
                    .map(|v| n(&format!("{v:.3}")))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::engine::io::ActError;
    use crate::cases::model::{Action, ContainerAction, ContainerStep};
    use crate::cases::{CaseSet, Lang};
    use crate::faults::FaultUpdate;
    use crate::words::english_leaks;

    /// Which variant an event is. No wildcard: a new variant does not
    /// compile until it is counted here, and then the test below asks for
    /// an example of it.
    fn kind(e: &RunEvent) -> usize {
        match e {
            RunEvent::CaseStarted { .. } => 0,
            RunEvent::Phase { .. } => 1,
            RunEvent::LoadStarted { .. } => 2,
            RunEvent::Captured { .. } => 3,
            RunEvent::BaselineFailed { .. } => 4,
            RunEvent::Action { .. } => 5,
            RunEvent::CheckPassed { .. } => 6,
            RunEvent::CheckFailed { .. } => 7,
            RunEvent::AlertFired { .. } => 8,
            RunEvent::AlertMissed { .. } => 9,
            RunEvent::AlertBeforeInjection { .. } => 10,
            RunEvent::Hint { .. } => 11,
            RunEvent::Prompt { .. } => 12,
            RunEvent::Question { .. } => 13,
            RunEvent::Aborted { .. } => 14,
            RunEvent::CaseFinished { .. } => 15,
        }
    }
    const KINDS: usize = 16;

    /// Every event a run says, each phase and each way a case stops, made
    /// the way the runner makes them in `lang` (case texts from a shipped
    /// case, reasons and actions from the catalogue).
    fn every_event(lang: Lang) -> Vec<RunEvent> {
        let set = CaseSet::shipped().expect("shipped cases");
        let case = set.find("latency").expect("the latency case");
        let detect = &case.phases.detect;
        let restart = Action::Container(ContainerStep {
            action: ContainerAction::Restart,
            service: crate::stack::ServiceRole::App,
        });
        let kill = Action::Container(ContainerStep {
            action: ContainerAction::Kill,
            service: crate::stack::ServiceRole::App,
        });
        let actions = [
            Action::SetFailures(FaultUpdate::default()),
            Action::Reset,
            restart.clone(),
            kill,
        ];
        let no_stack = ActError::NoStack { action: restart };
        let mut events = vec![RunEvent::CaseStarted {
            case: case.id.clone(),
            title: case.title.get(lang).into(),
        }];
        for phase in Phase::ALL {
            events.push(RunEvent::Phase {
                case: case.id.clone(),
                phase,
            });
        }
        events.extend(actions.iter().map(|a| RunEvent::Action {
            action: a.text(lang),
        }));
        let message = detect.checks[0].message.get(lang).to_string();
        let reasons = [
            tf(
                lang,
                E::CaptureNoData,
                &[&"p95_before", &"job:fintech_p95_latency:5m"],
            ),
            t(lang, E::BaselineUnhealthy).into(),
            tf(
                lang,
                E::ActionFailed,
                &[&actions[2].text(lang), &no_stack.text(lang)],
            ),
            tf(
                lang,
                E::RollbackFailed,
                &[&actions[1].text(lang), &"HTTP 503"],
            ),
            t(lang, E::LeftBeforeEnd).into(),
            tf(lang, E::NotTeachable, &[&"p95-above-objective"]),
        ];
        events.push(RunEvent::BaselineFailed {
            reason: reasons[0].clone(),
        });
        events.extend(
            reasons
                .iter()
                .map(|r| RunEvent::Aborted { reason: r.clone() }),
        );
        events.extend([
            RunEvent::LoadStarted {
                rps: 10.0,
                mix: "transfer=7,balance=3".into(),
            },
            RunEvent::Captured {
                name: "p95_before".into(),
                value: 0.045,
            },
            RunEvent::CheckPassed {
                phase: Phase::Detect,
                id: "p95-above-objective".into(),
                value: Some(2.3),
                after_s: 12.5,
            },
            RunEvent::CheckFailed {
                phase: Phase::Recover,
                id: "p95-back-to-normal".into(),
                value: None,
                after_s: 120.0,
                message,
            },
            RunEvent::AlertFired {
                name: "HighLatency".into(),
                after_s: 41.0,
                within_s: 90.0,
            },
            RunEvent::AlertMissed {
                name: "HighLatency".into(),
                within_s: 90.0,
            },
            RunEvent::AlertBeforeInjection {
                name: "HighLatency".into(),
                before_s: 20.0,
                message: tf(lang, E::AlertBeforeInjection, &[&"HighLatency", &20.0]),
            },
            RunEvent::Hint {
                text: detect.hints[0].text.get(lang).into(),
            },
            RunEvent::Prompt {
                text: case.phases.respond.prompts[0].get(lang).into(),
            },
        ]);
        for unit in ["s", "ms", "MiB", "req/s"] {
            for live in [Some(2.1), None] {
                events.push(RunEvent::Question {
                    id: detect.questions[0].id.clone(),
                    ask: detect.questions[0].ask.get(lang).into(),
                    live,
                    unit: Some(unit.into()),
                });
            }
        }
        for passed in [true, false] {
            events.push(RunEvent::CaseFinished {
                case: case.id.clone(),
                passed,
            });
        }
        events
    }

    #[test]
    fn every_event_line_in_russian_has_no_english_word_of_the_catalogue() {
        let events = every_event(Lang::Ru);
        let mut kinds: Vec<usize> = events.iter().map(kind).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, (0..KINDS).collect::<Vec<_>>(), "an example of each");
        for e in &events {
            let line = Stamped {
                at: Utc::now(),
                t: 12.3,
                event: e.clone(),
            }
            .line(Lang::Ru);
            assert_eq!(english_leaks(&line), Vec::<String>::new(), "{line}");
        }
    }

    #[test]
    fn an_event_line_reads_the_same_in_english_as_before_the_catalogue() {
        let lines: Vec<String> = every_event(Lang::En)
            .iter()
            .map(|e| e.text(Lang::En))
            .collect();
        assert!(lines.contains(&"── baseline".to_string()), "{lines:#?}");
        assert!(lines.contains(&"✔ detect/p95-above-objective (2.300) after 12.5s".to_string()));
        assert!(lines.contains(&"━━ case latency: FAILED".to_string()));
    }
}
