//! The console in a real terminal: `workshop tui --local` inside a detached
//! tmux session, driven with `send-keys` and read with `capture-pane`. The
//! local backend starts `workshop serve` (and Prometheus, which is on PATH
//! here) itself. Case 1 is picked with keys, its baseline measured, the
//! latency fault injected; the p95 chart and the detect check turn; the
//! reset brings p95 back. Then case 4 on the same stack: its leak grows to
//! the OOM kill, and what it measured is the app's memory in Prometheus.
//! Then case 6: the database goes away, readiness fails while liveness
//! answers, and the console says alive but not ready, never down.
//! `q` leaves a usable shell prompt.
//!
//! The student has joined a real `workshop coach` (`--coach URL --name`):
//! the header says the link is live, a coach message shows on screen, the
//! board sees the case end with the screen's time to detect, and when the coach goes away the link says so in
//! one word while the console carries on and quits at once.

mod common;
#[path = "tui_tmux/later_cases.rs"]
mod later_cases;

use std::process::Command;
use std::time::Duration;

use common::coach::Coach;
use common::tmux::Tmux;
use common::{free_port, workshop_bin};

/// The time shown after a finished check's line (`✔ detect/ID 2.348 18.0 s`),
/// in seconds: the time since its phase began.
fn check_time_on_screen(screen: &str, check: &str) -> Option<f64> {
    let line = screen.lines().find(|l| l.contains(check))?;
    let after = line.split(check).nth(1)?;
    let words: Vec<&str> = after.split_whitespace().collect();
    let unit = words.iter().position(|w| *w == "s")?;
    words.get(unit.checked_sub(1)?)?.parse().ok()
}

/// The time to detect of case `id` in a session report's summary table.
fn ttd_in_report(report: &str, id: &str) -> Option<f64> {
    let row = report
        .lines()
        .find(|l| l.starts_with(&format!("| {id} — ")))?;
    let cell = row.split('|').nth(3)?.trim();
    cell.strip_suffix(" s")?.parse().ok()
}

/// The value in front of the p95 sparkline, in seconds.
fn p95_on_screen(screen: &str) -> Option<f64> {
    let line = screen.lines().find(|l| l.contains("│p95 "))?;
    let after = line.split("│p95").nth(1)?.trim_start();
    let mut parts = after.split_whitespace();
    let value: f64 = parts.next()?.parse().ok()?;
    match parts.next()? {
        "ms" => Some(value / 1000.0),
        "s" => Some(value),
        _ => None,
    }
}

const COACH_TOKEN: &str = "tmux-coach-token-0123456789";

