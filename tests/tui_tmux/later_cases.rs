//! The cases the tmux walk takes after case 1, on the same console and
//! stack (CI time is tight: one console, one stack, one walk): case 4's leak
//! to the OOM kill, then case 6's database gone while the API stays alive.

use std::time::Duration;

use super::common::tmux::Tmux;

/// The number after `label` on the screen (`captured mem_base = 3.8750`).
fn number_after(screen: &str, label: &str) -> Option<f64> {
    let after = screen.split(label).nth(1)?;
    let word = after.split_whitespace().next()?;
    word.trim_matches(|c: char| !c.is_ascii_digit() && c != '.')
        .parse()
        .ok()
}

/// The app's memory in MiB as Prometheus has it over the last `range_s`.
fn app_memory_mib(rt: &tokio::runtime::Runtime, prometheus: &str, range_s: i64) -> Vec<f64> {
    let end = chrono::Utc::now();
    let start = end - chrono::TimeDelta::seconds(range_s);
    let body: serde_json::Value = rt.block_on(async {
        reqwest::Client::new()
            .get(format!("{prometheus}/api/v1/query_range"))
            .query(&[
                (
                    "query",
                    r#"fintech_memory_used_bytes{job="fintech-api"} / 1048576"#,
                ),
                ("start", &start.to_rfc3339()),
                ("end", &end.to_rfc3339()),
                ("step", "1"),
            ])
            .send()
            .await
            .expect("Prometheus answers")
            .json()
            .await
            .expect("a JSON answer")
    });
    body["data"]["result"][0]["values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v[1].as_str()?.parse().ok())
        .collect()
}

/// Case 4 picked with keys, its leak injected and grown to the OOM kill.
/// The baseline capture and the `restarted` check show the app's memory as
/// Prometheus has it (within 1 MiB), never Prometheus's own; the leak
/// question's figure is on screen; until the kill, the next step waits for
/// it instead of inviting recovery. Leaving the case rolls the leak back.
pub(super) fn walk_case_four(tmux: &Tmux, rt: &tokio::runtime::Runtime, prometheus: &str) {
    tmux.keys(&["Escape"]);
    tmux.keys(&["j", "j", "j", "Enter"]);
    tmux.wait("case 4 opened with load", Duration::from_secs(20), |s| {
        s.contains("▶ 4 A leak") && s.contains("▶ target 2/s")
    });
    let shown = std::cell::Cell::new(None);
    tmux.wait("the baseline capture", Duration::from_secs(90), |s| {
        shown.set(number_after(s, "captured mem_base = "));
        shown.get().is_some()
    });
    let base = shown.get().unwrap_or(f64::NAN);
    let truth = app_memory_mib(rt, prometheus, 10);
    assert!(
        truth.iter().any(|m| (m - base).abs() <= 1.0),
        "mem_base {base} MiB is not the app's memory in Prometheus: {truth:?}"
    );
    tmux.wait("the baseline passed", Duration::from_secs(90), |s| {
        s.contains("Press i to inject")
    });
    tmux.keys(&["i"]);
    tmux.wait("the leak's figure live", Duration::from_secs(60), |s| {
        number_after(s, "Memory held by the leak: ").is_some_and(|v| v > 0.0)
    });
    // Until the kernel kills the process, the next step waits for it.
    let invited = std::cell::Cell::new(None::<String>);
    let waited = tmux.wait(
        "the restart after the OOM kill",
        Duration::from_secs(300),
        |s| {
            if !s.contains("OOM 1") && s.contains("then r") {
                invited.set(Some(s.to_string()));
            }
            shown.set(number_after(s, "✔ detect/restarted "));
            shown.get().is_some()
        },
    );
    if let Some(screen) = invited.take() {
        panic!("recovery was invited before the OOM kill:\n{screen}");
    }
    let restarted = shown.get().unwrap_or(f64::NAN);
    let truth = app_memory_mib(rt, prometheus, 30);
    assert!(
        truth.iter().any(|m| (m - restarted).abs() <= 1.0),
        "restarted shows {restarted} MiB, not the app's memory in Prometheus: {truth:?}"
    );
    eprintln!("case 4: mem_base {base} MiB; restarted {restarted} MiB, {waited:?} after the leak");
    tmux.keys(&["Escape"]);
    tmux.wait(
        "case 4 left, the leak rolled back",
        Duration::from_secs(20),
        |s| s.contains("M □ leak"),
    );
}

/// The app's cell in the stack panel and the header both say the API is
/// alive but not ready, and nothing on screen calls it down.
fn alive_not_ready(screen: &str) -> bool {
    let header = screen.lines().next().unwrap_or_default();
    header.contains("API ⚠ alive, not ready")
        && screen
            .lines()
            .any(|l| l.contains("⚠ app ") && l.contains("alive, not ready"))
        && !screen.contains("API ✘")
        && !screen.lines().any(|l| l.contains("✘ app "))
}

/// Case 6 picked with keys, on the same stack: the database goes away
/// (`db_fail`); `/readyz` and `/health` answer 503 while `/livez` answers
/// 200, and the console shows the app alive but not ready, never down. The
/// reset brings readiness, and the app's ✔, back at once. The walk leaves
/// then, before the error ratio's one-minute window has emptied: the
/// headless walk (`tests/run_cases.rs`) waits for that and for DatabaseDown.
pub(super) fn walk_case_six(tmux: &Tmux) {
    let started = std::time::Instant::now();
    tmux.keys(&["j", "j", "Enter"]);
    tmux.wait("case 6 opened with load", Duration::from_secs(20), |s| {
        s.contains("▶ 6 Alive, but not ready") && s.contains("▶ target 10/s")
    });
    let ready = tmux.wait("case 6's baseline passed", Duration::from_secs(120), |s| {
        s.contains("Press i to inject")
    });
    tmux.keys(&["i"]);
    let checks = [
        "✔ detect/not-ready",
        "✔ detect/still-alive",
        "✔ detect/health-unhealthy",
    ];
    let detected = tmux.wait(
        "readiness and health failing while liveness answers",
        Duration::from_secs(20),
        |s| s.contains("F ■ db fail") && checks.iter().all(|c| s.contains(c)),
    );
    let shown = tmux.wait(
        "the app shown alive but not ready, not down",
        Duration::from_secs(15),
        alive_not_ready,
    );
    tmux.keys(&["r"]);
    let back = tmux.wait(
        "readiness back after the reset, the app healthy again",
        Duration::from_secs(30),
        |s| {
            s.contains("F □ db fail")
                && s.contains("✔ recover/ready-again")
                && s.contains("API ✔")
                && s.lines()
                    .any(|l| l.contains("✔ app ") && l.contains("running"))
        },
    );
    tmux.keys(&["Escape"]);
    tmux.wait("case 6 left", Duration::from_secs(20), |s| {
        s.contains("… 6 Alive, but not ready")
    });
    eprintln!(
        "case 6: baseline ready after {ready:?}; detect checks {detected:?} after the i key; \
         alive, not ready on screen {shown:?} later; ready again {back:?} after r; \
         {:?} in all",
        started.elapsed()
    );
}
