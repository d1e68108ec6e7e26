//! The help overlay, drawn from [`KEYMAP`]: every binding, its keys and
//! what it does, so help and keys cannot disagree.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::tui::keymap::KEYMAP;
use crate::tui::state::App;
use crate::tui::text::{T, t, tf};
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

/// Every binding, or as many as the terminal's height allows from
/// `scroll`: then the bottom of the box says how many more lie above and
/// below, and that ↑/↓ shows them.
pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, scroll: usize, theme: Theme) {
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
    let rows = usize::from(rect.height.saturating_sub(2));
    let max = lines.len().saturating_sub(rows);
    app.drawn.help_scroll_max.set(max);
    let from = scroll.min(max);
    let (above, below) = (from, max - from);
    let bottom = if max == 0 {
        t(lang, T::HelpClose).to_string()
    } else {
        tf(lang, T::HelpMore, &[&above, &below])
    };
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {} ", t(lang, T::Help)),
            theme.title(),
        ))
        .title_bottom(Span::styled(format!(" {bottom} "), theme.dim()));
    let shown: Vec<Line> = lines.into_iter().skip(from).collect();
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(shown).block(block), rect);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Lang;
    use crate::tui::fixtures::{self, draw};

    #[test]
    fn help_lists_every_binding_of_the_keymap() {
        let app = fixtures::empty();
        let screen = draw(80, 27, |f| render(f, f.area(), &app, 0, Theme::PLAIN));
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
        insta::assert_snapshot!(draw(80, 24, |f| render(f, f.area(), &app, 0, Theme::PLAIN)));
    }

    /// At 80×24 the help does not fit: it says how many bindings lie below
    /// and above, and the arrow keys bring each of them on screen.
    #[test]
    fn a_help_too_tall_for_the_terminal_says_there_is_more_and_scrolls_to_it() {
        use crossterm::event::KeyCode;

        use crate::tui::msg::Msg;
        use crate::tui::state::Overlay;
        for (lang, more, end) in [
            (Lang::En, "↓ 3 more", "↓ 0 more"),
            (Lang::Ru, "↓ ещё 3", "↓ ещё 0"),
        ] {
            let mut app = fixtures::empty_in(lang);
            crate::tui::update::update(&mut app, Msg::Key(KeyCode::Char('?').into()));
            let mut seen = String::new();
            let screen = |app: &App| {
                let Overlay::Help(scroll) = app.overlay else {
                    panic!("the help is open: {:?}", app.overlay)
                };
                draw(80, 24, |f| render(f, f.area(), app, scroll, Theme::PLAIN))
            };
            let first = screen(&app);
            assert!(first.contains(more), "{lang}: {first}");
            for _ in 0..KEYMAP.len() {
                seen += &screen(&app);
                crate::tui::update::update(&mut app, Msg::Key(KeyCode::Down.into()));
            }
            assert!(screen(&app).contains(end), "{lang}: at the end");
            for b in KEYMAP {
                assert!(
                    seen.contains(t(lang, b.help)),
                    "{lang}: {:?} never shown",
                    b.action
                );
            }
        }
    }
}
