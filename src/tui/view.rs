//! The whole screen: a header line, the stack, cases beside the case view,
//! faults beside the charts, load beside the event log, and an overlay on
//! top when one is open. Sized for 80×24 first; a bigger terminal gives the
//! case view and the log the extra room.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::coach::link::LinkState;

use super::panels::{
    blocked, cases, charts, faults, help, input, load, log, logview, phase, stack,
};
use super::state::{App, Link, Overlay};
use super::text::{T, t};
use super::theme::Theme;

/// The left column (case list, faults, load): never narrower than this.
const LEFT_MIN: u16 = 28;

/// The left column's width: as wide as the longest case line needs (mark,
/// order, title, borders), up to two sevenths of the screen, so a wide
/// terminal shows whole titles and a narrow one keeps room for the charts.
fn left_width(app: &App, width: u16) -> u16 {
    let longest = app
        .cases
        .iter()
        .map(|c| {
            format!("✔ {} {}", c.order, c.title.get(app.lang))
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    let want = u16::try_from(longest + 2).unwrap_or(u16::MAX);
    want.clamp(LEFT_MIN, (width * 2 / 7).max(LEFT_MIN))
}

/// The smallest screen the console is laid out and snapshot-tested for
/// (columns, rows); smaller terminals get a cut screen, not a broken one.
pub const MIN_SIZE: (u16, u16) = crate::console_needs::MIN_SIZE;

fn link(name: &str, l: &Link, theme: Theme) -> Span<'static> {
    match l {
        Link::Up => Span::styled(format!("{name} ✔ "), theme.ok()),
        Link::Down(_) | Link::NotYet(_) => Span::styled(format!("{name} ✘ "), theme.bad()),
        Link::Answers(how) => Span::styled(format!("{name} ⚠ {how} "), theme.warn()),
        Link::Unknown => Span::styled(format!("{name} … "), theme.dim()),
        Link::Absent => Span::styled(format!("{name} – "), theme.dim()),
    }
}

fn header(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mut spans = vec![
        Span::styled("workshop ", theme.title()),
        link("API", &app.api_link(), theme),
        link("Prometheus", &app.signals.prometheus, theme),
    ];
    let lang = app.lang;
    let faults = app.faults.as_ref().map(|c| {
        let mut on = Vec::new();
        if c.latency_ms > 0 {
            let (name, ms) = (t(lang, T::FaultLatency), t(lang, T::Ms));
            on.push(format!("{name} {} {ms}", c.latency_ms));
        }
        if c.error_rate > 0.0 {
            on.push(format!("{} {}%", t(lang, T::FaultErrors), c.error_rate));
        }
        if c.db_slow {
            on.push(t(lang, T::FaultDbSlow).into());
        }
        if c.db_fail {
            on.push(t(lang, T::FaultDbFail).into());
        }
        if c.memory_leak_mb > 0 {
            on.push(format!(
                "{} {} {}{}",
                t(lang, T::FaultLeak),
                c.memory_leak_mb,
                t(lang, T::MiB),
                t(lang, T::PerRequest)
            ));
        }
        on
    });
    match faults {
        Some(on) if !on.is_empty() => {
            spans.push(Span::styled(format!("▲ {} ", on.join(", ")), theme.bad()))
        }
        Some(_) => spans.push(Span::styled(
            format!("{} ", t(app.lang, T::NoFault)),
            theme.dim(),
        )),
        None => {}
    }
    if let Some(c) = &app.coach {
        let word = t(lang, super::coach::link_word(c.link));
        let style = match c.link {
            LinkState::Live => theme.ok(),
            LinkState::Connecting => theme.dim(),
            LinkState::Retrying | LinkState::Refused => theme.bad(),
        };
        let label = t(lang, T::CoachLabel);
        spans.push(Span::styled(format!("{label}: {word} "), style));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let keys = t(app.lang, T::KeysHint);
    let pad = (area.width as usize).saturating_sub(used + keys.chars().count());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(keys, theme.dim()));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn draw(f: &mut Frame, app: &App, theme: Theme) {
    let area = f.area();
    let stack_h = stack::height(app, area.width);
    // The events pane grows with the terminal; the log view (`e`) is where
    // the whole timeline is read.
    let log_h = match area.height {
        40.. => 8,
        30.. => 6,
        _ => 4,
    };
    let [top, stack_area, middle, charts_row, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(stack_h),
        Constraint::Min(5),
        Constraint::Length(7),
        Constraint::Length(log_h),
    ])
    .areas(area);
    header(f, top, app, theme);
    stack::render(f, stack_area, app, theme);
    let left = left_width(app, area.width);
    let split = |r: Rect| -> [Rect; 2] {
        Layout::horizontal([Constraint::Length(left), Constraint::Min(20)]).areas(r)
    };
    let [cases_area, phase_area] = split(middle);
    cases::render(f, cases_area, app, theme);
    phase::render(f, phase_area, app, theme);
    let [faults_area, charts_area] = split(charts_row);
    faults::render(f, faults_area, app, theme);
    charts::render(f, charts_area, app, theme);
    let [load_area, log_area] = split(bottom);
    load::render(f, load_area, app, theme);
    log::render(f, log_area, app, theme);
    match &app.overlay {
        Overlay::Help(scroll) => help::render(f, area, app, *scroll, theme),
        Overlay::Form { .. } | Overlay::Answer { .. } => input::render(f, area, app, theme),
        Overlay::Blocked => blocked::render(f, area, app, theme),
        Overlay::Log(v) => logview::render(f, area, app, v, theme),
        Overlay::None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{self, draw as screen};
    use super::*;

    fn at(app: &App, w: u16, h: u16) -> String {
        screen(w, h, |f| draw(f, app, Theme::PLAIN))
    }

    #[test]
    fn a_wide_terminal_shows_whole_case_titles_in_both_languages() {
        for lang in [crate::cases::Lang::En, crate::cases::Lang::Ru] {
            let mut app = fixtures::failing();
            app.lang = lang;
            let wide = at(&app, 200, 60);
            for c in &app.cases {
                let title = c.title.get(lang);
                assert!(wide.contains(title), "{title} is cut:\n{wide}");
            }
            assert_eq!(left_width(&app, 80), LEFT_MIN, "80 columns keep the charts");
        }
    }

    #[test]
    fn no_english_word_of_the_catalogue_on_a_russian_screen() {
        use crossterm::event::KeyCode;

        use crate::cases::Lang;
        use crate::tui::msg::Msg;
        use crate::tui::screens::Build;
        use crate::words::english_leaks;

        // What the stack, Docker, a registry and the system say in the
        // fixtures (a step of `up`, an exit, a refused connection, why an
        // image could not be had): their words, passed on as they come.
        let mut theirs = english_leaks(&fixtures::stack_says());
        // A box drawn over the header can cut its `workshop` short ("work").
        for n in 1..8 {
            theirs.extend(english_leaks(&"workshop"[..n]));
        }
        // Every screen of the matrix (the log view and the pinned facts
        // among them) and the blocked box, each as it is, then with each
        // box the student opens on it: the key help, the fault form, the
        // answer box.
        let mut screens: Vec<(&str, Build)> = super::super::screens::screens().to_vec();
        screens.push(("images_unavailable", fixtures::blocked_on_images));
        for open in [None, Some('?'), Some('f'), Some('a')] {
            for (name, make) in &screens {
                let mut app = make(Lang::Ru);
                if let Some(c) = open {
                    crate::tui::update::update(&mut app, Msg::Key(KeyCode::Char(c).into()));
                }
                for (w, h) in [(80, 24), (120, 36), (200, 60)] {
                    let screen = at(&app, w, h);
                    let ours: Vec<_> = english_leaks(&screen)
                        .into_iter()
                        .filter(|w| !theirs.contains(w))
                        .collect();
                    assert!(
                        ours.is_empty(),
                        "{name} ({open:?}) at {w}x{h}: {ours:?}\n{screen}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_tiny_terminal_does_not_panic() {
        for (w, h) in [(1, 1), (10, 5), (40, 10), (79, 23)] {
            at(&fixtures::failing(), w, h);
        }
    }
}
