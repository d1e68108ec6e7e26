//! A leaking app on the Docker backend, on the real engine of this machine:
//! the kernel's OOM kill at the container's limit, the restart that status
//! and the event stream report, and the memory-leak case end to end. On the
//! default (official) images: no registry is reachable here, so `scripts/standin-images`
//! makes local stand-ins under the official names, and the app image is built
//! by `up` from the Dockerfile. Missing images fail the tests loudly; nothing
//! is skipped.
//!
//! The tests share one engine and one set of ports, so they take turns (a
//! lock), run under their own project name, and start and end with `down -v`.
//! The stack's lifecycle: `stack_docker.rs`.

mod common;

use std::time::{Duration, Instant};

use bollard::query_parameters::InspectContainerOptions;
use common::stack_docker::{API, PROJECT, PROMETHEUS, fresh_stack, http};
use common::{turn, workshop};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use workshop::stack::{Health, StackEvent};

/// Waits for an event matching `want`, returning when it arrived.
async fn wait_for(
    rx: &mut broadcast::Receiver<StackEvent>,
    within: Duration,
    want: impl Fn(&StackEvent) -> bool,
) -> Option<Instant> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(e)) if want(&e) => return Some(Instant::now()),
            Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(_)) | Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn a_memory_leak_under_load_ends_in_an_oom_kill_and_a_restart_that_status_and_events_report()
{
    let _turn = turn().await;
    let stack = fresh_stack(1).await;
    stack.up().await.expect("up");
    let mut events = stack.subscribe();
    let api = format!("http://127.0.0.1:{API}");

    let set = http()
        .post(format!("{api}/api/failures"))
        .json(&json!({"memory_leak_mb": 20}))
        .send()
        .await
        .expect("inject");
    assert_eq!(set.status(), 200);

    // Load: a few clients hammering a leaking endpoint until the kill.
    let load = tokio::spawn({
        let api = api.clone();
        async move {
            loop {
                let _ = http().get(format!("{api}/api/balance")).send().await;
            }
        }
    });
    let oom = wait_for(
        &mut events,
        Duration::from_secs(90),
        |e| matches!(e, StackEvent::OomKilled { service } if service == "app-1"),
    )
    .await;
    load.abort();
    let oom_at = oom.expect("the app is OOM-killed within 90 s of the leak under load");

    let restarted = wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, StackEvent::Restarted { service, count } if service == "app-1" && *count >= 1)
    })
    .await;
    assert!(
        restarted.is_some(),
        "the restart policy brings it back and the stream says so"
    );
    let healthy = wait_for(&mut events, Duration::from_secs(90), |e| {
        matches!(e, StackEvent::HealthChanged { service, health: Health::Healthy } if service == "app-1")
    })
    .await
    .expect("healthy again");
    eprintln!(
        "FIGURE OOM kill → app healthy again: {:.1} s",
        healthy.duration_since(oom_at).as_secs_f64()
    );

    let inspect = stack
        .docker()
        .inspect_container(&format!("{PROJECT}-app-1"), None::<InspectContainerOptions>)
        .await
        .expect("inspect");
    assert_eq!(
        inspect.state.and_then(|s| s.oom_killed),
        Some(true),
        "State.OOMKilled"
    );
    assert!(inspect.restart_count.unwrap_or(0) >= 1, "RestartCount");

    let status = stack.status().await.expect("status");
    let app = status.service("app-1").expect("app-1");
    assert!(app.oom_kills >= 1, "{app:?}");
    assert!(app.restarts >= 1, "{app:?}");
    assert!(
        app.last_exit.is_some_and(|e| e.at_memory_limit()),
        "{app:?}"
    );
    // The restarted app answers again, and still has the leak: a fault is a
    // property of the running code, so under load it climbs to a second kill.
    let after = http()
        .get(format!("{api}/api/failures"))
        .send()
        .await
        .expect("failures");
    let after: Value = after.json().await.expect("json");
    assert_eq!(after["current_config"]["memory_leak_mb"], 20, "{after}");
    let kills_before = app.oom_kills;
    let climbing = tokio::spawn({
        let api = api.clone();
        async move {
            loop {
                let _ = http().get(format!("{api}/api/balance")).send().await;
            }
        }
    });
    let second = wait_for(
        &mut events,
        Duration::from_secs(120),
        |e| matches!(e, StackEvent::OomKilled { service } if service == "app-1"),
    )
    .await;
    climbing.abort();
    second.expect("a second OOM kill follows while the leak stays injected");
    wait_for(&mut events, Duration::from_secs(90), |e| {
        matches!(e, StackEvent::HealthChanged { service, health: Health::Healthy } if service == "app-1")
    })
    .await
    .expect("healthy again after the second kill");

    // A reset stops it: the same load for 20 s kills nothing.
    let reset = http()
        .post(format!("{api}/api/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 200);
    let calm = tokio::spawn({
        let api = api.clone();
        async move {
            loop {
                let _ = http().get(format!("{api}/api/balance")).send().await;
            }
        }
    });
    let third = wait_for(
        &mut events,
        Duration::from_secs(20),
        |e| matches!(e, StackEvent::OomKilled { service } if service == "app-1"),
    )
    .await;
    calm.abort();
    assert!(third.is_none(), "an OOM kill after the reset");
    let status = stack.status().await.expect("status");
    let app = status.service("app-1").expect("app-1");
    assert!(app.oom_kills > kills_before, "{app:?}");

    stack.down(true).await.expect("down");
}

/// The shipped memory-leak case, end to end on this stack: the
/// leak climbs to the limit, MemoryPressure fires, the kernel kills the app,
/// the restart policy brings it back, and recovery is verified.
#[tokio::test]
async fn the_memory_leak_case_passes_end_to_end_on_the_docker_stack() {
    let _turn = turn().await;
    let stack = fresh_stack(1).await;
    stack.up().await.expect("up");
    let dir = std::env::temp_dir().join(format!("wstest-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let report = dir.join("report.md");
    let out = tokio::process::Command::from(workshop(&[
        "run",
        "memory-leak",
        "--api-url",
        &format!("http://127.0.0.1:{API}"),
        "--prometheus-url",
        &format!("http://127.0.0.1:{PROMETHEUS}"),
    ]))
    .arg("--report")
    .arg(&report)
    // The run reads the app's OOM kills from this stack (by its project).
    .env("WORKSHOP_PROJECT", PROJECT)
    .output()
    .await
    .expect("workshop run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let status = stack.status().await.expect("status");
    stack.down(true).await.expect("down");
    assert!(out.status.success(), "memory-leak case failed:\n{stdout}");
    assert!(stdout.contains("MemoryPressure fired"), "{stdout}");
    let app = status.service("app-1").expect("app-1");
    assert!(
        app.oom_kills >= 1 && app.restarts >= 1,
        "the case ends in an OOM kill and a restart: {app:?}"
    );
    let md = std::fs::read_to_string(&report).expect("report");
    let row = md
        .lines()
        .find(|l| l.starts_with("| memory-leak — "))
        .unwrap_or_else(|| panic!("no summary row:\n{md}"));
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(cells[2], "passed", "{row}");
    let kills: u64 = cells[8]
        .parse()
        .unwrap_or_else(|_| panic!("OOM kills seen: {row}"));
    assert!(kills >= 1, "the report counts the case's OOM kill: {row}");
    let _ = std::fs::remove_dir_all(&dir);
}
