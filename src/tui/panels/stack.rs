//! The stack panel: each service's state, restarts, OOM kills and memory
//! against its limit, the URLs and Grafana's login; while the stack comes
//! up, its progress; when it cannot come up, why, that it retries, and the
//! key to the ways out (see [`super::blocked`]).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::cases::Lang;
use crate::stack::{Health, ServiceState, ServiceStatus};

use crate::tui::state::{App, StackLife};
use crate::tui::text::{T, backend_word, fit, state_word, t};
use crate::tui::theme::Theme;

/// Rows the panel needs inside its border for `app`.
pub(crate) fn height(app: &App, width: u16) -> u16 {
    let per_row = if width >= 70 { 2 } else { 1 };
    let body = match (&app.stack.phase, &app.stack.status) {
        (StackLife::Up | StackLife::Starting, Some(s)) if !s.services.is_empty() => {
            s.services.len().div_ceil(per_row) as u16
        }
        (StackLife::Failed(b), _) => {
            let inner = usize::from(width.saturating_sub(2)).max(1);
            let rows = |l: &str| l.chars().count().div_ceil(inner).max(1);
            (rows(&b.trouble.why) + 1).clamp(1, 4) as u16
        }
        _ => 1,
    };
    body + 1 + 2
}

/// Memory used (and its limit) in MiB, as the cases and metrics count it;
/// `gap` goes between the number and the unit.
fn mem(s: &ServiceStatus, lang: Lang, gap: &str) -> String {
    let m = |b: u64| format!("{:.0}", b as f64 / (1024.0 * 1024.0));
    let unit = t(lang, T::MiB);
    match (s.memory_bytes, s.memory_limit_bytes) {
        (Some(u), Some(l)) => format!("{}/{}{gap}{unit}", m(u), m(l)),
        (Some(u), None) => format!("{}{gap}{unit}", m(u)),
        _ => "-".into(),
    }
}

/// One service's cell; `answers` is how an app that fails its health
/// check still answers (the API's `/metrics` is read), if it does.
fn service(
    s: &ServiceStatus,
    answers: Option<T>,
    lang: Lang,
    theme: Theme,
    width: usize,
) -> Line<'static> {
    let answers = answers.filter(|_| {
        s.name.is_app() && s.state == ServiceState::Running && s.health == Health::Unhealthy
    });
    let (mark, style) = match (s.state, s.health) {
        _ if answers.is_some() => ("⚠", theme.warn()),
        (ServiceState::Running, Health::Healthy) => ("✔", theme.ok()),
        (ServiceState::Running, Health::Starting) => ("…", theme.warn()),
        (ServiceState::Running, Health::Unknown) => ("●", theme.ok()),
        (ServiceState::Restarting, _) => ("↻", theme.warn()),
        (ServiceState::Missing | ServiceState::ImageMissing, _) => ("·", theme.dim()),
        _ => ("✘", theme.bad()),
    };
    let state = t(lang, answers.unwrap_or(state_word(s.state, s.health)));
    let oom_style = if s.oom_kills > 0 {
        theme.bad()
    } else {
        theme.dim()
    };
    let name = s.name.to_string();
    let counts = format!("↻{} ", s.restarts);
    let oom = format!("OOM {} ", s.oom_kills);
    let line = |name_w: usize, state: &str, state_w: usize, gap: &str| {
        vec![
            Span::styled(format!("{mark} "), style),
            Span::styled(format!("{name:<name_w$} "), theme.title()),
            Span::styled(format!("{state:<state_w$} "), style),
            Span::styled(counts.clone(), theme.dim()),
            Span::styled(oom.clone(), oom_style),
            Span::raw(mem(s, lang, gap)),
        ]
    };
    let used = |text: &[Span]| -> usize { text.iter().map(|s| s.content.chars().count()).sum() };
    // Two services a row at 80 columns leave 39 each: the memory and its
    // unit keep their place by giving up padding, then the state word is
    // cut with `…`; a space always ends the cell, so two never run together.
    let room = width.saturating_sub(1);
    let mut text = line(10, state, 9, " ");
    for (name_w, state_w) in [(10, 7), (6, 7), (0, 0)] {
        if used(&text) > room {
            text = line(name_w, state, state_w, "");
        }
    }
    let over = used(&text).saturating_sub(room);
    if over > 0 {
        let cut = fit(state, state.chars().count().saturating_sub(over).max(2));
        text = line(0, &cut, 0, "");
    }
    let n = used(&text);
    if n < width {
        text.push(Span::raw(" ".repeat(width - n)));
    }
    Line::from(text)
}

