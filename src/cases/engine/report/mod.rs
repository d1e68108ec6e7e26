//! The incident record a student hands in, as Markdown with a chart per
//! case beside it, and the JSON journal of a run. The console's session
//! report and `workshop run --report` are the same document, written from
//! the same [`CaseRecord`]s.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::Stamped;
use super::record::CaseRecord;
use crate::cases::Lang;
use crate::words::{R, T, t, tf, unit};

/// Which document: the two differ only in their title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Session,
    Run,
}

fn secs(v: Option<f64>, lang: Lang) -> String {
    v.map(|v| format!("{v:.1} {}", t(lang, T::Sec)))
        .unwrap_or_else(|| "—".into())
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "—".into())
}

fn clock(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%H:%M:%S").to_string())
        .unwrap_or_else(|| "—".into())
}

fn count(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "—".into())
}

fn result(r: &CaseRecord, lang: Lang) -> &'static str {
    match (r.finished, r.passed) {
        (true, true) => t(lang, R::Passed),
        (true, false) => t(lang, R::Failed),
        (false, _) => t(lang, R::NotFinished),
    }
}

/// The chart file of case `id` beside the report at `report`.
pub(crate) fn chart_path(report: &Path, id: &str) -> PathBuf {
    let stem = report
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    report.with_file_name(format!("{stem}-{id}.svg"))
}

/// Writes the report to `path` and each case's chart beside it; returns
/// the files written.
pub(crate) fn write(
    path: &Path,
    kind: Kind,
    records: &[CaseRecord],
    lang: Lang,
    written_at: DateTime<Utc>,
) -> std::io::Result<Vec<PathBuf>> {
    let mut files = vec![path.to_path_buf()];
    let mut charts = Vec::new();
    for r in records {
        if let Some(svg) = super::chart::svg(r, lang) {
            let p = chart_path(path, &r.id);
            std::fs::write(&p, svg)?;
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            charts.push((r.id.as_str(), name.unwrap_or_default()));
            files.push(p);
        }
    }
    let chart_of = |id: &str| charts.iter().find(|c| c.0 == id).map(|c| c.1.clone());
    std::fs::write(path, markdown(records, kind, lang, written_at, &chart_of))?;
    Ok(files)
}

/// The Markdown: a summary table, then each case's record. `chart_of`
/// names a case's chart file, when it has one.
pub(crate) fn markdown(
    records: &[CaseRecord],
    kind: Kind,
    lang: Lang,
    written_at: DateTime<Utc>,
    chart_of: &dyn Fn(&str) -> Option<String>,
) -> String {
    let l = |x: R| t(lang, x);
    let title = match kind {
        Kind::Session => l(R::SessionTitle),
        Kind::Run => l(R::RunTitle),
    };
    let mut md = format!(
        "# {title}\n\n{} {}. {}\n\n",
        l(R::Written),
        written_at.format("%Y-%m-%d %H:%M:%S UTC"),
        l(R::Summary)
    );
    if records.is_empty() {
        let _ = writeln!(md, "{}", l(R::NoCase));
        return md;
    }
    let head = [
        R::Case,
        R::Result,
        R::Detect,
        R::Alert,
        R::Recover,
        R::PeakP95,
        R::PeakErrors,
        R::OomKills,
        R::Restarts,
    ];
    table_head(&mut md, &head.map(l));
    for r in records {
        let _ = writeln!(
            md,
            "| {} — {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.title,
            result(r, lang),
            secs(r.time_to_detect_s, lang),
            secs(r.time_to_alert_s, lang),
            secs(r.time_to_recover_s, lang),
            r.peak_p95_s
                .map(|v| format!("{v:.3} {}", t(lang, T::Sec)))
                .unwrap_or_else(|| "—".into()),
            num(r.peak_error_ratio),
            count(r.oom_kills),
            count(r.restarts),
        );
    }
    for r in records {
        case_section(&mut md, r, kind, lang, chart_of(&r.id));
    }
    md
}

fn table_head(md: &mut String, cols: &[&str]) {
    let _ = writeln!(md, "| {} |", cols.join(" | "));
    let _ = writeln!(md, "|{}", "---|".repeat(cols.len()));
}

