//! An instructor writes a case: the schema an editor completes from, the
//! scaffold, PromQL read before the class. Real tools: the built binary and
//! `check-jsonschema` (installed by `scripts/setup`), as an editor's
//! language server would read the schema.

mod common;

use std::path::Path;
use std::process::Command;

use common::{text, workshop};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// `check-jsonschema` on `files` against `schema`: (passed, what it said).
fn check_jsonschema(schema: &Path, files: &[&Path]) -> (bool, String) {
    let out = Command::new("check-jsonschema")
        .arg("--schemafile")
        .arg(schema)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("check-jsonschema is missing ({e}): run scripts/setup, which installs it into its venv (scripts/lib/tools-path.sh puts it on PATH)")
        });
    let said = text(&out.stdout) + &text(&out.stderr);
    (out.status.success(), said)
}

fn run(args: &[&str], dir: &Path) -> (bool, String, String) {
    let out = workshop(args)
        .current_dir(dir)
        .output()
        .expect("run workshop");
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn the_schema_in_the_repository_is_the_one_the_binary_prints() {
    let (ok, printed, err) = run(&["cases", "schema"], Path::new(ROOT));
    assert!(ok, "{err}");
    let kept = std::fs::read_to_string(format!("{ROOT}/cases/case.schema.json")).expect("schema");
    assert!(
        kept == printed,
        "cases/case.schema.json is out of date: run `workshop cases schema > cases/case.schema.json`"
    );
}

#[test]
fn every_shipped_case_names_the_schema_and_follows_it() {
    let dir = Path::new(ROOT).join("cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for f in &files {
        let first = std::fs::read_to_string(f).expect("case");
        assert_eq!(
            first.lines().next(),
            Some("# yaml-language-server: $schema=./case.schema.json"),
            "{}",
            f.display()
        );
    }
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (ok, said) = check_jsonschema(&dir.join("case.schema.json"), &refs);
    assert!(ok, "{said}");
}

#[test]
fn a_scaffolded_case_validates_and_says_what_is_left_to_write() {
    let room = tempfile::tempdir().expect("temp dir");
    let (ok, out, err) = run(&["cases", "new", "card-declines"], room.path());
    assert!(ok, "{out}{err}");
    assert!(out.contains("wrote cases/01-card-declines.yaml"), "{out}");
    let case = room.path().join("cases/01-card-declines.yaml");
    let written = std::fs::read_to_string(&case).expect("the new case");
    assert!(written.contains("id: card-declines") && written.contains("ЗАПОЛНИТЬ"));

    let (ok, out, err) = run(&["cases", "validate", "--dir", "cases"], room.path());
    assert!(ok, "a fresh scaffold validates:\n{out}{err}");
    assert!(out.contains("card-declines"), "{out}");
    assert!(
        err.contains("cases/01-card-declines.yaml:19:8: a text still to be written"),
        "the texts left to write are pointed at:\n{err}"
    );

    // A second one, copied from a shipped case, is ordered after it.
    let (ok, out, err) = run(
        &["cases", "new", "slow-ledger", "--from", "db-slow"],
        room.path(),
    );
    assert!(ok, "{out}{err}");
    let copy = room.path().join("cases/02-slow-ledger.yaml");
    let copied = std::fs::read_to_string(&copy).expect("the copy");
    assert!(copied.contains("id: slow-ledger\norder: 2\n"), "{copied}");
    let (ok, out, err) = run(&["cases", "validate", "--dir", "cases"], room.path());
    assert!(
        ok && out.contains("card-declines, slow-ledger"),
        "{out}{err}"
    );

    let schema = room.path().join("cases/case.schema.json");
    let (ok, said) = check_jsonschema(&schema, &[&case, &copy]);
    assert!(ok, "{said}");

    // Nothing is overwritten, and a wrong name is refused with the fix.
    let (ok, _, err) = run(&["cases", "new", "card-declines"], room.path());
    assert!(
        !ok && err.contains("already holds a case `card-declines`"),
        "{err}"
    );
    let (ok, _, err) = run(&["cases", "new", "x", "--from", "db-slw"], room.path());
    assert!(!ok && err.contains("did you mean `db-slow`?"), "{err}");
}

#[test]
fn the_schema_refuses_a_misspelt_field_as_an_editor_would_underline_it() {
    let room = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(format!("{ROOT}/cases/01-latency.yaml")).expect("case 1");
    let typo = shipped.replacen("hold_for: 15s", "hold_fr: 15s", 1);
    assert_ne!(typo, shipped);
    let file = room.path().join("01-latency.yaml");
    std::fs::write(&file, typo).expect("write");
    let schema = Path::new(ROOT).join("cases/case.schema.json");
    let (ok, said) = check_jsonschema(&schema, &[&file]);
    assert!(!ok, "the schema accepted `hold_fr`:\n{said}");
    assert!(said.contains("hold_fr"), "{said}");
}

#[test]
fn a_misspelt_metric_and_recording_rule_fail_validate_naming_the_nearest() {
    let room = tempfile::tempdir().expect("temp dir");
    let shipped = std::fs::read_to_string(format!("{ROOT}/cases/01-latency.yaml")).expect("case 1");
    let broken = shipped
        .replacen(
            "promql: \"fintech_failure_latency_ms\"",
            "promql: \"fintech_failure_latncy_ms\"",
            1,
        )
        .replacen(
            "promql: \"job:fintech_p95_latency:5m\"\n        below: 0.5",
            "promql: \"job:fintech_p95_latensy:5m\"\n        below: 0.5",
            1,
        )
        .replacen(
            "promql: \"job:fintech_request_rate:1m\"\n        above:",
            "promql: \"sum(rate(job:fintech_request_rate:1m[1m])\"\n        above:",
            1,
        );
    std::fs::write(room.path().join("01-latency.yaml"), broken).expect("write");
    let (ok, out, err) = run(&["cases", "validate", "--dir", "."], room.path());
    assert!(!ok, "{out}");
    for said in [
        "look_at[2].promql: PromQL reads `fintech_failure_latncy_ms`, which the workshop's Prometheus does not hold, did you mean `fintech_failure_latency_ms`?",
        "phases.baseline.checks[0].promql: PromQL reads `job:fintech_p95_latensy:5m`, which the workshop's Prometheus does not hold, did you mean `job:fintech_p95_latency:5m`?",
        "phases.detect.checks[2].promql: PromQL syntax error at character 4 of the query (at `(rate(job:fintech_re`): unclosed left parenthesis",
        // The question still reads the right name, which no look_at shows now.
        "phases.detect.questions[1].promql: no look_at shows this figure on screen",
    ] {
        assert!(err.contains(said), "missing `{said}` in:\n{err}");
    }
    assert!(err.contains("4 problems found"), "{err}");
}
