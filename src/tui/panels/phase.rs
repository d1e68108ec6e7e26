//! The case being walked: where the student is, the checks turning from
//! pending to passed with the value seen, the expected alert counted down,
//! hints as they are released, questions, the runbook prompts, what to look
//! at and why, and the briefing. Scrolls with J/K.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::cases::engine::session::{CaseSession, Progress, QuestionState};
use crate::cases::model::Question;
use crate::cases::{Case, Lang};

use crate::tui::state::App;
use crate::tui::text::{T, t, unit};
use crate::tui::theme::Theme;

use crate::tui::keymap::{Command, key_of};

use super::checks::{self, secs, value};
use super::{next, scroll};

fn briefing(case: &Case, lang: Lang, theme: Theme, lines: &mut Vec<Line<'static>>) {
    lines.push(Line::raw(""));
    lines.push(Line::styled(t(lang, T::LookAt).to_string(), theme.title()));
    for l in &case.look_at {
        lines.push(Line::from(vec![
            Span::styled(format!("• {}", l.what.get(lang)), theme.accent()),
            Span::styled(
                l.promql
                    .as_deref()
                    .map(|q| format!("  {q}"))
                    .unwrap_or_default(),
                theme.dim(),
            ),
        ]));
        lines.push(Line::raw(format!("  {}", l.why.get(lang))));
    }
    lines.push(Line::raw(""));
    for para in case.briefing.get(lang).split("\n\n") {
        lines.push(Line::raw(para.replace('\n', " ").trim().to_string()));
    }
}

fn hints(s: &CaseSession, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if s.hints_shown.iter().any(|h| *h) {
        lines.push(Line::styled(t(lang, T::Hints).to_string(), theme.title()));
        for (h, _) in s
            .case
            .phases
            .detect
            .hints
            .iter()
            .zip(&s.hints_shown)
            .filter(|(_, shown)| **shown)
        {
            lines.push(Line::styled(
                format!("💡 {}", h.text.get(lang)),
                theme.accent(),
            ));
        }
    }
    lines
}

/// The case's `look_at` figures that are one number, live: what the
/// questions ask about is on screen, in the same words.
fn figures(s: &CaseSession, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (l, v) in s.case.look_at.iter().zip(&s.figures) {
        let Some(v) = v else { continue };
        let shown = figure(*v, lang);
        let unit = l
            .unit
            .as_deref()
            .map(|u| format!(" {}", unit(lang, u)))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(format!("• {}: ", l.what.get(lang))),
            Span::styled(format!("{shown}{unit}"), theme.accent()),
        ]));
    }
    if !lines.is_empty() {
        lines.insert(0, Line::styled(t(lang, T::LiveFigures), theme.title()));
    }
    lines
}

/// A live figure: a whole number as one (connections in use, a 0/1 state:
/// never "0.000 connections"); else three significant decimals below 1, one
/// below 100, none above; a decimal comma in Russian, as the case texts
/// write numbers.
pub(crate) fn figure(v: f64, lang: Lang) -> String {
    let text = if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    };
    lang.decimal(text)
}

fn questions(s: &CaseSession, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
    let qs = &s.case.phases.detect.questions;
    let mut lines = figures(s, lang, theme);
    if !qs.is_empty() {
        lines.push(Line::styled(
            t(lang, T::Questions).to_string(),
            theme.title(),
        ));
    }
    for (q, st) in qs.iter().zip(&s.questions) {
        lines.push(question_line(q, st, lang, theme));
    }
    lines
}

fn runbook(s: &CaseSession, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled(t(lang, T::Runbook).to_string(), theme.title())];
    for p in &s.case.phases.respond.prompts {
        lines.push(Line::raw(format!("• {}", p.get(lang))));
    }
    lines
}

/// The panel's text, most urgent first: what to do now and the phase's
/// essentials; then, once the fault is in, what that phase works with
/// (hints and questions while detecting; the runbook first once a detect
/// check has passed); then every check and alert.
fn session_lines(
    s: &CaseSession,
    next: Option<&Case>,
    now: f64,
    lang: Lang,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![next::next_step(s, next, now, lang, theme)];
    lines.extend(next::essentials(s, now, lang, theme));
    let ttd = Line::styled(
        format!(
            "{} {} · {} {} · {} {}",
            t(lang, T::Ttd),
            secs(s.time_to_detect, lang),
            t(lang, T::Tta),
            secs(s.time_to_alert(), lang),
            t(lang, T::Ttr),
            secs(s.time_to_recover, lang)
        ),
        theme.dim(),
    );
    lines.push(ttd);
    lines.extend(checks::phase_results(s, now, lang, theme));
    let responding = s.time_to_detect.is_some() || s.progress != Progress::Detect;
    match s.progress {
        Progress::Detect if !responding => {
            lines.extend(hints(s, lang, theme));
            lines.extend(questions(s, lang, theme));
            lines.extend(checks::checks_and_alerts(s, now, lang, theme));
            lines.extend(runbook(s, lang, theme));
        }
        Progress::Detect | Progress::Recover | Progress::Done => {
            lines.extend(runbook(s, lang, theme));
            lines.extend(questions(s, lang, theme));
            lines.extend(hints(s, lang, theme));
            lines.extend(checks::checks_and_alerts(s, now, lang, theme));
        }
        _ => lines.extend(checks::checks_and_alerts(s, now, lang, theme)),
    }
    lines
}

