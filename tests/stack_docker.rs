//! The Docker backend on the real engine of this machine, on the default
//! (official) images: no registry is reachable here, so `scripts/standin-images`
//! makes local stand-ins under the official names, and the app image is built
//! by `up` from the Dockerfile. Missing images fail the tests loudly; nothing
//! is skipped.
//!
//! The tests share one engine and one set of ports, so they take turns (a
//! lock), run under their own project name, and start and end with `down -v`.
//! A leaking app's OOM kill and the memory-leak case: `stack_docker_oom.rs`.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptions, ListNetworksOptions, ListVolumesOptions,
};
use common::stack_docker::{API, PROJECT, PROMETHEUS, fresh_stack, http};
use common::{turn, workshop};
use serde_json::{Value, json};
use workshop::stack::{DockerStack, Health, ServiceState};

/// Labelled objects of the test project: (containers, networks, volumes).
async fn labelled(stack: &DockerStack) -> (usize, usize, usize) {
    let filters = HashMap::from([(
        "label".to_string(),
        vec![
            "io.workshop.managed=true".to_string(),
            format!("io.workshop.project={PROJECT}"),
        ],
    )]);
    let d = stack.docker();
    let c = d
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters.clone()),
            ..Default::default()
        }))
        .await
        .expect("containers");
    let n = d
        .list_networks(Some(ListNetworksOptions {
            filters: Some(filters.clone()),
        }))
        .await
        .expect("networks");
    let v = d
        .list_volumes(Some(ListVolumesOptions {
            filters: Some(filters),
        }))
        .await
        .expect("volumes");
    (c.len(), n.len(), v.volumes.unwrap_or_default().len())
}

