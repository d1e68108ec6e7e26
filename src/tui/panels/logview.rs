//! The log view (`e`): the whole event log over the screen below the
//! header, at UTC times of day; the open case's facts pinned above it; the
//! position (`120/200`: the last line shown of those the filters let
//! through) and the filters in the title, the keys at the bottom.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::tui::state::{App, LogView, Topic};
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

use super::log::{event_line, fact_lines};
use super::scroll;

fn topic_word(topic: Option<Topic>) -> T {
    match topic {
        None | Some(Topic::Console) => T::TopicAll,
        Some(Topic::Alert) => T::TopicAlerts,
        Some(Topic::Check) => T::TopicChecks,
        Some(Topic::Fault) => T::TopicFaults,
        Some(Topic::Restart) => T::TopicRestarts,
    }
}

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, view: &LogView, theme: Theme) {
    let lang = app.lang;
    // Below the header line, which keeps saying what is up and injected.
    let area = Rect {
        y: area.y + 1.min(area.height),
        height: area.height.saturating_sub(1),
        ..area
    };
    let shown = view.lines(&app.log);
    let mut pinned = fact_lines(app, theme);
    if !pinned.is_empty() {
        pinned.insert(
            0,
            Line::styled(t(lang, T::PinnedTitle).to_string(), theme.title()),
        );
        pinned.push(Line::styled(
            "─".repeat(area.width.saturating_sub(2) as usize),
            theme.dim(),
        ));
    }
    let inner_h = area.height.saturating_sub(2) as usize;
    let page = inner_h.saturating_sub(pinned.len()).max(1);
    app.drawn.log_page.set(page);
    let (from, to) = view.window(shown.len(), page);
    let filter = match (view.typing, view.filter.is_empty()) {
        (true, _) => format!(" · /{}▏", view.filter),
        (false, false) => format!(" · /{}", view.filter),
        (false, true) => String::new(),
    };
    let title = format!(
        " {} (UTC) · {to}/{} · {}: {}{filter} ",
        t(lang, T::Log),
        shown.len(),
        t(lang, T::TopicLabel),
        t(lang, topic_word(view.topic)),
    );
    let block = Block::bordered()
        .title(Span::styled(title, theme.title()))
        .title_bottom(Span::styled(
            format!(" {} ", t(lang, T::LogViewKeys)),
            theme.dim(),
        ));
    let mut lines = pinned;
    if shown.is_empty() {
        lines.push(Line::styled(
            t(lang, T::NoLineMatches).to_string(),
            theme.dim(),
        ));
    }
    // Lines wrap, so none ends mid-word: the window starts as late as the
    // rows below the pinned facts allow, its last line at the bottom.
    let width = area.width.saturating_sub(2);
    let rows_left = inner_h.saturating_sub(scroll::rows(&lines, width)).max(1);
    let window: Vec<Line> = shown[from..to]
        .iter()
        .map(|l| event_line(l, theme))
        .collect();
    let mut used = 0;
    let first = window
        .iter()
        .rposition(|l| {
            used += scroll::rows(std::slice::from_ref(l), width);
            used > rows_left
        })
        .map_or(0, |i| (i + 1).min(window.len().saturating_sub(1)));
    lines.extend(window.into_iter().skip(first));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
