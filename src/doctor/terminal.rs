//! The terminal the console will run in: its size, a UTF-8 locale (the
//! console draws ✔ ✘ ▲ and box lines), colours. Never blocking: the console
//! still works, only worse.

use std::io::IsTerminal as _;

use super::Check;
use crate::console_needs::{MIN_SIZE, colour_wanted};

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct TerminalFacts {
    pub stdout_is_terminal: bool,
    /// Columns and rows, when there is a terminal to ask.
    pub size: Option<(u16, u16)>,
    pub lc_all: Option<String>,
    pub lc_ctype: Option<String>,
    pub lang: Option<String>,
    pub term: Option<String>,
    /// The console draws without colour (`NO_COLOR`).
    pub no_color: bool,
}

impl TerminalFacts {
    pub(super) fn gather(env: impl Fn(&str) -> Option<String>) -> Self {
        let stdout_is_terminal = std::io::stdout().is_terminal();
        Self {
            stdout_is_terminal,
            size: if stdout_is_terminal {
                crossterm::terminal::size().ok()
            } else {
                None
            },
            lc_all: env("LC_ALL"),
            lc_ctype: env("LC_CTYPE"),
            lang: env("LANG"),
            term: env("TERM"),
            no_color: !colour_wanted(&env),
        }
    }
}

pub(super) fn check_size(t: &TerminalFacts) -> Check {
    let (min_w, min_h) = MIN_SIZE;
    let fix = format!("make the window at least {min_w}×{min_h} (or the font smaller)");
    match (t.stdout_is_terminal, t.size) {
        (false, _) => Check::warn(
            "terminal-size",
            "output is not a terminal (piped or redirected): its size was not checked",
            format!(
                "run `workshop doctor` in the terminal you will use; the console wants \
                 {min_w}×{min_h} or more"
            ),
        ),
        (true, None) => Check::warn("terminal-size", "the terminal did not tell its size", fix),
        (true, Some((w, h))) if w >= min_w && h >= min_h => {
            Check::ok("terminal-size", format!("the terminal is {w}×{h}"))
        }
        // The terminal the student will use is too small: the console would
        // hide its panels, so this blocks (a piped run only warns, above).
        (true, Some((w, h))) => Check::fail(
            "terminal-size",
            format!(
                "the terminal is {w}×{h}; the console is laid out for {min_w}×{min_h} and cuts the rest"
            ),
            fix,
        ),
    }
}

/// The locale in force for characters: `LC_ALL`, else `LC_CTYPE`, else
/// `LANG` (the first one set and not empty), as POSIX orders them.
fn ctype(t: &TerminalFacts) -> Option<&str> {
    [&t.lc_all, &t.lc_ctype, &t.lang]
        .into_iter()
        .find_map(|v| v.as_deref().filter(|v| !v.is_empty()))
}

pub(super) fn check_locale(t: &TerminalFacts) -> Check {
    let fix = "export LANG=C.UTF-8 (or en_US.UTF-8) in your shell's profile";
    match ctype(t) {
        Some(l) if l.to_ascii_lowercase().replace('-', "").contains("utf8") => {
            Check::ok("locale", format!("the locale {l} is UTF-8"))
        }
        Some(l) => Check::warn(
            "locale",
            format!("the locale {l} is not UTF-8: the console's marks and lines come out garbled"),
            fix,
        ),
        None => Check::warn(
            "locale",
            "no locale set (LANG, LC_CTYPE, LC_ALL): the console's marks and lines may come out garbled",
            fix,
        ),
    }
}

pub(super) fn check_colour(t: &TerminalFacts) -> Check {
    match t.term.as_deref().filter(|v| !v.is_empty()) {
        None | Some("dumb") => Check::warn(
            "colour",
            format!(
                "TERM is {}: the console needs a terminal that can move the cursor",
                t.term
                    .as_deref()
                    .map_or("unset".into(), |v| format!("{v:?}"))
            ),
            "use a terminal emulator (Terminal, iTerm2, Windows Terminal, GNOME Terminal) \
             rather than an editor's output pane; or export TERM=xterm-256color",
        ),
        Some(term) if t.no_color => Check::ok(
            "colour",
            format!(
                "TERM={term}; NO_COLOR is set, so the console draws without colour (marks carry the meaning)"
            ),
        ),
        Some(term) => Check::ok("colour", format!("TERM={term}, colours on")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    fn facts() -> TerminalFacts {
        TerminalFacts {
            stdout_is_terminal: true,
            size: Some((120, 40)),
            lang: Some("en_US.UTF-8".into()),
            term: Some("xterm-256color".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_small_terminal_fails_and_no_terminal_only_warns() {
        assert_eq!(check_size(&facts()).status, Status::Ok);
        let small = TerminalFacts {
            size: Some((79, 30)),
            ..facts()
        };
        let c = check_size(&small);
        assert_eq!(c.status, Status::Fail);
        assert!(c.finding.contains("79×30"), "{}", c.finding);
        assert!(c.fix.is_some_and(|f| f.contains("80×24")));
        let piped = TerminalFacts {
            stdout_is_terminal: false,
            size: None,
            ..facts()
        };
        let c = check_size(&piped);
        assert_eq!(c.status, Status::Warn);
        assert!(c.finding.contains("not a terminal"), "{}", c.finding);
    }

    #[test]
    fn lc_all_wins_over_lang_and_utf8_is_matched_in_any_spelling() {
        assert_eq!(check_locale(&facts()).status, Status::Ok);
        let c_locale = TerminalFacts {
            lc_all: Some("C".into()),
            ..facts()
        };
        assert_eq!(check_locale(&c_locale).status, Status::Warn);
        let lower = TerminalFacts {
            lang: Some("de_DE.utf8".into()),
            ..facts()
        };
        assert_eq!(check_locale(&lower).status, Status::Ok);
        let none = TerminalFacts {
            lang: None,
            ..facts()
        };
        assert_eq!(check_locale(&none).status, Status::Warn);
    }

    #[test]
    fn a_dumb_terminal_warns_and_no_color_is_only_a_note() {
        let dumb = TerminalFacts {
            term: Some("dumb".into()),
            ..facts()
        };
        assert_eq!(check_colour(&dumb).status, Status::Warn);
        let plain = TerminalFacts {
            no_color: true,
            ..facts()
        };
        let c = check_colour(&plain);
        assert_eq!(c.status, Status::Ok);
        assert!(c.finding.contains("NO_COLOR"), "{}", c.finding);
    }
}
