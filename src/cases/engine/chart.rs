//! A case's chart for its report: p95, error ratio and memory over the
//! case, one panel each on a shared time axis (seconds since the
//! injection), with the injection, the alert, the recover action and the
//! recovery marked. Drawn as SVG by plotters.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::record::{CaseRecord, ChartPoint};
use crate::cases::Lang;
use crate::words::{R, t};

const WIDTH: u32 = 960;
const PANEL_HEIGHT: u32 = 220;

struct Panel {
    title: &'static str,
    color: RGBColor,
    value: fn(&ChartPoint) -> Option<f64>,
    /// A level the value must stay under, drawn dashed (the memory limit).
    limit: fn(&ChartPoint) -> Option<f64>,
}

/// A marked moment, in seconds since the injection.
struct Mark {
    at: f64,
    label: String,
    color: RGBColor,
}

fn panels(lang: Lang) -> [Panel; 3] {
    [
        Panel {
            title: t(lang, R::ChartP95),
            color: RGBColor(31, 119, 180),
            value: |p| p.p95_s,
            limit: |_| None,
        },
        Panel {
            title: t(lang, R::ChartErrors),
            color: RGBColor(214, 39, 40),
            value: |p| p.error_ratio,
            limit: |_| None,
        },
        Panel {
            title: t(lang, R::ChartMemory),
            color: RGBColor(44, 160, 44),
            value: |p| p.memory_mib,
            limit: |p| p.memory_limit_mib,
        },
    ]
}

fn marks(r: &CaseRecord, lang: Lang) -> Vec<Mark> {
    let since = |at: Option<chrono::DateTime<chrono::Utc>>| {
        let (at, inj) = (at?, r.timeline.injected?);
        Some((at - inj).as_seconds_f64())
    };
    // Every expected alert that fired, by name: a case may raise several.
    let alert = RGBColor(255, 127, 14);
    let alerts = r.fired_alerts().map(|(at, name)| (Some(at), name, alert));
    let mut marks: Vec<Mark> = [
        (r.timeline.injected, R::MarkInject, RGBColor(90, 90, 90)),
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
    .map(|(at, word, color)| (at, t(lang, word).to_string(), color))
    .chain(alerts)
    .filter_map(|(at, label, color)| {
        Some(Mark {
            at: since(at)?,
            label,
            color,
        })
    })
    .collect();
    marks.sort_by(|a, b| a.at.total_cmp(&b.at));
    marks
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
        let limit: Vec<(f64, f64)> = r
            .samples
            .iter()
            .filter_map(|p| (panel.limit)(p).map(|v| (p.s, v)))
            .collect();
        let top = points
            .iter()
            .chain(&limit)
            .map(|p| p.1)
            .fold(0.0_f64, f64::max);
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
        if let Some(&(_, last)) = limit.last() {
            let grey = RGBColor(90, 90, 90);
            chart.draw_series(DashedLineSeries::new(
                limit.iter().copied(),
                6,
                4,
                grey.stroke_width(1),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                t(lang, R::MarkLimit),
                (x0, last),
                ("sans-serif", 12)
                    .into_font()
                    .color(&grey)
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            )))?;
        }
        let middle = (x0 + x1) / 2.0;
        for (row, m) in marks.iter().enumerate() {
            chart.draw_series(LineSeries::new(
                [(m.at, 0.0), (m.at, y1)],
                m.color.stroke_width(1),
            ))?;
            // Each mark's label on a row of its own, so close marks never
            // overlap; right of its line in the chart's left half, left of
            // it in the right half, so none runs off the edge.
            let side = if m.at > middle {
                HPos::Right
            } else {
                HPos::Left
            };
            chart.draw_series(std::iter::once(Text::new(
                m.label.clone(),
                (m.at, y1 * (0.99 - 0.08 * row as f64)),
                ("sans-serif", 12)
                    .into_font()
                    .color(&m.color)
                    .pos(Pos::new(side, VPos::Top)),
            )))?;
        }
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::engine::record::{AlertLine, Timeline};

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
                        memory_limit_mib: Some(256.0),
                    }
                })
                .collect(),
            alerts: [
                ("HighLatency", Some(40.0)),
                ("ErrorBudgetBurn", Some(55.0)),
                ("DbSlow", None),
            ]
            .map(|(name, fired)| AlertLine {
                name: name.into(),
                within_s: 90.0,
                fired_after_s: fired,
            })
            .to_vec(),
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
        for mark in [
            "inject",
            "HighLatency",
            "ErrorBudgetBurn",
            "recover",
            "recovered",
        ] {
            let labels = svg.matches(&format!("\n{mark}\n</text>")).count();
            assert_eq!(labels, 3, "{mark} in each panel");
        }
        for word in [
            "p95, s",
            "error ratio",
            "app memory, MiB",
            "inject",
            "HighLatency",
        ] {
            assert!(svg.contains(word), "{word} missing");
        }
        let ru = super::svg(&record(), Lang::Ru).expect("drawn");
        assert!(
            !svg.contains("\nDbSlow\n"),
            "an alert that never fired has no mark"
        );
        for word in [
            "доля ошибок",
            "память приложения, МиБ",
            "отказ",
            "HighLatency",
        ] {
            assert!(ru.contains(word), "{word} missing");
        }
        assert!(!ru.contains("error ratio"));
    }

    /// The `<text …>` element that holds `label`, attributes and all.
    fn text_of<'a>(svg: &'a str, label: &str) -> Vec<&'a str> {
        svg.split("<text")
            .filter(|t| t.contains(&format!("\n{label}\n</text>")))
            .collect()
    }

    #[test]
    fn the_memory_panel_draws_its_limit_and_labels_never_run_off_the_right_edge() {
        let svg = svg(&record(), Lang::Ru).expect("drawn");
        assert_eq!(text_of(&svg, "лимит").len(), 1, "the limit, labelled once");
        // Marks past the middle of the axis (recover at 90 s, recovered at
        // 120 s of -30..145) end at their line; the others start there.
        for (mark, anchor) in [
            ("восстановлено", true),
            ("восстановление", true),
            ("отказ", false),
        ] {
            for text in text_of(&svg, mark) {
                assert_eq!(
                    text.contains("text-anchor=\"end\""),
                    anchor,
                    "{mark}: {text}"
                );
            }
        }
        // Each mark on a row of its own: no two labels of a panel share a y.
        let ys: Vec<&str> = [
            "отказ",
            "HighLatency",
            "ErrorBudgetBurn",
            "восстановление",
            "восстановлено",
        ]
        .iter()
        .filter_map(|m| text_of(&svg, m).first().copied())
        .filter_map(|t| t.split("y=\"").nth(1)?.split('"').next())
        .collect();
        let mut unique = ys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!((ys.len(), unique.len()), (5, 5), "{ys:?}");
        let mut none = record();
        for p in &mut none.samples {
            p.memory_limit_mib = None;
        }
        let without = super::svg(&none, Lang::Ru).expect("drawn");
        assert!(text_of(&without, "лимит").is_empty(), "no limit, no line");
    }

    #[test]
    fn a_case_left_before_two_samples_has_no_chart() {
        let mut r = record();
        r.samples.truncate(1);
        assert_eq!(svg(&r, Lang::En), None);
    }
}
