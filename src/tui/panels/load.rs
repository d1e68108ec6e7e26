//! The load panel: on or off, the target rate, what the generator got
//! answered in the last second (its own count, not the chart's `rps`, which
//! is what the API served to every client over the last minute; requests
//! that timed out or were refused are not answered), and what is still in
//! flight (a slow API shows up here first).
//!
//! When the load falls short of its target the warning comes first; why,
//! and what to do, follow only when the panel has the rows for all of it:
//! a warning is never cut.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::scroll::rows;
use crate::tui::keymap::{Command, key_of};
use crate::tui::state::App;
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let title = format!(
        " {} · {} {} · {}{} {} ",
        t(lang, T::Load),
        key_of(Command::LoadToggle),
        t(lang, T::OnOff),
        key_of(Command::RateUp),
        key_of(Command::RateDown),
        t(lang, T::Rate)
    );
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let per_s = t(lang, T::PerSec);
    let mut lines = Vec::new();
    if app.load.on {
        // One rate per line, each named: an unnamed average beside the
        // target read as what the API achieved.
        lines.push(Line::from(vec![
            Span::styled("▶ ", theme.ok()),
            Span::raw(format!(
                "{} {:.0}{per_s}",
                t(lang, T::Target),
                app.load.target
            )),
        ]));
        if let Some(r) = &app.load.report {
            let s = &r.last_second;
            let answered = s.ok + s.client_errors + s.server_errors;
            let sent = format!(
                "{} {answered}{per_s} · {} {}",
                t(lang, T::LoadAnswered),
                t(lang, T::InFlight),
                r.in_flight,
            );
            if app.load.falling_short(app.now) {
                // Said right under the target, where a two-line panel
                // (80x24) still shows it; the numbers and why follow.
                lines.push(Line::styled(
                    format!("⚠ {}", t(lang, T::LoadShort)),
                    theme.bad(),
                ));
                lines.push(Line::styled(sent, theme.bad()));
                let why = Line::styled(t(lang, T::LoadShortWhy), theme.warn());
                let inner = area.width.saturating_sub(2);
                let room = usize::from(area.height.saturating_sub(2));
                if rows(&lines, inner) + rows(std::slice::from_ref(&why), inner) <= room {
                    lines.push(why);
                }
            } else {
                lines.push(Line::styled(sent, theme.dim()));
            }
        }
    } else {
        lines.push(Line::styled(
            format!("■ {} ({:.0}{per_s})", t(lang, T::LoadOff), app.load.target),
            theme.dim(),
        ));
    }
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Lang;
    use crate::tui::fixtures::{self, draw};

    #[test]
    fn load_off() {
        let app = fixtures::empty();
        insta::assert_snapshot!(draw(28, 4, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    #[test]
    fn load_on_with_the_rate_the_generator_sent() {
        let app = fixtures::healthy();
        insta::assert_snapshot!(draw(40, 4, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    /// A report whose last full second completed `done` requests.
    fn report(target: f64, done: u64, elapsed_s: u64) -> crate::loadgen::LoadReport {
        use crate::loadgen::{LoadReport, Outcome, Tally};
        let mut last_second = Tally::default();
        for _ in 0..done {
            last_second.record(Outcome::Status(200), std::time::Duration::from_millis(5));
        }
        LoadReport {
            target_rps: target,
            elapsed: std::time::Duration::from_secs(elapsed_s),
            last_second,
            ..LoadReport::default()
        }
    }

    fn screen(app: &App) -> String {
        draw(40, 7, |f| render(f, f.area(), app, Theme::PLAIN))
    }

    #[test]
    fn a_rate_below_90_percent_of_the_target_for_3_s_is_warned_in_both_languages() {
        for (lang, words) in [
            (Lang::En, "below 90% of the target"),
            (Lang::Ru, "ниже 90% цели"),
        ] {
            let mut app = fixtures::healthy();
            app.lang = lang;
            app.load.target = 100.0;
            for s in 0..3 {
                app.now = 500.0 + f64::from(s);
                app.load.observe(report(100.0, 60, 10 + s as u64), app.now);
                assert!(!screen(&app).contains(words), "not after {s} s");
            }
            app.now = 503.0;
            app.load.observe(report(100.0, 60, 13), app.now);
            let shown = screen(&app);
            assert!(shown.contains(words), "{shown}");
            insta::assert_snapshot!(format!("load_falling_short_{lang}"), shown);
            app.now = 504.0;
            app.load.observe(report(100.0, 95, 14), app.now);
            assert!(!screen(&app).contains(words), "back at 95%");
        }
    }
}
