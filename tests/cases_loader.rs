//! Loading case files: every shipped case validates, and broken files are
//! answered with messages that name the file, line, column and field.

use workshop::cases::{CaseSet, parse_case};

/// A small valid case; each broken file below changes one thing in it.
const VALID: &str = r#"schema_version: 1
id: tiny
order: 1
est_minutes: 5
title: {en: "Tiny", ru: "Крошка"}
briefing: {en: "A story.", ru: "История."}
objectives:
  - {en: "Learn.", ru: "Научиться."}
look_at:
  - what: {en: "p95", ru: "p95"}
    promql: "job:fintech_p95_latency:5m"
    why: {en: "It matters.", ru: "Это важно."}
load:
  rate: 5
  mix: {balance: 1}
phases:
  baseline:
    settle: 10s
    captures:
      p95_base: {promql: "job:fintech_p95_latency:5m"}
    checks:
      - id: calm
        promql: "job:fintech_p95_latency:5m"
        below: 0.5
        hold_for: 10s
        timeout: 1m
        message: {en: "Calm.", ru: "Спокойно."}
  inject:
    actions:
      - set_failures: {latency_ms: 2000}
  detect:
    checks:
      - id: slow
        promql: "job:fintech_p95_latency:5m"
        above: {capture: p95_base, factor: 3}
        message: {en: "Slow.", ru: "Медленно."}
    expected_alerts:
      - {name: HighLatency, within: 90s}
  respond:
    prompts:
      - {en: "Act.", ru: "Действуйте."}
  recover:
    actions: [reset]
    time_limit: 2m
  rollback:
    actions: [reset]
post_mortem:
  - {en: "Why?", ru: "Почему?"}
"#;

fn problems_of(text: &str) -> Vec<String> {
    match parse_case("cases/tiny.yaml", text) {
        Ok(_) => vec![],
        Err(p) => p.0.iter().map(ToString::to_string).collect(),
    }
}

fn broken(from: &str, to: &str) -> Vec<String> {
    assert!(VALID.contains(from), "test bug: `{from}` not in VALID");
    problems_of(&VALID.replacen(from, to, 1))
}

#[test]
fn the_small_valid_case_loads() {
    assert_eq!(problems_of(VALID), Vec::<String>::new());
}

#[test]
fn every_shipped_case_validates() {
    let set = CaseSet::shipped().unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(
        set.ids(),
        [
            "latency",
            "error-rate",
            "db-slow",
            "memory-leak",
            "chaos-mix",
            "db-fail"
        ]
    );
}

#[test]
fn the_shipped_case_folder_loads_from_disk_like_the_embedded_copy() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let from_disk = CaseSet::from_dir(&dir).unwrap_or_else(|p| panic!("{p}"));
    let embedded = CaseSet::shipped().unwrap_or_else(|p| panic!("{p}"));
    assert_eq!(from_disk.cases(), embedded.cases());
}

#[test]
fn broken_yaml_is_reported_where_the_syntax_breaks() {
    assert_eq!(
        broken("ru: \"Крошка\"}", "ru: \"Крошка\""),
        [
            "cases/tiny.yaml:6:1: title: while parsing a flow mapping, did not find expected ',' or '}'"
        ]
    );
}

#[test]
fn an_unknown_field_is_answered_with_the_nearest_valid_name() {
    assert_eq!(
        broken("        hold_for: 10s\n", "        hold_fr: 10s\n"),
        [
            "cases/tiny.yaml:25:9: phases.baseline.checks[0].hold_fr: unknown field `hold_fr`, did you mean `hold_for`?"
        ]
    );
}

#[test]
fn an_unknown_failure_field_suggests_the_api_field_it_resembles() {
    assert_eq!(
        broken("latency_ms: 2000", "latency: 2000"),
        [
            "cases/tiny.yaml:30:24: phases.inject.actions[0].set_failures.latency: unknown field `latency`, did you mean `latency_ms`?"
        ]
    );
}

#[test]
fn a_value_of_the_wrong_type_names_the_field() {
    assert_eq!(
        broken("  rate: 5", "  rate: fast"),
        ["cases/tiny.yaml:14:9: load.rate: invalid floating point"]
    );
    assert_eq!(
        broken("title: {en", "title: [en"),
        ["cases/tiny.yaml:5:8: title: expected mapping start"]
    );
}

#[test]
fn a_missing_phase_is_named_with_the_list_of_phases() {
    assert_eq!(
        broken(
            "  respond:\n    prompts:\n      - {en: \"Act.\", ru: \"Действуйте.\"}\n",
            ""
        ),
        [
            "cases/tiny.yaml:16:1: phases: missing phase `respond`; a case has every phase: baseline, inject, detect, respond, recover, rollback"
        ]
    );
}

#[test]
fn a_bad_duration_shows_the_text_and_the_accepted_notation() {
    assert_eq!(
        broken("settle: 10s", "settle: 10x"),
        [
            "cases/tiny.yaml:18:13: phases.baseline.settle: invalid duration `10x`: the unit is not one of ms, s, m, h; write a number and a unit (ms, s, m, h), e.g. `500ms`, `30s`, `1m30s`"
        ]
    );
    assert_eq!(
        broken("within: 90s", "within: 90"),
        [
            "cases/tiny.yaml:38:37: phases.detect.expected_alerts[0].within: invalid duration `90`: a unit is missing; write a number and a unit (ms, s, m, h), e.g. `500ms`, `30s`, `1m30s`"
        ]
    );
}

