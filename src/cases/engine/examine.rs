//! `workshop cases check`'s table: every check of a case read at three
//! moments (before the fault, with the fault in, after the recovery), with
//! how many series its query returned, the value and the bound, so an
//! author sees why a check will or will not pass.

use crate::cases::check::{Comparison, Probe};
use crate::cases::{Case, Lang, Phase};
use crate::words::{E, t, tf};

use super::io::CaseIo;
use super::probe::{Captures, Observation, bound, compare, reduce, show_in};
use super::session::{Poll, Seen};

/// One check read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// How many series the query returned; `None` for an alert or HTTP
    /// check, or where the source cannot tell.
    pub series: Option<usize>,
    pub value: Option<f64>,
    /// `None`: no data, or a bound's capture is missing.
    pub holds: Option<bool>,
    /// The bound as a number, when it is relative to a capture.
    pub bound: Option<f64>,
}

/// One check of the case with what it read at each moment read so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Examined {
    pub phase: Phase,
    pub id: String,
    /// What it waits for: `> 1.5`, `< 2 × p95_base + 0.1`, `HighLatency firing`.
    pub wants: String,
    pub readings: Vec<(Phase, Reading)>,
}

/// The case's checks, none read yet.
pub(crate) fn table(case: &Case) -> Vec<Examined> {
    case.checks()
        .into_iter()
        .map(|(phase, _, c)| Examined {
            phase,
            id: c.id.clone(),
            wants: match &c.probe {
                Probe::Query(q) => q.expect.to_string(),
                Probe::Alert(a) => format!("{} {}", a.name, a.state.name()),
                Probe::Http(h) => format!("GET {} → {}", h.get, h.status),
            },
            readings: Vec::new(),
        })
        .collect()
}

/// Reads every check of `case` once, now, as moment `at`.
pub(crate) async fn read_all(
    case: &Case,
    rows: &mut [Examined],
    at: Phase,
    io: &dyn CaseIo,
    captures: &Captures,
) {
    for ((_, index, c), row) in case.checks().into_iter().zip(rows.iter_mut()) {
        let reading = match &c.probe {
            Probe::Query(q) => {
                let values = io.series(&q.promql).await;
                let value = values.as_deref().and_then(|v| reduce(v, q.reduce));
                Reading {
                    series: values.as_ref().map(Vec::len),
                    value,
                    holds: value.and_then(|v| compare(v, &q.expect, captures)),
                    bound: relative_bound(&q.expect, captures),
                }
            }
            probe => {
                let poll = Poll::Check {
                    index,
                    probe: probe.clone(),
                };
                let seen = match io.observe(poll, captures.clone()).await {
                    Seen::Check { seen, .. } => seen,
                    _ => Observation::NoData,
                };
                Reading {
                    series: None,
                    value: None,
                    holds: match seen {
                        Observation::Holds(_) => Some(true),
                        Observation::Fails(_) | Observation::Refuted => Some(false),
                        Observation::NoData => None,
                    },
                    bound: None,
                }
            }
        };
        row.readings.push((at, reading));
    }
}

/// A bound relative to a capture, as the number it came to.
fn relative_bound(cmp: &Comparison, captures: &Captures) -> Option<f64> {
    match cmp {
        Comparison::Above(b) | Comparison::Below(b) if b.capture().is_some() => bound(b, captures),
        _ => None,
    }
}

/// The table as `cases check` prints it, in `lang`.
pub(crate) fn render(rows: &[Examined], lang: Lang) -> String {
    let mut out = format!("{}\n", t(lang, E::ExamineTitle));
    for row in rows {
        let wants = match row.readings.iter().find_map(|(_, r)| r.bound) {
            Some(b) => format!("{} (= {})", row.wants, show_in(b, lang)),
            None => row.wants.clone(),
        };
        let label = crate::words::check_label(lang, row.phase, &row.id);
        out.push_str(&format!("  {label}  {wants}\n"));
        for (at, r) in &row.readings {
            let moment = t(lang, moment_word(*at));
            out.push_str(&format!("      {moment}: {}\n", cell(r, lang)));
        }
    }
    out
}

fn moment_word(at: Phase) -> E {
    match at {
        Phase::Baseline => E::ExamineBefore,
        Phase::Detect => E::ExamineDuring,
        _ => E::ExamineAfter,
    }
}

fn cell(r: &Reading, lang: Lang) -> String {
    let verdict = match r.holds {
        Some(true) => "✔",
        Some(false) => "✘",
        None => "·",
    };
    let value = r
        .value
        .map(|v| show_in(v, lang))
        .unwrap_or_else(|| t(lang, E::NoValue).to_string());
    match r.series {
        Some(0) => format!("{} {verdict}", t(lang, E::ExamineNoSeries)),
        Some(n) => format!("{} · {value} {verdict}", tf(lang, E::ExamineSeries, &[&n])),
        None => verdict.to_string(),
    }
}
