//! The terminal in console mode (raw, alternate screen, hidden cursor) and
//! back. Restored on every way out: normal return, error (the guard's
//! `Drop`), and panic (a hook that restores first, then lets the one-line
//! panic message print on a usable terminal). And what the terminal's
//! events say to the console.

use std::io::{self, Stdout};
use std::sync::Once;

use crossterm::cursor::{Hide, Show};
use crossterm::event::{Event, KeyEventKind};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use super::msg::Msg;

pub(crate) type Term = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal back as the shell expects it. Safe to call twice.
pub(crate) fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, Show);
}

/// Restores the terminal when dropped.
pub(crate) struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

static HOOK: Once = Once::new();

/// Enters console mode; keep the guard alive as long as the console runs.
pub(crate) fn enter() -> io::Result<(Term, Guard)> {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        crate::shutdown::before_forced_exit(restore);
    });
    enable_raw_mode()?;
    let guard = Guard;
    execute!(io::stdout(), EnterAlternateScreen, Hide)?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok((terminal, guard))
}

/// What one event of the terminal's stream says to the console; `None`
/// for what it ignores (a key's release, the mouse, focus). A stream that
/// ends or fails is a terminal gone away: the console leaves as it does on
/// a signal, from any box, never by typing a key into an open form.
pub(crate) fn message(event: Option<io::Result<Event>>) -> Option<Msg> {
    match event {
        Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => Some(Msg::Key(k)),
        Some(Ok(Event::Resize(..))) => Some(Msg::Resize),
        Some(Ok(_)) => None,
        Some(Err(_)) | None => Some(Msg::Shutdown),
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent};

    use super::super::fixtures::{empty, key};
    use super::super::keymap::Command;
    use super::super::msg::Effect;
    use super::super::state::Overlay;
    use super::super::update::update;
    use super::*;

    /// The form's typed texts, to compare before and after.
    fn form_texts(overlay: &Overlay) -> Vec<String> {
        match overlay {
            Overlay::Form { texts, .. } => texts.to_vec(),
            other => panic!("the fault form is not open: {other:?}"),
        }
    }

    #[test]
    fn a_lost_terminal_leaves_the_console_without_typing_into_the_open_form() {
        for lost in [
            None,
            Some(Err(io::Error::new(io::ErrorKind::BrokenPipe, "tty gone"))),
        ] {
            let mut app = empty();
            key(&mut app, Command::FaultForm);
            let msg = message(lost).expect("a lost terminal says something");
            assert!(matches!(msg, Msg::Shutdown), "{msg:?}");
            let step = update(&mut app, msg);
            assert!(step.effects.contains(&Effect::Quit), "{:?}", step.effects);
            assert!(app.quitting);
            assert_eq!(app.overlay, Overlay::None, "the form closed, untouched");
        }
    }

    /// Why a lost terminal must not pretend to be `q`: the open form takes
    /// the key as text and the console stays.
    #[test]
    fn a_q_typed_into_the_open_form_is_text_and_does_not_quit() {
        let mut app = empty();
        key(&mut app, Command::FaultForm);
        let before = form_texts(&app.overlay);
        let step = update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Char('q'))));
        assert!(!step.effects.contains(&Effect::Quit));
        assert!(!app.quitting);
        assert_ne!(form_texts(&app.overlay), before, "the q went into the form");
    }

    #[test]
    fn a_pressed_key_and_a_resize_reach_the_console_and_a_release_does_not() {
        let q = KeyEvent::from(KeyCode::Char('q'));
        assert!(matches!(message(Some(Ok(Event::Key(q)))), Some(Msg::Key(k)) if k == q));
        assert!(matches!(
            message(Some(Ok(Event::Resize(80, 24)))),
            Some(Msg::Resize)
        ));
        let released = KeyEvent {
            kind: KeyEventKind::Release,
            ..q
        };
        assert!(message(Some(Ok(Event::Key(released)))).is_none());
    }
}
