//! Keys in, actions out: the open box (help, fault form, answer) reads
//! keys itself; otherwise the keymap names the action.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::actions::act;
use super::keymap::{Action, action_for};
use super::msg::Effect;
use super::state::{App, FORM, LogKind, Overlay, StackPhase};

pub(crate) fn key_pressed(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    // Ctrl-C leaves from anywhere, an open box included.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.overlay = Overlay::None;
        return act(app, Action::Quit);
    }
    match app.overlay.clone() {
        Overlay::Help => {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
            ) {
                app.overlay = Overlay::None;
            }
            vec![]
        }
        Overlay::Form { field, texts } => form_key(app, key, field, texts),
        Overlay::Answer { index, text } => answer_key(app, key, index, text),
        Overlay::Blocked => blocked_key(app, key),
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
    let StackPhase::Failed(blocked) = &app.stack.phase else {
        app.overlay = Overlay::None;
        return vec![];
    };
    match key.code {
        KeyCode::Char('l') if blocked.local_offered => {
            app.overlay = Overlay::None;
            app.stack.phase = StackPhase::Opening;
            app.log(LogKind::Info, "starting the local stack instead");
            vec![Effect::StackLocal]
        }
        KeyCode::Char('r') => {
            app.overlay = Overlay::None;
            app.log(LogKind::Info, "trying the stack again");
            vec![Effect::StackRetry]
        }
        KeyCode::Char('q') => {
            app.exit_note = Some(format!(
                "The stack did not start: {}.\nTo fix it: {}",
                blocked.trouble.why, blocked.trouble.fix
            ));
            app.overlay = Overlay::None;
            act(app, Action::Quit)
        }
        KeyCode::Esc => {
            app.overlay = Overlay::None;
            vec![]
        }
        _ => vec![],
    }
}

fn edit(text: &mut String, key: &KeyEvent) {
    match key.code {
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c)
            if (c.is_ascii_digit() || c == '.' || c == ',')
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && text.len() < 12 =>
        {
            text.push(if c == ',' { '.' } else { c })
        }
        _ => {}
    }
}

fn form_key(
    app: &mut App,
    key: KeyEvent,
    field: usize,
    mut texts: [String; FORM.len()],
) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Tab | KeyCode::Down => {
            app.overlay = Overlay::Form {
                field: (field + 1) % FORM.len(),
                texts,
            }
        }
        KeyCode::BackTab | KeyCode::Up => {
            app.overlay = Overlay::Form {
                field: (field + FORM.len() - 1) % FORM.len(),
                texts,
            }
        }
        KeyCode::Enter => {
            let v = &mut app.fault_values;
            let mut problems = Vec::new();
            for (line, text) in FORM.iter().zip(&texts) {
                match line.field.parse(text) {
                    Ok(n) => (line.set)(v, n),
                    Err(e) => problems.push(format!(
                        "{}: must be {}, got {}; kept the old value",
                        line.field.label, e.accepted, e.got
                    )),
                }
            }
            for p in problems {
                app.log(LogKind::Bad, p);
            }
            app.overlay = Overlay::None;
        }
        _ => {
            edit(&mut texts[field], &key);
            app.overlay = Overlay::Form { field, texts };
        }
    }
    vec![]
}

fn answer_key(app: &mut App, key: KeyEvent, index: usize, mut text: String) -> Vec<Effect> {
    let count = app.active.as_ref().map_or(0, |a| a.session.questions.len());
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Tab => {
            app.overlay = Overlay::Answer {
                index: (index + 1) % count.max(1),
                text: String::new(),
            }
        }
        KeyCode::Enter => {
            app.overlay = Overlay::None;
            let Ok(value) = text.parse::<f64>() else {
                app.log(LogKind::Bad, format!("`{text}` is not a number"));
                return vec![];
            };
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
            app.overlay = Overlay::Answer { index, text };
        }
    }
    vec![]
}
