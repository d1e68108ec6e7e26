//! The live charts: one sparkline row per signal (p95, 5xx ratio, request
//! rate, active transactions, memory: [`crate::telemetry::Signal::ALL`],
//! each with its name, floor and unit), its current value and unit in
//! front, five minutes wide, with the columns where a fault went in or was reset
//! drawn reversed. The block title says where the numbers come from.
//!
//! Memory is the figure the kernel holds against the app's limit, the
//! stack panel's figure too. With a limit, its row reads `57/256 MiB` and
//! its scale's top is the limit: a full column is the OOM kill.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::telemetry::{Series, Signal};

use crate::tui::msg::SourceKind;
use crate::tui::state::{App, CHART_WINDOW_S, Link};
use crate::tui::text::{T, t};
use crate::tui::theme::Theme;

const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A run of empty columns shorter than this is drawn with the value before
/// it. Readings come every 2 s (the driver's `TELEMETRY_EVERY`); at 200
/// columns a column spans less than that, so some columns get no reading
/// though nothing was silent. A longer run is a real silence and stays blank.
const HOLD_S: f64 = 5.0;

/// Fills each short run of empty buckets (see [`HOLD_S`]) with the value
/// before it; `column_s` is how many seconds one bucket spans.
fn hold(buckets: &mut [Option<f64>], column_s: f64) {
    let mut last: Option<(usize, f64)> = None;
    let mut i = 0;
    while i < buckets.len() {
        match buckets[i] {
            Some(v) => {
                last = Some((i, v));
                i += 1;
            }
            None => {
                let end = buckets[i..]
                    .iter()
                    .position(Option::is_some)
                    .map_or(buckets.len(), |n| i + n);
                if let Some((_, v)) = last
                    && (end - i) as f64 * column_s < HOLD_S
                {
                    buckets[i..end].fill(Some(v));
                }
                i = end;
            }
        }
    }
}

/// The bars of `series` over `width` columns ending at `now`.
pub(crate) fn bars(series: &Series, now: f64, width: usize, floor: f64) -> Vec<char> {
    let mut buckets = series.buckets(now, width);
    if width > 0 {
        hold(&mut buckets, series.window_s() / width as f64);
    }
    let top = buckets.iter().flatten().copied().fold(floor, f64::max);
    buckets
        .into_iter()
        .map(|b| match b {
            None => ' ',
            Some(v) => {
                let i = ((v / top) * 8.0).round().clamp(1.0, 8.0) as usize;
                BARS[i]
            }
        })
        .collect()
}

