//! Colours, limited to the 16 ANSI ones every terminal has; with `NO_COLOR`
//! set, none at all, and meaning is carried by marks (✔ ✘ …) and bold text,
//! which the panels always draw anyway.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// `NO_COLOR` (any value) turns colour off, per no-color.org.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            color: crate::console_needs::colour_wanted(var),
        }
    }

    pub const PLAIN: Theme = Theme { color: false };
    pub const COLOR: Theme = Theme { color: true };

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn ok(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }
    pub fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_set_to_anything_turns_colour_off() {
        assert!(!Theme::from_env(|k| (k == "NO_COLOR").then(|| "1".into())).color);
        assert!(Theme::from_env(|k| (k == "NO_COLOR").then(String::new)).color);
        assert!(Theme::from_env(|_| None).color);
        assert_eq!(Theme::PLAIN.ok(), Style::new());
    }

    #[test]
    fn only_the_sixteen_ansi_colours_are_used() {
        let t = Theme::COLOR;
        for s in [t.ok(), t.bad(), t.warn(), t.accent(), t.dim()] {
            assert!(
                !matches!(s.fg, Some(Color::Rgb(..) | Color::Indexed(_))),
                "{s:?}"
            );
        }
    }
}