#[test]
fn an_undefined_capture_is_reported_with_the_nearest_defined_one() {
    assert_eq!(
        broken("capture: p95_base", "capture: p95_bse"),
        [
            "cases/tiny.yaml:35:9: phases.detect.checks[0].above: capture `p95_bse` is not defined in phases.baseline.captures, did you mean `p95_base`?"
        ]
    );
}

#[test]
fn a_check_with_two_probes_is_refused_where_the_check_starts() {
    assert_eq!(
        broken(
            "        below: 0.5\n",
            "        below: 0.5\n        alert: HighLatency\n"
        ),
        [
            "cases/tiny.yaml:22:9: phases.baseline.checks[0]: check `calm` has `promql` and `alert`; a check looks at exactly one of `promql`, `alert` or `http`"
        ]
    );
}

#[test]
fn every_semantic_problem_of_a_file_is_listed_not_just_the_first() {
    let text = VALID
        .replacen("schema_version: 1", "schema_version: 2", 1)
        .replacen(
            "hold_for: 10s\n        timeout: 1m",
            "hold_for: 2m\n        timeout: 1m",
            1,
        )
        .replacen("latency_ms: 2000", "latency_ms: 99999", 1)
        .replacen("name: HighLatency", "name: HighLatancy", 1)
        .replacen("capture: p95_base", "capture: nope", 1);
    assert_eq!(
        problems_of(&text),
        [
            "cases/tiny.yaml:1:17: schema_version: schema version 2 is not supported; this workshop reads version 1",
            "cases/tiny.yaml:25:19: phases.baseline.checks[0].hold_for: hold_for (2m) is longer than timeout (1m); the check could never pass",
            "cases/tiny.yaml:35:9: phases.detect.checks[0].above: capture `nope` is not defined in phases.baseline.captures",
            "cases/tiny.yaml:30:36: phases.inject.actions[0].set_failures.latency_ms: `latency_ms` must be an integer from 0 to 30000, got 99999",
            "cases/tiny.yaml:38:16: phases.detect.expected_alerts[0].name: unknown alert `HighLatancy`, did you mean `HighLatency`? (rules: compose/alerts.yml)",
        ]
    );
}

#[test]
fn an_unknown_action_lists_the_actions_there_are() {
    assert_eq!(
        broken(
            "actions: [reset]\n    time_limit",
            "actions: [restart]\n    time_limit"
        ),
        [
            "cases/tiny.yaml:43:15: phases.recover.actions[0]: unknown value `restart`; expected one of `set_failures`, `reset`, `container`"
        ]
    );
}

#[test]
fn a_container_step_naming_a_service_no_backend_runs_lists_the_services_there_are() {
    let step = |service: &str| {
        format!(
            "actions:\n      - container: {{action: restart, service: {service}}}\n    time_limit"
        )
    };
    assert_eq!(
        broken("actions: [reset]\n    time_limit", &step("app")),
        Vec::<String>::new()
    );
    let problems = broken("actions: [reset]\n    time_limit", &step("cadvisor"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(
            "phases.recover.actions[0].container.service: unknown value `cadvisor`; \
             expected one of `db`, `app`, `prometheus`, `grafana`"
        ),
        "{problems:?}"
    );
}

#[test]
fn phases_written_out_of_order_are_refused() {
    let text = VALID.replacen("  rollback:\n    actions: [reset]\n", "", 1);
    let text = text.replacen(
        "phases:\n",
        "phases:\n  rollback:\n    actions: [reset]\n",
        1,
    );
    assert_eq!(
        problems_of(&text),
        [
            "cases/tiny.yaml:17:3: phases.rollback: `rollback` is written before `recover`; write the phases in the order they run: baseline, inject, detect, respond, recover, rollback"
        ]
    );
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("workshop-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_folder_reports_problems_of_every_file_and_duplicate_ids_across_files() {
    let dir = TempDir::new("cases-dir");
    std::fs::write(dir.0.join("a.yaml"), VALID).expect("write");
    std::fs::write(
        dir.0.join("b.yaml"),
        VALID.replacen("order: 1", "order: 2", 1),
    )
    .expect("write");
    std::fs::write(
        dir.0.join("c.yml"),
        VALID.replacen("settle: 10s", "settle: soon", 1),
    )
    .expect("write");
    std::fs::write(dir.0.join("notes.txt"), "not a case").expect("write");
    let err = CaseSet::from_dir(&dir.0).expect_err("must fail");
    let shown: Vec<String> = err
        .0
        .iter()
        .map(|p| p.to_string().replace(&format!("{}/", dir.0.display()), ""))
        .collect();
    assert_eq!(
        shown,
        [
            "c.yml:18:13: phases.baseline.settle: invalid duration `soon`: expected a number; write a number and a unit (ms, s, m, h), e.g. `500ms`, `30s`, `1m30s`",
            "b.yaml:2:5: id: case id `tiny` is also used by a.yaml",
        ]
    );
}

#[test]
fn an_empty_folder_says_what_it_looked_for() {
    let dir = TempDir::new("cases-empty");
    let err = CaseSet::from_dir(&dir.0).expect_err("must fail");
    assert_eq!(
        err.0[0].message,
        "no case files here (looked for *.yaml and *.yml)"
    );
}