fn case_section(md: &mut String, r: &CaseRecord, kind: Kind, lang: Lang, chart: Option<String>) {
    let l = |x: R| t(lang, x);
    let _ = writeln!(md, "\n## {} — {}\n", r.id, r.title);
    let _ = writeln!(md, "**{}:** {}.\n", l(R::Result), result(r, lang));
    if let Some(why) = &r.aborted {
        let _ = writeln!(md, "{}: {why}\n", l(R::StoppedEarly));
    }
    if let Some(file) = chart {
        let _ = writeln!(md, "![{}]({file})\n", l(R::ChartAlt));
    }
    timeline(md, r, lang);
    if !r.checks.is_empty() {
        let _ = writeln!(md, "\n### {}\n", l(R::Checks));
        table_head(
            md,
            &[R::Phase, R::Check, R::Result, R::Value, R::After, R::AtUtc].map(l),
        );
        for c in &r.checks {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                t(lang, c.phase),
                c.id,
                if c.passed { l(R::Passed) } else { l(R::Failed) },
                num(c.value),
                secs(Some(c.after_s), lang),
                clock(c.at),
            );
        }
    }
    if !r.alerts.is_empty() {
        let _ = writeln!(md, "\n### {}\n", l(R::Alerts));
        table_head(md, &[R::AlertName, R::ExpectedWithin, R::FiredAfter].map(l));
        for a in &r.alerts {
            let fired = match a.fired_after_s {
                Some(s) => secs(Some(s), lang),
                None => l(R::DidNotFire).to_string(),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {fired} |",
                a.name,
                secs(Some(a.within_s), lang)
            );
        }
    }
    answers(md, r, kind, lang);
    let _ = writeln!(md, "\n### {}\n", l(R::AppRestarts));
    match (r.oom_kills, r.restarts) {
        (Some(k), Some(n)) => {
            let _ = writeln!(md, "{}: {k}; {}: {n}.", l(R::OomKills), l(R::Restarts));
        }
        _ => {
            let _ = writeln!(md, "{}: {}.", l(R::OomKills), l(R::NotSeen));
        }
    }
    if let Some(load) = &r.load {
        let _ = writeln!(md, "\n### {}\n\n{}", l(R::Load), load_line(load, lang));
    }
    if !r.prompts.is_empty() {
        let _ = writeln!(md, "\n### {}", l(R::Notes));
        for (i, p) in r.prompts.iter().enumerate() {
            let _ = writeln!(md, "\n#### {}. {p}\n\n{}", i + 1, l(R::YourNotes));
        }
    }
}

fn load_line(load: &super::record::LoadLine, lang: Lang) -> String {
    let (rps, p50, p99) = (
        format!("{:.0}", load.target_rps),
        format!("{:.1}", load.p50_ms),
        format!("{:.1}", load.p99_ms),
    );
    tf(
        lang,
        R::LoadLine,
        &[
            &rps,
            &load.sent,
            &load.ok,
            &load.client_errors,
            &load.server_errors,
            &load.no_answer,
            &p50,
            &p99,
        ],
    )
}

/// Start → injection → first signal → every expected alert that fired →
/// recover action → recovered, in the order they happened.
fn timeline(md: &mut String, r: &CaseRecord, lang: Lang) {
    let l = |x: R| t(lang, x);
    let t = &r.timeline;
    let mut moments: Vec<(DateTime<Utc>, String)> = [
        (t.started, R::CaseStarted),
        (t.injected, R::Injected),
        (t.first_signal, R::FirstSignal),
        (t.recover_action, R::RecoverAction),
        (t.recovered, R::Recovered),
    ]
    .into_iter()
    .filter_map(|(at, what)| Some((at?, l(what).to_string())))
    .collect();
    moments.extend(
        r.fired_alerts()
            .map(|(at, name)| (at, tf(lang, R::AlertNamedFired, &[&name]))),
    );
    moments.sort_by_key(|(at, _)| *at);
    let _ = writeln!(md, "### {}\n", l(R::Timeline));
    table_head(md, &[R::TimeUtc, R::SinceInjection, R::What].map(l));
    for (at, what) in moments {
        let since = t.injected.map(|inj| (at - inj).as_seconds_f64());
        let _ = writeln!(
            md,
            "| {} | {} | {what} |",
            clock(Some(at)),
            secs(since, lang)
        );
    }
}

fn answers(md: &mut String, r: &CaseRecord, kind: Kind, lang: Lang) {
    if r.answers.is_empty() {
        return;
    }
    let l = |x: R| t(lang, x);
    let _ = writeln!(md, "\n### {}\n", l(R::Answers));
    if kind == Kind::Run {
        let _ = writeln!(md, "{}\n", l(R::Headless));
    }
    table_head(
        md,
        &[R::Question, R::YourAnswer, R::LiveValue, R::Verdict].map(l),
    );
    for a in &r.answers {
        let unit = a
            .unit
            .as_deref()
            .map(|u| format!(" {}", unit(lang, u)))
            .unwrap_or_default();
        let given = a
            .answer
            .map(|v| format!("{v}{unit}"))
            .unwrap_or_else(|| "—".into());
        let live = a
            .live
            .map(|v| format!("{v:.3}{unit}"))
            .unwrap_or_else(|| "—".into());
        let verdict = match a.correct {
            Some(true) => l(R::Right),
            Some(false) => l(R::Wrong),
            None => l(R::NotAnswered),
        };
        let _ = writeln!(md, "| {} | {given} | {live} | {verdict} |", a.ask);
    }
}

/// The journal: every event of the run, as a JSON array.
pub(crate) fn journal(events: &[Stamped]) -> String {
    serde_json::to_string_pretty(events).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests;
