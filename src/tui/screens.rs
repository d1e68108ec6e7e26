//! What must hold on the console's screens: the
//! next step said at each phase (respond before recover), the phase's
//! essentials at 80×24, the runbook in view at 120×36 once detected, and
//! `J` stopping at the end of the case text.

use crate::cases::Lang;

use super::fixtures::{self, draw, key};
use super::keymap::Action;
use super::state::App;
use super::theme::Theme;
use super::view;

/// Injected at 400 s, 8 s in: nothing detected yet.
fn detecting() -> App {
    fixtures::injected_until(408.0)
}

fn build(make: fn() -> App, lang: Lang) -> App {
    let mut app = make();
    app.lang = lang;
    app
}

fn at_size(app: &App, (w, h): (u16, u16)) -> String {
    draw(w, h, |f| view::draw(f, app, Theme::PLAIN))
}

#[test]
fn the_next_step_says_respond_once_a_detect_check_has_passed() {
    for (lang, watch, respond) in [
        (
            Lang::En,
            "watch the signals until a detect check passes",
            "Detected. Respond first: work through the runbook, answer the questions (a); then r recovers.",
        ),
        (
            Lang::Ru,
            "следите за сигналами, пока не пройдёт проверка detect",
            "Обнаружено. Сначала реагируйте: пройдите ранбук, ответьте на вопросы (a); затем r — восстановить.",
        ),
    ] {
        let before = at_size(&build(detecting, lang), (200, 60));
        assert!(before.contains(watch), "{before}");
        assert!(!before.contains("r recovers"), "{before}");
        let after = at_size(&build(fixtures::failing, lang), (200, 60));
        assert!(after.contains(respond), "{after}");
        assert!(!after.contains(watch), "{after}");
    }
}

#[test]
fn at_80x24_the_case_panel_shows_the_next_action_the_alert_countdown_and_the_pending_check() {
    let shown = at_size(&build(detecting, Lang::En), (80, 24));
    for words in [
        "Fault injected: watch the signals",
        "HighLatency: 83 s to go (~90 s)",
        "… detect/p95-above-objective 0.050 · 7/90 s",
    ] {
        assert!(shown.contains(words), "{words}:\n{shown}");
    }
}

#[test]
fn at_120x36_the_runbook_is_in_view_once_detected() {
    let app = build(fixtures::failing, Lang::En);
    let shown = at_size(&app, (120, 36));
    let case = &app.active.as_ref().expect("a case").session.case;
    let first = case.phases.respond.prompts[0].get(Lang::En);
    let start: String = first.chars().take(40).collect();
    assert!(shown.contains("Runbook"), "{shown}");
    assert!(shown.contains(&start), "{start}:\n{shown}");
}

#[test]
fn j_stops_at_the_end_of_the_case_text_and_says_where_it_is() {
    let mut app = build(fixtures::failing, Lang::En);
    at_size(&app, (80, 24));
    let most = app.drawn.case_scroll_max.get();
    assert!(most > 10, "the case text overflows 80x24: {most}");
    for _ in 0..100 {
        key(&mut app, Action::ScrollDown);
    }
    assert_eq!(app.scroll, most, "no further than the last line");
    let shown = at_size(&app, (80, 24));
    let total = usize::from(most) + 5;
    assert!(
        shown.contains(&format!("{}–{total}/{total}", most + 1)),
        "{shown}"
    );
    key(&mut app, Action::ScrollUp);
    assert_eq!(app.scroll, most - 3, "K moves back at once");
}
