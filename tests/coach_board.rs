//! The coach's board end to end, with real parts: one `workshop coach`;
//! three students, each a headless `workshop run latency` against a stack of
//! its own (`workshop serve` on PostgreSQL and a Prometheus, on their own
//! ports), joined under three names; headless Chromium reading the board
//! page's DOM while the rows move baseline → detect → recover → passed.
//!
//! One student (Chen) joins the way a remote class does: through an HTTPS
//! reverse proxy (Debian's nginx, set up as the coach guide says), trusting
//! its certificate's CA as a student's machine would trust a public one.
//!
//! Midway the coach is killed and brought back on the same port: the runs
//! carry on and pass, and the rows catch up, the events sent before the kill
//! included (the class's times to detect count all three students).
//!
//! A coach killed and started again with the same `--state-dir` keeps its
//! messages: on the board, to a console that joins, and never twice to one
//! that showed them.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::coach::{Coach, TlsProxy, dom, phases, screenshot};
use common::{Backend, PrometheusServer, Server, TestDb, free_port, workshop};
use serde_json::{Value, json};

const CASE: &str = "latency";
const NAMES: [&str; 3] = ["Ana", "Boris", "Chen"];
/// A cell's phases in the order a case walks them.
const ORDER: [&str; 7] = [
    "baseline", "inject", "detect", "respond", "recover", "rollback", "passed",
];
const CODE: &str = "ROOM-42";
const TOKEN: &str = "coach-only-token-0123456789";

fn rank(phase: &str) -> usize {
    ORDER
        .iter()
        .position(|p| *p == phase)
        .unwrap_or_else(|| panic!("the board showed a phase out of the walk: {phase:?}"))
}

async fn board_dom(url: &str) -> String {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || dom(&url, Duration::from_millis(2500)))
        .await
        .expect("chromium thread")
}

