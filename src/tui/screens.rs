//! Every screen of the console, built and drawn in both languages (the
//! log's lines too) at 80×24, 120×36 and 200×60 (one named snapshot
//! each), and what must hold on them: the next step said at each phase
//! (respond before recover), the phase's essentials at 80×24, the runbook
//! in view at 120×36 once detected, `J` stopping at the end of the case
//! text, and the log view with its pinned facts in the screen's language.

use crossterm::event::KeyCode;

use crate::cases::Lang;
use crate::cases::engine::probe::Observation;
use crate::cases::engine::session::{CheckStatus, Poll, Seen};
use crate::faults::FaultConfig;
use crate::telemetry::AlertStatus;

use super::fixtures::{self, at, calm, draw, healthy_seen, key, reading, run};
use super::keymap::Command;
use super::msg::Msg;
use super::state::App;
use super::theme::Theme;
use super::view;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 36), (200, 60)];

fn press(app: &mut App, code: KeyCode) {
    super::update::update(app, Msg::Key(code.into()));
}

/// Injected at 400 s, 8 s in: nothing detected yet.
fn detecting(lang: Lang) -> App {
    fixtures::injected_until_in(lang, 408.0)
}

/// `r` at 440 s; six seconds later p95 is still coming down.
fn recovering(lang: Lang) -> App {
    let mut app = fixtures::failing_in(lang);
    at(&mut app, 440.0, Msg::Key(KeyCode::Char('r').into()));
    let read = |_| Some(reading(1.2, 0.0, FaultConfig::default(), true));
    run(&mut app, 440.0, 446.0, read, |p, t| match p {
        Poll::Check { index, .. } => Seen::Check {
            index: *index,
            seen: Observation::Fails(Some(1.2)),
        },
        Poll::Alert { index, .. } => Seen::Alert {
            index: *index,
            status: Some(AlertStatus::Firing),
            active_for_s: Some(30.0),
        },
        other => healthy_seen(other, t),
    });
    app
}

/// Recovered: every recover check held, the case finished.
fn done(lang: Lang) -> App {
    let mut app = fixtures::failing_in(lang);
    at(&mut app, 440.0, Msg::Key(KeyCode::Char('r').into()));
    run(&mut app, 440.0, 700.0, calm(true), healthy_seen);
    app
}

fn with_key(mut app: App, action: Command) -> App {
    key(&mut app, action);
    app
}

fn log_filtered(lang: Lang) -> App {
    let mut app = with_key(fixtures::failing_in(lang), Command::Events);
    press(&mut app, KeyCode::Char('/'));
    for c in "p95".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    app
}

/// A screen built in the language it is drawn in, so that the log's lines
/// are in that language too.
pub(super) type Build = fn(Lang) -> App;

