//! The fault panel: what is injected right now (as the API reports it, so
//! it is true even when someone else changed it), with the key of each.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::faults::FaultSwitch;
use crate::tui::keymap::{Command, key_of};
use crate::tui::state::App;
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let title = format!(
        " {} · {} {} · {} {} ",
        t(app.lang, T::Faults),
        key_of(Command::ResetFaults),
        t(app.lang, T::Reset),
        key_of(Command::FaultForm),
        t(app.lang, T::Edit)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let Some(c) = &app.faults else {
        f.render_widget(
            Paragraph::new(Line::styled(t(app.lang, T::ApiSilent), theme.dim())).block(block),
            area,
        );
        return;
    };
    let v = &app.fault_values;
    let lang = app.lang;
    let (mib, per_req, ms) = (t(lang, T::MiB), t(lang, T::PerRequest), t(lang, T::Ms));
    let row = |switch: FaultSwitch| {
        let name = t(lang, switch.word());
        let on = switch.is_on(c);
        // What is injected now, and (dim, while off) what the key injects.
        let (now, next) = match switch {
            FaultSwitch::Latency => (
                format!("{} {ms}", c.latency_ms),
                format!("({} {ms})", v.latency_ms),
            ),
            FaultSwitch::Errors => (format!("{}%", c.error_rate), format!("({}%)", v.error_rate)),
            FaultSwitch::DbSlow => (
                format!("{} {ms}", c.db_slow_ms),
                format!("({} {ms})", v.db_slow_ms),
            ),
            FaultSwitch::DbFail => (t(lang, T::FaultOn).into(), String::new()),
            FaultSwitch::Leak => (
                format!("{} {mib}{per_req}", c.memory_leak_mb),
                format!("({} {mib}{per_req})", v.leak_mb),
            ),
        };
        let (mark, style) = if on {
            ("■", theme.bad())
        } else {
            ("□", theme.dim())
        };
        Line::from(vec![
            Span::styled(
                format!("{} ", key_of(Command::Toggle(switch))),
                theme.accent(),
            ),
            Span::styled(format!("{mark} "), style),
            Span::raw(format!("{name:<9}")),
            Span::styled(
                if on { now } else { next },
                if on { style } else { theme.dim() },
            ),
        ])
    };
    let lines: Vec<Line> = FaultSwitch::ALL.into_iter().map(row).collect();
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