fn short(url: &str) -> &str {
    url.trim_start_matches("http://")
}

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let backend = match (&app.stack.phase, app.stack.backend) {
        (StackLife::Attached, _) => t(lang, T::AttachedShort),
        (_, Some(b)) => t(lang, backend_word(b)),
        (_, None) => "…",
    };
    let block = Block::bordered().title(Span::styled(
        format!(" {} · {backend} ", t(lang, T::Stack)),
        theme.title(),
    ));
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    match (&app.stack.phase, &app.stack.status) {
        (StackLife::Failed(b), _) => {
            lines.push(Line::styled(format!("✘ {}", b.trouble.why), theme.bad()));
            lines.push(Line::styled(
                format!(
                    "{} · {} {} {}",
                    t(lang, T::BlockedHint),
                    t(lang, T::BlockedWait),
                    b.retry_in_s,
                    t(lang, T::Sec)
                ),
                theme.warn(),
            ));
        }
        (StackLife::Opening, _) => lines.push(Line::styled(t(lang, T::Opening), theme.warn())),
        (StackLife::Starting, None) => {
            let last = app.stack.progress.back().cloned().unwrap_or_default();
            lines.push(Line::styled(
                format!("{}: {last}", t(lang, T::Starting)),
                theme.warn(),
            ));
        }
        (StackLife::Attached | StackLife::Up, None) => lines.push(Line::raw(t(lang, T::Attached))),
        (_, Some(status)) => {
            let per_row = if area.width >= 70 { 2 } else { 1 };
            let cell = inner_w / per_row;
            let answers = matches!(app.api_link(), crate::tui::state::Link::Answers(_))
                .then(|| app.answers_word());
            for pair in status.services.chunks(per_row) {
                let mut spans = Vec::new();
                for s in pair {
                    spans.extend(service(s, answers, lang, theme, cell).spans);
                }
                lines.push(Line::from(spans));
            }
            if app.stack.phase == StackLife::Starting
                && let Some(last) = app.stack.progress.back()
            {
                lines.push(Line::styled(last.clone(), theme.warn()));
            }
        }
    }
    let mut urls = vec![
        Span::styled("API ", theme.dim()),
        Span::raw(short(&app.api_url).to_string()),
    ];
    if let Some(p) = &app.prometheus_url {
        urls.push(Span::styled(" · Prometheus ", theme.dim()));
        urls.push(Span::raw(short(p).to_string()));
    }
    if let Some(status) = &app.stack.status
        && let Some(g) = status
            .of(crate::stack::ServiceRole::Grafana.into())
            .filter(|g| g.state == ServiceState::Running)
    {
        urls.push(Span::styled(" · Grafana ", theme.dim()));
        urls.push(Span::raw(
            g.url.as_deref().map(short).unwrap_or("-").to_string(),
        ));
        if let Some((user, pass)) = &status.grafana_login {
            urls.push(Span::styled(format!(" {user}/{pass}"), theme.accent()));
        }
    }
    lines.push(Line::from(urls));
    f.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};

    fn panel(app: &App, w: u16) -> String {
        let h = height(app, w);
        draw(w, h, |f| render(f, f.area(), app, Theme::PLAIN))
    }

    #[test]
    fn stack_while_looking_for_an_engine() {
        insta::assert_snapshot!(panel(&fixtures::empty(), 80));
    }

    #[test]
    fn stack_starting_shows_progress() {
        insta::assert_snapshot!(panel(&fixtures::loading(), 80));
    }

    #[test]
    fn stack_healthy_on_docker() {
        insta::assert_snapshot!(panel(&fixtures::healthy(), 100));
    }

    #[test]
    fn stack_with_an_oom_killed_app() {
        insta::assert_snapshot!(panel(&fixtures::failing(), 80));
    }

    #[test]
    fn stack_without_docker_says_why_and_that_it_retries() {
        insta::assert_snapshot!(panel(&fixtures::docker_absent(), 80));
    }

    #[test]
    fn stack_local_narrow() {
        insta::assert_snapshot!(panel(&fixtures::prometheus_absent(), 60));
    }

    #[test]
    fn memory_is_shown_in_mebibytes_in_both_languages_and_never_wraps_at_80_columns() {
        for (lang, unit) in [(Lang::En, "MiB"), (Lang::Ru, "МиБ")] {
            let mut app = fixtures::failing();
            app.lang = lang;
            let screen = panel(&app, 80);
            assert!(screen.contains(&format!("48/256{unit}")), "{screen}");
            assert!(screen.contains(&format!("48 {unit}")), "{screen}");
            assert!(!screen.contains("48M "), "{screen}");
            let lines = screen.lines().filter(|l| l.contains("OOM")).count();
            assert_eq!(lines, 2, "four services on two rows: {screen}");
        }
    }
}
