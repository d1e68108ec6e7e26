//! The two small input boxes: fault values (latency ms, error %, leak MB,
//! slow-DB ms) and the answer to a case's question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::help::centered;
use crate::tui::state::{App, FORM, Overlay};
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    match &app.overlay {
        Overlay::Form { field, texts } => {
            let lines: Vec<Line> = FORM
                .iter()
                .zip(texts)
                .enumerate()
                .map(|(i, (line, text))| {
                    let name = line.field.label;
                    let cursor = if i == *field { "▏" } else { " " };
                    let style = if i == *field {
                        theme.selected()
                    } else {
                        theme.title()
                    };
                    Line::from(vec![
                        Span::raw(format!("{name:>16}: ")),
                        Span::styled(format!("{text}{cursor}"), style),
                    ])
                })
                .collect();
            let rect = centered(area, 60, 6);
            let block = Block::bordered().title(Span::styled(
                format!(" {} ", t(lang, T::FormTitle)),
                theme.title(),
            ));
            f.render_widget(Clear, rect);
            f.render_widget(Paragraph::new(lines).block(block), rect);
        }
        Overlay::Answer { index, text } => {
            let Some(a) = &app.active else { return };
            let Some(q) = a.session.case.phases.detect.questions.get(*index) else {
                return;
            };
            let lines = vec![
                Line::raw(q.ask.get(lang).to_string()),
                Line::from(vec![
                    Span::styled(format!("> {text}▏"), theme.selected()),
                    Span::styled(format!(" {}", q.unit.as_deref().unwrap_or("")), theme.dim()),
                ]),
            ];
            let rect = centered(area, 70, 6);
            let block = Block::bordered().title(Span::styled(
                format!(" {} ", t(lang, T::AnswerTitle)),
                theme.title(),
            ));
            f.render_widget(Clear, rect);
            f.render_widget(
                Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
                rect,
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};
    use crate::tui::keymap::Action;

    #[test]
    fn the_fault_form_edits_one_field_at_a_time() {
        let mut app = fixtures::healthy();
        app.overlay = Overlay::Form {
            field: 1,
            texts: ["2000".into(), "35".into(), "5".into(), "2000".into()],
        };
        insta::assert_snapshot!(draw(64, 8, |f| render(f, f.area(), &app, Theme::PLAIN)));
        let _ = Action::FaultForm;
    }

    #[test]
    fn the_answer_box_shows_the_question_and_its_unit() {
        let mut app = fixtures::failing();
        app.overlay = Overlay::Answer {
            index: 0,
            text: "2.2".into(),
        };
        insta::assert_snapshot!(draw(72, 8, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }
}
