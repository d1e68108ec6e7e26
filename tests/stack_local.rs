//! The local backend for real: `workshop serve` as a supervised child under a
//! real memory limit, a real leak, a real kill, a real restart. Each test
//! gets free ports; they take turns, as they share the project's name and so
//! the app's cgroup.

mod common;

use std::time::{Duration, Instant};

use common::{free_port, turn, workshop, workshop_bin};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use workshop::stack::{Exit, Health, LocalOptions, LocalStack, StackEvent, StackSettings};

const MIB: u64 = 1024 * 1024;

fn local_stack(dir: &std::path::Path, force_rlimit: bool) -> LocalStack {
    let settings = StackSettings {
        project: "wstest-local".into(),
        api_port: free_port(),
        prometheus_port: free_port(),
        app_memory: 160 * MIB,
        health_timeout: Duration::from_secs(60),
        ..StackSettings::default()
    };
    let options = LocalOptions {
        program: workshop_bin().into(),
        dir: dir.to_path_buf(),
        database_url: None,
        force_rlimit,
    };
    LocalStack::with_options(settings, options)
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn wait_for(
    rx: &mut broadcast::Receiver<StackEvent>,
    within: Duration,
    want: impl Fn(&StackEvent) -> bool,
) -> Option<(Instant, StackEvent)> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(e)) if want(&e) => return Some((Instant::now(), e)),
            Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
            Ok(Err(_)) | Err(_) => return None,
        }
    }
}

/// Injects a leak, loads the app until it dies at its limit, and checks the
/// death, the restart and the status say so. Returns the status row's last exit.
async fn leak_until_killed_and_restarted(stack: &LocalStack) -> Option<Exit> {
    let mut events = stack.subscribe();
    let api = format!("http://127.0.0.1:{}", stack.settings().api_port);
    let set = http()
        .post(format!("{api}/api/failures"))
        .json(&json!({"memory_leak_mb": 20}))
        .send()
        .await
        .expect("inject");
    assert_eq!(set.status(), 200);
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
        |e| matches!(e, StackEvent::OomKilled { service } if service == "app"),
    )
    .await;
    load.abort();
    let (oom_at, _) = oom.expect("the app is killed at its memory limit within 90 s");
    let (_, died) = wait_for(
        &mut events,
        Duration::from_secs(5),
        |e| matches!(e, StackEvent::Died { service, .. } if service == "app"),
    )
    .await
    .expect("the death is reported");
    assert!(
        matches!(
            died,
            StackEvent::Died {
                signal: Some(_),
                ..
            }
        ),
        "{died:?}"
    );
    wait_for(
        &mut events,
        Duration::from_secs(30),
        |e| matches!(e, StackEvent::Restarted { service, count: 1 } if service == "app"),
    )
    .await
    .expect("restarted once");
    let (healthy_at, _) = wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, StackEvent::HealthChanged { service, health: Health::Healthy } if service == "app")
    })
    .await
    .expect("healthy again");
    eprintln!(
        "FIGURE local: kill at the limit → app healthy again: {:.1} s",
        healthy_at.duration_since(oom_at).as_secs_f64()
    );

    let status = stack.status().await.expect("status");
    let app = status.service("app").expect("app row");
    assert_eq!((app.restarts, app.oom_kills), (1, 1), "{app:?}");
    assert_eq!(app.memory_limit_bytes, Some(160 * MIB));
    let after: Value = http()
        .get(format!("{api}/api/failures"))
        .send()
        .await
        .expect("answers after the restart")
        .json()
        .await
        .expect("json");
    assert_eq!(
        after["current_config"]["memory_leak_mb"], 20,
        "the leak is a property of the code: a restart keeps it"
    );
    app.last_exit
}

