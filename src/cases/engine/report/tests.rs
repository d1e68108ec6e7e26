//! The incident record as a student hands it in.

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::cases::Phase;
use crate::cases::engine::record::{
    AlertLine, AnswerLine, ChartPoint, CheckLine, LoadLine, Timeline,
};
use crate::words::english_leaks;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default()
}

fn at(s: i64) -> Option<DateTime<Utc>> {
    Some(t0() + TimeDelta::seconds(s))
}

/// Case 4 as walked in the console: two OOM kills, one answer wrong then
/// right, two respond prompts.
fn leak(lang: Lang) -> CaseRecord {
    let ru = lang == Lang::Ru;
    CaseRecord {
        id: "memory-leak".into(),
        title: if ru {
            "Утечка памяти"
        } else {
            "Memory leak"
        }
        .into(),
        finished: true,
        passed: true,
        time_to_detect_s: Some(31.0),
        time_to_alert_s: Some(62.0),
        time_to_recover_s: Some(20.0),
        peak_p95_s: Some(0.21),
        peak_error_ratio: Some(0.04),
        restarts: Some(2),
        oom_kills: Some(2),
        timeline: Timeline {
            started: at(-60),
            injected: at(0),
            first_signal: at(31),
            alert: at(62),
            recover_action: at(100),
            recovered: at(120),
        },
        checks: vec![
            CheckLine {
                phase: Phase::Detect,
                id: "memory-climbs".into(),
                passed: true,
                value: Some(180.0),
                after_s: 31.0,
                at: at(31),
            },
            CheckLine {
                phase: Phase::Recover,
                id: "memory-flat".into(),
                passed: true,
                value: Some(40.0),
                after_s: 20.0,
                at: at(120),
            },
        ],
        alerts: vec![AlertLine {
            name: "HighMemory".into(),
            within_s: 90.0,
            fired_after_s: Some(62.0),
        }],
        answers: vec![AnswerLine {
            ask: if ru {
                "Сколько МиБ?"
            } else {
                "How many MiB?"
            }
            .into(),
            unit: Some("MiB".into()),
            answer: Some(200.0),
            live: Some(198.4),
            correct: Some(true),
            tries: 2,
        }],
        prompts: if ru {
            vec!["Кто затронут?".into(), "Что вы откатили?".into()]
        } else {
            vec!["Who is affected?".into(), "What did you roll back?".into()]
        },
        samples: (-12..24)
            .map(|i| ChartPoint {
                s: f64::from(i) * 5.0,
                p95_s: Some(0.05),
                error_ratio: Some(0.0),
                memory_mib: Some(40.0 + f64::from(i.max(0)) * 8.0),
                memory_limit_mib: Some(256.0),
            })
            .collect(),
        ..CaseRecord::default()
    }
}

fn chart(id: &str) -> Option<String> {
    Some(format!("report-{id}.svg"))
}

#[test]
fn a_case_record_gives_the_utc_timeline_checks_answers_kills_and_note_headings() {
    let md = markdown(&[leak(Lang::En)], Kind::Session, Lang::En, t0(), &chart);
    for line in [
        "# Workshop session report",
        "| memory-leak — Memory leak | passed | 31.0 s | 62.0 s | 20.0 s | 0.210 s | 0.040 | 2 | 2 |",
        "![p95, error ratio and memory over the case](report-memory-leak.svg)",
        "| 07:59:00 | -60.0 s | case started, load on |",
        "| 08:00:00 | 0.0 s | fault injected |",
        "| 08:00:31 | 31.0 s | first signal: a detect check passed |",
        "| 08:01:02 | 62.0 s | alert HighMemory fired |",
        "| 08:01:40 | 100.0 s | recover action |",
        "| 08:02:00 | 120.0 s | recovered: every recover check passed |",
        "| detect | memory-climbs | passed | 180.000 | 31.0 s | 08:00:31 |",
        "| recover | memory-flat | passed | 40.000 | 20.0 s | 08:02:00 |",
        // The alerts table's first column holds names, and says so.
        "| alert | expected within | fired after the injection |",
        "| HighMemory | 90.0 s | 62.0 s |",
        "| How many MiB? | 200 MiB | 198.400 MiB | right |",
        "OOM kills: 2; restarts: 2.",
        "#### 1. Who is affected?",
        "#### 2. What did you roll back?",
    ] {
        assert!(md.contains(line), "missing `{line}` in:\n{md}");
    }
}

#[test]
fn a_headless_run_says_it_answered_nothing_and_what_it_could_not_see() {
    let mut r = leak(Lang::En);
    r.answers[0].answer = None;
    r.answers[0].correct = None;
    r.answers[0].tries = 0;
    r.restarts = None;
    r.oom_kills = None;
    let md = markdown(&[r], Kind::Run, Lang::En, t0(), &|_| None);
    assert!(md.starts_with("# Workshop run report"), "{md}");
    assert!(md.contains("A headless run answers no question"), "{md}");
    assert!(
        md.contains("| How many MiB? | — | 198.400 MiB | not answered |"),
        "{md}"
    );
    assert!(md.contains("OOM kills: not seen"), "{md}");
    assert!(!md.contains(".svg"), "no chart, no link: {md}");
}

