//! The load panel: on or off, the target rate, what was achieved, and what
//! is still in flight (a slow API shows up here first).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::keymap::{Action, key_of};
use crate::tui::state::App;
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let title = format!(
        " {} · {} on/off · {}{} rate ",
        t(lang, T::Load),
        key_of(Action::LoadToggle),
        key_of(Action::RateUp),
        key_of(Action::RateDown)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let mut lines = Vec::new();
    if app.load.on {
        let achieved = app.load.report.as_ref().map(|r| r.achieved_rps());
        lines.push(Line::from(vec![
            Span::styled("▶ ", theme.ok()),
            Span::raw(format!("{} {:.0}/s", t(lang, T::Target), app.load.target)),
            Span::styled(
                achieved.map(|a| format!(" → {a:.1}/s")).unwrap_or_default(),
                theme.accent(),
            ),
        ]));
        if let Some(r) = &app.load.report {
            let last = r.last_second.completed();
            let style = if (last as f64) < app.load.target * 0.7 && r.elapsed.as_secs() > 3 {
                theme.warn()
            } else {
                theme.dim()
            };
            lines.push(Line::styled(
                format!(
                    "{} {last}/s · {} in flight",
                    t(lang, T::Achieved),
                    r.in_flight
                ),
                style,
            ));
        }
    } else {
        lines.push(Line::styled(
            format!("■ {} ({:.0}/s)", t(lang, T::LoadOff), app.load.target),
            theme.dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};

    #[test]
    fn load_off() {
        let app = fixtures::empty();
        insta::assert_snapshot!(draw(28, 4, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    #[test]
    fn load_on_with_its_achieved_rate() {
        let app = fixtures::healthy();
        insta::assert_snapshot!(draw(40, 4, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }
}
