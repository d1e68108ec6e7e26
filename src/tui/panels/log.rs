//! The event log pane: the open case's lasting facts pinned on top (OOM
//! kills, alerts fired, checks passed: they stay however many lines come
//! after), then the newest events below, each at its UTC time of day.
//! `e` opens the whole log (the log view).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::tui::keymap::{Command, key_of};
use crate::tui::state::{App, Fact, LogKind, LogLine, Pinned};
use crate::tui::text::{T, fit_line, t};
use crate::tui::theme::Theme;
use crate::tui::timeline::clock;
use crate::words::check_label;

/// The open case's facts, most urgent first: the OOM kills in one line,
/// one line per alert fired, the checks passed in one line.
pub(crate) fn fact_lines(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let Some(a) = &app.active else {
        return vec![];
    };
    let lang = app.lang;
    let mut out = Vec::new();
    let ooms: Vec<(&Pinned, &str)> = a
        .facts
        .iter()
        .filter_map(|p| match &p.fact {
            Fact::OomKill { service } => Some((p, service.as_str())),
            _ => None,
        })
        .collect();
    if let Some((last, _)) = ooms.last() {
        let mut services: Vec<&str> = ooms.iter().map(|(_, s)| *s).collect();
        services.sort_unstable();
        services.dedup();
        out.push(Line::styled(
            format!(
                "✘ {} {} ×{}, {} {}",
                t(lang, T::FactOom),
                services.join(", "),
                ooms.len(),
                t(lang, T::FactOomLast),
                clock(last.at)
            ),
            theme.bad(),
        ));
    }
    for p in &a.facts {
        if let Fact::AlertFired { name, after_s } = &p.fact {
            out.push(Line::styled(
                format!(
                    "🔔 {name} {} {} (+{after_s:.0} {})",
                    t(lang, T::FactFired),
                    clock(p.at),
                    t(lang, T::Sec)
                ),
                theme.ok(),
            ));
        }
    }
    let checks: Vec<(&Pinned, String)> = a
        .facts
        .iter()
        .filter_map(|p| match &p.fact {
            Fact::CheckPassed { phase, id } => Some((p, check_label(lang, *phase, id))),
            _ => None,
        })
        .collect();
    if let Some((last, id)) = checks.last() {
        out.push(Line::styled(
            format!(
                "✔ {} {}, {} {id} {}",
                t(lang, T::FactChecks),
                checks.len(),
                t(lang, T::FactChecksLast),
                clock(last.at)
            ),
            theme.ok(),
        ));
    }
    out
}

/// The coach's last message, pinned until the next one.
fn coach_line(app: &App, theme: Theme) -> Option<Line<'static>> {
    let text = app.coach.as_ref()?.message.as_ref()?;
    Some(Line::styled(
        format!("{}: {text}", t(app.lang, T::CoachLabel)),
        theme.title(),
    ))
}

/// One log line: its time of day in UTC, then its text in its kind's style.
pub(crate) fn event_line(l: &LogLine, theme: Theme) -> Line<'static> {
    let style = match l.kind {
        LogKind::Info => theme.dim(),
        LogKind::Good => theme.ok(),
        LogKind::Bad => theme.bad(),
    };
    Line::from(vec![
        Span::styled(format!("{} ", clock(l.at)), theme.dim()),
        Span::styled(l.text.clone(), style),
    ])
}

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} (UTC) · {} {} ",
            t(lang, T::Log),
            key_of(Command::Events),
            t(lang, T::EventsHint)
        ),
        theme.title(),
    ));
    let inner = block.inner(area);
    let rows = inner.height as usize;
    // The coach's last message, then the facts; they never push out the
    // newest event: one row stays for it.
    let mut lines = coach_line(app, theme).into_iter().collect::<Vec<_>>();
    lines.extend(fact_lines(app, theme));
    lines.truncate(if rows >= 2 { rows - 1 } else { rows });
    let room = rows.saturating_sub(lines.len());
    lines.extend(
        app.log
            .iter()
            .skip(app.log.len().saturating_sub(room))
            .map(|l| event_line(l, theme)),
    );
    // One row each; a line too long ends with `…` (`e` shows it whole).
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| fit_line(l, usize::from(inner.width)))
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

    #[test]
    fn the_facts_of_the_case_stay_pinned_after_200_newer_lines() {
        let mut app = fixtures::failing();
        for n in 0..200 {
            app.log(LogKind::Info, format!("newer line {n}"));
        }
        assert!(
            !app.log.iter().any(|l| l.text.contains("killed")),
            "the OOM line itself has left the log"
        );
        let pane = draw(80, 6, |f| render(f, f.area(), &app, Theme::PLAIN));
        assert!(
            pane.contains("OOM kill: app-1 ×1, last at 09:07:20"),
            "{pane}"
        );
        assert!(pane.contains("checks passed: 5"), "{pane}");
        assert!(pane.contains("newer line 199"), "{pane}");
        // Two rows: the most urgent fact, and the newest line.
        let small = draw(80, 4, |f| render(f, f.area(), &app, Theme::PLAIN));
        assert!(small.contains("OOM kill"), "{small}");
        assert!(small.contains("newer line 199"), "{small}");
    }

    #[test]
    fn a_case_left_takes_its_facts_with_it() {
        let mut app = fixtures::failing();
        crate::tui::actions::act(&mut app, Command::Leave);
        assert!(fact_lines(&app, Theme::PLAIN).is_empty());
    }
}