/// The session report of case 4 in Russian, and a headless run's report
/// of the same case stopped early, with what it could not see and the
/// load it sent.
fn russian_reports() -> [String; 2] {
    let session = markdown(&[leak(Lang::Ru)], Kind::Session, Lang::Ru, t0(), &chart);
    let mut run = leak(Lang::Ru);
    run.answers[0].answer = None;
    run.answers[0].correct = None;
    run.restarts = None;
    run.oom_kills = None;
    run.finished = false;
    run.aborted = Some("прервано".into());
    run.load = Some(LoadLine {
        target_rps: 10.0,
        sent: 600,
        ok: 590,
        client_errors: 4,
        server_errors: 5,
        no_answer: 1,
        p50_ms: 12.0,
        p99_ms: 80.0,
    });
    let run = markdown(&[run], Kind::Run, Lang::Ru, t0(), &|_| None);
    [session, run]
}

#[test]
fn a_russian_report_has_no_english_word_of_its_own() {
    // Ids from the case files (`memory-leak`, `memory-climbs`, the phases
    // `detect` and `recover`), the chart's file name and the alert's name
    // are the same in every language; the leak test leaves them out.
    for ru in russian_reports() {
        assert_eq!(english_leaks(&ru), Vec::<String>::new(), "{ru}");
    }
    let [session, run] = russian_reports();
    assert!(session.starts_with("# Отчёт о занятии"), "{session}");
    for line in [
        "| memory-leak — Утечка памяти | пройден | 31.0 с | 62.0 с | 20.0 с | 0.210 с |",
        "![p95, доля ошибок и память за время кейса](report-memory-leak.svg)",
        "| 08:00:31 | 31.0 с | первый сигнал: проверка detect пройдена |",
        "| Сколько МиБ? | 200 МиБ | 198.400 МиБ | верно |",
        "OOM-убийства: 2; перезапуски: 2.",
    ] {
        assert!(session.contains(line), "missing `{line}` in:\n{session}");
    }
    assert!(run.starts_with("# Отчёт о прогоне кейсов"), "{run}");
    for line in [
        "Остановлен досрочно: прервано",
        "| Сколько МиБ? | — | 198.400 МиБ | без ответа |",
        "OOM-убийства: не видно",
        "задано 10 запр/с; отправлено запросов: 600; 2xx 590, 4xx 4, 5xx 5, без ответа 1; \
         p50 12.0 мс, p99 80.0 мс.",
    ] {
        assert!(run.contains(line), "missing `{line}` in:\n{run}");
    }
}

#[test]
fn the_same_reports_in_english_are_caught_by_the_leak_test() {
    // The test above means something only if English would be found.
    let en = markdown(&[leak(Lang::En)], Kind::Session, Lang::En, t0(), &chart);
    let found = english_leaks(&en);
    for word in ["session", "report", "timeline", "injected", "answers"] {
        assert!(found.iter().any(|w| w == word), "{word}: {found:?}");
    }
}

#[test]
fn the_russian_chart_says_no_english_word_of_the_catalogue() {
    let svg = crate::cases::engine::chart::svg(&leak(Lang::Ru), Lang::Ru).expect("drawn");
    // The text the chart shows, not its SVG markup.
    let shown: Vec<&str> = svg
        .split('<')
        .filter_map(|tag| tag.split_once('>').map(|(_, text)| text.trim()))
        .filter(|text| !text.is_empty())
        .collect();
    let shown = shown.join("\n");
    assert_eq!(english_leaks(&shown), Vec::<String>::new(), "{shown}");
    for word in ["доля ошибок", "отказ", "секунды от внедрения отказа"]
    {
        assert!(shown.contains(word), "{word}: {shown}");
    }
}

#[test]
fn the_report_and_its_charts_are_written_side_by_side() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("session-report-1.md");
    let mut short = leak(Lang::En);
    short.id = "latency".into();
    short.samples.truncate(1);
    let files = write(
        &path,
        Kind::Session,
        &[leak(Lang::En), short],
        Lang::En,
        t0(),
    )
    .expect("written");
    let chart = dir.path().join("session-report-1-memory-leak.svg");
    assert_eq!(files, vec![path.clone(), chart.clone()]);
    let md = std::fs::read_to_string(&path).expect("read");
    assert!(md.contains("](session-report-1-memory-leak.svg)"), "{md}");
    assert!(
        !md.contains("latency.svg"),
        "one sample draws no chart: {md}"
    );
    let svg = std::fs::read_to_string(&chart).expect("read");
    assert!(svg.contains("app memory, MiB"), "{svg}");
}
