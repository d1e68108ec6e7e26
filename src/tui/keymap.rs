//! Every key of the console in one table. Input is looked up here and the
//! help overlay is drawn from here, so what `?` shows is what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::text::T;
use crate::faults::FaultSwitch;

/// What a key asks for (in the normal view; the form, the answer field and
/// the help overlay read keys themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    Quit,
    Help,
    Up,
    Down,
    Open,
    Leave,
    Inject,
    InjectNow,
    Recover,
    Hint,
    Answer,
    /// One fault on or off, with the form's value for it.
    Toggle(FaultSwitch),
    ResetFaults,
    FaultForm,
    LoadToggle,
    RateUp,
    RateDown,
    ScrollDown,
    ScrollUp,
    /// The event log over the main view, to scroll and filter.
    Events,
    /// The ways out when the stack cannot come up.
    StackChoices,
}

/// A key as the table names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Enter,
    Esc,
    Right,
    Left,
    PageUp,
    PageDown,
}

impl Key {
    pub(crate) fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{c}"),
            Key::Up => "↑".into(),
            Key::Down => "↓".into(),
            Key::Enter => "Enter".into(),
            Key::Esc => "Esc".into(),
            Key::Right => "→".into(),
            Key::Left => "←".into(),
            Key::PageUp => "PgUp".into(),
            Key::PageDown => "PgDn".into(),
        }
    }

    fn matches(self, e: &KeyEvent) -> bool {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        match (self, e.code) {
            (Key::Ctrl(c), KeyCode::Char(x)) => ctrl && x.eq_ignore_ascii_case(&c),
            (Key::Char(c), KeyCode::Char(x)) => !ctrl && x == c,
            (Key::Up, KeyCode::Up) => true,
            (Key::Down, KeyCode::Down) => true,
            (Key::Enter, KeyCode::Enter) => true,
            (Key::Esc, KeyCode::Esc) => true,
            (Key::Right, KeyCode::Right) => true,
            (Key::Left, KeyCode::Left) => true,
            (Key::PageUp, KeyCode::PageUp) => true,
            (Key::PageDown, KeyCode::PageDown) => true,
            _ => false,
        }
    }
}

pub(crate) struct Binding {
    pub keys: &'static [Key],
    pub action: Command,
    pub help: T,
}

use Command as A;
use Key as K;

pub(crate) const KEYMAP: &[Binding] = &[
    Binding {
        keys: &[K::Char('q'), K::Ctrl('c')],
        action: A::Quit,
        help: T::Quit,
    },
    Binding {
        keys: &[K::Char('?')],
        action: A::Help,
        help: T::Help,
    },
    Binding {
        keys: &[K::Char('k'), K::Up],
        action: A::Up,
        help: T::Move,
    },
    Binding {
        keys: &[K::Char('j'), K::Down],
        action: A::Down,
        help: T::Move,
    },
    Binding {
        keys: &[K::Enter, K::Char('l'), K::Right],
        action: A::Open,
        help: T::Open,
    },
    Binding {
        keys: &[K::Esc, K::Char('h'), K::Left],
        action: A::Leave,
        help: T::Leave,
    },
    Binding {
        keys: &[K::Char('i')],
        action: A::Inject,
        help: T::Inject,
    },
    Binding {
        keys: &[K::Char('I')],
        action: A::InjectNow,
        help: T::InjectNow,
    },
    Binding {
        keys: &[K::Char('r')],
        action: A::Recover,
        help: T::Recover,
    },
    Binding {
        keys: &[K::Char('H')],
        action: A::Hint,
        help: T::Hint,
    },
    Binding {
        keys: &[K::Char('a')],
        action: A::Answer,
        help: T::Answer,
    },
    Binding {
        keys: &[K::Char('L')],
        action: A::Toggle(FaultSwitch::Latency),
        help: T::ToggleLatency,
    },
    Binding {
        keys: &[K::Char('E')],
        action: A::Toggle(FaultSwitch::Errors),
        help: T::ToggleErrors,
    },
    Binding {
        keys: &[K::Char('D')],
        action: A::Toggle(FaultSwitch::DbSlow),
        help: T::ToggleDbSlow,
    },
    Binding {
        keys: &[K::Char('F')],
        action: A::Toggle(FaultSwitch::DbFail),
        help: T::ToggleDbFail,
    },
    Binding {
        keys: &[K::Char('M')],
        action: A::Toggle(FaultSwitch::Leak),
        help: T::ToggleLeak,
    },
    Binding {
        keys: &[K::Char('0')],
        action: A::ResetFaults,
        help: T::ResetFaults,
    },
    Binding {
        keys: &[K::Char('f')],
        action: A::FaultForm,
        help: T::FaultForm,
    },
    Binding {
        keys: &[K::Char('g')],
        action: A::LoadToggle,
        help: T::LoadToggle,
    },
    Binding {
        keys: &[K::Char('+'), K::Char('=')],
        action: A::RateUp,
        help: T::RateUp,
    },
    Binding {
        keys: &[K::Char('-')],
        action: A::RateDown,
        help: T::RateDown,
    },
    Binding {
        keys: &[K::Char('J'), K::PageDown],
        action: A::ScrollDown,
        help: T::Scroll,
    },
    Binding {
        keys: &[K::Char('K'), K::PageUp],
        action: A::ScrollUp,
        help: T::Scroll,
    },
    Binding {
        keys: &[K::Char('s')],
        action: A::StackChoices,
        help: T::StackChoices,
    },
    Binding {
        keys: &[K::Char('e')],
        action: A::Events,
        help: T::EventsOpen,
    },
];

/// The action bound to `key`, if any.
pub(crate) fn action_for(key: &KeyEvent) -> Option<Command> {
    KEYMAP
        .iter()
        .find(|b| b.keys.iter().any(|k| k.matches(key)))
        .map(|b| b.action)
}

/// The first key of `action`, for the short hints in panel titles.
pub(crate) fn key_of(action: Command) -> String {
    KEYMAP
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first())
        .map(|k| k.label())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn vim_and_arrow_keys_do_the_same() {
        let none = KeyModifiers::NONE;
        assert_eq!(action_for(&key(KeyCode::Char('j'), none)), Some(A::Down));
        assert_eq!(action_for(&key(KeyCode::Down, none)), Some(A::Down));
        assert_eq!(
            action_for(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(A::Quit)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('I'), KeyModifiers::SHIFT)),
            Some(A::InjectNow)
        );
    }

    #[test]
    fn every_fault_switch_has_a_key() {
        for s in FaultSwitch::ALL {
            assert!(!key_of(A::Toggle(s)).is_empty(), "{s:?}");
        }
    }

    #[test]
    fn no_key_is_bound_twice() {
        let all: Vec<Key> = KEYMAP.iter().flat_map(|b| b.keys.iter().copied()).collect();
        for (i, k) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(k), "{k:?} is bound twice");
        }
    }
}
