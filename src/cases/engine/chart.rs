//! A case's chart for its report: p95, error ratio and memory over the
//! case, one panel each on a shared time axis (seconds since the
//! injection), with the injection, the alert, the recover action and the
//! recovery marked. Drawn as SVG by plotters.

use plotters::prelude::*;

use super::record::{CaseRecord, ChartPoint};
use crate::cases::Lang;
use crate::words::{R, t};

const WIDTH: u32 = 960;
const PANEL_HEIGHT: u32 = 220;

struct Panel {
    title: &'static str,
    color: RGBColor,
    value: fn(&ChartPoint) -> Option<f64>,
}

/// A marked moment, in seconds since the injection.
struct Mark {
    at: f64,
    label: &'static str,
    color: RGBColor,
}

fn panels(lang: Lang) -> [Panel; 3] {
    [
        Panel {
            title: t(lang, R::ChartP95),
            color: RGBColor(31, 119, 180),
            value: |p| p.p95_s,
        },
        Panel {
            title: t(lang, R::ChartErrors),
            color: RGBColor(214, 39, 40),
            value: |p| p.error_ratio,
        },
        Panel {
            title: t(lang, R::ChartMemory),
            color: RGBColor(44, 160, 44),
            value: |p| p.memory_mib,
        },
    ]
}

fn marks(r: &CaseRecord, lang: Lang) -> Vec<Mark> {
    let since = |at: Option<chrono::DateTime<chrono::Utc>>| {
        let (at, inj) = (at?, r.timeline.injected?);
        Some((at - inj).as_seconds_f64())
    };
    [
        (r.timeline.injected, R::MarkInject, RGBColor(90, 90, 90)),
        (r.timeline.alert, R::MarkAlert, RGBColor(255, 127, 14)),
        (
            r.timeline.recover_action,
            R::MarkRecover,
            RGBColor(148, 103, 189),
        ),
        (
            r.timeline.recovered,
            R::MarkRecovered,
            RGBColor(23, 190, 207),
        ),
    ]
    .into_iter()
    .filter_map(|(at, word, color)| {
        since(at).map(|at| Mark {
            at,
            label: t(lang, word),
            color,
        })
    })
    .collect()
}

/// The chart as SVG text; `None` when the case has fewer than two samples
/// (nothing to draw a line through).
pub(crate) fn svg(r: &CaseRecord, lang: Lang) -> Option<String> {
    if r.samples.len() < 2 {
        return None;
    }
    let mut buf = String::new();
    draw(&mut buf, r, lang).ok()?;
    Some(buf)
}

fn draw(buf: &mut String, r: &CaseRecord, lang: Lang) -> Result<(), Box<dyn std::error::Error>> {
    let xs = r.samples.iter().map(|p| p.s);
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let x_desc = t(lang, R::ChartAxis);
    let marks = marks(r, lang);
    let root = SVGBackend::with_string(buf, (WIDTH, PANEL_HEIGHT * 3)).into_drawing_area();
    root.fill(&WHITE)?;
    for (area, panel) in root.split_evenly((3, 1)).iter().zip(panels(lang)) {
        let points: Vec<(f64, f64)> = r
            .samples
            .iter()
            .filter_map(|p| (panel.value)(p).map(|v| (p.s, v)))
            .collect();
        let top = points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
        // Headroom above the highest point; a flat zero still gets a scale.
        let y1 = if top > 0.0 { top * 1.15 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .caption(panel.title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1.max(x0 + 1.0), 0.0..y1)?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .light_line_style(RGBColor(238, 238, 238))
            .draw()?;
        chart.draw_series(LineSeries::new(points, panel.color.stroke_width(2)))?;
        for m in &marks {
            chart.draw_series(LineSeries::new(
                [(m.at, 0.0), (m.at, y1)],
                m.color.stroke_width(1),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                m.label,
                (m.at, y1 * 0.97),
                ("sans-serif", 12).into_font().color(&m.color),
            )))?;
        }
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::engine::record::Timeline;

    fn record() -> CaseRecord {
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z")
            .map(|t| t.to_utc())
            .unwrap_or_default();
        let at = |s: i64| Some(t0 + chrono::TimeDelta::seconds(s));
        CaseRecord {
            id: "latency".into(),
            timeline: Timeline {
                injected: at(0),
                alert: at(40),
                recover_action: at(90),
                recovered: at(120),
                ..Timeline::default()
            },
            samples: (-6..30)
                .map(|i| {
                    let s = f64::from(i) * 5.0;
                    ChartPoint {
                        s,
                        p95_s: Some(if (0.0..90.0).contains(&s) { 2.4 } else { 0.05 }),
                        error_ratio: Some(0.0),
                        memory_mib: Some(40.0 + s.max(0.0) / 10.0),
                    }
                })
                .collect(),
            ..CaseRecord::default()
        }
    }

    #[test]
    fn the_chart_draws_three_signals_and_marks_the_moments_in_the_record_language() {
        let svg = svg(&record(), Lang::En).expect("drawn");
        assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
        // Each signal in its colour; each mark in each of the three panels.
        for colour in ["#1F77B4", "#D62728", "#2CA02C"] {
            assert!(
                svg.contains(&format!("stroke=\"{colour}\"")),
                "{colour} missing"
            );
        }
        for mark in ["inject", "alert", "recover", "recovered"] {
            let labels = svg.matches(&format!("\n{mark}\n</text>")).count();
            assert_eq!(labels, 3, "{mark} in each panel");
        }
        for word in [
            "p95, s",
            "error ratio",
            "app memory, MiB",
            "inject",
            "alert",
        ] {
            assert!(svg.contains(word), "{word} missing");
        }
        let ru = super::svg(&record(), Lang::Ru).expect("drawn");
        for word in ["доля ошибок", "память приложения, МиБ", "отказ", "алерт"]
        {
            assert!(ru.contains(word), "{word} missing");
        }
        assert!(!ru.contains("error ratio"));
    }

    #[test]
    fn a_case_left_before_two_samples_has_no_chart() {
        let mut r = record();
        r.samples.truncate(1);
        assert_eq!(svg(&r, Lang::En), None);
    }
}