/// Every screen of the matrix, by name.
pub(super) fn screens() -> [(&'static str, Build); 13] {
    [
        ("empty", fixtures::empty_in),
        ("loading", fixtures::loading_in),
        ("healthy", fixtures::healthy_in),
        ("detecting", detecting),
        ("failing", fixtures::failing_in),
        ("recovering", recovering),
        ("done", done),
        ("docker_absent", fixtures::docker_absent_in),
        ("prometheus_absent", fixtures::prometheus_absent_in),
        ("fault_form", |lang| {
            with_key(fixtures::failing_in(lang), Command::FaultForm)
        }),
        ("question", |lang| {
            with_key(fixtures::failing_in(lang), Command::Answer)
        }),
        ("log_view", |lang| {
            with_key(fixtures::failing_in(lang), Command::Events)
        }),
        ("log_view_filtered", log_filtered),
    ]
}

fn at_size(app: &App, (w, h): (u16, u16)) -> String {
    draw(w, h, |f| view::draw(f, app, Theme::PLAIN))
}

#[test]
fn every_screen_in_both_languages_at_three_sizes() {
    for (name, make) in screens() {
        for lang in [Lang::En, Lang::Ru] {
            let app = make(lang);
            for size in SIZES {
                let (w, h) = size;
                insta::assert_snapshot!(format!("{name}_{lang}_{w}x{h}"), at_size(&app, size));
            }
        }
    }
}

#[test]
fn the_next_step_says_respond_once_a_detect_check_has_passed() {
    for (lang, watch, wait, respond) in [
        (
            Lang::En,
            "watch the signals until a detect check passes",
            "Detected. Work through the runbook while the case waits for HighLatency, \
             high-latency-firing; recover (r) only after that.",
            "Detected. Respond first: work through the runbook, answer the questions (a); then r recovers.",
        ),
        (
            Lang::Ru,
            "следите за сигналами, пока не пройдёт проверка detect",
            "Обнаружено. Пройдите ранбук, пока кейс ждёт: HighLatency, high-latency-firing; \
             восстанавливайте (r) только после этого.",
            "Обнаружено. Сначала реагируйте: пройдите ранбук, ответьте на вопросы (a); затем r — восстановить.",
        ),
    ] {
        let before = at_size(&detecting(lang), (200, 60));
        assert!(before.contains(watch), "{before}");
        assert!(!before.contains("r recovers"), "{before}");
        // One detect check passed; the alert and a check the case needs
        // are still pending: wait for them before recovering.
        let mut app = fixtures::failing_in(lang);
        let after = at_size(&app, (200, 60));
        assert!(after.contains(wait), "{after}");
        assert!(
            !after.contains(watch) && !after.contains(respond),
            "{after}"
        );
        let Some(active) = app.active.as_mut() else {
            panic!("a case is open")
        };
        for a in &mut active.session.alerts {
            a.fired_after = Some(30.0);
        }
        for c in &mut active.session.checks {
            c.status = CheckStatus::Passed;
        }
        let done = at_size(&app, (200, 60));
        assert!(done.contains(respond), "{done}");
    }
}

#[test]
fn at_80x24_the_case_panel_shows_the_next_action_the_alert_countdown_and_the_pending_check() {
    let shown = at_size(&detecting(Lang::En), (80, 24));
    for words in [
        "Fault injected: watch the signals",
        "HighLatency: at most 83 s (of 90 s)",
        "… detect/p95-above-objective 0.050 · 7/90 s",
    ] {
        assert!(shown.contains(words), "{words}:\n{shown}");
    }
}

#[test]
fn at_120x36_the_runbook_is_in_view_once_detected() {
    let app = fixtures::failing_in(Lang::En);
    let shown = at_size(&app, (120, 36));
    let case = &app.active.as_ref().expect("a case").session.case;
    let first = case.phases.respond.prompts[0].get(Lang::En);
    let start: String = first.chars().take(40).collect();
    assert!(shown.contains("Runbook"), "{shown}");
    assert!(shown.contains(&start), "{start}:\n{shown}");
}

#[test]
fn j_stops_at_the_end_of_the_case_text_and_says_where_it_is() {
    let mut app = fixtures::failing_in(Lang::En);
    at_size(&app, (80, 24));
    let most = app.drawn.case_scroll_max.get();
    assert!(most > 10, "the case text overflows 80x24: {most}");
    for _ in 0..100 {
        key(&mut app, Command::ScrollDown);
    }
    assert_eq!(app.scroll, most, "no further than the last line");
    let shown = at_size(&app, (80, 24));
    let total = usize::from(most) + 5;
    assert!(
        shown.contains(&format!("{}–{total}/{total}", most + 1)),
        "{shown}"
    );
    key(&mut app, Command::ScrollUp);
    assert_eq!(app.scroll, most - 3, "K moves back at once");
}

#[test]
fn the_finished_checks_of_the_phase_are_in_view_at_100x32_under_the_essentials() {
    // 100x32 is the terminal of the tmux test, which reads these lines.
    let failing = at_size(&fixtures::failing_in(Lang::En), (100, 32));
    assert!(
        failing.contains("✔ detect/p95-above-objective 2.300 10.0 s"),
        "{failing}"
    );
    let done = at_size(&done(Lang::En), (100, 32));
    assert!(done.contains("✔ recover/p95-back-to-normal"), "{done}");
}

#[test]
fn the_log_view_and_its_pinned_facts_are_in_the_language_of_the_screen() {
    for (lang, words) in [
        (
            Lang::En,
            [
                "Pinned for this case",
                "OOM kill: app-1 ×1, last at 09:07:20",
                "✔ detect/p95-above-objective (2.300) after 10s",
                "topic: all",
            ],
        ),
        (
            Lang::Ru,
            [
                "Закреплено до конца кейса",
                "убит по OOM: app-1 ×1, последний в 09:07:20",
                "✔ обнаружение/p95-above-objective (2,300) через 10 с",
                "тема: все",
            ],
        ),
    ] {
        let mut app = fixtures::failing_in(lang);
        key(&mut app, Command::Events);
        let shown = at_size(&app, (120, 36));
        for w in words {
            assert!(shown.contains(w), "{lang}: `{w}` missing:\n{shown}");
        }
    }
}

/// A local stack without Prometheus: the case says at its start that its
/// alerts need Prometheus, with the install line, and its alert checks and
/// expected alerts show as not available, never as counting down.
#[test]
fn a_case_on_a_stack_without_prometheus_says_its_alerts_are_not_available() {
    for (lang, words) in [
        (
            Lang::En,
            [
                "only Prometheus evaluates them",
                "sudo apt install prometheus",
                "not available: no Prometheus",
            ],
        ),
        (
            Lang::Ru,
            [
                "вычисляет их только Prometheus",
                "Debian/Ubuntu",
                "недоступно: здесь нет Prometheus",
            ],
        ),
    ] {
        let mut app = fixtures::prometheus_absent_in(lang);
        fixtures::key(&mut app, Command::Open);
        let active = app.active.as_ref().expect("case 1 open");
        assert!(active.session.no_alerts, "the session knows");
        fixtures::key(&mut app, Command::Events);
        let log = at_size(&app, (120, 36));
        assert!(
            log.contains(words[0]) && log.contains(words[1]),
            "{lang}:\n{log}"
        );
        fixtures::key(&mut app, Command::Events);
        let screen = at_size(&app, (120, 36));
        assert!(screen.contains(words[2]), "{lang}:\n{screen}");
        assert!(
            !screen.contains("HighLatency: at most"),
            "{lang}: no countdown\n{screen}"
        );
    }
}
