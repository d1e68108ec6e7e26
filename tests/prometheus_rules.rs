//! The Prometheus configuration and rules shipped in `compose/`, checked by
//! Prometheus's own tool: the config loads, and every alert fires under its
//! fault and stays silent at baseline (`compose/tests/*.test.yml`).
//!
//! These tests fail, never skip, when `promtool` is missing: a silently
//! skipped rule test is how a broken alert reaches a workshop.

use std::path::{Path, PathBuf};
use std::process::Command;

fn compose_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("compose")
}

/// Runs promtool with `args` in `compose/`; panics with its output on failure.
fn promtool(args: &[&str]) -> String {
    let out = match Command::new("promtool")
        .args(args)
        .current_dir(compose_dir())
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run `promtool` ({e}). It ships with Prometheus: install it with \
             `apt-get install prometheus` (Debian/Ubuntu) or put the `promtool` binary of a \
             Prometheus release on PATH."
        ),
    };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "`promtool {}` failed:\n{text}",
        args.join(" ")
    );
    text
}

#[test]
fn the_prometheus_config_and_its_rule_file_load() {
    let out = promtool(&["check", "config", "prometheus.yml"]);
    assert!(out.contains("SUCCESS: 1 rule files found"), "{out}");
}

#[test]
fn every_alert_fires_under_its_fault_and_stays_silent_at_baseline() {
    let mut tests: Vec<String> = std::fs::read_dir(compose_dir().join("tests"))
        .expect("compose/tests exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".test.yml"))
        .map(|p| {
            format!(
                "tests/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            )
        })
        .collect();
    tests.sort();
    assert_eq!(
        tests,
        [
            "tests/database.test.yml",
            "tests/db_slow.test.yml",
            "tests/error_rate.test.yml",
            "tests/latency.test.yml",
            "tests/memory.test.yml",
        ],
        "one rule test per alert"
    );
    let mut args = vec!["test", "rules"];
    args.extend(tests.iter().map(String::as_str));
    let out = promtool(&args);
    assert_eq!(out.matches("SUCCESS").count(), tests.len(), "{out}");
}

#[test]
fn every_alert_a_case_may_expect_has_a_rule_test() {
    let tested = std::fs::read_dir(compose_dir().join("tests"))
        .expect("compose/tests exists")
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect::<String>();
    for alert in workshop::cases::rules::alert_names() {
        assert!(
            tested.contains(&format!("alertname: {alert}")),
            "no promtool test exercises {alert}"
        );
    }
}
