//! The event log: injections, alerts, restarts, OOM kills, check results,
//! each with its time on the console's clock; newest at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::state::{App, LogKind};
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", t(app.lang, T::Log)),
        theme.title(),
    ));
    let rows = block.inner(area).height as usize;
    let lines: Vec<Line> = app
        .log
        .iter()
        .skip(app.log.len().saturating_sub(rows))
        .map(|l| {
            let style = match l.kind {
                LogKind::Info => theme.dim(),
                LogKind::Good => theme.ok(),
                LogKind::Bad => theme.bad(),
            };
            let m = (l.t / 60.0) as u64;
            let s = l.t as u64 % 60;
            Line::from(vec![
                Span::styled(format!("{m:>2}:{s:02} "), theme.dim()),
                Span::styled(l.text.clone(), style),
            ])
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};

    #[test]
    fn log_empty() {
        let app = fixtures::empty();
        insta::assert_snapshot!(draw(60, 4, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    #[test]
    fn log_shows_the_newest_events_of_a_failing_case() {
        let app = fixtures::failing();
        insta::assert_snapshot!(draw(80, 8, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }
}