/// The board's stream comes through the proxy as it happens: the first
/// snapshot within 5 s of asking (a buffering proxy would hold it).
async fn stream_through(proxy: &TlsProxy, class_url: &str) {
    let ca = std::fs::read(&proxy.ca_file).expect("the proxy's CA");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("a PEM CA"))
        .build()
        .expect("client");
    let first = async {
        let mut r = http
            .get(format!("{class_url}/stream"))
            .send()
            .await
            .expect("the stream through the proxy");
        assert!(r.status().is_success(), "{}", r.status());
        let mut text = String::new();
        while let Some(chunk) = r.chunk().await.expect("a chunk") {
            text.push_str(&String::from_utf8_lossy(&chunk));
            if text.contains("\n\n") {
                return text;
            }
        }
        text
    };
    let text = tokio::time::timeout(Duration::from_secs(5), first)
        .await
        .expect("no snapshot came through the proxy within 5 s");
    assert!(text.contains("event: board"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_students_cross_the_board_and_outlive_a_coach_restart() {
    let mut coach = Coach::start(CODE, TOKEN).await;
    let port = coach.port;
    let class_url = coach.board.clone();
    let proxy = TlsProxy::start(port).await;
    let class_path = class_url
        .split_once("/class/")
        .map(|(_, c)| c)
        .expect("a class URL");
    let remote_url = format!("{}/class/{class_path}", proxy.url);
    stream_through(&proxy, &remote_url).await;

    let mut stacks = Vec::new();
    for _ in NAMES {
        let db = TestDb::new(Backend::Postgres).await;
        let api = Server::start(&db.url).await;
        let target = api.url.trim_start_matches("http://").to_string();
        let prom = PrometheusServer::start(&target).await;
        stacks.push((db, api, prom));
    }
    let mut runs = Vec::new();
    for (name, (_, api, prom)) in NAMES.iter().zip(&stacks) {
        let mut cmd =
            tokio::process::Command::from(workshop(&["run", CASE, "--api-url", &api.url]));
        let coach_url = if *name == "Chen" {
            cmd.env("SSL_CERT_FILE", &proxy.ca_file);
            &remote_url
        } else {
            &class_url
        };
        let child = cmd
            .args(["--prometheus-url", &prom.url])
            .args(["--coach", coach_url, "--name", name])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawn workshop run");
        runs.push(tokio::spawn(child.wait_with_output()));
    }

    // What each row showed, in the order seen.
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut restarted = false;
    let mut caught_up = None;
    let started = Instant::now();
    while !runs.iter().all(|r| r.is_finished()) {
        assert!(
            started.elapsed() < Duration::from_secs(12 * 60),
            "the runs took over 12 minutes; the board showed {seen:?}"
        );
        let rows = phases(&board_dom(&class_url).await, CASE);
        for (name, phase) in &rows {
            if phase.is_empty() {
                continue;
            }
            let trail = seen.entry(name.clone()).or_default();
            if trail.last() != Some(phase) {
                trail.push(phase.clone());
            }
        }
        if restarted && caught_up.is_none() {
            caught_up = Some(rows.clone());
        }
        let first_detect = rows
            .values()
            .any(|p| !p.is_empty() && rank(p) >= rank("detect"));
        if !restarted && first_detect {
            if let Ok(path) = std::env::var("WORKSHOP_BOARD_SCREENSHOT") {
                let url = class_url.clone();
                tokio::task::spawn_blocking(move || {
                    screenshot(&url, std::path::Path::new(&path), 1500, 640)
                })
                .await
                .expect("screenshot thread");
            }
            // Mid-case: the students' links lose the coach for 8 s.
            coach.kill();
            tokio::time::sleep(Duration::from_secs(8)).await;
            coach = Coach::start_on(port, CODE, TOKEN).await;
            restarted = true;
            // Links retry with a backoff of at most 8 s.
            tokio::time::sleep(Duration::from_secs(9)).await;
        } else {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
    assert!(
        restarted,
        "no row reached detect while the runs lasted: {seen:?}"
    );

    // The runs carried on unharmed.
    for (name, run) in NAMES.iter().zip(runs) {
        let out = run.await.expect("join").expect("workshop run");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{name}'s run failed while the coach went away:\n{stdout}\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }

    // The rows caught up once the coach was back: each row was there again
    // on the first look after the restart.
    let caught_up = caught_up.expect("a look after the restart");
    for name in NAMES {
        assert!(
            caught_up.get(name).is_some_and(|p| !p.is_empty()),
            "{name} was missing from the board after the coach came back: {caught_up:?}"
        );
    }

    // The last look: everyone passed, and each row moved forward only,
    // through baseline, detect and recover.
    let last = phases(&board_dom(&class_url).await, CASE);
    for name in NAMES {
        assert_eq!(
            last.get(name).map(String::as_str),
            Some("passed"),
            "{name}'s row at the end: {last:?}"
        );
        let trail = seen.get(name).cloned().unwrap_or_default();
        assert!(
            trail.windows(2).all(|w| rank(&w[0]) < rank(&w[1])),
            "{name}'s row went backwards: {trail:?}"
        );
        for must in ["baseline", "detect", "recover"] {
            assert!(
                trail.iter().any(|p| p == must),
                "the board never showed {name} in {must}: {trail:?}"
            );
        }
    }

    // The facts behind the rows: the times sent before the kill came back.
    let board = coach.board_json().await;
    let stats = &board["stats"][CASE];
    for metric in ["ttd_s", "tta_s", "ttr_s"] {
        let values = stats[metric].as_array().cloned().unwrap_or_default();
        assert_eq!(values.len(), 3, "{metric} of the class: {stats}");
    }
    assert_eq!(stats["passed"], 3, "{stats}");

    // Names only: nothing of the students' machines reached the board.
    let mut shown = board.to_string();
    for name in NAMES {
        let timeline = reqwest::get(format!("{class_url}/students/{name}"))
            .await
            .expect("timeline")
            .text()
            .await
            .expect("timeline body");
        assert!(timeline.contains("case_finished"), "{name}: {timeline}");
        shown.push_str(&timeline);
    }
    for (_, api, prom) in &stacks {
        for url in [&api.url, &prom.url] {
            let port = url.rsplit(':').next().unwrap_or_default();
            assert!(
                !shown.contains(&format!(":{port}")),
                "the board shows a student's address {url}"
            );
        }
    }
    if let Ok(host) = std::fs::read_to_string("/etc/hostname") {
        let host = host.trim();
        assert!(
            host.is_empty() || !shown.contains(host),
            "the board shows the hostname"
        );
    }
}

/// A console's post (no events): the coach's answer, `Ack`'s JSON.
async fn ack(coach: &Coach, name: &str, epoch: &str, messages_after: u64) -> Value {
    let batch = json!({
        "name": name, "run": format!("{name}-1"), "sent": chrono::Utc::now(),
        "epoch": epoch, "messages_after": messages_after, "events": [],
    });
    let r = reqwest::Client::new()
        .post(format!("{}/events", coach.board))
        .json(&batch)
        .send()
        .await
        .expect("a post");
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.expect("an ack")
}

fn ids(ack: &Value) -> Vec<u64> {
    let messages = ack["messages"].as_array().cloned().unwrap_or_default();
    messages.iter().filter_map(|m| m["id"].as_u64()).collect()
}

#[tokio::test]
async fn a_coach_restarted_with_its_state_dir_keeps_its_messages() {
    let root = tempfile::tempdir().expect("temp dir");
    let dir = root.path().join("coach-state");
    let flags = ["--state-dir", dir.to_str().expect("a UTF-8 path")];
    let mut coach = Coach::start_with(free_port(), CODE, TOKEN, &flags).await;
    assert_eq!(coach.broadcast(TOKEN, "5 minutes left on case 1").await, 1);
    // Ana's console shows it: it keeps the epoch and the id.
    let shown = ack(&coach, "Ana", "", 0).await;
    assert_eq!(ids(&shown), [1], "{shown}");
    let epoch = shown["epoch"].as_str().expect("an epoch").to_string();

    coach.kill();
    let coach = Coach::start_with(coach.port, CODE, TOKEN, &flags).await;
    let board = coach.board_json().await;
    assert_eq!(
        board["messages"][0]["text"], "5 minutes left on case 1",
        "{board}"
    );
    let joined = ack(&coach, "Boris", "", 0).await;
    assert_eq!(ids(&joined), [1], "a console that joins gets it: {joined}");
    let again = ack(&coach, "Ana", &epoch, 1).await;
    assert_eq!(again["epoch"], epoch.as_str(), "{again}");
    assert!(ids(&again).is_empty(), "Ana saw it already: {again}");
    assert_eq!(coach.broadcast(TOKEN, "case 2 next").await, 2, "a new id");
    let next = ack(&coach, "Ana", &epoch, 1).await;
    assert_eq!(ids(&next), [2], "{next}");
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&dir)
        .expect("the state dir")
        .permissions();
    assert_eq!(mode.mode() & 0o777, 0o700);
}
