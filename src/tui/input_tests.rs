//! The boxes that take typed text: the fault form keeps what was typed and
//! applies all fields or none; questions are opened, moved between, retried
//! once and marked.

use crossterm::event::{KeyCode, KeyEvent};

use super::*;
use crate::cases::{CaseSet, Lang};
use crate::tui::state::Overlay;

fn app() -> App {
    let cases = CaseSet::shipped().expect("cases").cases().to_vec();
    App::new(Lang::En, cases, "http://127.0.0.1:5000".into(), None)
}

fn press(app: &mut App, c: char) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::from(KeyCode::Char(c)))).effects
}

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::from(code)));
}

fn type_in(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, c);
    }
}

/// Moves to field `field` of the open form and replaces its text.
fn form_field(app: &mut App, field: usize, text: &str) {
    while !matches!(app.overlay, Overlay::Form { field: at, .. } if at == field) {
        key(app, KeyCode::Tab);
    }
    for _ in 0..12 {
        key(app, KeyCode::Backspace);
    }
    type_in(app, text);
}

fn form_texts(app: &App) -> Vec<String> {
    match &app.overlay {
        Overlay::Form { texts, .. } => texts.to_vec(),
        other => panic!("the form is closed: {other:?}"),
    }
}

#[test]
fn the_form_keeps_exactly_what_was_typed() {
    let mut a = app();
    press(&mut a, 'f');
    form_field(&mut a, 0, "-3");
    form_field(&mut a, 1, "1.5e3");
    form_field(&mut a, 2, "2k");
    assert_eq!(form_texts(&a)[..3], ["-3", "1.5e3", "2k"]);
}

#[test]
fn an_invalid_form_applies_nothing_and_stays_open_on_the_field_to_fix() {
    let mut a = app();
    press(&mut a, 'f');
    form_field(&mut a, 1, "5");
    form_field(&mut a, 2, "-3");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.fault_values.error_rate, 20.0, "5% was not applied alone");
    assert_eq!(a.fault_values.leak_mb, 5, "-3 was not read as 3");
    assert!(
        matches!(
            a.overlay,
            Overlay::Form {
                field: 2,
                refused: true,
                ..
            }
        ),
        "{:?}",
        a.overlay
    );
    key(&mut a, KeyCode::Backspace);
    key(&mut a, KeyCode::Backspace);
    press(&mut a, '7');
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(
        (a.fault_values.error_rate, a.fault_values.leak_mb),
        (5.0, 7)
    );
}

#[test]
fn the_form_refuses_an_exponent_for_a_whole_field_and_reads_a_decimal_comma_for_the_rate() {
    let mut a = app();
    press(&mut a, 'f');
    form_field(&mut a, 0, "1.5e3");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.fault_values.latency_ms, 2000, "not 1500, not 153");
    assert!(matches!(a.overlay, Overlay::Form { field: 0, .. }));
    form_field(&mut a, 0, "1500");
    form_field(&mut a, 1, "12,5");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(
        (a.fault_values.latency_ms, a.fault_values.error_rate),
        (1500, 12.5)
    );
}

fn answer_index(app: &App) -> Option<usize> {
    match app.overlay {
        Overlay::Answer { index, .. } => Some(index),
        _ => None,
    }
}

/// Question `index` judged against a live value of `live`.
fn judge(app: &mut App, index: usize, live: f64) {
    use crate::cases::engine::session::Seen;
    update(
        app,
        Msg::Observed(Seen::Question {
            index,
            live: Some(live),
        }),
    );
}

