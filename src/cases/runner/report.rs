//! The Markdown report of a run, and its JSON journal.

use std::fmt::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{CaseOutcome, Stamped};
use crate::cases::Lang;

fn dur(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.1} s", d.as_secs_f64()))
        .unwrap_or_else(|| "—".into())
}

fn num(v: Option<f64>, unit: &str) -> String {
    v.map(|v| format!("{v:.3}{unit}"))
        .unwrap_or_else(|| "—".into())
}

fn utc(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

/// When the fault went in and the recovery began, in UTC, and what the
/// checks' times count from.
fn clock_note(o: &CaseOutcome, lang: Lang) -> String {
    let (inj, rec) = (utc(o.injected_at), utc(o.recover_began_at));
    match lang {
        Lang::En => format!(
            "Injected at {inj}; recover action at {rec}. A detect check's time counts \
             from the injection, a recover check's from the recover action.\n\n"
        ),
        Lang::Ru => format!(
            "Отказ внедрён в {inj}; восстановление начато в {rec}. Время проверки detect \
             отсчитывается от внедрения, проверки recover — от начала восстановления.\n\n"
        ),
    }
}

/// A Markdown report: a summary table, then each case's checks and alerts.
pub(crate) fn markdown(outcomes: &[CaseOutcome], lang: Lang) -> String {
    let mut md = String::from("# Workshop run report\n\n");
    let _ = writeln!(
        md,
        "| case | result | time to detect | time to alert | time to recover | peak p95 | peak error ratio | load achieved |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for o in outcomes {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {:.1}/{:.0} req/s |",
            o.id,
            if o.passed { "passed" } else { "FAILED" },
            dur(o.time_to_detect),
            dur(o.time_to_alert),
            dur(o.time_to_recover),
            num(o.peak_p95, " s"),
            num(o.peak_error_ratio, ""),
            o.load.achieved_rps(),
            o.load.target_rps,
        );
    }
    for o in outcomes {
        let _ = writeln!(md, "\n## {} — {}\n", o.id, o.title);
        if let Some(why) = &o.aborted {
            let _ = writeln!(md, "Stopped early: {why}\n");
        }
        md.push_str(&clock_note(o, lang));
        let _ = writeln!(md, "| phase | check | result | value | after |");
        let _ = writeln!(md, "|---|---|---|---|---|");
        for c in &o.checks {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                c.phase,
                c.id,
                if c.passed { "passed" } else { "failed" },
                num(c.value, ""),
                dur(Some(c.after)),
            );
        }
        if !o.alerts.is_empty() {
            let _ = writeln!(md, "\n| alert | expected within | fired after |");
            let _ = writeln!(md, "|---|---|---|");
            for a in &o.alerts {
                let _ = writeln!(
                    md,
                    "| {} | {} | {} |",
                    a.name,
                    dur(Some(a.within)),
                    a.fired_after
                        .map(|t| dur(Some(t)))
                        .unwrap_or_else(|| "did not fire".into())
                );
            }
        }
        let t = &o.load.total;
        let _ = writeln!(
            md,
            "\nLoad: {} requests, 2xx {}, 4xx {}, 5xx {}, no answer {}; p50 {:.1} ms, p99 {:.1} ms. Recovery limit {}.",
            o.load.sent,
            t.ok,
            t.client_errors,
            t.server_errors,
            t.no_answer,
            t.quantile(0.5).as_secs_f64() * 1000.0,
            t.quantile(0.99).as_secs_f64() * 1000.0,
            dur(Some(o.recover_limit)),
        );
    }
    md
}

/// The journal: every event of the run, as a JSON array.
pub(crate) fn journal(events: &[Stamped]) -> String {
    serde_json::to_string_pretty(events).unwrap_or_else(|_| "[]".into())
}

/// One case of an interactive session (the console), as its report shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SessionRow {
    pub id: String,
    pub title: String,
    pub finished: bool,
    pub passed: bool,
    pub time_to_detect: Option<Duration>,
    pub time_to_alert: Option<Duration>,
    pub time_to_recover: Option<Duration>,
    pub peak_p95: Option<f64>,
    pub peak_error_ratio: Option<f64>,
    pub restarts: u64,
}

/// The Markdown report of a console session: the same columns as a run's,
/// plus the restarts a case caused (the memory-leak case's OOM kills).
pub(crate) fn session_markdown(rows: &[SessionRow]) -> String {
    let mut md = String::from("# Workshop session report\n\n");
    let _ = writeln!(
        md,
        "| case | result | time to detect | time to alert | time to recover | peak p95 | peak error ratio | restarts |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    for r in rows {
        let result = match (r.finished, r.passed) {
            (true, true) => "passed",
            (true, false) => "FAILED",
            (false, _) => "not finished",
        };
        let _ = writeln!(
            md,
            "| {} — {} | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.title,
            result,
            dur(r.time_to_detect),
            dur(r.time_to_alert),
            dur(r.time_to_recover),
            num(r.peak_p95, " s"),
            num(r.peak_error_ratio, ""),
            r.restarts,
        );
    }
    if rows.is_empty() {
        md.push_str("\nNo case was started in this session.\n");
    }
    md
}