pub(crate) fn render(f: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let lang = app.lang;
    let s = &app.signals;
    let source = match s.source {
        SourceKind::Prometheus => t(lang, T::SourceProm),
        SourceKind::Scrape => t(lang, T::SourceScrape),
        SourceKind::None => t(lang, T::SourceNone),
    };
    let mut title = vec![
        Span::styled(format!(" {} · ", t(lang, T::Charts)), theme.title()),
        Span::styled(
            format!("{}: {source} ", t(lang, T::Source)),
            if s.source == SourceKind::Prometheus {
                theme.accent()
            } else {
                theme.warn()
            },
        ),
    ];
    if let Link::Down(_) | Link::NotYet(_) = s.prometheus {
        title.push(Span::styled("· Prometheus ✘ ", theme.bad()));
    }
    match app.api_link() {
        Link::Down(_) | Link::NotYet(_) => title.push(Span::styled("· API ✘ ", theme.bad())),
        Link::Answers(how) => title.push(Span::styled(format!("· API ⚠ {how} "), theme.warn())),
        _ => {}
    }
    let block = Block::bordered().title(Line::from(title));
    let inner = block.inner(area);
    let label_w = 17usize.min(inner.width as usize / 3);
    let width = (inner.width as usize).saturating_sub(label_w);
    let window = CHART_WINDOW_S;
    let marker_col = |at: f64| -> Option<usize> {
        let start = app.now - window;
        (at >= start && at <= app.now && width > 0)
            .then(|| (((at - start) / window * width as f64) as usize).min(width - 1))
    };
    let markers: Vec<(usize, bool)> = s
        .markers
        .iter()
        .filter_map(|&(at, inject)| marker_col(at).map(|c| (c, inject)))
        .collect();
    let memory_limit = app.memory_limit().map(|l| l as f64);
    let lines: Vec<Line> = s
        .series
        .iter()
        .take(inner.height as usize)
        .map(|(signal, series)| {
            let limit = memory_limit.filter(|_| signal == Signal::Memory);
            let now = match (series.latest(), limit) {
                (Some(v), Some(l)) => {
                    format!("{:.0}/{}", v / (1024.0 * 1024.0), signal.show(l, lang))
                }
                (Some(v), None) => signal.show(v, lang),
                (None, _) => "—".into(),
            };
            let label = format!("{:<4} {now:>11} ", signal.label(lang));
            let mut spans = vec![Span::styled(
                format!("{label:<label_w$.label_w$}"),
                theme.title(),
            )];
            let top = limit.unwrap_or(signal.floor());
            for (i, c) in bars(series, app.now, width, top).into_iter().enumerate() {
                let mut style = theme.accent();
                if let Some(&(_, inject)) = markers.iter().rev().find(|(m, _)| *m == i) {
                    style = if inject { theme.bad() } else { theme.ok() };
                    style = style.add_modifier(Modifier::REVERSED);
                }
                spans.push(Span::styled(c.to_string(), style));
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::fixtures::{self, draw};

    fn panel(app: &App, w: u16) -> String {
        draw(w, 7, |f| render(f, f.area(), app, Theme::PLAIN))
    }

    #[test]
    fn charts_empty_before_any_data() {
        insta::assert_snapshot!(panel(&fixtures::empty(), 60));
    }

    #[test]
    fn charts_healthy_from_prometheus() {
        insta::assert_snapshot!(panel(&fixtures::healthy(), 80));
    }

    #[test]
    fn charts_latency_spike_after_the_inject_marker() {
        insta::assert_snapshot!(panel(&fixtures::failing(), 80));
    }

    #[test]
    fn charts_from_direct_scrape_without_prometheus() {
        insta::assert_snapshot!(panel(&fixtures::prometheus_absent(), 52));
    }

    #[test]
    fn charts_say_when_the_api_is_lost() {
        insta::assert_snapshot!(panel(&fixtures::docker_absent(), 52));
    }

    #[test]
    fn a_spike_reaches_the_top_and_calm_stays_low() {
        let mut s = Series::new(10.0);
        for i in 0..10 {
            s.push(f64::from(i), if i == 5 { 2.0 } else { 0.05 });
        }
        let b: String = bars(&s, 10.0, 10, 0.25).into_iter().collect();
        assert_eq!(b, "▁▁▁▁▁█▁▁▁▁");
    }

    #[test]
    fn a_200_wide_chart_of_a_full_window_has_no_blank_column() {
        let mut app = fixtures::healthy();
        // A reading every 2 s, as the driver reads, over the whole window.
        let s = &mut app.signals;
        s.new_window();
        for i in 0..=150 {
            let t = app.now - 300.0 + 2.0 * f64::from(i);
            for (_, series) in s.series.iter_mut() {
                series.push(t, 1.0);
            }
        }
        // The chart panel of a 200-column console (the case list beside it).
        let screen = draw(174, 7, |f| render(f, f.area(), &app, Theme::PLAIN));
        for line in screen.lines().skip(1).take(5) {
            let bars: String = line.chars().skip(19).take(174 - 19 - 2).collect();
            assert!(!bars.contains(' '), "a blank column:\n{screen}");
        }
    }

    #[test]
    fn a_real_silence_stays_blank_and_short_holes_are_bridged() {
        let mut s = Series::new(60.0);
        for t in (0..=60).step_by(2).filter(|t| !(20..40).contains(t)) {
            s.push(f64::from(t), 1.0);
        }
        let b: String = bars(&s, 60.0, 40, 0.25).into_iter().collect();
        let blank = b.chars().filter(|c| *c == ' ').count();
        // 20 s without a reading over 1.5 s columns: about 13 columns.
        assert!((11..=14).contains(&blank), "{b:?}");
        let runs = b.split(' ').filter(|r| !r.is_empty()).count();
        assert_eq!(runs, 2, "one silence, bridged elsewhere: {b:?}");
    }
}
