//! The console with a coach: what a walk through a case queues for the
//! board, what leaving early, answering, an OOM kill and a fault queue, and
//! the screen with the link's word and the coach's message.

use crossterm::event::KeyCode;

use crate::cases::Lang;
use crate::cases::engine::probe::Observation;
use crate::cases::engine::session::{Poll, Seen};
use crate::coach::wire::Phase;
use crate::faults::FaultConfig;
use crate::stack::{ServiceState, ServiceStatus, StackStatus};
use crate::telemetry::AlertStatus;
use crate::tui::fixtures::{self, at, calm, draw, healthy_seen, key, reading, run};
use crate::tui::keymap::Command;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;

use super::*;
use crate::coach::link::LinkState;
use crate::tui::coach::{CoachView, link_word};

fn press(app: &mut App, now: f64, c: char) -> Vec<Effect> {
    app.now = now;
    crate::tui::update::update(app, Msg::Key(KeyCode::Char(c).into())).effects
}

fn with_coach(lang: Lang) -> App {
    let mut app = fixtures::empty_in(lang);
    app.coach = Some(CoachView::new());
    app
}

/// Every detect check holds, the alert is pending.
fn detected(p: &Poll, t: f64) -> Seen {
    match p {
        Poll::Check {
            index,
            probe: crate::cases::Probe::Alert(_),
        } => Seen::Check {
            index: *index,
            seen: Observation::Fails(None),
        },
        Poll::Check { index, .. } => Seen::Check {
            index: *index,
            seen: Observation::Holds(Some(2.3)),
        },
        Poll::Alert { index, .. } => Seen::Alert {
            index: *index,
            status: Some(AlertStatus::Pending),
            active_for_s: None,
        },
        other => healthy_seen(other, t),
    }
}

/// The first case opened at 20 s, its fault in at 100 s and detected.
fn injected(app: &mut App) {
    run(app, 0.0, 20.0, calm(true), healthy_seen);
    key(app, Command::Open);
    run(app, 20.0, 100.0, calm(true), healthy_seen);
    press(app, 100.0, 'i');
    let slow = FaultConfig {
        latency_ms: 2000,
        ..FaultConfig::default()
    };
    run(
        app,
        100.0,
        140.0,
        |_| Some(reading(2.3, 0.0, slow.clone(), true)),
        detected,
    );
}

fn queued(app: &App) -> Vec<CoachEvent> {
    app.coach
        .as_ref()
        .map(|c| c.out.clone())
        .unwrap_or_default()
}

#[test]
fn a_case_walked_with_a_coach_queues_its_start_detection_checks_and_end() {
    let mut app = with_coach(Lang::En);
    injected(&mut app);
    press(&mut app, 140.0, 'r');
    run(&mut app, 140.0, 500.0, calm(true), healthy_seen);
    let out = queued(&app);
    let case = app.active.as_ref().expect("open").session.case.id.clone();
    let at = |e: &CoachEvent| out.iter().position(|o| o == e);
    let started = at(&CoachEvent::CaseStarted { case: case.clone() });
    let detect = at(&CoachEvent::Phase {
        case: case.clone(),
        phase: Phase::Detect,
    });
    assert!(started.is_some() && started < detect, "{out:?}");
    let passed = |p: Phase| {
        out.iter()
            .any(|e| matches!(e, CoachEvent::Check { phase, passed: true, .. } if *phase == p))
    };
    assert!(passed(Phase::Detect), "{out:?}");
    assert!(passed(Phase::Recover), "{out:?}");
    assert!(
        out.contains(&CoachEvent::Faults { active: true }),
        "{out:?}"
    );
    assert!(
        out.contains(&CoachEvent::Faults { active: false }),
        "{out:?}"
    );
    // Once; it fails here (the alert never fires), and was not aborted.
    let ends: Vec<_> = out
        .iter()
        .filter(|e| matches!(e, CoachEvent::CaseFinished { .. }))
        .collect();
    assert_eq!(
        ends,
        [&CoachEvent::CaseFinished {
            case,
            passed: false,
            aborted: false
        }]
    );
    // Leaving a finished case is no `case_left`.
    crate::tui::actions::act(&mut app, Command::Leave);
    assert!(
        !queued(&app)
            .iter()
            .any(|e| matches!(e, CoachEvent::CaseLeft { .. }))
    );
}

#[test]
fn leaving_a_case_before_its_end_queues_case_left() {
    let mut app = with_coach(Lang::En);
    injected(&mut app);
    let case = app.active.as_ref().expect("open").session.case.id.clone();
    crate::tui::actions::act(&mut app, Command::Leave);
    assert_eq!(queued(&app).last(), Some(&CoachEvent::CaseLeft { case }));
}