#[test]
fn a_student_walks_case_one_in_a_real_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("workshop-tui-{}", std::process::id());
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let mut coach = rt.block_on(Coach::start("TMUX-1", COACH_TOKEN));
    let tmux = Tmux::start(&name);
    let prom_port = free_port();
    let command = format!(
        "env WORKSHOP_PORT_API={} WORKSHOP_PORT_PROMETHEUS={prom_port} WORKSHOP_LOCAL_DIR={} \
         WORKSHOP_PROGRESS={} WORKSHOP_PROJECT={name} LANG=C.UTF-8 {} tui --local \
         --coach {} --name Dana",
        free_port(),
        dir.path().join("local").display(),
        dir.path().join("progress.json").display(),
        workshop_bin(),
        coach.board,
    );
    tmux.keys(&[&command, "Enter"]);

    let up = tmux.wait(
        "the local stack up, API and Prometheus answering",
        Duration::from_secs(90),
        |s| s.contains("Stack · local") && s.contains("API ✔") && s.contains("Prometheus ✔"),
    );
    eprintln!("stack up after {up:?}");
    tmux.wait("the coach link live", Duration::from_secs(15), |s| {
        s.contains("coach: live")
    });

    // Case 1, picked with keys: down, back up, open.
    tmux.keys(&["j"]);
    tmux.keys(&["k"]);
    tmux.keys(&["Enter"]);
    tmux.wait("case 1 opened with load", Duration::from_secs(10), |s| {
        s.contains("▶ 1 Slow payments") && s.contains("▶ target 10/s")
    });
    let ready = tmux.wait("the baseline passed", Duration::from_secs(180), |s| {
        s.contains("Press i to inject")
    });
    eprintln!("baseline ready after {ready:?}");

    let pressed = std::time::Instant::now();
    tmux.keys(&["i"]);
    let acked = tmux.wait(
        "the API acknowledging the fault",
        Duration::from_secs(10),
        |s| s.contains("latency 2000 ms") && s.contains("L ■ latency"),
    );
    let chart = tmux.wait(
        "p95 above 1.5 s on the chart",
        Duration::from_secs(30),
        |s| p95_on_screen(s).is_some_and(|v| v > 1.5),
    );
    let check = tmux.wait("the detect check passed", Duration::from_secs(30), |s| {
        s.contains("✔ detect/p95-above-objective")
    });
    // The time to detect on screen is when the condition first held, counted
    // from the inject key: the check passes once it has held for its 5 s
    // (`hold_for` in cases/01-latency.yaml), give or take its 2 s poll, the
    // screen's refresh and this test's polling.
    let seen_after = pressed.elapsed().as_secs_f64();
    let shown = check_time_on_screen(&tmux.screen(), "✔ detect/p95-above-objective")
        .expect("the passed check shows its time since the injection");
    const HOLD_FOR: f64 = 5.0;
    assert!(
        (shown + HOLD_FOR - seen_after).abs() <= 3.0,
        "the screen says the p95 held above the objective from {shown} s after the injection; \
         the check (held {HOLD_FOR} s) appeared {seen_after:.1} s after the i key"
    );
    // The bound docs/tui.md gives: chart and check both show the fault within
    // 30 s of the key (the case itself needs about 16 s of it).
    let since_key = acked + chart + check;
    assert!(
        since_key <= Duration::from_secs(30),
        "the detect check passed {since_key:?} after the inject key (limit 30 s)"
    );
    eprintln!(
        "inject acknowledged on screen after {acked:?}; p95 chart > 1.5 s after {chart:?}; detect check passed {check:?} after that"
    );

    // The coach tells the room something; the console shows it.
    let said = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/messages", coach.board))
            .bearer_auth(COACH_TOKEN)
            .json(&serde_json::json!({"text": "5 minutes left on case 1"}))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert_eq!(said.ok(), Some(201));
    tmux.wait(
        "the coach's message on screen",
        Duration::from_secs(15),
        |s| s.contains("coach: 5 minutes left on case 1"),
    );

    tmux.keys(&["r"]);
    let back = tmux.wait(
        "p95 back under 0.5 s after the reset",
        Duration::from_secs(120),
        |s| s.contains("L □ latency") && p95_on_screen(s).is_some_and(|v| v < 0.5),
    );
    let recovered = tmux.wait("the recover check passed", Duration::from_secs(60), |s| {
        s.contains("✔ recover/p95-back-to-normal")
    });
    eprintln!("p95 back after {back:?}; recover check {recovered:?} after that");

    // The board saw the case end, with the screen's time to detect (this
    // walk recovers before the alert fires, so the case itself fails); then
    // the coach goes away mid-session.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let board = rt.block_on(coach.board_json());
        let cell = &board["students"][0]["cases"]["latency"];
        if cell["phase"] == "passed" || cell["phase"] == "failed" {
            assert_eq!(board["students"][0]["name"], "Dana", "{board}");
            let ttd = cell["ttd_s"].as_f64().unwrap_or(f64::NAN);
            assert!(
                (ttd - shown).abs() < 0.05,
                "the board's time to detect {ttd} s is not the screen's {shown} s: {board}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the board never saw case 1 end: {board}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    coach.kill();
    tmux.wait(
        "the link saying the coach is gone",
        Duration::from_secs(20),
        |s| s.contains("coach: retrying"),
    );

    // Case 4 on the same console and stack, while the coach is away.
    later_cases::walk_case_four(&tmux, &rt, &format!("http://127.0.0.1:{prom_port}"));
    // Then case 6 on them.
    later_cases::walk_case_six(&tmux);

    tmux.keys(&["q"]);
    tmux.wait(
        "the console gone and its note printed",
        Duration::from_secs(30),
        |s| s.contains("session report:") && s.contains("local stack stopped"),
    );
    tmux.shell_answers(42);
    let progress =
        std::fs::read_to_string(dir.path().join("progress.json")).expect("progress saved");
    assert!(progress.contains("\"latency\""), "{progress}");

    // The session report says what the screen said.
    let report = std::fs::read_dir(dir.path())
        .expect("the data dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .expect("a session report beside the progress file");
    let report = std::fs::read_to_string(report).expect("report read");
    let in_report =
        ttd_in_report(&report, "latency").expect("case 1's time to detect in the report");
    assert!(
        (in_report - shown).abs() < 0.05,
        "the report's time to detect {in_report} s is not the screen's {shown} s:\n{report}"
    );
    assert!(
        report.contains("| fault injected |") && report.contains("](session-report-"),
        "the report has the case's timeline and chart:\n{report}"
    );
}

#[test]
fn a_killed_console_gives_the_terminal_back_and_stops_its_children() {
    let dir = tempfile::tempdir().expect("temp dir");
    let name = format!("workshop-tui-kill-{}", std::process::id());
    let tmux = Tmux::start(&name);
    let api_port = free_port();
    let command = format!(
        "env WORKSHOP_PORT_API={api_port} WORKSHOP_PORT_PROMETHEUS={} WORKSHOP_LOCAL_DIR={} \
         WORKSHOP_PROGRESS={} WORKSHOP_PROJECT={name} {} tui --local --lang en",
        free_port(),
        dir.path().join("local").display(),
        dir.path().join("progress.json").display(),
        workshop_bin(),
    );
    tmux.keys(&[&command, "Enter"]);
    tmux.wait("the console up", Duration::from_secs(90), |s| {
        s.contains("Stack · local") && s.contains("API ✔")
    });
    // SIGTERM to the console (not to its children): it leaves as `q` does.
    let console = Command::new("pgrep")
        // `--lang en` tells it from the console of the other test.
        .args([
            "-x",
            "-f",
            &format!("{} tui --local --lang en", workshop_bin()),
        ])
        .output()
        .expect("pgrep");
    let pid = String::from_utf8_lossy(&console.stdout)
        .lines()
        .next()
        .map(str::to_string)
        .expect("the console's pid");
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    tmux.wait("the console's closing note", Duration::from_secs(30), |s| {
        s.contains("local stack stopped")
    });
    tmux.shell_answers(41);
    let api = std::net::TcpStream::connect(("127.0.0.1", api_port));
    assert!(api.is_err(), "the API child outlived the console");
}
