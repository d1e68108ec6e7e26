//! The fault panel: what is injected right now (as the API reports it, so
//! it is true even when someone else changed it), with the key of each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::keymap::{Action, key_of};
use crate::tui::state::App;
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let title = format!(
        " {} · {} reset · {} edit ",
        t(app.lang, T::Faults),
        key_of(Action::ResetFaults),
        key_of(Action::FaultForm)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let Some(c) = &app.faults else {
        f.render_widget(
            Paragraph::new(Line::styled("? (API not answering)", theme.dim())).block(block),
            area,
        );
        return;
    };
    let v = &app.fault_values;
    let (mib, per_req) = (t(app.lang, T::MiB), t(app.lang, T::PerRequest));
    let row = |action: Action, name: &str, on: bool, now: String, next: String| {
        let (mark, style) = if on {
            ("■", theme.bad())
        } else {
            ("□", theme.dim())
        };
        Line::from(vec![
            Span::styled(format!("{} ", key_of(action)), theme.accent()),
            Span::styled(format!("{mark} "), style),
            Span::raw(format!("{name:<9}")),
            Span::styled(
                if on { now } else { next },
                if on { style } else { theme.dim() },
            ),
        ])
    };
    let lines = vec![
        row(
            Action::ToggleLatency,
            "latency",
            c.latency_ms > 0,
            format!("{} ms", c.latency_ms),
            format!("({} ms)", v.latency_ms),
        ),
        row(
            Action::ToggleErrors,
            "errors",
            c.error_rate > 0.0,
            format!("{}%", c.error_rate),
            format!("({}%)", v.error_rate),
        ),
        row(
            Action::ToggleDbSlow,
            "db slow",
            c.db_slow,
            format!("{} ms", c.db_slow_ms),
            format!("({} ms)", v.db_slow_ms),
        ),
        row(
            Action::ToggleDbFail,
            "db fail",
            c.db_fail,
            "on".into(),
            String::new(),
        ),
        row(
            Action::ToggleLeak,
            "leak",
            c.memory_leak_mb > 0,
            format!("{} {mib}{per_req}", c.memory_leak_mb),
            format!("({} {mib}{per_req})", v.leak_mb),
        ),
    ];
    f.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};

    fn panel(app: &App) -> String {
        draw(28, 7, |f| render(f, f.area(), app, Theme::PLAIN))
    }

    #[test]
    fn faults_unknown_while_the_api_is_down() {
        insta::assert_snapshot!(panel(&fixtures::docker_absent()));
    }

    #[test]
    fn faults_none_injected() {
        insta::assert_snapshot!(panel(&fixtures::healthy()));
    }

    #[test]
    fn faults_latency_injected() {
        insta::assert_snapshot!(panel(&fixtures::failing()));
    }
}
