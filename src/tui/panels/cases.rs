//! The case list: session order, a progress mark per case (✔ passed,
//! ✘ failed, … left halfway), the selection, and the case being walked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState};

use crate::tui::state::App;
use crate::tui::text::{T, fit_line, t};
use crate::tui::theme::Theme;

use super::scroll;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let done = app
        .cases
        .iter()
        .filter(|c| app.progress.mark(&c.id) == "✔")
        .count();
    let mut block = Block::bordered().title(Span::styled(
        format!(" {} {done}/{} ", t(app.lang, T::Cases), app.cases.len()),
        theme.title(),
    ));
    // More cases than rows (six at 80×24): the list follows the selection,
    // and the border says which of them are in sight.
    let rows = usize::from(block.inner(area).height).max(1);
    let first = app.selected.saturating_sub(rows - 1);
    if let Some(pos) = scroll::position(first, rows, app.cases.len()) {
        block = block.title_bottom(Line::styled(format!(" {pos} "), theme.dim()).right_aligned());
    }
    let active = app.active.as_ref().map(|a| a.session.case.id.as_str());
    // A title too long for the panel ends with `…`; the case panel's title
    // and a wider terminal show it whole.
    let width = usize::from(area.width.saturating_sub(2));
    let items: Vec<ListItem> = app
        .cases
        .iter()
        .map(|c| {
            let mark = if Some(c.id.as_str()) == active {
                "▶"
            } else {
                app.progress.mark(&c.id)
            };
            let style = match mark {
                "✔" => theme.ok(),
                "✘" => theme.bad(),
                "▶" => theme.accent(),
                _ => theme.dim(),
            };
            ListItem::new(fit_line(
                Line::from(vec![
                    Span::styled(format!("{mark} "), style),
                    Span::raw(format!("{} {}", c.order, c.title.get(app.lang))),
                ]),
                width,
            ))
        })
        .collect();
    let mut state = ListState::default()
        .with_selected(Some(app.selected))
        .with_offset(first);
    f.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(theme.selected()),
        area,
        &mut state,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};
    use crate::tui::progress::CaseRecord;

    fn panel(app: &App) -> String {
        draw(30, 7, |f| render(f, f.area(), app, Theme::PLAIN))
    }

    #[test]
    fn cases_fresh_session() {
        insta::assert_snapshot!(panel(&fixtures::empty()));
    }

    #[test]
    fn a_case_below_the_panel_comes_into_sight_and_the_border_says_which_are_shown() {
        let mut app = fixtures::empty();
        let screen = panel(&app);
        assert!(
            screen.contains(" 1–5/6 ") && !screen.contains("6 Alive"),
            "{screen}"
        );
        app.selected = 5;
        let screen = panel(&app);
        assert!(
            screen.contains("6 Alive, but not ready") && screen.contains(" 2–6/6 "),
            "{screen}"
        );
    }

    #[test]
    fn cases_with_progress_and_an_active_case() {
        let mut app = fixtures::healthy();
        app.progress.cases.insert(
            "error-rate".into(),
            CaseRecord {
                finished: true,
                passed: false,
                ..CaseRecord::default()
            },
        );
        app.progress.cases.insert(
            "db-slow".into(),
            CaseRecord {
                finished: true,
                passed: true,
                ..CaseRecord::default()
            },
        );
        app.selected = 2;
        insta::assert_snapshot!(panel(&app));
    }
}
