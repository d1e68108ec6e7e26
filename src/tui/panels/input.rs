//! The two small input boxes: fault values (latency ms, error %, leak MiB,
//! slow-DB ms), each with the range it accepts and a ✘ while the text is
//! not in it, and the answer to a case's question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::help::centered;
use crate::tui::state::{App, FORM, Overlay};
use crate::tui::text::{T, accepted, t, unit};
use crate::tui::theme::Theme;

/// The text as typed, its tail when it is longer than the box has room
/// for (nothing typed is dropped, only scrolled out of view).
fn tail(text: &str, room: usize) -> String {
    let n = text.chars().count();
    if n <= room {
        return text.to_string();
    }
    let kept: String = text.chars().skip(n + 1 - room).collect();
    format!("…{kept}")
}

fn form(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: Theme,
    at: usize,
    texts: &[String],
    refused: bool,
) {
    let lang = app.lang;
    let mut lines: Vec<Line> = FORM
        .iter()
        .zip(texts)
        .enumerate()
        .map(|(i, (line, text))| {
            let name = t(lang, line.kind.field().word);
            let cursor = if i == at { "▏" } else { " " };
            let style = if i == at {
                theme.selected()
            } else {
                theme.title()
            };
            let verdict = match line.read(text) {
                Ok(_) => Span::styled(format!("   {}", accepted(lang, line.kind)), theme.dim()),
                Err(_) => Span::styled(format!(" ✘ {}", accepted(lang, line.kind)), theme.bad()),
            };
            Line::from(vec![
                Span::raw(format!("{name:>18}: ")),
                Span::styled(format!("{}{cursor}", tail(text, 10)), style),
                Span::raw(" ".repeat(10usize.saturating_sub(text.chars().count()))),
                verdict,
            ])
        })
        .collect();
    if refused {
        lines.push(Line::styled(
            t(lang, T::FormRefused).to_string(),
            theme.bad(),
        ));
    }
    let rect = centered(area, 76, 7);
    let block = Block::bordered().title(Span::styled(
        format!(" {} ", t(lang, T::FormTitle)),
        theme.title(),
    ));
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

fn answer(
    f: &mut Frame,
    area: Rect,
    app: &App,
    theme: Theme,
    index: usize,
    text: &str,
    not_a_number: bool,
) {
    let lang = app.lang;
    let Some(a) = &app.active else { return };
    let qs = &a.session.case.phases.detect.questions;
    let (Some(q), Some(state)) = (qs.get(index), a.session.questions.get(index)) else {
        return;
    };
    let mut head = format!("{} {}/{}", t(lang, T::QuestionNo), index + 1, qs.len());
    if state.correct == Some(false) {
        head = format!("{head} · {}", t(lang, T::OneMoreTry));
    }
    let mut lines = vec![
        Line::styled(head, theme.dim()),
        Line::raw(q.ask.get(lang).to_string()),
        Line::from(vec![
            Span::styled(format!("> {text}▏"), theme.selected()),
            Span::styled(
                format!(" {}", unit(lang, q.unit.as_deref().unwrap_or(""))),
                theme.dim(),
            ),
        ]),
    ];
    if not_a_number {
        lines.push(Line::styled(
            format!("✘ {}", t(lang, T::NotANumber)),
            theme.bad(),
        ));
    }
    lines.push(Line::styled(
        t(lang, T::JudgedAtOpen).to_string(),
        theme.dim(),
    ));
    let rect = centered(area, 70, 10);
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

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    match &app.overlay {
        Overlay::Form {
            field,
            texts,
            refused,
        } => form(f, area, app, theme, *field, texts, *refused),
        Overlay::Answer {
            index,
            text,
            not_a_number,
        } => answer(f, area, app, theme, *index, text, *not_a_number),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Lang;
    use crate::tui::fixtures::{self, draw};

    fn form_with(texts: [&str; 4], refused: bool) -> Overlay {
        Overlay::Form {
            field: 1,
            texts: texts.map(String::from),
            refused,
        }
    }

    #[test]
    fn the_fault_form_edits_one_field_at_a_time() {
        let mut app = fixtures::healthy();
        app.overlay = form_with(["2000", "35", "5", "2000"], false);
        insta::assert_snapshot!(draw(80, 9, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    #[test]
    fn the_fault_form_marks_a_wrong_field_with_its_range_and_applies_nothing() {
        let mut app = fixtures::healthy();
        app.overlay = form_with(["-3", "1.5e3", "5x", "2000"], true);
        let screen = draw(80, 9, |f| render(f, f.area(), &app, Theme::PLAIN));
        assert!(screen.contains("-3"), "kept as typed: {screen}");
        assert!(screen.contains("✘ an integer from 0 to 30000"), "{screen}");
        assert!(screen.contains("✘ a percentage from 0 to 100"), "{screen}");
        insta::assert_snapshot!(screen);
    }

    #[test]
    fn the_fault_form_in_russian() {
        let mut app = fixtures::healthy();
        app.lang = Lang::Ru;
        app.overlay = form_with(["2000", "12,5", "200", "2000"], true);
        insta::assert_snapshot!(draw(80, 9, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    #[test]
    fn a_long_text_shows_its_end_not_a_cut_beginning() {
        assert_eq!(tail("123", 10), "123");
        assert_eq!(tail("123456789012", 10), "…456789012");
    }

    #[test]
    fn the_answer_box_shows_the_question_and_its_unit() {
        let mut app = fixtures::failing();
        app.overlay = Overlay::Answer {
            index: 0,
            text: "2.2".into(),
            not_a_number: false,
        };
        insta::assert_snapshot!(draw(72, 8, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }

    #[test]
    fn the_answer_box_says_when_the_text_is_not_a_number() {
        let mut app = fixtures::failing();
        app.overlay = Overlay::Answer {
            index: 1,
            text: "2k".into(),
            not_a_number: true,
        };
        insta::assert_snapshot!(draw(72, 10, |f| render(f, f.area(), &app, Theme::PLAIN)));
    }
}
