//! The help overlay, drawn from [`KEYMAP`]: every binding, its keys and
//! what it does, so help and keys cannot disagree.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::keymap::KEYMAP;
use crate::tui::state::App;
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(h.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [r] = Layout::horizontal([Constraint::Length(w.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    r
}

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let lines: Vec<Line> = KEYMAP
        .iter()
        .map(|b| {
            let keys = b
                .keys
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(" ");
            Line::from(vec![
                Span::styled(format!("{keys:>16}  "), theme.accent()),
                Span::raw(t(lang, b.help)),
            ])
        })
        .collect();
    let h = lines.len() as u16 + 2;
    let rect = centered(area, 72, h);
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", t(lang, T::Help)),
            theme.title(),
        ))
        .title_bottom(Span::styled(
            format!(" {} ", t(lang, T::HelpClose)),
            theme.dim(),
        ));
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Lang;
    use crate::tui::fixtures::{self, draw};

    #[test]
    fn help_lists_every_binding_of_the_keymap() {
        let app = fixtures::empty();
        let screen = draw(80, 27, |f| render(f, f.area(), &app, Theme::PLAIN));
        for b in KEYMAP {
            assert!(
                screen.contains(t(Lang::En, b.help)),
                "{:?} missing",
                b.action
            );
        }
        insta::assert_snapshot!(screen);
    }

    #[test]
    fn help_in_a_narrow_terminal_is_cut_not_broken() {
        let app = fixtures::empty();
        insta::assert_snapshot!(draw(80, 24, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }
}
