//! Keys in, actions out: the open box (help, fault form, answer, the log
//! view) reads keys itself; otherwise the keymap names the action.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::actions::act;
use super::keymap::{Command, action_for};
use super::msg::Effect;
use super::state::{App, FORM, LogKind, LogView, Overlay, StackLife};
use super::text::{T, t, tf};

pub(crate) fn key_pressed(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    // Ctrl-C leaves from anywhere, an open box included.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.overlay = Overlay::None;
        return act(app, Command::Quit);
    }
    match app.overlay.clone() {
        Overlay::Help(scroll) => {
            let max = app.drawn.help_scroll_max.get();
            app.overlay = match key.code {
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') => Overlay::None,
                KeyCode::Down | KeyCode::Char('j') | KeyCode::PageDown => {
                    Overlay::Help((scroll + 1).min(max))
                }
                KeyCode::Up | KeyCode::Char('k') | KeyCode::PageUp => {
                    Overlay::Help(scroll.saturating_sub(1))
                }
                _ => Overlay::Help(scroll),
            };
            vec![]
        }
        Overlay::Form {
            field,
            texts,
            refused,
        } => form_key(app, key, field, texts, refused),
        Overlay::Answer { index, text, .. } => answer_key(app, key, index, text),
        Overlay::Blocked => blocked_key(app, key),
        Overlay::Log(view) => {
            app.overlay = log_key(app, key, view);
            vec![]
        }
        Overlay::None => match action_for(&key) {
            Some(a) => act(app, a),
            None => vec![],
        },
    }
}

/// The ways out when the stack cannot come up: `l` local mode (when it is
/// not local mode that failed), `r` retry now, `q` quit with the fix
/// printed, Esc keeps waiting (the console retries by itself).
fn blocked_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let StackLife::Failed(blocked) = &app.stack.phase else {
        app.overlay = Overlay::None;
        return vec![];
    };
    match key.code {
        KeyCode::Char('l') if blocked.local_offered => {
            app.overlay = Overlay::None;
            app.stack.phase = StackLife::Opening;
            app.log(LogKind::Info, t(app.lang, T::StartingLocal));
            vec![Effect::StackLocal]
        }
        KeyCode::Char('r') => {
            app.overlay = Overlay::None;
            app.log(LogKind::Info, t(app.lang, T::TryingAgain));
            vec![Effect::StackRetry]
        }
        KeyCode::Char('q') => {
            app.exit_note = Some(tf(
                app.lang,
                T::DidNotStart,
                &[&blocked.trouble.why, &blocked.trouble.fix],
            ));
            app.overlay = Overlay::None;
            act(app, Command::Quit)
        }
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            vec![]
        }
        _ => vec![],
    }
}

/// The log view, as k9s and oxker users expect it: ↑↓ (j k) a line, PgUp
/// PgDn (K J) a page, Home End (g G) the ends; `/` types a text filter
/// (Enter keeps it, Esc clears it), `t` steps the topic filter; Esc clears
/// a filter, then closes, as do `e` and `q`. Returns what stays open.
fn log_key(app: &App, key: KeyEvent, mut v: LogView) -> Overlay {
    if v.typing {
        match key.code {
            KeyCode::Enter => v.typing = false,
            KeyCode::Esc => {
                v.filter.clear();
                v.typing = false;
            }
            _ => edit(&mut v.filter, &key),
        }
        v.from_end = 0;
        return Overlay::Log(v);
    }
    let count = v.lines(&app.log).len();
    let page = app.drawn.log_page.get().max(1);
    let page_step = isize::try_from(page).unwrap_or(isize::MAX);
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => v.scroll(1, count, page),
        KeyCode::Down | KeyCode::Char('j') => v.scroll(-1, count, page),
        KeyCode::PageUp | KeyCode::Char('K') => v.scroll(page_step, count, page),
        KeyCode::PageDown | KeyCode::Char('J') | KeyCode::Char(' ') => {
            v.scroll(-page_step, count, page)
        }
        KeyCode::Home | KeyCode::Char('g') => v.scroll(isize::MAX, count, page),
        KeyCode::End | KeyCode::Char('G') => v.from_end = 0,
        KeyCode::Char('/') => {
            v.typing = true;
            v.filter.clear();
        }
        KeyCode::Char('t') => v.next_topic(),
        KeyCode::Esc if !v.filter.is_empty() || v.topic.is_some() => {
            v.filter.clear();
            v.topic = None;
            v.from_end = 0;
        }
        KeyCode::Esc | KeyCode::Char('e') | KeyCode::Char('q') => return Overlay::None,
        _ => {}
    }
    Overlay::Log(v)
}

/// Types into a box's text: every printable character is kept as typed
/// (a letter too: the box says the text is wrong rather than dropping what
/// the student typed, so what is shown is what is read).
fn edit(text: &mut String, key: &KeyEvent) {
    match key.code {
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
        _ => {}
    }
}

fn form_key(
    app: &mut App,
    key: KeyEvent,
    field: usize,
    mut texts: [String; FORM.len()],
    refused: bool,
) -> Vec<Effect> {
    let step = |d: usize| (field + d) % FORM.len();
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Tab | KeyCode::Down => {
            app.overlay = Overlay::Form {
                field: step(1),
                texts,
                refused,
            }
        }
        KeyCode::BackTab | KeyCode::Up => {
            app.overlay = Overlay::Form {
                field: step(FORM.len() - 1),
                texts,
                refused,
            }
        }
        KeyCode::Enter => {
            let read: Vec<_> = FORM.iter().zip(&texts).map(|(l, t)| l.read(t)).collect();
            // All or nothing: one invalid field and no value changes; the
            // form stays open on the first field to fix.
            match read.iter().position(Result::is_err) {
                Some(first_bad) => {
                    app.overlay = Overlay::Form {
                        field: first_bad,
                        texts,
                        refused: true,
                    }
                }
                None => {
                    for (line, n) in FORM.iter().zip(read.into_iter().flatten()) {
                        (line.set)(&mut app.fault_values, n);
                    }
                    app.overlay = Overlay::None;
                }
            }
        }
        _ => {
            edit(&mut texts[field], &key);
            app.overlay = Overlay::Form {
                field,
                texts,
                refused,
            };
        }
    }
    vec![]
}

fn answer_key(app: &mut App, key: KeyEvent, index: usize, mut text: String) -> Vec<Effect> {
    let to = |app: &mut App, forward: bool| {
        let next = app.open_question(index, forward).unwrap_or(index);
        let text = if next == index {
            text.clone()
        } else {
            String::new()
        };
        app.overlay = Overlay::Answer {
            index: next,
            text,
            not_a_number: false,
        };
        if next == index {
            vec![]
        } else {
            super::actions::question_opened(app, next)
        }
    };
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Tab | KeyCode::Down => return to(app, true),
        KeyCode::BackTab | KeyCode::Up => return to(app, false),
        KeyCode::Enter => {
            // A decimal comma is read as a point; the text stays as typed.
            let Ok(value) = text.trim().replace(',', ".").parse::<f64>() else {
                app.overlay = Overlay::Answer {
                    index,
                    text,
                    not_a_number: true,
                };
                return vec![];
            };
            app.overlay = Overlay::None;
            if let Some(poll) = app
                .active
                .as_mut()
                .and_then(|a| a.session.answer(index, value))
            {
                return vec![Effect::Observe(poll)];
            }
        }
        _ => {
            edit(&mut text, &key);
            app.overlay = Overlay::Answer {
                index,
                text,
                not_a_number: false,
            };
        }
    }
    vec![]
}