#[test]
fn an_answer_a_hint_and_an_oom_kill_reach_the_queue() {
    let mut app = with_coach(Lang::En);
    injected(&mut app);
    let case = app.active.as_ref().expect("open").session.case.id.clone();
    press(&mut app, 140.0, 'H');
    assert_eq!(
        queued(&app).last(),
        Some(&CoachEvent::Hint { case: case.clone() })
    );
    press(&mut app, 141.0, 'a');
    for c in "2.1".chars() {
        press(&mut app, 141.0, c);
    }
    let effects = crate::tui::update::update(&mut app, Msg::Key(KeyCode::Enter.into())).effects;
    let Some(Effect::Observe(Poll::Question { index, .. })) = effects.first() else {
        panic!("the answer is judged against a live value: {effects:?}");
    };
    let live = Seen::Question {
        index: *index,
        live: Some(2.1),
    };
    at(&mut app, 141.0, Msg::Observed(live));
    let question = app
        .active
        .as_ref()
        .expect("open")
        .session
        .case
        .phases
        .detect
        .questions[*index]
        .id
        .clone();
    assert!(queued(&app).contains(&CoachEvent::Answer {
        case: case.clone(),
        question,
        correct: Some(true)
    }));
    let status = StackStatus {
        backend: crate::stack::Backend::Docker,
        project: "workshop".into(),
        services: vec![ServiceStatus {
            state: ServiceState::Running,
            oom_kills: 1,
            ..ServiceStatus::missing(crate::stack::Service::app(1))
        }],
        grafana_login: None,
    };
    at(&mut app, 142.0, Msg::StackStatus(Ok(status.clone())));
    at(&mut app, 144.0, Msg::StackStatus(Ok(status)));
    let counts: Vec<_> = queued(&app)
        .into_iter()
        .filter(|e| matches!(e, CoachEvent::AppCounts { .. }))
        .collect();
    assert_eq!(
        counts,
        [CoachEvent::AppCounts {
            case,
            oom_kills: 1,
            restarts: 0
        }],
        "once per change"
    );
}

#[test]
fn without_a_coach_nothing_is_queued_or_shown() {
    let mut app = fixtures::empty_in(Lang::En);
    injected(&mut app);
    assert!(app.coach.is_none());
    let said = CoachNews(News::Said("5 minutes left".into()));
    at(&mut app, 150.0, Msg::Coach(said));
    assert!(app.coach.is_none());
    assert!(!app.log.iter().any(|l| l.text.contains("5 minutes left")));
}

/// The failing screen, joined to a class whose coach just said `text`.
fn coached(lang: Lang, text: &str) -> App {
    let mut app = fixtures::failing_in(lang);
    app.coach = Some(CoachView::new());
    at(
        &mut app,
        440.0,
        Msg::Coach(CoachNews(News::Link(LinkState::Live))),
    );
    at(
        &mut app,
        440.0,
        Msg::Coach(CoachNews(News::Said(text.into()))),
    );
    app
}

#[test]
fn the_header_says_the_link_in_one_word_and_the_message_stays_on_top_of_the_events() {
    for (lang, text, words) in [
        (
            Lang::En,
            "5 minutes left on case 2",
            ["coach: live", "coach: 5 minutes left on case 2"],
        ),
        (
            Lang::Ru,
            "осталось 5 минут на кейс 2",
            ["ведущий: связь", "ведущий: осталось 5 минут на кейс 2"],
        ),
    ] {
        let mut app = coached(lang, text);
        for n in 0..50 {
            app.log(LogKind::Info, format!("#{n}"));
        }
        let screen = draw(120, 36, |f| crate::tui::view::draw(f, &app, Theme::PLAIN));
        for w in words {
            assert!(screen.contains(w), "{lang}: `{w}` missing:\n{screen}");
        }
        if lang == Lang::Ru {
            // The stack's own words (an exit, a refused connection) are
            // theirs; the console's, the coach's among them, are Russian.
            let theirs = crate::words::english_leaks(&fixtures::stack_says());
            let ours: Vec<_> = crate::words::english_leaks(&screen)
                .into_iter()
                .filter(|w| !theirs.contains(w) && !"workshop".contains(w.as_str()))
                .collect();
            assert!(ours.is_empty(), "{ours:?}\n{screen}");
        }
        insta::assert_snapshot!(format!("coach_{lang}_120x36"), screen);
    }
}

#[test]
fn a_refused_link_says_once_in_the_log_what_to_check() {
    let mut app = with_coach(Lang::En);
    for state in [LinkState::Refused, LinkState::Refused, LinkState::Live] {
        at(&mut app, 1.0, Msg::Coach(CoachNews(News::Link(state))));
    }
    let said: Vec<_> = app
        .log
        .iter()
        .filter(|l| l.text.contains("check the class URL"))
        .collect();
    assert_eq!(said.len(), 1);
    assert_eq!(app.coach.as_ref().map(|c| c.link), Some(LinkState::Live));
}

#[test]
fn each_state_of_the_link_has_its_word_in_both_languages() {
    for state in [
        LinkState::Connecting,
        LinkState::Live,
        LinkState::Retrying,
        LinkState::Refused,
    ] {
        let (en, ru) = crate::words::Word::pair(link_word(state));
        assert!(!en.contains(' ') && !ru.contains(' '), "{en} / {ru}");
    }
}
