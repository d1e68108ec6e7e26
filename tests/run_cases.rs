//! `workshop run` end to end: a real Prometheus scraping a real `workshop
//! serve` on PostgreSQL, each shipped case walked from baseline to rollback.
//! (The memory-leak case needs a memory-limited runtime; the stack tests
//! prove it.)

mod common;

use common::{Backend, PrometheusServer, Server, TestDb, workshop};

async fn run_case(id: &str) {
    walk(&["run", id], id).await;
}

/// `command` is `run ID` or `cases check ID`; returns what it printed.
async fn walk(command: &[&str], id: &str) -> String {
    let db = TestDb::new(Backend::Postgres).await;
    let api = Server::start(&db.url).await;
    let target = api.url.trim_start_matches("http://").to_string();
    let prom = PrometheusServer::start(&target).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.md");
    let journal = dir.path().join("journal.json");
    let out = tokio::process::Command::from(workshop(command))
        .args(["--api-url", &api.url, "--prometheus-url", &prom.url])
        .arg("--report")
        .arg(&report)
        .arg("--journal")
        .arg(&journal)
        .output()
        .await
        .expect("run workshop");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "case {id} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(&report).expect("report");
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| {id} — ")))
        .unwrap_or_else(|| panic!("no summary row for {id}:\n{md}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(cells[2], "passed", "{row}");
    if command[0] == "cases" {
        let set = workshop::cases::CaseSet::shipped().unwrap_or_else(|p| panic!("{p}"));
        let case = set.get(id).unwrap_or_else(|| panic!("{id} is shipped"));
        let first = &case.phases.detect.checks[0].id;
        assert!(
            md.contains(&format!("| teachable | {first} | passed |")),
            "the detect checks were proven silent at baseline:\n{md}\n{stdout}"
        );
    }
    assert!(cells[3].ends_with(" s"), "time to detect missing: {row}");
    assert!(cells[4].ends_with(" s"), "time to alert missing: {row}");
    assert!(cells[5].ends_with(" s"), "time to recover missing: {row}");
    // The incident record: its UTC timeline and its chart beside it.
    assert!(
        md.contains("### Timeline (UTC)") && md.contains("| fault injected |"),
        "{md}"
    );
    let chart = dir.path().join(format!("report-{id}.svg"));
    let svg = std::fs::read_to_string(&chart)
        .unwrap_or_else(|e| panic!("{}: {e}\n{md}", chart.display()));
    assert!(svg.contains("<svg") && svg.contains("p95, s"), "{svg}");
    assert!(md.contains(&format!("](report-{id}.svg)")), "{md}");
    let events: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&journal).expect("journal")).expect("json");
    assert!(events.as_array().is_some_and(|e| e.len() > 10));
    // The rollback left nothing injected.
    let (_, f) = api.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 0);
    assert_eq!(f["current_config"]["error_rate"], 0.0);
    assert_eq!(f["current_config"]["db_slow"], false);
    assert_eq!(f["current_config"]["db_fail"], false);
    // What the author reads, kept in the test's log.
    println!("{stdout}");
    stdout.into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_error_rate_case_passes_end_to_end() {
    run_case("error-rate").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slow_database_case_passes_end_to_end() {
    run_case("db-slow").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chaos_mix_case_passes_end_to_end() {
    run_case("chaos-mix").await;
}

/// `workshop cases check`: the detect checks are silent at baseline, then
/// the same walk as `run` passes (the latency case's only walk here: `run`
/// alone would repeat it, minutes of CI for nothing new).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_check_proves_the_latency_case_teachable() {
    let stdout = walk(&["cases", "check", "latency"], "latency").await;
    // What each check read at each moment, for the author.
    let table = stdout
        .split("what each check read")
        .nth(1)
        .unwrap_or_else(|| panic!("no table of readings:\n{stdout}"));
    let detect = table
        .split("detect/p95-above-objective  > 1.5\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no row for the detect check:\n{table}"));
    let lines: Vec<&str> = detect.lines().take(3).map(str::trim).collect();
    assert!(
        lines[0].starts_with("before the fault: 1 series · 0.") && lines[0].ends_with('✘'),
        "{table}"
    );
    assert!(
        lines[1].starts_with("with the fault in: 1 series · ") && lines[1].ends_with('✔'),
        "{table}"
    );
    assert!(
        lines[2].starts_with("after the recovery: 1 series · 0.") && lines[2].ends_with('✘'),
        "{table}"
    );
    assert!(
        table.contains("recover/p95-back-to-normal  < 2 × p95_base + 0.1 (= 0."),
        "a relative bound shows the number it came to:\n{table}"
    );
    assert!(
        table.contains("detect/high-latency-firing  HighLatency firing"),
        "{table}"
    );
}

/// Case 6: readiness and `/health` answer 503 while liveness stays 200,
/// nearly every request fails, DatabaseDown fires; and none of that holds
/// at baseline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cases_check_proves_the_database_case_teachable() {
    walk(&["cases", "check", "db-fail"], "db-fail").await;
}

/// Case 4 as it was first written: its memory queries read
/// `process_resident_memory_bytes` and named no job, so on a Prometheus that
/// scrapes itself (every workshop stack's does) they read Prometheus's
/// memory beside the app's, and the engine kept the larger.
/// The engine now stops such a case at the first answer, naming the case,
/// the phase, the capture and the query, and injects nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_whose_query_reads_prometheus_itself_is_stopped_and_named() {
    let root = env!("CARGO_MANIFEST_DIR");
    let shipped =
        std::fs::read_to_string(format!("{root}/cases/04-memory-leak.yaml")).expect("case 4");
    let app_only = r#"fintech_memory_used_bytes{job=\"fintech-api\"} / 1048576"#;
    assert!(shipped.contains(app_only), "case 4 reads the app's memory");
    let careless = shipped.replace(app_only, "process_resident_memory_bytes / 1048576");
    let cases = tempfile::tempdir().expect("temp dir");
    std::fs::write(cases.path().join("04-memory-leak.yaml"), careless).expect("write case");

    let db = TestDb::new(Backend::Postgres).await;
    let api = Server::start(&db.url).await;
    let target = api.url.trim_start_matches("http://").to_string();
    let prom = PrometheusServer::start(&target).await;
    prom.wait_for_series(r#"up{job="prometheus"} == 1"#).await;
    let out = tokio::process::Command::from(workshop(&["run", "memory-leak"]))
        .args(["--api-url", &api.url, "--prometheus-url", &prom.url])
        .arg("--dir")
        .arg(cases.path())
        .output()
        .await
        .expect("run workshop");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "the careless case must not pass:\n{stdout}"
    );
    assert!(
        stdout.contains("case memory-leak, baseline phase, mem_base")
            && stdout.contains("`process_resident_memory_bytes / 1048576`")
            && stdout.contains(r#"reads job "prometheus" as well as the app"#)
            && stdout.contains(r#"{job="fintech-api"}"#),
        "the stop names the case, the phase, the capture, the query and the fix:\n{stdout}"
    );
    let (_, f) = api.get("/api/failures").await;
    assert_eq!(
        f["current_config"]["memory_leak_mb"], 0,
        "nothing was injected: {f}"
    );
}
