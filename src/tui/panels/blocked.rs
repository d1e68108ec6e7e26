//! The box that opens when the stack cannot come up: why in one sentence,
//! the fix, and the ways out on one key each (local mode, retry, quit), so
//! a student is never left watching a retry countdown.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::help::centered;
use crate::tui::state::{App, StackLife};
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let StackLife::Failed(blocked) = &app.stack.phase else {
        return;
    };
    let lang = app.lang;
    let key = |k: &str, what: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<4}"), theme.accent()),
            Span::raw(what),
        ])
    };
    let mut lines = vec![
        Line::styled(format!("{}.", blocked.trouble.why), theme.bad()),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("{}: ", t(lang, T::BlockedFix)), theme.title()),
            Span::raw(blocked.trouble.fix.clone()),
        ]),
        Line::raw(""),
    ];
    if blocked.local_offered {
        lines.push(key("l", t(lang, T::BlockedLocal).to_string()));
    }
    lines.push(key("r", t(lang, T::BlockedRetry).to_string()));
    lines.push(key("q", t(lang, T::BlockedQuit).to_string()));
    lines.push(key(
        "Esc",
        format!(
            "{} {} {}",
            t(lang, T::BlockedWait),
            blocked.retry_in_s,
            t(lang, T::Sec)
        ),
    ));
    let w = area.width.saturating_sub(4).min(76);
    let inner = usize::from(w.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let rect = centered(area, w, rows as u16 + 2);
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", t(lang, T::BlockedTitle)),
        theme.bad(),
    ));
    f.render_widget(Clear, rect);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

#[cfg(test)]
mod tests {
    use crate::cases::Lang;
    use crate::tui::fixtures::{self, draw};
    use crate::tui::state::Overlay;
    use crate::tui::theme::Theme;
    use crate::tui::view;

    #[test]
    fn images_unavailable_offers_local_mode_retry_and_quit() {
        for lang in [Lang::En, Lang::Ru] {
            let app = fixtures::blocked_on_images(lang);
            assert_eq!(app.overlay, Overlay::Blocked);
            let screen = draw(80, 24, |f| view::draw(f, &app, Theme::PLAIN));
            insta::assert_snapshot!(format!("images_unavailable_{lang:?}"), screen);
            assert!(screen.contains("postgres:15-bookworm"), "{screen}");
        }
    }
}