#[test]
fn a_opens_the_first_unanswered_question_and_tab_moves_between_them() {
    let mut a = crate::tui::fixtures::failing();
    press(&mut a, 'a');
    assert_eq!(answer_index(&a), Some(0));
    key(&mut a, KeyCode::Tab);
    assert_eq!(answer_index(&a), Some(1));
    key(&mut a, KeyCode::BackTab);
    assert_eq!(answer_index(&a), Some(0));
    type_in(&mut a, "2.2");
    key(&mut a, KeyCode::Enter);
    judge(&mut a, 0, 2.1);
    press(&mut a, 'a');
    assert_eq!(answer_index(&a), Some(1), "question 1 is answered right");
    key(&mut a, KeyCode::Tab);
    assert_eq!(answer_index(&a), Some(1), "the only open question");
}

#[test]
fn a_digit_goes_to_the_question_being_answered() {
    let mut a = crate::tui::fixtures::failing();
    press(&mut a, 'a');
    key(&mut a, KeyCode::Tab);
    type_in(&mut a, "2000");
    let effects = update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Enter))).effects;
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Observe(
                crate::cases::engine::session::Poll::Question { index: 1, .. }
            )]
        ),
        "{effects:?}"
    );
    let qs = &a.active.as_ref().expect("a case").session.questions;
    assert_eq!((qs[0].answer, qs[1].answer), (None, Some(2000.0)));
}

#[test]
fn a_wrong_answer_gets_one_retry_before_the_answer_is_shown() {
    let mut a = crate::tui::fixtures::failing();
    let screen = |a: &App| {
        crate::tui::fixtures::draw(100, 40, |f| {
            crate::tui::panels::phase::render(f, f.area(), a, crate::tui::theme::Theme::PLAIN)
        })
    };
    press(&mut a, 'a');
    type_in(&mut a, "9");
    key(&mut a, KeyCode::Enter);
    judge(&mut a, 0, 2.1);
    let once = screen(&a);
    assert!(once.contains("wrong: one more try"), "{once}");
    assert!(
        !once.contains("2.100"),
        "the live value stays hidden: {once}"
    );
    press(&mut a, 'a');
    assert_eq!(answer_index(&a), Some(0), "the wrong one is open again");
    type_in(&mut a, "8");
    key(&mut a, KeyCode::Enter);
    judge(&mut a, 0, 2.1);
    let twice = screen(&a);
    assert!(twice.contains("✘ What is p95"), "{twice}");
    assert!(twice.contains("live 2.1"), "shown after the retry: {twice}");
    press(&mut a, 'a');
    assert_eq!(
        answer_index(&a),
        Some(1),
        "question 1 takes no more answers"
    );
}

#[test]
fn answered_questions_lose_their_question_mark() {
    let mut a = crate::tui::fixtures::failing();
    press(&mut a, 'a');
    type_in(&mut a, "2,2");
    key(&mut a, KeyCode::Enter);
    judge(&mut a, 0, 2.1);
    let screen = crate::tui::fixtures::draw(100, 40, |f| {
        crate::tui::panels::phase::render(f, f.area(), &a, crate::tui::theme::Theme::PLAIN)
    });
    assert!(screen.contains("✔ What is p95"), "{screen}");
    assert!(screen.contains("? How many milliseconds"), "{screen}");
}

#[test]
fn an_answer_that_is_not_a_number_keeps_the_box_open_and_says_so() {
    let mut a = crate::tui::fixtures::failing();
    press(&mut a, 'a');
    type_in(&mut a, "2k");
    key(&mut a, KeyCode::Enter);
    assert!(
        matches!(&a.overlay, Overlay::Answer { text, not_a_number: true, .. } if text == "2k"),
        "{:?}",
        a.overlay
    );
}

#[test]
fn the_form_rejects_out_of_range_values_and_keeps_the_old_ones() {
    let mut a = app();
    press(&mut a, 'f');
    form_field(&mut a, 0, "99999");
    form_field(&mut a, 1, "5");
    update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Enter)));
    assert_eq!(a.fault_values.latency_ms, 2000, "99999 ms is out of range");
    assert_eq!(a.fault_values.error_rate, 20.0, "nothing applied");
    assert!(matches!(
        a.overlay,
        Overlay::Form {
            field: 0,
            refused: true,
            ..
        }
    ));
}
