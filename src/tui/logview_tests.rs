//! The log view (`e`): it scrolls within the log and says where it is, its
//! filters narrow the lines as they are typed, and a view scrolled back
//! stays on its lines while new ones arrive.

use crossterm::event::{KeyCode, KeyEvent};

use super::*;
use crate::tui::fixtures::{self, draw};
use crate::tui::state::{LogView, Overlay, Topic};
use crate::tui::theme::Theme;

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::from(code)));
}

fn view(app: &App) -> LogView {
    match &app.overlay {
        Overlay::Log(v) => v.clone(),
        other => panic!("the log view is closed: {other:?}"),
    }
}

/// Draws the whole screen, as the console does after each key.
fn screen(app: &App) -> String {
    draw(80, 24, |f| super::super::view::draw(f, app, Theme::PLAIN))
}

/// The failing case with 100 more lines, its log view open and drawn.
fn opened() -> App {
    let mut app = fixtures::failing();
    for n in 0..100 {
        app.log(LogKind::Info, format!("filler {n}"));
    }
    key(&mut app, KeyCode::Char('e'));
    screen(&app);
    app
}

#[test]
fn the_log_view_opens_on_the_newest_line_and_says_where_it_is() {
    let app = opened();
    let n = app.log.len();
    let shown = screen(&app);
    assert!(shown.contains(&format!("{n}/{n}")), "{shown}");
    assert!(shown.contains("filler 99"), "{shown}");
    assert!(shown.contains("(UTC)"), "{shown}");
}

#[test]
fn scrolling_stops_at_both_ends_of_the_log() {
    let mut app = opened();
    let n = app.log.len();
    let page = app.drawn.log_page.get();
    assert!(page > 3, "a page of lines at 80x24: {page}");
    key(&mut app, KeyCode::Down);
    assert_eq!(view(&app).from_end, 0, "nothing below the newest line");
    key(&mut app, KeyCode::Up);
    assert!(screen(&app).contains(&format!("{}/{n}", n - 1)));
    for _ in 0..50 {
        key(&mut app, KeyCode::PageUp);
    }
    assert_eq!(
        view(&app).from_end,
        n - page,
        "the oldest page, not past it"
    );
    assert!(screen(&app).contains(&format!(" {page}/{n} ")));
    key(&mut app, KeyCode::PageDown);
    assert_eq!(view(&app).from_end, n - 2 * page);
    key(&mut app, KeyCode::End);
    assert_eq!(view(&app).from_end, 0);
    key(&mut app, KeyCode::Home);
    assert_eq!(view(&app).from_end, n - page);
}

#[test]
fn a_text_filter_narrows_the_lines_as_it_is_typed_and_esc_clears_it() {
    let mut app = opened();
    let all = app.log.len();
    key(&mut app, KeyCode::Char('/'));
    for c in "filler 4".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    let v = view(&app);
    let kept: Vec<_> = v.lines(&app.log).iter().map(|l| l.text.clone()).collect();
    assert_eq!(kept.len(), 11, "filler 4 and 40..49: {kept:?}");
    let shown = screen(&app);
    assert!(shown.contains("/filler 4▏"), "{shown}");
    assert!(shown.contains("11/11"), "{shown}");
    assert!(!shown.contains("filler 39"), "{shown}");
    key(&mut app, KeyCode::Enter);
    assert!(!view(&app).typing, "Enter keeps the filter");
    assert_eq!(view(&app).lines(&app.log).len(), 11);
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        view(&app).lines(&app.log).len(),
        all,
        "Esc clears the filter"
    );
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None, "a second Esc closes the view");
}

#[test]
fn t_steps_the_topic_filter_to_checks_only() {
    let mut app = opened();
    key(&mut app, KeyCode::Char('t'));
    key(&mut app, KeyCode::Char('t'));
    let v = view(&app);
    assert_eq!(v.topic, Some(Topic::Check));
    let lines = v.lines(&app.log);
    assert!(!lines.is_empty());
    assert!(lines.iter().all(|l| l.topic == Topic::Check));
    assert!(screen(&app).contains("topic: checks"));
}

#[test]
fn a_view_scrolled_back_keeps_its_lines_while_new_ones_arrive() {
    let mut app = opened();
    for _ in 0..5 {
        key(&mut app, KeyCode::Up);
    }
    let before = screen(&app);
    app.log(LogKind::Info, "a new line");
    let after = screen(&app);
    let body = |s: &str| s.lines().skip(2).take(15).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&before), body(&after));
}