/// A question with its mark: `?` not answered, `…` being checked, `✔`
/// right, `✘` wrong. The live value (the right answer) is shown only once
/// the question is settled: right, or wrong after the one retry.
fn question_line(q: &Question, st: &QuestionState, lang: Lang, theme: Theme) -> Line<'static> {
    let unit = unit(lang, q.unit.as_deref().unwrap_or(""));
    let live = t(lang, T::Live);
    let (mark, verdict) = match (st.answer, st.correct) {
        (Some(a), Some(true)) => (
            "✔",
            Span::styled(
                format!(" → {a} {unit} ({live} {})", value(st.live, lang)),
                theme.ok(),
            ),
        ),
        (Some(a), Some(false)) if st.settled() => (
            "✘",
            Span::styled(
                format!(
                    " → {a} {unit} ({live} {}, {})",
                    value(st.live, lang),
                    q.tolerance
                ),
                theme.bad(),
            ),
        ),
        (Some(a), Some(false)) => (
            "✘",
            Span::styled(
                format!(" → {a} {unit}: {}", t(lang, T::TryAgain)),
                theme.bad(),
            ),
        ),
        (Some(a), None) => ("…", Span::styled(format!(" → {a} {unit} …"), theme.dim())),
        (None, _) => ("?", Span::raw("")),
    };
    Line::from(vec![
        Span::raw(format!("{mark} {}", q.ask.get(lang))),
        verdict,
    ])
}

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let case = match &app.active {
        Some(a) => {
            let at = app.cases.iter().position(|c| c.id == a.session.case.id);
            let next = at.and_then(|i| app.cases.get(i + 1));
            lines.extend(session_lines(&a.session, next, app.now, lang, theme));
            Some(&a.session.case)
        }
        None => {
            lines.push(Line::styled(t(lang, T::NoCase).to_string(), theme.accent()));
            app.cases.get(app.selected)
        }
    };
    let title = match case {
        Some(c) => format!(" {} {} · {} ", t(lang, T::Case), c.order, c.title.get(lang)),
        None => format!(" {} ", t(lang, T::Case)),
    };
    if let Some(c) = case {
        briefing(c, lang, theme, &mut lines);
    }
    // J/K stop with the last line at the bottom, and say where they are.
    let inner = Block::bordered().inner(area);
    let total = scroll::rows(&lines, inner.width);
    let most = total.saturating_sub(usize::from(inner.height));
    let most = u16::try_from(most).unwrap_or(u16::MAX);
    app.drawn.case_scroll_max.set(most);
    let at = app.scroll.min(most);
    let mut block = Block::bordered().title(Span::styled(title, theme.title()));
    if let Some(pos) = scroll::position(usize::from(at), usize::from(inner.height), total) {
        block = block.title_bottom(
            Line::styled(
                format!(
                    " {}/{} {pos} ",
                    key_of(Command::ScrollDown),
                    key_of(Command::ScrollUp)
                ),
                theme.dim(),
            )
            .right_aligned(),
        );
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((at, 0)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};

    fn panel(app: &App) -> String {
        draw(60, 20, |f| render(f, f.area(), app, Theme::PLAIN))
    }

    #[test]
    fn a_whole_figure_reads_as_a_count_and_a_fraction_keeps_its_decimals() {
        assert_eq!(figure(0.0, Lang::En), "0");
        assert_eq!(figure(1.0, Lang::Ru), "1");
        assert_eq!(figure(0.957, Lang::En), "0.957");
        assert_eq!(figure(0.5, Lang::Ru), "0,500");
        assert_eq!(figure(9.54, Lang::En), "9.5");
        assert_eq!(figure(2000.0, Lang::En), "2000");
    }

    #[test]
    fn phase_no_case_open_shows_the_selected_briefing() {
        insta::assert_snapshot!(panel(&fixtures::empty()));
    }

    #[test]
    fn phase_baseline_passed_ready_to_inject() {
        insta::assert_snapshot!(panel(&fixtures::healthy()));
    }

    #[test]
    fn phase_detect_with_a_passed_check_and_the_alert_countdown() {
        insta::assert_snapshot!(panel(&fixtures::failing()));
    }

    #[test]
    fn an_alert_active_since_before_the_injection_is_shown_as_not_counting_in_both_languages() {
        use crate::cases::engine::session::Seen;
        use crate::telemetry::AlertStatus;
        use crate::tui::msg::Msg;
        for (lang, words, no_alert) in [
            (
                Lang::En,
                "HighLatency was active before the injection",
                "TTA —",
            ),
            (
                Lang::Ru,
                "HighLatency был активен до внедрения",
                "до алерта —",
            ),
        ] {
            let mut app = fixtures::failing();
            app.lang = lang;
            // Injected at 400 s; Prometheus says active for 100 s at 440 s.
            crate::tui::update::update(
                &mut app,
                Msg::Observed(Seen::Alert {
                    index: 0,
                    status: Some(AlertStatus::Firing),
                    active_for_s: Some(100.0),
                }),
            );
            let screen = draw(120, 40, |f| render(f, f.area(), &app, Theme::PLAIN));
            assert!(screen.contains(words), "{screen}");
            assert!(screen.contains(no_alert), "{screen}");
        }
    }

    #[test]
    fn phase_in_russian() {
        let mut app = fixtures::healthy();
        app.lang = Lang::Ru;
        insta::assert_snapshot!(panel(&app));
    }
}