/// The app targets Prometheus scrapes, with their health, once all are "up"
/// (or whatever they are after `within`).
async fn prometheus_app_targets(want: usize, within: Duration) -> Vec<(String, String)> {
    let deadline = Instant::now() + within;
    loop {
        let mut targets = Vec::new();
        if let Ok(r) = http()
            .get(format!("http://127.0.0.1:{PROMETHEUS}/api/v1/targets"))
            .send()
            .await
            && let Ok(v) = r.json::<Value>().await
        {
            for t in v["data"]["activeTargets"].as_array().into_iter().flatten() {
                if t["labels"]["job"] == "fintech-api" {
                    targets.push((
                        t["labels"]["instance"].as_str().unwrap_or("").to_string(),
                        t["health"].as_str().unwrap_or("").to_string(),
                    ));
                }
            }
        }
        let up = targets.iter().filter(|(_, h)| h == "up").count();
        if up == want || Instant::now() > deadline {
            targets.sort();
            return targets;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `workshop ARGS` on the test project: its name and ports, no user config.
fn on_project(args: &[&str]) -> std::process::Output {
    workshop(args)
        .env("WORKSHOP_PROJECT", PROJECT)
        .env("WORKSHOP_PORT_API", API.to_string())
        .env("WORKSHOP_PORT_PROMETHEUS", PROMETHEUS.to_string())
        .env("WORKSHOP_PORT_GRAFANA", "13000")
        .env("WORKSHOP_CONFIG", "/nonexistent/stack.env")
        .output()
        .expect("run workshop")
}

#[tokio::test]
async fn up_brings_db_app_and_prometheus_to_healthy_traffic_flows_and_a_second_up_adopts() {
    let _turn = turn().await;
    let stack = fresh_stack(1).await;

    let started = Instant::now();
    let out = on_project(&["up"]);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "workshop up failed:\n{stderr}");
    eprintln!(
        "FIGURE workshop up → all healthy (images present): {:.1} s",
        took.as_secs_f64()
    );

    let status = stack.status().await.expect("status");
    for name in ["db", "app-1", "prometheus"] {
        let s = status.service(name).expect(name);
        assert_eq!(
            (s.state, s.health),
            (ServiceState::Running, Health::Healthy),
            "{name}"
        );
    }
    let grafana = status.service("grafana").expect("grafana row");
    assert_eq!(
        grafana.state,
        ServiceState::ImageMissing,
        "no registry, no Grafana image"
    );
    assert_eq!(
        status.service("app-1").and_then(|s| s.memory_limit_bytes),
        Some(256 * 1024 * 1024)
    );

    let api = format!("http://127.0.0.1:{API}");
    let balance: Value = http()
        .get(format!("{api}/api/balance"))
        .send()
        .await
        .expect("balance")
        .json()
        .await
        .expect("json");
    assert_eq!(balance["account"], "ACC-001");
    let transfer = http()
        .post(format!("{api}/api/transfer"))
        .json(&json!({"amount": 10, "to_account": "ACC-002"}))
        .send()
        .await
        .expect("transfer");
    assert_eq!(transfer.status(), 200);

    let targets = prometheus_app_targets(1, Duration::from_secs(30)).await;
    assert_eq!(targets, vec![("app-1:5000".to_string(), "up".to_string())]);

    let before = stack
        .docker()
        .inspect_container(&format!("{PROJECT}-app-1"), None::<InspectContainerOptions>)
        .await
        .expect("inspect")
        .id;
    let again = on_project(&["up"]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("adopted"));
    let after = stack
        .docker()
        .inspect_container(&format!("{PROJECT}-app-1"), None::<InspectContainerOptions>)
        .await
        .expect("inspect")
        .id;
    assert_eq!(before, after, "a second up keeps the running container");

    let status_out = on_project(&["status"]);
    let table = String::from_utf8_lossy(&status_out.stdout);
    assert!(status_out.status.success());
    assert!(
        table.contains(&format!("http://127.0.0.1:{API}")),
        "{table}"
    );

    let down = on_project(&["down"]);
    assert!(down.status.success());
    let (c, n, v) = labelled(&stack).await;
    assert_eq!(
        (c, n),
        (0, 0),
        "down leaves no container or network with our labels"
    );
    assert!(v > 0, "plain down keeps the volumes (the ledger's data)");
    let down_v = on_project(&["down", "-v"]);
    assert!(down_v.status.success());
    assert_eq!(
        labelled(&stack).await,
        (0, 0, 0),
        "down -v also removes the volumes"
    );
}

#[tokio::test]
async fn three_replicas_share_one_fault_state_and_prometheus_scrapes_all_three() {
    let _turn = turn().await;
    let stack = fresh_stack(3).await;
    stack.up().await.expect("up with three replicas");

    let set = http()
        .post(format!("http://127.0.0.1:{}/api/failures", API + 1))
        .json(&json!({"latency_ms": 123}))
        .send()
        .await
        .expect("inject on app-2");
    assert_eq!(set.status(), 200);
    for port in [API, API + 1, API + 2] {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let v: Value = http()
                .get(format!("http://127.0.0.1:{port}/api/failures"))
                .send()
                .await
                .expect("failures")
                .json()
                .await
                .expect("json");
            if v["current_config"]["latency_ms"] == 123 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "replica on {port} never saw the failure: {v}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    let targets = prometheus_app_targets(3, Duration::from_secs(30)).await;
    let names: Vec<&str> = targets.iter().map(|(i, _)| i.as_str()).collect();
    assert_eq!(names, ["app-1:5000", "app-2:5000", "app-3:5000"]);
    assert!(targets.iter().all(|(_, h)| h == "up"), "{targets:?}");

    stack.down(true).await.expect("down");
    assert_eq!(labelled(&stack).await, (0, 0, 0));
}

#[test]
fn with_docker_host_pointing_nowhere_the_cli_names_what_it_tried_and_the_fix() {
    let out = workshop(&["up"])
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run workshop");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("tcp://127.0.0.1:1"), "{stderr}");
    assert!(stderr.contains("start Docker"), "{stderr}");
    assert!(stderr.contains("--local"), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error")).count(),
        1,
        "{stderr}"
    );
}

#[tokio::test]
async fn every_overview_dashboard_panel_query_returns_data_from_the_stack_prometheus() {
    let _turn = turn().await;
    let stack = fresh_stack(1).await;
    stack.up().await.expect("up");
    let api = format!("http://127.0.0.1:{API}");
    // Traffic across at least three scrapes (5 s apart), so every rate() has
    // two samples in its window.
    let until = Instant::now() + Duration::from_secs(16);
    while Instant::now() < until {
        let _ = http().get(format!("{api}/api/balance")).send().await;
        let _ = http()
            .post(format!("{api}/api/transfer"))
            .json(&json!({"amount": 1, "to_account": "ACC-003"}))
            .send()
            .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_secs(6)).await;

    let dashboard: Value =
        serde_json::from_str(workshop::stack::files::GRAFANA_OVERVIEW).expect("dashboard JSON");
    let mut empty = Vec::new();
    let mut checked = 0;
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().into_iter().flatten() {
            let expr = target["expr"].as_str().expect("expr");
            let v: Value = http()
                .get(format!("http://127.0.0.1:{PROMETHEUS}/api/v1/query"))
                .query(&[("query", expr)])
                .send()
                .await
                .expect("query")
                .json()
                .await
                .expect("json");
            assert_eq!(v["status"], "success", "{expr}: {v}");
            checked += 1;
            if v["data"]["result"].as_array().is_none_or(|r| r.is_empty()) {
                empty.push(format!("{}: {expr}", panel["title"]));
            }
        }
    }
    assert!(checked >= 10, "only {checked} queries found");
    assert!(
        empty.is_empty(),
        "panel queries without data:\n{}",
        empty.join("\n")
    );
    stack.down(true).await.expect("down");
}

#[tokio::test]
async fn a_service_that_never_gets_healthy_is_named_with_its_last_log_lines() {
    let _turn = turn().await;
    let stack = fresh_stack(1).await;
    // An image that cannot be the app: its entrypoint exits at once, complaining.
    let out = workshop(&["up", "--image-app", "postgres:15-bookworm"])
        .env("WORKSHOP_PROJECT", PROJECT)
        .env("WORKSHOP_PORT_API", API.to_string())
        .env("WORKSHOP_PORT_PROMETHEUS", PROMETHEUS.to_string())
        // Long enough for the database's first start on a busy machine (its
        // initdb alone can take 8 s), which must pass for the app to be tried.
        .env("WORKSHOP_HEALTH_TIMEOUT_S", "30")
        .env("WORKSHOP_CONFIG", "/nonexistent/stack.env")
        .output()
        .expect("run workshop");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("app-1 did not become healthy within 30s"),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.trim_start().starts_with("| ") && l.contains("serve")),
        "the app's own last words (the database image cannot run `serve`): {stderr}"
    );
    stack.down(true).await.expect("down");
}
