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

/// Which document: the two differ only in their title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Session,
    Run,
}

mod words;

pub(crate) use words::{W, w};

fn secs(v: Option<f64>, lang: Lang) -> String {
    v.map(|v| format!("{v:.1} {}", w(lang, W::Seconds)))
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
        (true, true) => w(lang, W::Passed),
        (true, false) => w(lang, W::Failed),
        (false, _) => w(lang, W::NotFinished),
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
    let mut files = Vec::new();
    let mut charted = Vec::new();
    for r in records {
        if let Some(svg) = super::chart::svg(r, lang) {
            let p = chart_path(path, &r.id);
            std::fs::write(&p, svg)?;
            charted.push(r.id.clone());
            files.push(p);
        }
    }
    let chart_of = |id: &str| {
        charted.iter().any(|c| c == id).then(|| {
            chart_path(path, id)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    };
    std::fs::write(path, markdown(records, kind, lang, written_at, &chart_of))?;
    files.insert(0, path.to_path_buf());
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
    let l = |x: W| w(lang, x);
    let title = match kind {
        Kind::Session => l(W::SessionTitle),
        Kind::Run => l(W::RunTitle),
    };
    let mut md = format!(
        "# {title}\n\n{} {}. {}\n\n",
        l(W::Written),
        written_at.format("%Y-%m-%d %H:%M:%S UTC"),
        l(W::Summary)
    );
    if records.is_empty() {
        let _ = writeln!(md, "{}", l(W::NoCase));
        return md;
    }
    let head = [
        W::Case,
        W::Result,
        W::Detect,
        W::Alert,
        W::Recover,
        W::PeakP95,
        W::PeakErrors,
        W::OomKills,
        W::Restarts,
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
                .map(|v| format!("{v:.3} {}", l(W::Seconds)))
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
    let l = |x: W| w(lang, x);
    let _ = writeln!(md, "\n## {} — {}\n", r.id, r.title);
    let _ = writeln!(md, "**{}:** {}.\n", l(W::Result), result(r, lang));
    if let Some(why) = &r.aborted {
        let _ = writeln!(md, "{}: {why}\n", l(W::StoppedEarly));
    }
    if let Some(file) = chart {
        let _ = writeln!(md, "![{}]({file})\n", l(W::ChartAlt));
    }
    timeline(md, r, lang);
    if !r.checks.is_empty() {
        let _ = writeln!(md, "\n### {}\n", l(W::Checks));
        table_head(
            md,
            &[W::Phase, W::Check, W::Result, W::Value, W::After, W::AtUtc].map(l),
        );
        for c in &r.checks {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                c.phase,
                c.id,
                if c.passed { l(W::Passed) } else { l(W::Failed) },
                num(c.value),
                secs(Some(c.after_s), lang),
                clock(c.at),
            );
        }
    }
    if !r.alerts.is_empty() {
        let _ = writeln!(md, "\n### {}\n", l(W::Alerts));
        table_head(md, &[W::Alert, W::ExpectedWithin, W::FiredAfter].map(l));
        for a in &r.alerts {
            let fired = match a.fired_after_s {
                Some(s) => secs(Some(s), lang),
                None => l(W::DidNotFire).to_string(),
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
    let _ = writeln!(md, "\n### {}\n", l(W::AppRestarts));
    match (r.oom_kills, r.restarts) {
        (Some(k), Some(n)) => {
            let _ = writeln!(md, "{}: {k}; {}: {n}.", l(W::OomKills), l(W::Restarts));
        }
        _ => {
            let _ = writeln!(md, "{}: {}.", l(W::OomKills), l(W::NotSeen));
        }
    }
    if let Some(load) = &r.load {
        let _ = writeln!(md, "\n### {}\n\n{}", l(W::Load), load_line(load, lang));
    }
    if !r.prompts.is_empty() {
        let _ = writeln!(md, "\n### {}", l(W::Notes));
        for (i, p) in r.prompts.iter().enumerate() {
            let _ = writeln!(md, "\n#### {}. {p}\n\n{}", i + 1, l(W::YourNotes));
        }
    }
}

fn load_line(load: &super::record::LoadLine, lang: Lang) -> String {
    let (rps, sent, ok) = (load.target_rps, load.sent, load.ok);
    let (c4, c5, none) = (load.client_errors, load.server_errors, load.no_answer);
    let (p50, p99) = (load.p50_ms, load.p99_ms);
    match lang {
        Lang::En => format!(
            "{rps:.0} req/s asked; {sent} requests sent: 2xx {ok}, 4xx {c4}, 5xx {c5}, \
             no answer {none}; p50 {p50:.1} ms, p99 {p99:.1} ms."
        ),
        Lang::Ru => format!(
            "задано {rps:.0} запр/с; отправлено запросов: {sent}; 2xx {ok}, 4xx {c4}, 5xx {c5}, \
             без ответа {none}; p50 {p50:.1} мс, p99 {p99:.1} мс."
        ),
    }
}

/// Start → injection → first signal → alert → recover action → recovered.
fn timeline(md: &mut String, r: &CaseRecord, lang: Lang) {
    let l = |x: W| w(lang, x);
    let t = &r.timeline;
    let moments = [
        (t.started, W::CaseStarted),
        (t.injected, W::Injected),
        (t.first_signal, W::FirstSignal),
        (t.alert, W::AlertFired),
        (t.recover_action, W::RecoverAction),
        (t.recovered, W::Recovered),
    ];
    let _ = writeln!(md, "### {}\n", l(W::Timeline));
    table_head(md, &[W::TimeUtc, W::SinceInjection, W::What].map(l));
    for (at, what) in moments {
        let Some(at) = at else { continue };
        let since = t.injected.map(|inj| (at - inj).as_seconds_f64());
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            clock(Some(at)),
            secs(since, lang),
            l(what)
        );
    }
}

fn answers(md: &mut String, r: &CaseRecord, kind: Kind, lang: Lang) {
    if r.answers.is_empty() {
        return;
    }
    let l = |x: W| w(lang, x);
    let _ = writeln!(md, "\n### {}\n", l(W::Answers));
    if kind == Kind::Run {
        let _ = writeln!(md, "{}\n", l(W::Headless));
    }
    table_head(
        md,
        &[W::Question, W::YourAnswer, W::LiveValue, W::Verdict].map(l),
    );
    for a in &r.answers {
        let unit = a
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
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
            Some(true) => l(W::Right),
            Some(false) => l(W::Wrong),
            None => l(W::NotAnswered),
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