/// After the first kill the leak is still injected: under load the app climbs
/// to a second kill; after a reset the same load kills nothing.
async fn a_second_kill_follows_until_a_reset(stack: &LocalStack) {
    let mut events = stack.subscribe();
    let api = format!("http://127.0.0.1:{}", stack.settings().api_port);
    let load = || {
        let api = api.clone();
        tokio::spawn(async move {
            loop {
                let _ = http().get(format!("{api}/api/balance")).send().await;
            }
        })
    };
    let climbing = load();
    let second = wait_for(
        &mut events,
        Duration::from_secs(90),
        |e| matches!(e, StackEvent::OomKilled { service } if service == "app"),
    )
    .await;
    climbing.abort();
    second.expect("a second kill follows the first while the leak stays injected");
    wait_for(&mut events, Duration::from_secs(60), |e| {
        matches!(e, StackEvent::HealthChanged { service, health: Health::Healthy } if service == "app")
    })
    .await
    .expect("healthy again after the second kill");

    let reset = http()
        .post(format!("{api}/api/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 200);
    let calm = load();
    let third = wait_for(&mut events, Duration::from_secs(20), |e| {
        matches!(e, StackEvent::OomKilled { .. } | StackEvent::Died { .. })
    })
    .await;
    calm.abort();
    assert!(third.is_none(), "the app died after the reset: {third:?}");
    let app = stack.status().await.expect("status");
    let app = app.service("app").expect("app row");
    assert_eq!(app.oom_kills, 2, "{app:?}");
}

#[tokio::test]
async fn a_leak_in_the_local_backend_ends_in_a_kernel_kill_at_the_cgroup_limit_and_a_restart() {
    let _turn = turn().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let stack = local_stack(dir.path(), false);
    stack.up().await.expect("local up");

    // This machine lets root make a memory cgroup (v1 here): the kernel kills.
    let last_exit = leak_until_killed_and_restarted(&stack).await;
    assert!(
        matches!(last_exit, Some(Exit::OomKilled { .. })),
        "{last_exit:?}"
    );
    a_second_kill_follows_until_a_reset(&stack).await;

    // Prometheus from PATH, with the embedded config, scrapes the local app.
    let (api_port, prometheus_port) = (stack.settings().api_port, stack.settings().prometheus_port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v: Value = http()
            .get(format!("http://127.0.0.1:{prometheus_port}/api/v1/targets"))
            .send()
            .await
            .expect("local prometheus answers")
            .json()
            .await
            .expect("json");
        let up = |job: &str, port: u16| {
            v["data"]["activeTargets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| {
                    t["labels"]["job"] == job
                        && t["labels"]["instance"] == format!("127.0.0.1:{port}").as_str()
                        && t["health"] == "up"
                })
        };
        // The app, and this Prometheus itself on its own port (never
        // another Prometheus that happens to hold 9090).
        if up("fintech-api", api_port) && up("prometheus", prometheus_port) {
            break;
        }
        assert!(Instant::now() < deadline, "app target never up: {v}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let config: Value = http()
        .get(format!(
            "http://127.0.0.1:{prometheus_port}/api/v1/status/config"
        ))
        .send()
        .await
        .expect("config")
        .json()
        .await
        .expect("json");
    let yaml = config["data"]["yaml"].as_str().unwrap_or_default();
    assert!(
        yaml.contains("stack: wstest-local"),
        "labelled with its project: {yaml}"
    );
    // A web page the student opens cannot stop it: the lifecycle API is off
    // (a page's cross-origin POST /-/quit stopped it before).
    let quit = http()
        .post(format!("http://127.0.0.1:{prometheus_port}/-/quit"))
        .header("origin", "http://evil.test")
        .header("content-type", "text/plain")
        .send()
        .await
        .expect("prometheus answers /-/quit");
    assert!(!quit.status().is_success(), "{}", quit.status());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ready = http()
        .get(format!("http://127.0.0.1:{prometheus_port}/-/ready"))
        .send()
        .await
        .expect("prometheus still up after /-/quit");
    assert!(ready.status().is_success());
    stack.down(true).await.expect("down");
}

#[tokio::test]
async fn without_a_cgroup_the_rlimit_refuses_the_leak_and_the_death_is_reported_as_the_limit() {
    let _turn = turn().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let stack = local_stack(dir.path(), true);
    stack.up().await.expect("local up");
    let last_exit = leak_until_killed_and_restarted(&stack).await;
    assert!(
        matches!(last_exit, Some(Exit::AllocationRefused { .. })),
        "{last_exit:?}"
    );
    stack.down(true).await.expect("down");
}

/// The `serve` and `prometheus` processes listening on `port`'s arguments.
fn children_on(api: u16, prometheus: u16) -> Vec<String> {
    let out = std::process::Command::new("ps")
        .args(["-eo", "pid=,args="])
        .output()
        .expect("ps");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| {
            l.contains(&format!("127.0.0.1:{api}"))
                || l.contains(&format!("127.0.0.1:{prometheus}"))
        })
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn up_local_stops_its_children_frees_the_port_and_removes_its_cgroup_on_sigterm() {
    let _turn = turn().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (api, prometheus) = (free_port(), free_port());
    let mut up = tokio::process::Command::from(workshop(&["up", "--local"]))
        .env("WORKSHOP_PROJECT", "wstest-sigterm")
        .env("WORKSHOP_PORT_API", api.to_string())
        .env("WORKSHOP_PORT_PROMETHEUS", prometheus.to_string())
        .env("WORKSHOP_LOCAL_DIR", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("workshop up --local");
    let stderr = up.stderr.take().expect("stderr");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
    let mut cgroup = None;
    let running = tokio::time::timeout(Duration::from_secs(90), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(at) = line.find("via cgroup ") {
                // "… via cgroup v2 /sys/fs/cgroup/…"
                cgroup = line[at..]
                    .split_whitespace()
                    .nth(3)
                    .map(std::path::PathBuf::from);
            }
            if line.contains("local stack running") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        running,
        Ok(true),
        "up --local did not report the stack running"
    );
    assert!(
        !children_on(api, prometheus).is_empty(),
        "serve runs before the signal"
    );
    let cgroup = cgroup.expect("this machine gives the app a cgroup (the line names it)");
    assert!(cgroup.exists(), "{} exists while running", cgroup.display());

    let pid = up.id().expect("pid") as i32;
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(Duration::from_secs(30), up.wait())
        .await
        .expect("up --local leaves within 30 s of SIGTERM")
        .expect("exit status");
    assert!(status.success(), "a clean stop: {status:?}");
    assert!(
        children_on(api, prometheus).is_empty(),
        "children left: {:?}",
        children_on(api, prometheus)
    );
    assert!(
        std::net::TcpListener::bind(("127.0.0.1", api)).is_ok(),
        "the API port is free again"
    );
    assert!(!cgroup.exists(), "{} removed", cgroup.display());
}
